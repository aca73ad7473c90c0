from datetime import timedelta

from freezegun import freeze_time

from odoo.tests import tagged

from .common import TODAY, CollectionCommon

CHARGED = ("interest_proposed", "interest_invoiced", "fee_proposed", "fee_invoiced")


@tagged("post_install", "-at_install")
class TestChargeCaps(CollectionCommon):
    """Interest and fees together never exceed the policy's cap on the principal: the
    first fee too, before any interest accrued, and later, once invoices counted in the
    principal of a charge are paid."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        template = cls.env.ref("collection_management.mail_template_followup_friendly")
        cls.policy = cls._policy("Capped policy", delays=(7,), template=template)
        cls.policy.write(
            {
                "interest_rate": 12,
                "interest_grace_days": 10,
                "interest_period_days": 30,
                "interest_cap_percent": 2,
            }
        )
        cls.customer = cls._customer("Capped Buyer Ltd", lang="en_US")
        cls.customer.with_company(cls.company).collection_policy_id = cls.policy

    def _figures(self, day):
        summary = self.env["collection.charge"]._collection_summary(
            self.customer, self.company, day, keep_empty=True
        )
        return summary[(self.customer, self.company.currency_id)]

    def _cron(self, day):
        with freeze_time(day):
            return self.env["collection.charge"]._cron_collection_charges()

    def test_first_fee_is_capped_before_any_interest_accrues(self):
        # due 8 days ago: past the level's 7 days, within the 10 days of grace
        self._invoice(self.customer, 1000, TODAY - timedelta(days=8))
        self.policy.level_ids.write({"fee_amount": 50.0, "fee_percent": 0.0})
        followup = self._run_followups()["followups"]
        self.assertEqual(followup.state, "done")
        fee = self.env["collection.charge"].search([("followup_id", "=", followup.id)])
        self.assertAlmostEqual(fee.amount, 20.0, places=2, msg="2 % of the 1000 overdue")
        figures = self._figures(TODAY)
        self.assertLessEqual(sum(figures[kind] for kind in CHARGED), figures["cap"])

    def test_cap_still_holds_once_an_invoice_of_the_principal_is_paid(self):
        self._invoice(self.customer, 1000, TODAY - timedelta(days=100))
        # overdue but within its grace days when the first interest is charged
        recent = self._invoice(self.customer, 10000, TODAY - timedelta(days=3))
        first = self._cron(TODAY)
        self.assertEqual(first.kind, "interest")
        self._pay(recent, 10000, TODAY + timedelta(days=1))
        second = self._cron(TODAY + timedelta(days=30))
        self.assertEqual(second.kind, "interest")
        for day in (TODAY + timedelta(days=30), TODAY + timedelta(days=31)):
            figures = self._figures(day)
            charged = sum(figures[kind] for kind in CHARGED)
            self.assertAlmostEqual(charged, first.amount + second.amount, places=2)
            self.assertLessEqual(charged, figures["cap"], f"cap on {day}")

    def test_fee_is_capped_on_the_invoices_that_stay_in_the_principal(self):
        # a disputed invoice is overdue but not in the reminder: paid, it leaves the
        # principal, so the fee is capped on the reminded invoice only
        disputed = self._invoice(self.customer, 10000, TODAY - timedelta(days=8))
        reason = self.env["collection.dispute.reason"].create({"name": "Quality"})
        disputed.collection_dispute_reason_id = reason
        reminded = self._invoice(self.customer, 1000, TODAY - timedelta(days=8))
        self.policy.level_ids.write({"fee_amount": 50.0, "fee_percent": 0.0})
        followup = self._run_followups()["followups"]
        self.assertEqual(followup.invoice_ids, reminded)
        fee = self.env["collection.charge"].search([("followup_id", "=", followup.id)])
        self.assertAlmostEqual(fee.amount, 20.0, places=2, msg="2 % of the 1000 reminded")
        self._pay(disputed, 10000, TODAY + timedelta(days=1))
        figures = self._figures(TODAY + timedelta(days=60))
        self.assertLessEqual(sum(figures[kind] for kind in CHARGED), figures["cap"])

    def test_waiving_a_charge_keeps_its_invoices_in_the_principal(self):
        # a fee on a large invoice, paid later; the fee of a small invoice is capped on
        # both; waiving the first fee forgives it, not the debt it was charged on
        self.policy.level_ids.write({"fee_amount": 50.0, "fee_percent": 0.0})
        large = self._invoice(self.customer, 10000, TODAY - timedelta(days=8))
        first = self._run_followups()["followups"]
        first_fee = self.env["collection.charge"].search([("followup_id", "=", first.id)])
        self.assertAlmostEqual(first_fee.amount, 50.0, places=2)
        self._pay(large, 10000, TODAY + timedelta(days=1))
        later = TODAY + timedelta(days=20)
        self._invoice(self.customer, 1000, later - timedelta(days=8))
        second = self._run_followups(later)["followups"]
        second_fee = self.env["collection.charge"].search([("followup_id", "=", second.id)])
        self.assertAlmostEqual(second_fee.amount, 50.0, places=2, msg="2 % of 11000 less 50")
        first_fee._collection_waive("Good customer")
        for day in (later, later + timedelta(days=40)):
            figures = self._figures(day)
            charged = sum(figures[kind] for kind in CHARGED)
            self.assertAlmostEqual(charged, 50.0, places=2)
            self.assertAlmostEqual(figures["principal"], 11000.0, places=2)
            self.assertLessEqual(charged, figures["cap"], f"cap on {day}")

    def test_fees_of_one_batch_are_capped_one_after_the_other(self):
        # 2 % of 1000: a cap of 20 for two fees of 15 of the same customer in one batch
        self._invoice(self.customer, 1000, TODAY - timedelta(days=8))
        self.policy.level_ids.write({"fee_amount": 15.0, "fee_percent": 0.0})
        self.policy.level_ids.auto_execute = False
        followup = self._run_followups()["followups"]
        self.assertEqual(followup.state, "draft")
        lookup = followup._collection_fee_lookup()
        first = followup._collection_fee_values(lookup)
        self.assertAlmostEqual(first["amount"], 15.0, places=2)
        followup._collection_fee_recorded(lookup, first)
        second = followup._collection_fee_values(lookup)
        self.assertAlmostEqual(second["amount"], 5.0, places=2, msg="what the cap leaves")
