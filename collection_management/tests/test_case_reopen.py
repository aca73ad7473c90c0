from odoo.tests import tagged

from .common import CollectionCommon


@tagged("post_install", "-at_install")
class TestCaseReopen(CollectionCommon):
    """A case reopened after its collector left goes to the assignment: no open case
    stays with an archived collector."""

    def test_reopened_case_of_a_collector_who_left_is_assigned_again(self):
        customer = self._overdue_customer("Reopened Debtor Ltd")
        case = self._open_case(customer, self.collector)
        case._collection_close("returned", "Back to sales")
        self.collector.action_archive()
        self.assertEqual(case.collector_id, self.collector, "a closed case keeps its history")
        case.with_user(self.manager).action_reopen()
        self.assertFalse(case.is_closed)
        self.assertNotEqual(case.collector_id, self.collector)
        self.assertTrue(not case.collector_id or case.collector_id.active)

    def test_reopened_case_keeps_its_active_collector(self):
        customer = self._overdue_customer("Kept Debtor Ltd")
        case = self._open_case(customer, self.collector)
        case._collection_close("returned", "Back to sales")
        case.with_user(self.manager).action_reopen()
        self.assertEqual(case.collector_id, self.collector)
