from datetime import date, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import CollectionCommon

TODAY = date(2026, 6, 30)


@tagged("post_install", "-at_install")
class TestCaseAssignment(CollectionCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({"collection_case_min_amount": 0, "collection_case_min_days": 1})
        cls.collector_3 = cls._make_user(
            "collector3", "collection_management.group_collection_collector"
        )
        cls.rule_model = cls.env["collection.assignment.rule"]
        cls.case_model = cls.env["collection.case"]

    def _cases(self, amounts, days=45, company=None):
        company = company or self.company
        partners = self.env["res.partner"].create(
            [{"name": f"Customer {company.id}-{i}"} for i in range(len(amounts))]
        )
        for partner, amount in zip(partners, amounts, strict=True):
            self._invoice(partner, amount, TODAY - timedelta(days=days), company=company)
        with freeze_time(TODAY):
            cases = self.case_model._collection_sync(company, TODAY, partners)
        return cases.sorted("id")

    def test_round_robin_resumes_where_it_stopped(self):
        rule = self.rule_model.create(
            {
                "name": "Everyone",
                "user_ids": [Command.set((self.collector | self.collector_2).ids)],
                "method": "round_robin",
            }
        )
        cases = self._cases([100, 200, 300])
        first, second = sorted((self.collector | self.collector_2).ids)
        self.assertEqual([case.collector_id.id for case in cases], [first, second, first])
        self.assertEqual(rule.last_user_id.id, first)
        more = self._cases([400])
        self.assertEqual(more.collector_id.id, second, "the turn continues across runs")
        self.assertEqual(set(cases.mapped("stage_id.kind")), {"assigned"})
        self.assertEqual(set(cases.mapped("next_action_date")), {TODAY})

    def test_least_loaded_by_amount_and_by_count(self):
        self._invoice(self._customer("Big one"), 10000, TODAY - timedelta(days=50))
        existing = self.case_model.create(
            {"partner_id": self._customer("Existing").id, "collector_id": self.collector.id}
        )
        self._invoice(existing.partner_id, 5000, TODAY - timedelta(days=50))
        with freeze_time(TODAY):
            existing._collection_join_invoices(TODAY)
        rule = self.rule_model.create(
            {
                "name": "By amount",
                "user_ids": [Command.set((self.collector | self.collector_2).ids)],
                "method": "least_loaded",
                "load_measure": "amount",
            }
        )
        cases = self._cases([3000, 1000, 1500])
        # collector already holds 5,000: the biggest new case goes to collector_2
        by_amount = {c.amount_due: c.collector_id for c in cases}
        self.assertEqual(by_amount[3000], self.collector_2)
        self.assertEqual(by_amount[1500], self.collector_2)  # 3,000 < 5,000
        self.assertEqual(by_amount[1000], self.collector_2)  # 4,500 < 5,000
        rule.load_measure = "count"
        counted = self._cases([700, 800])
        # counts: collector 1 case, collector_2 3 cases: both go to collector
        self.assertEqual(counted.collector_id, self.collector)

    def test_absent_collectors_are_skipped(self):
        self.collector.collection_absent = True
        self.collector_2.write(
            {
                "collection_absent_from": TODAY - timedelta(days=2),
                "collection_absent_to": TODAY + timedelta(days=5),
            }
        )
        self.rule_model.create(
            {
                "name": "Everyone",
                "user_ids": [
                    Command.set((self.collector | self.collector_2 | self.collector_3).ids)
                ],
            }
        )
        cases = self._cases([100, 200])
        self.assertEqual(cases.collector_id, self.collector_3)
        with self.assertRaises(ValidationError):
            self.collector_3.write(
                {"collection_absent_from": TODAY, "collection_absent_to": TODAY - timedelta(days=1)}
            )

    def test_rules_in_order_with_thresholds_and_customer_filter(self):
        china = self.env.ref("base.cn")
        self.rule_model.create(
            {
                "name": "Large",
                "sequence": 1,
                "min_amount": 5000,
                "user_ids": [Command.set(self.collector.ids)],
            }
        )
        self.rule_model.create(
            {
                "name": "China",
                "sequence": 2,
                "domain": f"[('country_id', '=', {china.id})]",
                "user_ids": [Command.set(self.collector_2.ids)],
            }
        )
        large, small = self._cases([8000, 100])
        self.assertEqual(large.collector_id, self.collector)
        self.assertFalse(small.collector_id, "no rule takes it")
        self.assertEqual(small.stage_id.kind, "new")
        chinese = self._customer("华东贸易有限公司", country_id=china.id)
        self._invoice(chinese, 300, TODAY - timedelta(days=40))
        with freeze_time(TODAY):
            case = self.case_model._collection_sync(self.company, TODAY, chinese)
        self.assertEqual(case.collector_id, self.collector_2)

    def test_customer_collector_comes_first(self):
        self.rule_model.create({"name": "All", "user_ids": [Command.set(self.collector_2.ids)]})
        partner = self._customer("Loyal Co")
        partner.with_company(self.company).collector_id = self.collector_3
        self._invoice(partner, 500, TODAY - timedelta(days=40))
        with freeze_time(TODAY):
            case = self.case_model._collection_sync(self.company, TODAY, partner)
        self.assertEqual(case.collector_id, self.collector_3)

    def test_multi_company_rules(self):
        self.company_b.write({"collection_case_min_amount": 0, "collection_case_min_days": 1})
        user_b = self._make_user(
            "collector_b",
            "collection_management.group_collection_collector",
            company=self.company_b,
            companies=self.company_b,
        )
        self.rule_model.create({"name": "A", "user_ids": [Command.set(self.collector.ids)]})
        self.rule_model.create(
            {"name": "B", "company_id": self.company_b.id, "user_ids": [Command.set(user_b.ids)]}
        )
        case_a = self._cases([100])
        case_b = self._cases([100], company=self.company_b)
        self.assertEqual(case_a.collector_id, self.collector)
        self.assertEqual(case_b.collector_id, user_b)

    def test_rule_without_collectors_is_refused(self):
        with self.assertRaisesText(ValidationError, "has no collector"):
            self.rule_model.create({"name": "Empty"})
        with self.assertRaises(ValidationError):
            self.rule_model.create(
                {"name": "Bad", "min_amount": -1, "user_ids": [Command.set(self.collector.ids)]}
            )
        with self.assertRaises(ValidationError):
            self.rule_model.create(
                {
                    "name": "Bad filter",
                    "domain": "[('nope', '=', 1)]",
                    "user_ids": [Command.set(self.collector.ids)],
                }
            )

    def test_manager_reassigns_in_bulk_and_changes_are_tracked(self):
        cases = self._cases([100, 200])
        cases.collector_id = self.collector
        # the cases were opened in an earlier transaction (the daily cron): records
        # created in the current one are not tracked until it commits
        self.env.flush_all()
        self.cr.precommit.run()
        tracking = {"tracking_disable": False, "mail_notrack": False}
        wizard = (
            self.env["collection.case.reassign"]
            .with_user(self.manager)
            .with_context(active_model="collection.case", active_ids=cases.ids, **tracking)
            .create({"collector_id": self.collector_2.id})
        )
        wizard.action_reassign()
        self.env.flush_all()
        self.cr.precommit.run()  # tracking values are written before commit
        tracked = (
            self.env["mail.tracking.value"]
            .sudo()
            .search(
                [
                    ("mail_message_id.model", "=", "collection.case"),
                    ("mail_message_id.res_id", "in", cases.ids),
                    ("field_id.name", "=", "collector_id"),
                ]
            )
        )
        self.assertEqual(cases.collector_id, self.collector_2)
        self.assertEqual(len(tracked), 2)
        with self.assertRaises(UserError):
            self.env["collection.case.reassign"].with_user(self.collector).create(
                {"case_ids": cases.ids, "collector_id": self.collector.id}
            ).action_reassign()

    def _cases_of(self, collector, amounts):
        cases = self._cases(amounts)
        cases.collector_id = collector
        cases._collection_move_to("assigned")
        return cases

    def test_archived_collector_hands_open_cases_back_to_the_rules(self):
        cases = self._cases_of(self.collector, [100, 200])
        self.rule_model.create(
            {"name": "Everyone", "user_ids": [Command.set((self.collector | self.collector_2).ids)]}
        )
        with freeze_time(TODAY):
            self.collector.write({"active": False})
        self.assertEqual(cases.collector_id, self.collector_2)
        for case in cases:
            logged = case.message_ids.filtered(lambda m: "reassigned to" in m.body)
            self.assertEqual(len(logged), 1)
            self.assertIn(self.collector.name, logged.body)
            self.assertIn(self.collector_2.name, logged.body)

    def test_archived_collector_cases_no_rule_takes_stay_unassigned_and_managers_are_told(self):
        cases = self._cases_of(self.collector, [100, 200])
        with freeze_time(TODAY):
            self.collector.write({"active": False})
        self.assertFalse(cases.collector_id)
        self.assertEqual(set(cases.mapped("stage_id.kind")), {"new"})
        self.assertEqual(
            self.case_model.with_user(self.collector_2).search([("id", "in", cases.ids)]),
            cases,
            "every collector sees the unassigned cases",
        )
        for case in cases:
            self.assertTrue(case.message_ids.filtered(lambda m: "unassigned" in m.body))
        told = self.env["mail.message"].search(
            [("partner_ids", "in", self.manager.partner_id.ids), ("body", "ilike", cases[0].name)]
        )
        self.assertEqual(len(told), 1, "one notification for the managers")
        self.assertIn(cases[1].name, told.body)

    def test_deleted_collector_hands_open_cases_back_to_the_rules(self):
        leaving = self._make_user("leaving", "collection_management.group_collection_collector")
        cases = self._cases_of(leaving, [100])
        self.rule_model.create(
            {"name": "Everyone", "user_ids": [Command.set(self.collector_2.ids)]}
        )
        with freeze_time(TODAY):
            leaving.unlink()
        self.assertEqual(cases.collector_id, self.collector_2)
