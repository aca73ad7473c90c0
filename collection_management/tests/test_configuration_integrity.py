from datetime import date, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import UserError, ValidationError
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
                "user_ids": [Command.set(self.collector.ids)],
            }
        )
        self.rule_model.create(
            {"name": "Everyone", "sequence": 2, "user_ids": [Command.set(self.collector_2.ids)]}
        )
        # the custom field is removed later: the rule still names it
        segment.unlink()
        partner = self._overdue_customer("Segment Co", 500)
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


@tagged("post_install", "-at_install")
class TestConfigurationValues(CollectionCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.template = cls.env.ref("collection_management.mail_template_followup_friendly")
        cls.rule_model = cls.env["collection.assignment.rule"]
        cls.level_model = cls.env["collection.level"]

    def test_day_counts_past_the_database_range_give_a_clear_message(self):
        policy = self._policy("Huge numbers", (7,))
        level = policy.level_ids
        too_big = 2**31
        for field in ("delay_days", "min_interval_days", "activity_delay_days"):
            with self.assertRaisesText(ValidationError, "must lie between"):
                self.level_model.create(
                    {"policy_id": policy.id, "name": "X", "send_email": False, field: too_big}
                )
            with self.assertRaisesText(ValidationError, "must lie between"):
                level.write({field: too_big})
                level.flush_recordset()
        rule = self.rule_model.create(
            {"name": "Rule", "user_ids": [Command.set(self.collector.ids)]}
        )
        for field in ("min_days", "sequence"):
            with self.assertRaisesText(ValidationError, "must lie between"):
                self.rule_model.create(
                    {"name": "X", "user_ids": [Command.set(self.collector.ids)], field: too_big}
                )
            with self.assertRaisesText(ValidationError, "must lie between"):
                rule.write({field: -too_big - 1})
                rule.flush_recordset()
        with self.assertRaisesText(ValidationError, "must lie between"):
            self.env["collection.dispute.reason"].create({"name": "X", "sequence": too_big})

    def test_amounts_that_are_not_numbers_are_refused(self):
        rule = self.rule_model.create(
            {"name": "Rule", "user_ids": [Command.set(self.collector.ids)]}
        )
        for value in (float("nan"), float("inf"), float("-inf")):
            with self.assertRaisesText(ValidationError, "must be a number"):
                self.rule_model.create(
                    {
                        "name": "X",
                        "user_ids": [Command.set(self.collector.ids)],
                        "min_amount": value,
                    }
                )
            with self.assertRaisesText(ValidationError, "must be a number"):
                rule.write({"min_amount": value})
                rule.flush_recordset()

    def test_blank_names_are_refused(self):
        policy = self._policy("Named", (7,))
        rule = self.rule_model.create(
            {"name": "Rule", "user_ids": [Command.set(self.collector.ids)]}
        )
        reason = self.env["collection.dispute.reason"].create({"name": "Reason"})
        new_values = {
            "collection.policy": {},
            "collection.level": {"policy_id": policy.id, "delay_days": 30, "send_email": False},
            "collection.assignment.rule": {"user_ids": [Command.set(self.collector.ids)]},
            "collection.dispute.reason": {},
        }
        for model, values in new_values.items():
            for blank in ("", "   ", "\t\n", False):
                with self.assertRaisesText(ValidationError, "a name is required"):
                    self.env[model].create({**values, "name": blank})
        for record in (policy, policy.level_ids, rule, reason):
            with self.assertRaisesText(ValidationError, "a name is required"):
                record.write({"name": "  "})
        self.assertEqual(policy.name, "Named")

    def test_policy_names_differing_only_by_case_or_spaces_are_duplicates(self):
        self._policy("Strict terms")
        with self.assertRaisesText(ValidationError, "already exists"):
            self._policy("  strict   TERMS ")
        self._policy("Gentle").action_archive()
        with self.assertRaisesText(ValidationError, "already exists"):
            self._policy("GENTLE")
        self.assertTrue(self._policy("strict terms", company=self.company_b))


@tagged("post_install", "-at_install")
class TestLevelArchiving(CollectionCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        template = cls.env.ref("collection_management.mail_template_followup_friendly")
        cls.test_policy = cls.env["collection.policy"].create(
            {
                "name": "Two steps",
                "level_ids": [
                    Command.create(
                        {"name": name, "delay_days": delay, "mail_template_id": template.id}
                    )
                    for name, delay in (("Reminder", 7), ("Demand", 30), ("Final", 60))
                ],
            }
        )
        cls.reminder, cls.demand, cls.final = cls.test_policy._levels_by_delay()

    def _customer_40_days_overdue(self, name):
        partner = self._overdue_customer(name, 900)
        partner.with_company(self.company).collection_policy_id = self.test_policy
        return partner

    def test_level_with_followups_cannot_be_deleted_and_can_be_archived(self):
        first = self._customer_40_days_overdue("First Debtor")
        followup = self._run_followups(partners=first)["followups"]
        self.assertEqual(followup.level_id, self.demand)
        with self.assertRaisesText(UserError, "archive it instead"):
            self.demand.with_user(self.manager).unlink()
        with self.assertRaisesText(UserError, "archive it instead"):
            self.test_policy.with_user(self.manager).unlink()
        self.demand.with_user(self.manager).action_archive()
        self.assertEqual(followup.level_id, self.demand, "past follow-ups keep their level")
        self.assertEqual(self.test_policy._levels_by_delay(), self.reminder | self.final)
        self.assertEqual(self.test_policy.level_ids.mapped("sequence"), [1, 2])
        self.assertEqual(self.test_policy.level_count, 2)
        self.assertEqual(self.test_policy.archived_level_count, 1)
        self.assertEqual(
            self.env["collection.level"].search(
                self.test_policy.action_view_archived_levels()["domain"]
            ),
            self.demand,
        )
        second = self._customer_40_days_overdue("Second Debtor")
        self.assertEqual(
            self._run_followups(partners=second)["followups"].level_id,
            self.reminder,
            "new follow-ups no longer use the archived level",
        )

    def test_unused_level_can_be_deleted(self):
        self.final.with_user(self.manager).unlink()
        self.assertEqual(self.test_policy.level_ids, self.reminder | self.demand)

    def test_reactivating_a_level_whose_delay_was_taken_again_is_refused(self):
        self.demand.action_archive()
        self.env["collection.level"].create(
            {
                "policy_id": self.test_policy.id,
                "name": "New demand",
                "delay_days": 30,
                "send_email": False,
            }
        )
        with self.assertRaisesText(ValidationError, "cannot share a delay"):
            self.demand.action_unarchive()
