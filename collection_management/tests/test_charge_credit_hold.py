from datetime import timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import TODAY, CollectionCommon


@tagged("post_install", "-at_install")
class TestChargesOfHeldCustomers(CollectionCommon):
    """A credit hold stops new sales to a customer, not what its debt costs it: in a
    company that blocks the invoices of held customers, the late interest a manager
    invoices and the legal costs recharged to the debtor are posted while the hold
    stays, and a new sales invoice is still refused."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.collection_block_held_invoices = True
        policy = cls._policy("Interest policy", delays=(7,))
        policy.write({"interest_rate": 12, "interest_grace_days": 0, "interest_period_days": 30})
        cls.customer = cls._customer("Held Debtor Ltd")
        cls.customer.with_company(cls.company).collection_policy_id = policy
        cls.invoice = cls._invoice(cls.customer, 5000, TODAY - timedelta(days=90))
        cls.customer.collection_credit_hold = True
        cls.case = cls._open_case(cls.customer, cls.collector)

    def _assert_sales_still_blocked(self):
        sale = self._invoice(self.customer, 100, TODAY, post=False)
        with self.assertRaisesText(UserError, "credit hold"):
            sale.action_post()
        self.assertEqual(sale.state, "draft")
        self.assertTrue(self.customer.collection_credit_hold)

    def test_manager_invoices_the_interest_of_a_held_customer(self):
        with freeze_time(TODAY):
            charges = self.env["collection.charge"]._cron_collection_charges()
            self.assertEqual(charges.mapped("kind"), ["interest"])
            charges.with_user(self.manager).action_invoice()
        self.assertEqual(charges.state, "invoiced")
        self.assertEqual(charges.move_id.state, "posted")
        self.assertAlmostEqual(charges.move_id.amount_total, charges.amount)
        self._assert_sales_still_blocked()

    def test_legal_cost_is_recharged_to_a_held_debtor(self):
        account = self.env["account.account"].create(
            {
                "code": "660201",
                "name": "Legal fees",
                "account_type": "expense",
                "company_ids": [Command.set(self.company.ids)],
            }
        )
        self.company.collection_legal_cost_account_id = account
        with freeze_time(TODAY):
            self.case.action_escalate_legal()
        cost = (
            self.env["collection.legal.cost"]
            .with_user(self.legal_officer)
            .create(
                {
                    "case_id": self.case.id,
                    "description": "Court fee awarded against the debtor",
                    "cost_type": "court",
                    "amount": 300,
                    "rechargeable": True,
                }
            )
        )
        cost.action_submit()
        cost.with_user(self.manager).action_approve()
        with freeze_time(TODAY):
            cost.action_recharge()
        self.assertEqual(cost.recharge_invoice_id.state, "posted")
        self.assertAlmostEqual(cost.recharge_invoice_id.amount_total, 300)
        self._assert_sales_still_blocked()
