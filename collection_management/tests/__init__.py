from . import (
    test_access_matrix,
    test_case,
    test_case_assignment,
    test_demo_generator,
    test_followup,
    test_followup_faults,
    test_policy,
    test_promise,
    test_security,
    test_translation,
)
