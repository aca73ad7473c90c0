from datetime import date, timedelta

from freezegun import freeze_time

from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged

from .common import CollectionCommon

TODAY = date(2026, 6, 30)


@tagged("post_install", "-at_install")
class TestCaseLifecycle(CollectionCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({"collection_case_min_amount": 500, "collection_case_min_days": 30})
        cls.customer = cls._customer("Debtor Ltd")
        cls.case_model = cls.env["collection.case"]

    def _sync(self, day=TODAY, company=None, partners=None):
        with freeze_time(day):
            return self.case_model._collection_sync(company or self.company, day, partners)

    def _case(self, partner=None, company=None):
        return self.case_model.search(
            [
                ("partner_id", "=", (partner or self.customer).id),
                ("company_id", "=", (company or self.company).id),
            ]
        )

    def test_opens_only_over_both_thresholds(self):
        self._invoice(self.customer, 400, TODAY - timedelta(days=60))
        self._invoice(self.customer, 900, TODAY - timedelta(days=10))
        # 1,300 overdue, oldest 60 days: over both thresholds
        small = self._customer("Small Co")
        self._invoice(small, 300, TODAY - timedelta(days=90))
        recent = self._customer("Recent Co")
        self._invoice(recent, 5000, TODAY - timedelta(days=20))
        cases = self._sync()
        self.assertEqual(cases.partner_id, self.customer)
        self.assertFalse(self._case(small), "under the minimum amount")
        self.assertFalse(self._case(recent), "not overdue long enough")
        case = cases
        self.assertRegex(case.name, r"^CASE/2026/\d{5}$")
        self.assertEqual(case.stage_id.kind, "new")
        self.assertEqual(len(case.invoice_ids), 2)
        self.assertAlmostEqual(case.amount_assigned, 1300)
        self.assertAlmostEqual(case.amount_due, 1300)
        self.assertEqual(case.oldest_due_date, TODAY - timedelta(days=60))
        with freeze_time(TODAY):
            case.invalidate_recordset(["days_overdue"])
            self.env.add_to_compute(case._fields["days_overdue"], case)
            self.assertEqual(case.days_overdue, 60)
        self.assertIn("Case opened", case.message_ids[0].body)

    def test_new_overdue_invoices_join_the_open_case(self):
        self._invoice(self.customer, 1000, TODAY - timedelta(days=45))
        case = self._sync()
        not_due = self._invoice(self.customer, 700, TODAY + timedelta(days=5))
        self.assertEqual(self._sync(), case)
        self.assertNotIn(not_due, case.invoice_ids, "an invoice joins only once overdue")
        later = TODAY + timedelta(days=6)
        self.assertEqual(self._sync(later), case, "one open case per customer and company")
        self.assertIn(not_due, case.invoice_ids)
        self.assertAlmostEqual(case.amount_assigned, 1700)
        self.assertEqual(self.case_model.search_count([("partner_id", "=", self.customer.id)]), 1)

    def test_amounts_with_partial_payment_and_credit_note(self):
        first = self._invoice(self.customer, 1000, TODAY - timedelta(days=45))
        second = self._invoice(self.customer, 600, TODAY - timedelta(days=40))
        case = self._sync()
        self._pay(first, 400, TODAY)
        credit_note = self._invoice(self.customer, 100, TODAY, move_type="out_refund")
        self._reconcile(second, credit_note)
        self.assertAlmostEqual(case.amount_assigned, 1600)
        self.assertAlmostEqual(case.amount_due, 1100)
        self.assertAlmostEqual(case.amount_credited, 100)
        self.assertAlmostEqual(case.amount_recovered, 400, msg="credit notes are no recovery")
        self.assertAlmostEqual(case.recovery_rate, 25.0)
        self.assertEqual(case.last_payment_date, TODAY)

    def test_multi_currency_amounts_in_company_currency(self):
        usd = self.setup_other_currency("EUR", rounding=0.01, rates=[("2026-01-01", 2.0)])
        invoice = self._invoice(self.customer, 1000, TODAY - timedelta(days=45), currency=usd)
        case = self._sync()
        # 1,000 EUR at 2 EUR per company unit = 500 in company currency
        self.assertAlmostEqual(invoice.amount_residual_signed, 500)
        self.assertAlmostEqual(case.amount_assigned, 500)
        self._pay(invoice, 400, TODAY)
        self.assertAlmostEqual(case.amount_due, 300)
        self.assertAlmostEqual(case.amount_recovered, 200)

    def test_closes_itself_when_paid(self):
        invoice = self._invoice(self.customer, 1000, TODAY - timedelta(days=45))
        case = self._sync()
        with freeze_time(TODAY):
            promise = self.env["collection.promise"].create(
                {"case_id": case.id, "amount": 500, "date_promised": TODAY + timedelta(days=3)}
            )
        self._pay(invoice, 1000, TODAY)
        with freeze_time(TODAY):
            self.case_model._cron_collection_cases()
        self.assertTrue(case.is_closed)
        self.assertEqual(case.close_reason, "paid")
        self.assertEqual(case.stage_id.kind, "closed")
        self.assertEqual(case.date_closed, TODAY)
        self.assertAlmostEqual(case.recovery_rate, 100.0)
        self.assertEqual(promise.state, "cancel", "open promises end with the case")
        # a later overdue invoice opens a new case; the paid one stays closed
        self._invoice(self.customer, 800, TODAY - timedelta(days=35))
        new_case = self._sync()
        self.assertNotEqual(new_case, case)
        self.assertEqual(len(new_case.invoice_ids), 1)

    def test_manager_closes_by_hand_and_returns_to_sales(self):
        self._invoice(self.customer, 1000, TODAY - timedelta(days=45))
        case = self._sync()
        wizard = Form(
            self.env["collection.case.close"]
            .with_user(self.manager)
            .with_context(active_model="collection.case", active_ids=case.ids)
        )
        wizard.close_reason = "returned"
        wizard.note = "Sales negotiates a new delivery schedule."
        wizard.save().action_close()
        self.assertEqual(case.close_reason, "returned")
        self.assertEqual(case.stage_id.kind, "returned")
        self.assertIn("Sales negotiates", case.message_ids[0].body)
        # invoices of a returned case do not come back into a new case by themselves
        self.assertFalse(self._sync() - case)
        # a collector may not close cases
        self._invoice(self.customer, 900, TODAY - timedelta(days=50))
        other = self._sync()
        with self.assertRaises(UserError):
            self.env["collection.case.close"].with_user(self.collector).create(
                {"case_ids": other.ids, "close_reason": "written_off", "note": "x"}
            ).action_close()

    def test_one_open_case_per_customer_and_company(self):
        self._invoice(self.customer, 1000, TODAY - timedelta(days=45))
        self._sync()
        with self.assertRaises(ValidationError):
            self.case_model.create({"partner_id": self.customer.id, "company_id": self.company.id})
        # another company is another case
        self._invoice(self.customer, 1000, TODAY - timedelta(days=45), company=self.company_b)
        self.company_b.write({"collection_case_min_amount": 0, "collection_case_min_days": 1})
        case_b = self._sync(company=self.company_b)
        self.assertEqual(case_b.company_id, self.company_b)
        self.assertEqual(case_b.invoice_ids.company_id, self.company_b)

    def test_followup_run_opens_and_links_the_case(self):
        self.customer.email = "ar@debtor.example.com"
        self._invoice(self.customer, 1000, TODAY - timedelta(days=40))
        with freeze_time(TODAY):
            summary = self.env["collection.followup"]._collection_run(self.company, TODAY)
        followup = summary["followups"]
        case = self._case()
        self.assertTrue(case)
        self.assertEqual(followup.case_id, case)
        self.assertEqual(case.level_id, followup.level_id)
        self.assertIn("Follow-up", case.message_ids.mapped("body")[0])

    def test_cron_queries_do_not_grow_with_cases(self):
        def make(count, prefix):
            partners = self.env["res.partner"].create(
                [{"name": f"{prefix}{i}"} for i in range(count)]
            )
            for partner in partners:
                self._invoice(partner, 1000, TODAY - timedelta(days=45))

        def measure(day):
            self.env.flush_all()
            self.env.invalidate_all()
            with freeze_time(day):
                before = self.cr.sql_log_count
                self.case_model._cron_collection_cases()
                return self.cr.sql_log_count - before

        make(3, "S")
        measure(TODAY)
        measure(TODAY + timedelta(days=1))  # warms the caches of access rules
        small = measure(TODAY + timedelta(days=1))
        make(30, "L")
        measure(TODAY + timedelta(days=1))
        large = measure(TODAY + timedelta(days=2))
        cases = self.case_model.search([("is_closed", "=", False)])
        self.assertEqual(len(cases), 33)
        self.assertEqual(set(cases.mapped("days_overdue")), {47}, "refreshed every day")
        # the ORM writes recomputed values with one UPDATE per set of changed columns,
        # so one or two statements may differ; a query per case would add 30
        self.assertLessEqual(large, small + 2, "the daily pass over open cases is set-based")
