from datetime import timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged

from .common import TODAY, CollectionCommon


@tagged("post_install", "-at_install")
class TestWriteoff(CollectionCommon):
    """Closing a case as written off or settled books the entry; reopening reverses it;
    waivers and discounts are approved before their credit note."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.baddebt = cls._writeoff_account(cls.company_data, "6711", "Bad debts")
        cls.company.write(
            {
                "collection_writeoff_account_id": cls.baddebt.id,
                "collection_writeoff_journal_id": cls.company_data["default_journal_misc"].id,
            }
        )
        cls.customer = cls._customer("Debtor Ltd")
        cls.invoice = cls._invoice(cls.customer, 1000, TODAY - timedelta(days=60))
        cls.invoice_2 = cls._invoice(cls.customer, 500, TODAY - timedelta(days=45))
        cls._pay(cls.invoice_2, 200, TODAY - timedelta(days=10))
        cls.case = cls._open_case(cls.customer, cls.collector)

    @classmethod
    def _writeoff_account(cls, data, code, name):
        return cls.env["account.account"].create(
            {
                "code": code,
                "name": name,
                "account_type": "expense",
                "company_ids": [Command.set(data["company"].ids)],
            }
        )

    def _close(self, case, reason, user=None, amounts=None):
        """Close ``case`` through the dialog as ``user`` (a manager by default), with
        the proposed write-off per invoice changed to ``amounts`` when given."""
        wizard = (
            self.env["collection.case.close"]
            .with_user(user or self.manager)
            .with_context(active_model="collection.case", active_ids=case.ids)
            .create({"close_reason": reason, "note": "Decided by the board"})
        )
        for line in wizard.line_ids:
            if amounts and line.invoice_id in amounts:
                line.amount = amounts[line.invoice_id]
        with freeze_time(TODAY):
            wizard.action_close()
        return wizard

    def _receivable(self, move):
        return move.line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        )

    def test_written_off_case_posts_a_balanced_entry_reconciled_with_its_invoices(self):
        wizard = self._close(self.case, "written_off")
        self.assertEqual(
            {(line.invoice_id, line.amount) for line in wizard.line_ids},
            {(self.invoice, 1000), (self.invoice_2, 300)},
            "the dialog proposes what each invoice still owes",
        )
        move = self.case.writeoff_move_id
        self.assertEqual(move.state, "posted")
        self.assertEqual(move.journal_id, self.company_data["default_journal_misc"])
        self.assertEqual(move.date, TODAY)
        self.assertAlmostEqual(sum(move.line_ids.mapped("balance")), 0)
        baddebt = move.line_ids.filtered(lambda line: line.account_id == self.baddebt)
        self.assertAlmostEqual(sum(baddebt.mapped("debit")), 1300)
        self.assertAlmostEqual(sum(self._receivable(move).mapped("credit")), 1300)
        self.assertTrue(all(self._receivable(move).mapped("reconciled")))
        for invoice in self.invoice | self.invoice_2:
            self.assertAlmostEqual(invoice.amount_residual, 0)
            self.assertEqual(invoice.payment_state, "paid")
        self.assertEqual(self.case.close_reason, "written_off")
        self.assertTrue(self.case.is_closed)
        self.assertAlmostEqual(self.case.amount_due, 0)
        self.assertAlmostEqual(self.case.amount_assigned, 1300)
        self.assertAlmostEqual(self.case.amount_credited, 1300, msg="cleared, not paid")
        self.assertAlmostEqual(self.case.amount_recovered, 0, msg="a write-off is no money")
        self.assertAlmostEqual(self.case.recovery_rate, 0)
        self.assertIn(move.name, self.case.message_ids[0].body)

    def test_settlement_writes_off_the_agreed_discount_only(self):
        self._close(self.case, "settled", amounts={self.invoice: 250, self.invoice_2: 0})
        move = self.case.writeoff_move_id
        self.assertAlmostEqual(sum(move.line_ids.mapped("debit")), 250)
        self.assertEqual(self._receivable(move).partner_id, self.customer)
        self.assertAlmostEqual(self.invoice.amount_residual, 750)
        self.assertEqual(self.invoice.payment_state, "partial")
        self.assertAlmostEqual(self.invoice_2.amount_residual, 300, msg="not discounted")
        self.assertEqual(self.case.close_reason, "settled")

    def test_settlement_discount_is_entered_in_the_closing_dialog(self):
        form = Form(
            self.env["collection.case.close"]
            .with_user(self.manager)
            .with_context(active_model="collection.case", active_ids=self.case.ids)
        )
        form.close_reason = "settled"
        form.note = "Customer pays 1,000 in full settlement."
        for index in range(len(form.line_ids)):
            with form.line_ids.edit(index) as line:
                line.amount = 100 if line.invoice_id == self.invoice else 200
        with freeze_time(TODAY):
            form.save().action_close()
        self.assertAlmostEqual(self.invoice.amount_residual, 900)
        self.assertAlmostEqual(self.invoice_2.amount_residual, 100)
        self.assertAlmostEqual(sum(self.case.writeoff_move_id.line_ids.mapped("debit")), 300)

    def test_reopening_reverses_the_writeoff_and_the_invoices_owe_again(self):
        self._close(self.case, "written_off")
        move = self.case.writeoff_move_id
        with freeze_time(TODAY + timedelta(days=3)):
            self.case.with_user(self.manager).action_reopen()
        reversal = self.case.writeoff_reversal_move_id
        self.assertEqual(reversal.state, "posted")
        self.assertEqual(reversal.reversed_entry_id, move)
        self.assertEqual(
            self._receivable(move).matched_debit_ids.debit_move_id.move_id,
            reversal,
            "the entry now offsets its reversal, not the invoices",
        )
        self.assertAlmostEqual(self.invoice.amount_residual, 1000)
        self.assertEqual(self.invoice.payment_state, "not_paid")
        self.assertAlmostEqual(self.invoice_2.amount_residual, 300)
        self.assertEqual(self.invoice_2.payment_state, "partial")
        self.assertFalse(self.case.is_closed)
        self.assertAlmostEqual(self.case.amount_due, 1300)
        self.assertAlmostEqual(self.case.amount_credited, 0)
        self.assertIn(reversal.name, self.case.message_ids[0].body)
        # closed again: a new entry, the reversed one stays in the books
        self._close(self.case, "written_off")
        self.assertNotEqual(self.case.writeoff_move_id, move)
        self.assertFalse(self.case.writeoff_reversal_move_id)
        self.assertAlmostEqual(self.invoice.amount_residual, 0)

    def test_foreign_currency_invoices_are_written_off_in_their_currency(self):
        eur = self.setup_other_currency("EUR", rates=[("2000-01-01", 2.0)])
        customer = self._customer("Euro Debtor GmbH")
        invoice = self._invoice(customer, 800, TODAY - timedelta(days=50), currency=eur)
        case = self._open_case(customer, self.collector)
        self._close(case, "written_off")
        receivable = self._receivable(case.writeoff_move_id)
        self.assertEqual(receivable.currency_id, eur)
        self.assertAlmostEqual(receivable.amount_currency, -800)
        self.assertAlmostEqual(receivable.balance, -400)
        self.assertEqual(case.writeoff_move_id.currency_id, eur)
        self.assertAlmostEqual(invoice.amount_residual, 0)
        self.assertEqual(invoice.payment_state, "paid")

    def test_invoices_of_two_currencies_are_written_off_in_one_entry(self):
        eur = self.setup_other_currency("EUR", rates=[("2000-01-01", 2.0)])
        euro_invoice = self._invoice(self.customer, 600, TODAY - timedelta(days=50), currency=eur)
        with freeze_time(TODAY):
            self.case._collection_join_invoices(TODAY)
        self.assertIn(euro_invoice, self.case.invoice_ids)
        self._close(self.case, "written_off")
        move = self.case.writeoff_move_id
        self.assertEqual(move.currency_id, self.company.currency_id)
        self.assertAlmostEqual(sum(move.line_ids.mapped("balance")), 0)
        euro_line = self._receivable(move).filtered(lambda line: line.currency_id == eur)
        self.assertAlmostEqual(euro_line.amount_currency, -600)
        self.assertAlmostEqual(euro_line.balance, -300)
        for invoice in self.invoice | self.invoice_2 | euro_invoice:
            self.assertEqual(invoice.payment_state, "paid")

    def test_returned_case_books_nothing(self):
        self._close(self.case, "returned")
        self.assertFalse(self.case.writeoff_move_id)
        self.assertAlmostEqual(self.invoice.amount_residual, 1000)

    def test_collectors_cannot_write_off_or_link_an_entry(self):
        with self.assertRaises(AccessError):
            self._close(self.case, "written_off", user=self.collector)
        case = self.case.with_user(self.collector)
        other = self.invoice_2
        with self.assertRaisesText(UserError, "set by the collection process"):
            case.write({"writeoff_move_id": other.id})
        with self.assertRaisesText(UserError, "set by the collection process"):
            case.write({"writeoff_reversal_move_id": other.id})
        with self.assertRaisesText(UserError, "Only a collection manager"):
            case._collection_writeoff({self.invoice: 1000}, "x")
        self._close(self.case, "written_off")
        with self.assertRaises(UserError):
            self.case.with_user(self.collector).action_reopen()
        self.assertFalse(self.case.writeoff_reversal_move_id)
        self.assertAlmostEqual(self.invoice.amount_residual, 0)

    def test_settlement_amounts_are_checked(self):
        for amount in (1000.01, -5):
            with self.subTest(amount=amount), self.assertRaisesText(UserError, "must lie between"):
                self._close(self.case, "settled", amounts={self.invoice: amount})
        with self.assertRaisesText(ValidationError, "must be a number"):
            self._close(self.case, "settled", amounts={self.invoice: float("nan")})
        self.assertFalse(self.case.is_closed, "nothing closed by a refused proposal")
        stranger = self._overdue_customer("Stranger Co")
        foreign_invoice = stranger.invoice_ids
        wizard = (
            self.env["collection.case.close"]
            .with_user(self.manager)
            .with_context(active_model="collection.case", active_ids=self.case.ids)
            .create(
                {
                    "close_reason": "settled",
                    "note": "x",
                    "line_ids": [Command.create({"invoice_id": foreign_invoice.id, "amount": 1})],
                }
            )
        )
        with self.assertRaisesText(UserError, "not an open invoice of these cases"):
            wizard.action_close()
        self.assertAlmostEqual(foreign_invoice.amount_residual, 1000)

    def test_missing_settings_stop_the_closing_with_a_clear_message(self):
        self.company.collection_writeoff_account_id = False
        with self.assertRaisesText(UserError, "Set the Write-off account"):
            self._close(self.case, "written_off")
        self.company.collection_writeoff_account_id = self.baddebt
        self.company.collection_writeoff_journal_id = False
        with self.assertRaisesText(UserError, "Set the write-off journal"):
            self._close(self.case, "written_off")
        self.assertFalse(self.case.is_closed)
        self.assertFalse(self.case.writeoff_move_id)

    def test_each_company_writes_off_to_its_own_books(self):
        customer_b = self._overdue_customer("Debtor B", company=self.company_b)
        case_b = self._open_case(customer_b, self.manager_b, company=self.company_b)
        wizard = self.env["collection.case.close"].with_user(self.manager_b)
        with self.assertRaisesText(UserError, "company_2"):
            wizard.with_context(active_model="collection.case", active_ids=case_b.ids).create(
                {"close_reason": "written_off", "note": "x"}
            ).action_close()
        with self.assertRaisesText(ValidationError, "miscellaneous journal of company_2"):
            self.company_b.collection_writeoff_journal_id = self.company_data[
                "default_journal_misc"
            ]
        with self.assertRaisesText(ValidationError, "is not an account of company_2"):
            self.company_b.collection_writeoff_account_id = self.baddebt
        baddebt_b = self._writeoff_account(self.company_data_2, "6712", "Bad debts B")
        self.company_b.write(
            {
                "collection_writeoff_account_id": baddebt_b.id,
                "collection_writeoff_journal_id": self.company_data_2["default_journal_misc"].id,
            }
        )
        self._close(case_b, "written_off", user=self.manager_b)
        self.assertEqual(case_b.writeoff_move_id.company_id, self.company_b)
        self.assertIn(baddebt_b, case_b.writeoff_move_id.line_ids.account_id)
        with self.assertRaises(AccessError):
            self.case.with_user(self.manager_b).read(["writeoff_move_id"])

    # ------------------------------------------------------------ waivers
    def _waiver(self, amount=200, user=None, invoices=None, **values):
        return (
            self.env["collection.waiver"]
            .with_user(user or self.collector)
            .create(
                {
                    "case_id": self.case.id,
                    "invoice_ids": [Command.set((invoices or self.invoice).ids)],
                    "amount": amount,
                    "reason": "Goods delivered late",
                    **values,
                }
            )
        )

    def test_approved_waiver_posts_a_credit_note_reconciled_with_the_invoice(self):
        waiver = self._waiver(kind="discount")
        waiver.action_submit()
        self.assertEqual(waiver.state, "to_approve")
        asked = self.case.message_ids[0]
        self.assertIn("asked by", asked.body)
        self.assertIn(self.manager.partner_id, asked.partner_ids, "managers are asked")
        self.assertNotIn(self.manager_b.partner_id, asked.partner_ids, "not another company's")
        with freeze_time(TODAY):
            waiver.with_user(self.manager).action_approve()
        credit_note = waiver.credit_note_id
        self.assertEqual(waiver.state, "approved")
        self.assertEqual(waiver.approver_id, self.manager)
        self.assertEqual(credit_note.move_type, "out_refund")
        self.assertEqual(credit_note.state, "posted")
        self.assertEqual(credit_note.partner_id, self.customer)
        self.assertAlmostEqual(credit_note.amount_total, 200)
        self.assertEqual(
            credit_note.invoice_line_ids.account_id, self.baddebt, "no waiver account: write-off"
        )
        self.assertAlmostEqual(credit_note.amount_residual, 0)
        self.assertAlmostEqual(self.invoice.amount_residual, 800)
        self.assertEqual(self.invoice.payment_state, "partial")
        self.assertAlmostEqual(self.case.amount_credited, 200)
        self.assertEqual(self.case.waiver_ids, waiver)
        self.assertIn(credit_note.name, self.case.message_ids[0].body)

    def test_waiver_over_several_invoices_settles_the_oldest_first(self):
        waiver_account = self._writeoff_account(self.company_data, "6603", "Sales discounts")
        self.company.collection_waiver_account_id = waiver_account
        waiver = self._waiver(amount=1100, invoices=self.invoice | self.invoice_2)
        waiver.action_submit()
        waiver.with_user(self.manager).action_approve()
        self.assertEqual(waiver.credit_note_id.invoice_line_ids.account_id, waiver_account)
        self.assertAlmostEqual(self.invoice.amount_residual, 0)
        self.assertAlmostEqual(self.invoice_2.amount_residual, 200)

    def test_waiver_reason_stays_text_in_the_chatter_and_on_the_credit_note(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.customer.lang = "zh_CN"
        waiver = self._waiver(reason="<img src=x onerror=alert(1)> =SUM(A1)")
        waiver.action_submit()
        body = self.case.message_ids[0].body
        self.assertNotIn("<img", body)
        self.assertIn("&lt;img", body)
        waiver.with_user(self.manager).action_approve()
        self.assertEqual(waiver.credit_note_id.invoice_line_ids.name, waiver.reason)
        self.assertNotIn("<img", self.case.message_ids[0].body)

    def test_writeoff_settings_are_set_in_the_collection_settings(self):
        settings = Form(self.env["res.config.settings"])
        settings.collection_writeoff_account_id = self.baddebt
        settings.collection_writeoff_journal_id = self.company_data["default_journal_misc"]
        settings.collection_legal_cost_account_id = self.baddebt
        settings.save().execute()
        self.assertEqual(self.company.collection_legal_cost_account_id, self.baddebt)
        receivable = self.company_data["default_account_receivable"]
        with self.assertRaisesText(ValidationError, "not a receivable or payable"):
            self.company.collection_writeoff_account_id = receivable

    def test_an_entry_reversed_by_the_accountant_is_not_reversed_twice(self):
        self._close(self.case, "written_off")
        move = self.case.writeoff_move_id
        move._reverse_moves([{"date": TODAY}], cancel=True)
        self.case.with_user(self.manager).action_reopen()
        self.assertEqual(len(move.reversal_move_ids), 1)
        self.assertEqual(self.case.writeoff_reversal_move_id, move.reversal_move_ids)
        self.assertAlmostEqual(self.invoice.amount_residual, 1000)

    def test_refused_waiver_keeps_nothing(self):
        waiver = self._waiver()
        waiver.action_submit()
        waiver.with_user(self.manager).action_refuse()
        self.assertEqual(waiver.state, "refused")
        self.assertFalse(waiver.credit_note_id)
        self.assertAlmostEqual(self.invoice.amount_residual, 1000)
        self.assertFalse(
            self.env["account.move"].search(
                [("partner_id", "=", self.customer.id), ("move_type", "=", "out_refund")]
            )
        )
        with self.assertRaises(UserError):
            waiver.with_user(self.manager).action_approve()

    def test_collectors_cannot_approve_a_waiver_by_any_write(self):
        waiver = self._waiver()
        waiver.action_submit()
        as_collector = waiver.with_user(self.collector)
        with self.assertRaisesText(UserError, "Only a collection manager"):
            as_collector.action_approve()
        for values in (
            {"state": "approved"},
            {"approver_id": self.collector.id},
            {"credit_note_id": self.invoice_2.id},
        ):
            with self.subTest(values=values), self.assertRaises(UserError):
                as_collector.write(values)
        with self.assertRaisesText(UserError, "Only a draft"):
            as_collector.write({"amount": 900})
        with self.assertRaisesText(UserError, "starts as a draft"):
            self._waiver(state="approved")
        legal = self.legal_officer
        self.case.with_user(self.manager).action_escalate_legal()
        with self.assertRaisesText(UserError, "Only a collection manager"):
            waiver.with_user(legal).action_approve()
        self.assertEqual(waiver.state, "to_approve")
        self.assertAlmostEqual(self.invoice.amount_residual, 1000)

    def test_waiver_amounts_and_invoices_are_checked(self):
        with self.assertRaisesText(ValidationError, "more than its invoices still owe"):
            self._waiver(amount=1000.01)
        with self.assertRaisesText(ValidationError, "positive amount"):
            self._waiver(amount=0)
        with self.assertRaisesText(ValidationError, "must be a number"):
            self._waiver(amount=float("inf"))
        stranger = self._overdue_customer("Stranger Co")
        with self.assertRaisesText(ValidationError, "invoices of its case"):
            self._waiver(user=self.manager, invoices=stranger.invoice_ids)
        with self.assertRaisesText(ValidationError, "needs a reason"):
            self._waiver(reason="   ")
        self._close(self.case, "returned")
        with self.assertRaisesText(UserError, "on an open case"):
            self._waiver()

    def test_waiver_rights_per_role_and_company(self):
        other_case = self._open_case(self._overdue_customer("Other Co"), self.collector_2)
        customer_b = self._overdue_customer("Debtor B", company=self.company_b)
        case_b = self._open_case(customer_b, self.manager_b, company=self.company_b)
        self.records = {
            "own": self._waiver(),
            "other": self.env["collection.waiver"].create(
                {
                    "case_id": other_case.id,
                    "invoice_ids": [Command.set(other_case.invoice_ids.ids)],
                    "amount": 10,
                    "reason": "x",
                }
            ),
            "company b": self.env["collection.waiver"].create(
                {
                    "case_id": case_b.id,
                    "invoice_ids": [Command.set(case_b.invoice_ids.ids)],
                    "amount": 10,
                    "reason": "x",
                }
            ),
        }
        self.assertRights(self.collector, {"own": "rwc", "other": "", "company b": ""})
        self.assertRights(self.manager, {"own": "rwcu", "other": "rwcu", "company b": ""})
        self.assertRights(self.manager_b, {"own": "", "other": "", "company b": "rwcu"})
        self.assertRights(self.billing, {"own": "", "other": "", "company b": ""})
