from . import test_demo_generator, test_policy, test_security
