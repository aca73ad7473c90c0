from datetime import date, timedelta

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import CollectionCommon

TODAY = date(2026, 6, 30)
JOB_LOGGER = "odoo.addons.collection_management.models.collection_job"


@tagged("post_install", "-at_install")
class TestAssignmentRuleFaults(CollectionCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({"collection_case_min_amount": 0, "collection_case_min_days": 1})
        cls.rule_model = cls.env["collection.assignment.rule"]
        cls.case_model = cls.env["collection.case"]

    def _overdue_customer(self, name):
        partner = self._customer(name)
        self._invoice(partner, 500, TODAY - timedelta(days=40))
        return partner

    def test_rule_whose_filter_no_longer_evaluates_is_skipped_and_reported(self):
        segment = self.env["ir.model.fields"].create(
            {
                "name": "x_collection_segment",
                "field_description": "Segment",
                "model_id": self.env.ref("base.model_res_partner").id,
                "ttype": "char",
                "state": "manual",
            }
        )
        broken = self.rule_model.create(
            {
                "name": "Segment A",
                "sequence": 1,
                "domain": "[('x_collection_segment', '=', 'A')]",
                "user_ids": [(6, 0, self.collector.ids)],
            }
        )
        self.rule_model.create(
            {"name": "Everyone", "sequence": 2, "user_ids": [(6, 0, self.collector_2.ids)]}
        )
        # the custom field is removed later: the rule still names it
        segment.unlink()
        partner = self._overdue_customer("Segment Co")
        with freeze_time(TODAY), self.assertLogs(JOB_LOGGER, "ERROR") as logged:
            case = self.case_model._collection_sync(self.company, TODAY, partner)
        self.assertIn("x_collection_segment", logged.output[0])
        self.assertTrue(case, "the case is opened despite the broken rule")
        self.assertEqual(case.collector_id, self.collector_2, "the next rule assigns it")
        reports = broken.message_ids.filtered(lambda m: "x_collection_segment" in m.body)
        self.assertEqual(len(reports), 1, "the managers are told on the broken rule")
        self.assertIn(self.manager.partner_id, reports.partner_ids)


@tagged("post_install", "-at_install")
class TestDisputeReasonDeletion(CollectionCommon):
    def test_reason_in_use_cannot_be_deleted_and_archiving_keeps_the_disputes(self):
        reason = self.env["collection.dispute.reason"].create({"name": "Wrong price"})
        invoice = self._invoice(self.partner_a, 700, TODAY - timedelta(days=30))
        invoice.write(
            {
                "collection_dispute_reason_id": reason.id,
                "collection_dispute_end_date": TODAY + timedelta(days=10),
            }
        )
        with self.assertRaisesText(UserError, "archive it instead"):
            reason.with_user(self.manager).unlink()
        reason.with_user(self.manager).action_archive()
        self.assertFalse(reason.active)
        self.assertEqual(invoice.collection_dispute_reason_id, reason)
        self.assertTrue(invoice._collection_is_disputed(TODAY), "reminders stay paused")

    def test_unused_reason_can_be_deleted(self):
        reason = self.env["collection.dispute.reason"].create({"name": "Never used"})
        reason.with_user(self.manager).unlink()
        self.assertFalse(reason.exists())
