from datetime import date, timedelta

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import CollectionCommon

TODAY = date(2026, 6, 30)


@tagged("post_install", "-at_install")
class TestScoreRiskHold(CollectionCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({"collection_case_min_amount": 0, "collection_case_min_days": 1})
        cls.case_model = cls.env["collection.case"]

    def _case(self, name, amount, days, collector=None):
        partner = self._customer(name)
        self._invoice(partner, amount, TODAY - timedelta(days=days))
        with freeze_time(TODAY):
            case = self.case_model._collection_sync(self.company, TODAY, partner)
            case.collector_id = collector or self.collector
            self.env.add_to_compute(case._fields["days_overdue"], case)
            case.flush_recordset()
        return case

    def test_score_orders_the_worklist_and_explains_itself(self):
        small_recent = self._case("Small recent", 500, 10)
        large_old = self._case("Large old", 80000, 200)
        medium = self._case("Medium", 8000, 60)
        with freeze_time(TODAY):
            self.env["collection.interaction"].create(
                {"case_id": medium.id, "channel": "call", "outcome": "no_answer"}
            )
        self.assertGreater(large_old.priority_score, medium.priority_score)
        self.assertGreater(medium.priority_score, small_recent.priority_score)
        self.assertIn("200 days overdue", large_old.priority_reasons)
        self.assertIn("never contacted", large_old.priority_reasons)
        self.assertNotIn("never contacted", medium.priority_reasons)
        # a broken promise moves a case up
        before = small_recent.priority_score
        with freeze_time(TODAY):
            promise = self.env["collection.promise"].create(
                {"case_id": small_recent.id, "amount": 100, "date_promised": TODAY}
            )
        with freeze_time(TODAY + timedelta(days=10)):
            promise._collection_evaluate()
        self.assertGreater(small_recent.priority_score, before)
        self.assertIn("1 broken promise(s)", small_recent.priority_reasons)
        # My worklist: own open cases due for action, highest score first
        action = self.env.ref("collection_management.collection_case_action_worklist")
        self.assertIn("search_default_my_cases", action.context)
        with freeze_time(TODAY):
            listed = self.case_model.with_user(self.collector).search(
                [
                    ("collector_id", "=", self.collector.id),
                    ("is_closed", "=", False),
                    "|",
                    ("next_action_date", "=", False),
                    ("next_action_date", "<=", TODAY),
                ]
            )
        self.assertEqual(listed[0], large_old, "ordered by score")

    def test_risk_rating_from_payment_behaviour(self):
        late = self._customer("Late payer")
        for months in range(4):
            invoice = self._invoice(late, 1000, TODAY - timedelta(days=300 - 60 * months))
            self._pay(invoice, 1000, invoice.invoice_date_due + timedelta(days=75))
        self._invoice(late, 5000, TODAY - timedelta(days=200))
        good = self._customer("Good payer")
        paid = self._invoice(good, 1000, TODAY - timedelta(days=100))
        self._pay(paid, 1000, paid.invoice_date_due)
        self._invoice(good, 1000, TODAY + timedelta(days=20))
        with freeze_time(TODAY):
            self.env["res.partner"]._cron_collection_risk()
        # 75 days late on average (3), all open is overdue (2), 200 days old (2)
        self.assertEqual(late.collection_risk, "critical")
        self.assertIn("75 days late", late.collection_risk_reasons)
        self.assertEqual(good.collection_risk, "low")
        self.assertFalse(good.collection_risk_reasons)
        # the rating feeds the case score
        case = self._case("Late payer 2", 100, 5)
        case.partner_id.collection_risk = "critical"
        self.assertIn("customer risk Critical", case.priority_reasons)

    def test_credit_hold_blocks_posting_until_a_manager_overrides(self):
        customer = self._customer("Held Co", collection_credit_hold=True)
        draft = self._invoice(customer, 100, TODAY, post=False)
        draft.action_post()  # the company does not block by default
        self.company.collection_block_held_invoices = True
        blocked = self._invoice(customer, 100, TODAY, post=False)
        with self.assertRaisesText(UserError, "Held Co is on credit hold: its invoices"):
            blocked.with_user(self.billing).action_post()
        self.assertEqual(blocked.state, "draft")
        other = self._customer("Also Held", collection_credit_hold=True)
        both = blocked | self._invoice(other, 50, TODAY, post=False)
        with self.assertRaisesText(UserError, "These customers are on credit hold: "):
            both.with_user(self.billing).action_post()
        with self.assertRaisesText(UserError, "Only a collection manager"):
            blocked.with_user(self.billing).action_collection_post_override_hold()
        self.manager.groups_id |= self.env.ref("account.group_account_invoice")
        blocked.with_user(self.manager).action_collection_post_override_hold()
        self.assertEqual(blocked.state, "posted")
        self.assertIn("despite the credit hold", blocked.message_ids[0].body)
        self.assertTrue(blocked.collection_partner_hold)
        # released: posting works again for everyone
        customer.action_collection_release_hold()
        self._invoice(customer, 100, TODAY).with_user(self.billing)
