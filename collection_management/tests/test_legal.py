from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import CollectionCommon

TODAY = date(2026, 6, 30)


@tagged("post_install", "-at_install")
class TestLegal(CollectionCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({"collection_case_min_amount": 0, "collection_case_min_days": 1})
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.customer = cls._customer("Debtor Ltd", lang="en_US")
        cls.invoice = cls._invoice(cls.customer, 3000, TODAY - timedelta(days=100))
        with freeze_time(TODAY):
            cls.case = cls.env["collection.case"]._collection_sync(cls.company, TODAY)
        cls.case.collector_id = cls.collector

    def test_collector_proposes_manager_approves(self):
        with freeze_time(TODAY):
            self.env["collection.legal.request"].with_user(self.collector).with_context(
                active_model="collection.case", active_ids=self.case.ids
            ).create({"note": "Refuses to pay, unreachable."}).action_request()
        self.assertEqual(self.case.legal_request_user_id, self.collector)
        self.assertFalse(self.case.legal_stage_id, "not in legal before approval")
        proposal = self.case.message_ids[0]
        self.assertIn("proposes this case for legal action", proposal.body)
        self.assertIn(self.manager.partner_id, proposal.partner_ids)
        with self.assertRaises(UserError):
            self.case.with_user(self.collector).action_escalate_legal()
        with self.assertRaises(UserError):
            self.case.with_user(self.collector).action_approve_legal()
        with freeze_time(TODAY):
            self.case.with_user(self.manager).action_approve_legal()
        self.assertEqual(
            self.case.legal_stage_id,
            self.env.ref("collection_management.collection_legal_stage_demand"),
        )
        self.assertEqual(self.case.stage_id.kind, "legal")
        self.assertEqual(self.case.legal_date, TODAY)
        self.assertAlmostEqual(self.case.legal_claim_principal, 3000)
        self.assertEqual(self.case.legal_user_id, self.legal_officer)
        self.assertIn("approved by", self.case.message_ids[0].body)

    def test_level_escalation_and_no_reminder_in_legal(self):
        self.customer.email = "ar@debtor.example.com"
        final = self.policy._levels_by_delay()[-1]
        self.assertTrue(final.escalate_legal)
        followup_model = self.env["collection.followup"]
        with freeze_time(TODAY):
            summary = followup_model._collection_run(self.company, TODAY)
            followup = summary["followups"]
            self.assertEqual(followup.level_id, final)
            followup.action_send()
        self.assertTrue(self.case.legal_stage_id, "the final level escalated the case")
        self.assertEqual(followup.case_id, self.case)
        later = TODAY + timedelta(days=40)
        self._invoice(self.customer, 500, later - timedelta(days=20))
        with freeze_time(later):
            summary = followup_model._collection_run(self.company, later)
        self.assertFalse(summary["followups"])
        self.assertEqual(summary["skipped"], {"legal": 1})

    def test_legal_officer_hears_of_new_invoices_and_payments(self):
        with freeze_time(TODAY):
            self.case.action_escalate_legal()
        self._invoice(self.customer, 200, TODAY + timedelta(days=30))
        self.assertIn("New invoice(s)", self.case.message_ids[0].body)
        self.assertIn(self.legal_officer.partner_id, self.case.message_ids[0].partner_ids)
        self._pay(self.invoice, 1000, TODAY + timedelta(days=1))
        self.assertIn("Payment of", self.case.message_ids[0].body)

    def test_limitation_date_and_its_interruptions(self):
        with freeze_time(TODAY):
            self.case.action_escalate_legal()
        due = self.invoice.invoice_date_due
        self.assertEqual(self.case.limitation_date, due + relativedelta(years=3))
        # partial payment restarts the period
        paid_on = TODAY + timedelta(days=10)
        self._pay(self.invoice, 100, paid_on)
        self.assertEqual(self.case.limitation_date, paid_on + relativedelta(years=3))
        # an acknowledgement recorded by the legal officer
        acknowledged = TODAY + timedelta(days=40)
        with freeze_time(acknowledged):
            self.env["collection.limitation.event"].with_user(self.legal_officer).create(
                {"case_id": self.case.id, "kind": "acknowledgement", "date": acknowledged}
            ).action_record()
        self.assertEqual(self.case.limitation_date, acknowledged + relativedelta(years=3))
        with self.assertRaises(UserError):
            self.env["collection.limitation.event"].with_user(self.collector).create(
                {"case_id": self.case.id, "kind": "demand", "date": TODAY}
            ).action_record()
        # a demand letter sent from the case
        demanded = TODAY + timedelta(days=60)
        with freeze_time(demanded):
            self.case.with_user(self.legal_officer).sudo(False).action_send_demand_letter()
        self.assertEqual(self.case.last_demand_date, demanded)
        self.assertEqual(self.case.limitation_date, demanded + relativedelta(years=3))
        self.company.collection_limitation_years = 2
        self.assertEqual(self.case.limitation_date, demanded + relativedelta(years=2))

    def test_limitation_warnings_at_90_30_and_7_days(self):
        deadline = self.case.limitation_date
        with freeze_time(TODAY):
            self.case.action_escalate_legal()
        case_model = self.env["collection.case"]
        for days_left, expected in ((120, 0), (85, 1), (85, 1), (25, 2), (6, 3)):
            with freeze_time(deadline - timedelta(days=days_left)):
                case_model._cron_collection_limitation()
            warnings = self.case.activity_ids.filtered(lambda a: "Limitation" in a.summary)
            self.assertEqual(
                len(set(warnings.mapped("summary"))), expected, f"{days_left} days before"
            )
        self.assertEqual(warnings.user_id, self.collector | self.legal_officer, "both are warned")
        with freeze_time(deadline - timedelta(days=20)):
            self.assertIn(
                "limitation period ends",
                self.case._collection_score_parts(deadline - timedelta(days=20))[-1][1],
            )

    def test_costs_and_net_recovery(self):
        with freeze_time(TODAY):
            self.case.action_escalate_legal()
        costs = self.env["collection.legal.cost"].with_user(self.legal_officer)
        costs.create(
            {
                "case_id": self.case.id,
                "description": "Court fee",
                "amount": 150,
                "cost_type": "court",
            }
        )
        costs.create(
            {"case_id": self.case.id, "description": "Lawyer", "amount": 350, "cost_type": "lawyer"}
        )
        self._pay(self.invoice, 2000, TODAY + timedelta(days=5))
        self.assertAlmostEqual(self.case.legal_cost_total, 500)
        self.assertAlmostEqual(self.case.amount_recovered, 2000)
        self.assertAlmostEqual(self.case.amount_recovered_net, 1500)
        with self.assertRaises(AccessError):
            self.env["collection.legal.cost"].with_user(self.collector).create(
                {"case_id": self.case.id, "description": "x", "amount": 1}
            )
        self.assertEqual(
            len(self.case.with_user(self.collector).legal_cost_ids), 2, "collectors read"
        )
        with self.assertRaises(UserError):
            self.case.with_user(self.collector).legal_docket = "(2026)沪0101民初123号"
        self.case.with_user(self.legal_officer).legal_docket = "(2026)沪0101民初123号"
        with self.assertRaises(UserError):
            self.env["collection.legal.cost"].create(
                {"case_id": self.case.id, "description": "x", "amount": -5}
            )

    def test_letters_render_in_the_customer_language(self):
        report = self.env["ir.actions.report"]
        html, _format = report._render_qweb_html(
            "collection_management.action_report_collection_demand_letter", self.case.ids
        )
        html = html.decode()
        self.assertIn("Demand for payment", html)
        self.assertIn(self.invoice.name, html)
        self.customer.lang = "zh_CN"
        self.env["ir.module.module"]._load_module_terms(
            ["collection_management"], ["zh_CN"], overwrite=True
        )
        html, _format = report._render_qweb_html(
            "collection_management.action_report_collection_lawyer_letter", self.case.ids
        )
        html = html.decode()
        self.assertIn("律师函", html)
        self.assertIn(self.invoice.name, html)
        pdf, fmt = report.with_context(force_report_rendering=True)._render_qweb_pdf(
            "collection_management.action_report_collection_demand_letter", self.case.ids
        )
        self.assertEqual(fmt, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"))


@tagged("post_install", "-at_install")
class TestLegalEscalationInBulk(CollectionCommon):
    """A follow-up run escalates many customers to legal action at once: each case
    gets its stage, officer, claim, note and the officer's task, at a flat cost."""

    def _cases(self, count, prefix):
        cases = self.env["collection.case"]
        for index in range(count):
            customer = self._customer(f"{prefix} debtor {index}")
            self._invoice(customer, 1000 + index, TODAY - timedelta(days=120))
            cases |= self._open_case(customer, self.collector)
        return cases

    def _escalate(self, cases):
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.cr.sql_log_count
        with freeze_time(TODAY):
            escalated = cases._collection_escalate("Escalated by the run")
        self.env.flush_all()
        self.assertEqual(escalated, cases)
        return self.cr.sql_log_count - before

    def test_escalating_many_cases_costs_a_flat_number_of_queries(self):
        self._escalate(self._cases(2, "Warm"))
        small = self._escalate(self._cases(3, "Few"))
        cases = self._cases(15, "Many")
        large = self._escalate(cases)
        stage = self.env["collection.legal.stage"].search([], limit=1)
        for case in cases:
            self.assertEqual(case.legal_stage_id, stage)
            self.assertEqual(case.legal_user_id, self.legal_officer)
            self.assertEqual(case.legal_date, TODAY)
            self.assertAlmostEqual(case.legal_claim_principal, case.amount_due)
            self.assertIn("Escalated by the run", case.message_ids[0].body)
            task = case.activity_ids.filtered(lambda a: a.user_id == self.legal_officer)
            self.assertEqual(task.summary, "New legal case")
        # twelve cases more: at most one query each (33 each when escalated one by one)
        self.assertLessEqual(large, small + 12)
