from . import test_demo_generator, test_followup, test_policy, test_security
