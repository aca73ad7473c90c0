import base64
import io
from datetime import timedelta

from freezegun import freeze_time
from openpyxl import load_workbook

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import TODAY, CollectionCommon


@tagged("post_install", "-at_install")
class TestLegalCostsBooks(CollectionCommon):
    """A legal cost is approved, billed by the lawyer, re-invoiced to the debtor and
    recovered when the debtor pays; the case shows each amount and the net recovery."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cost_account = cls._cost_account(cls.company_data, "6602", "Legal fees")
        cls.company.collection_legal_cost_account_id = cls.cost_account
        cls.customer = cls._customer("Debtor Ltd")
        cls.invoice = cls._invoice(cls.customer, 3000, TODAY - timedelta(days=100))
        cls.case = cls._open_case(cls.customer, cls.collector)
        with freeze_time(TODAY):
            cls.case.action_escalate_legal()
        cls.lawyer = cls.env["res.partner"].create({"name": "King & Wood law firm"})

    @classmethod
    def _cost_account(cls, data, code, name):
        return cls.env["account.account"].create(
            {
                "code": code,
                "name": name,
                "account_type": "expense",
                "company_ids": [Command.set(data["company"].ids)],
            }
        )

    def _cost(self, amount=800, user=None, case=None, **values):
        return (
            self.env["collection.legal.cost"]
            .with_user(user or self.legal_officer)
            .create(
                {
                    "case_id": (case or self.case).id,
                    "description": "Lawyer's fee, first instance",
                    "cost_type": "lawyer",
                    "amount": amount,
                    "partner_id": self.lawyer.id,
                    "rechargeable": True,
                    **values,
                }
            )
        )

    def _approved_cost(self, **values):
        cost = self._cost(**values)
        cost.action_submit()
        cost.with_user(self.manager).action_approve()
        return cost

    def test_cost_approved_billed_recharged_and_recovered(self):
        cost = self._cost()
        self.assertEqual(cost.state, "draft")
        cost.action_submit()
        self.assertEqual(cost.state, "to_approve")
        asked = self.case.message_ids[0]
        self.assertIn("Legal cost to approve", asked.body)
        self.assertIn(self.manager.partner_id, asked.partner_ids)
        with freeze_time(TODAY):
            cost.with_user(self.manager).action_approve()
        self.assertEqual((cost.state, cost.approver_id), ("approved", self.manager))
        cost.action_create_bill()
        bill = cost.bill_id
        self.assertEqual(bill.move_type, "in_invoice")
        self.assertEqual(bill.state, "draft", "the accountant posts it against the lawyer's bill")
        self.assertEqual(bill.partner_id, self.lawyer)
        self.assertEqual(bill.company_id, self.company)
        self.assertEqual(bill.journal_id.type, "purchase")
        self.assertEqual(bill.invoice_line_ids.account_id, self.cost_account)
        self.assertAlmostEqual(bill.amount_total, 800)
        bill.with_env(self.env).action_post()  # by the accountant
        payable = bill.line_ids.filtered(
            lambda line: line.account_id.account_type == "liability_payable"
        )
        self.assertAlmostEqual(payable.credit, 800)
        self.assertAlmostEqual(self.case.legal_cost_total, 800)
        self.assertAlmostEqual(self.case.legal_cost_billed, 800)
        with freeze_time(TODAY):
            cost.action_recharge()
        recharge = cost.recharge_invoice_id
        self.assertEqual(recharge.move_type, "out_invoice")
        self.assertEqual(recharge.state, "posted")
        self.assertEqual(recharge.partner_id, self.customer)
        self.assertEqual(recharge.invoice_line_ids.account_id, self.cost_account)
        self.assertAlmostEqual(recharge.amount_total, 800)
        self.assertAlmostEqual(self.case.legal_cost_recharged, 800)
        self.assertAlmostEqual(self.case.legal_cost_recovered, 0)
        self._pay(self.invoice, 1000, TODAY + timedelta(days=5))
        self.assertAlmostEqual(self.case.amount_recovered_net, 1000 - 800)
        self._pay(recharge, 800, TODAY + timedelta(days=6))
        self.assertAlmostEqual(cost.amount_recovered, 800)
        self.assertAlmostEqual(self.case.legal_cost_recovered, 800)
        self.assertAlmostEqual(self.case.amount_recovered_net, 1000 - 800 + 800)
        self._check_case_register(
            {
                "Legal costs": 800,
                "Costs billed": 800,
                "Costs recharged": 800,
                "Costs recovered": 800,
                "Recovered net of costs": 1000,
            }
        )
        with self.assertRaisesText(UserError, "billed already"):
            cost.action_create_bill()
        with self.assertRaisesText(UserError, "recharged already"):
            cost.action_recharge()

    def _check_case_register(self, expected):
        """The case's row of the Excel case register, read back, shows ``expected``."""
        wizard = self.env["collection.report.wizard"].create(
            {"report_type": "cases", "date": TODAY + timedelta(days=7)}
        )
        wizard.action_export()
        sheet = load_workbook(io.BytesIO(base64.b64decode(wizard.file)))["Cases"]
        header = [cell.value for cell in sheet[3]]
        rows = {row[0].value: [cell.value for cell in row] for row in sheet.iter_rows(min_row=4)}
        values = dict(zip(header, rows[self.case.name], strict=True))
        for label, amount in expected.items():
            self.assertAlmostEqual(values[label], amount, msg=label)

    def test_refused_cost_is_not_counted_and_can_be_redone(self):
        cost = self._cost()
        cost.action_submit()
        cost.with_user(self.manager).action_refuse()
        self.assertEqual(cost.state, "refused")
        self.assertAlmostEqual(self.case.legal_cost_total, 0)
        with self.assertRaisesText(UserError, "Only an approved legal cost can be billed"):
            cost.action_create_bill()
        cost.action_reset_draft()
        cost.amount = 600
        self.assertAlmostEqual(self.case.legal_cost_total, 600)

    def test_legal_officers_and_collectors_cannot_approve_or_book_by_write(self):
        cost = self._cost()
        with self.assertRaisesText(UserError, "Only a submitted legal cost"):
            cost.with_user(self.manager).action_approve()
        cost.action_submit()
        with self.assertRaisesText(UserError, "Only a collection manager approves"):
            cost.action_approve()
        for values in (
            {"state": "approved"},
            {"approver_id": self.legal_officer.id},
            {"bill_id": self.invoice.id},
            {"recharge_invoice_id": self.invoice.id},
        ):
            with self.subTest(values=values), self.assertRaises(UserError):
                cost.write(values)
        with self.assertRaisesText(UserError, "cannot be changed"):
            cost.write({"amount": 80000})
        with self.assertRaisesText(UserError, "recorded as a draft"):
            self._cost(state="approved")
        with self.assertRaisesText(UserError, "cannot be deleted"):
            cost.unlink()
        as_collector = cost.with_user(self.collector)
        with self.assertRaises(UserError):  # AccessError is one too
            as_collector.write({"state": "approved"})
        with self.assertRaisesText(UserError, "Only a legal officer or a manager"):
            as_collector.action_submit()
        cost.with_user(self.manager).action_approve()
        with self.assertRaisesText(UserError, "Only a legal officer or a manager bills"):
            as_collector.action_create_bill()
        self.assertFalse(cost.bill_id)

    def test_billing_and_recharging_need_a_payee_a_recharge_right_and_the_account(self):
        cost = self._approved_cost(partner_id=False, rechargeable=False)
        with self.assertRaisesText(UserError, "Say who is paid"):
            cost.action_create_bill()
        with self.assertRaisesText(UserError, "not marked as recharged"):
            cost.action_recharge()
        self.company.collection_legal_cost_account_id = False
        other = self._approved_cost()
        with self.assertRaisesText(UserError, "Set the Legal cost account of"):
            other.action_create_bill()
        with self.assertRaisesText(UserError, "Set the Legal cost account of"):
            other.action_recharge()
        self.assertFalse(other.bill_id or other.recharge_invoice_id)

    def test_foreign_currency_cost_is_billed_in_its_currency(self):
        eur = self.setup_other_currency("EUR", rates=[("2000-01-01", 2.0)])
        cost = self._approved_cost(currency_id=eur.id, amount=1000)
        self.assertAlmostEqual(cost.amount_company, 500)
        cost.action_create_bill()
        self.assertEqual(cost.bill_id.currency_id, eur)
        self.assertAlmostEqual(cost.bill_id.amount_total, 1000)
        self.assertAlmostEqual(cost.amount_billed, 500)

    def test_each_company_books_its_costs_in_its_own_books(self):
        customer_b = self._overdue_customer("Debtor B", company=self.company_b)
        case_b = self._open_case(customer_b, self.manager_b, company=self.company_b)
        cost_b = self._cost(user=self.manager_b, case=case_b)
        cost_b.action_submit()
        cost_b.action_approve()
        with self.assertRaisesText(UserError, "company_2"):
            cost_b.action_create_bill()
        account_b = self._cost_account(self.company_data_2, "6602", "Legal fees B")
        self.company_b.collection_legal_cost_account_id = account_b
        cost_b.action_create_bill()
        self.assertEqual(cost_b.bill_id.company_id, self.company_b)
        self.assertEqual(cost_b.bill_id.invoice_line_ids.account_id, account_b)
        cost_a = self._cost()
        with self.assertRaises(AccessError):
            cost_a.with_user(self.manager_b).read(["state"])
        self.records = {"own company": cost_a, "other company": cost_b}
        self.assertRights(self.manager_b, {"own company": "", "other company": "rwcu"})
        self.assertRights(self.legal_officer, {"own company": "rwcu", "other company": ""})
        self.assertRights(self.billing, {"own company": "", "other company": ""})
