from datetime import date

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import SQL

from ..demo.bulk import BulkBook
from ..demo.bulk_check import check_book
from .common import CollectionCommon

TODAY = date(2026, 6, 30)


@tagged("post_install", "-at_install")
@freeze_time("2026-06-30")
class TestBulkBook(CollectionCommon):
    def _book(self, invoices=300, customers=30, companies=1):
        book = BulkBook(self.env, self.company)
        result = book.generate(
            customers=customers, invoices=invoices, companies=companies, seed=11, today=TODAY
        )
        self.env.flush_all()
        return book, result

    def _invoices(self, book):
        return self.env["account.move"].search(
            [
                ("move_type", "=", "out_invoice"),
                ("partner_id", "in", book.partners.ids),
            ]
        )

    def _sql(self, query, *args):
        self.env.flush_all()
        self.env.cr.execute(SQL(query, *args))
        return self.env.cr.fetchall() if self.env.cr.description else None

    def test_bulk_book_passes_the_integrity_check_with_the_demo_mix(self):
        book, result = self._book()
        self.assertEqual(result["invoices"], 300)
        self.assertEqual(result["partners"], 30)
        self.assertEqual(check_book(self.env), {"rules": 11, "sample": 200})
        invoices = self._invoices(book)
        self.assertEqual(len(invoices), 300)
        self.assertEqual(set(invoices.mapped("state")), {"posted"})
        self.assertEqual(invoices.company_id, self.company)
        offsets = [(due - TODAY).days for due in invoices.mapped("invoice_date_due")]
        self.assertTrue(all(-400 <= offset <= 20 for offset in offsets))
        self.assertTrue(any(offset < -200 for offset in offsets))
        self.assertTrue(any(offset > 0 for offset in offsets))
        self.assertEqual(set(invoices.mapped("payment_state")), {"not_paid", "partial", "paid"})
        paid = invoices.filtered(lambda move: move.payment_state == "paid")
        self.assertTrue(paid.line_ids.full_reconcile_id)
        self.assertEqual(set(paid.mapped("amount_residual")), {0.0})
        refunds = self.env["account.move"].search(
            [("move_type", "=", "out_refund"), ("partner_id", "in", book.partners.ids)]
        )
        self.assertEqual(len(refunds), result["credit_notes"])
        payments = self.env["account.payment"].search([("partner_id", "in", book.partners.ids)])
        self.assertEqual(len(payments), result["payments"])
        self.assertEqual(set(payments.mapped("state")), {"in_process"})
        # some payments are left unapplied, as in the demo
        self.assertIn(False, payments.mapped("is_reconciled"))
        self.assertIn(True, payments.mapped("is_reconciled"))

    def test_bulk_invoices_read_as_the_orm_made_them(self):
        book, _result = self._book(invoices=40, customers=5)
        invoice = self._invoices(book).filtered(lambda move: move.payment_state == "partial")[-1:]
        self.assertTrue(invoice)
        term = invoice.line_ids.filtered(lambda line: line.display_type == "payment_term")
        self.assertEqual(term.date_maturity, invoice.invoice_date_due)
        self.assertEqual(term.partner_id, invoice.partner_id)
        self.assertEqual(invoice.payment_reference, invoice.name)
        self.assertTrue(term.matching_number.startswith("P"))
        self.assertAlmostEqual(
            invoice.amount_residual,
            invoice.amount_total - sum(term.matched_credit_ids.mapped("amount")),
        )
        self.assertFalse(invoice.access_token)
        # followed by its customer, as posting through the ORM subscribes it
        follower = invoice.message_follower_ids
        self.assertEqual(follower.partner_id, invoice.partner_id)
        first = self._invoices(book).sorted("id")[0]
        self.assertEqual(follower.subtype_ids, first.message_follower_ids.subtype_ids)
        self.assertTrue(follower.subtype_ids)
        # the addon's searches see what the book holds
        moves = self.env["account.move"]
        self.assertIn(invoice, moves.search(moves._collection_open_invoice_domain()))

    def test_numbering_continues_where_the_bulk_book_stopped(self):
        book, _result = self._book(invoices=60, customers=5)
        invoices = self._invoices(book)
        this_year = invoices.filtered(lambda move: move.date.year == 2026)
        numbers = this_year.mapped("sequence_number")
        self.assertEqual(sorted(numbers), list(range(min(numbers), max(numbers) + 1)))
        self.assertEqual(len(set(invoices.mapped("name"))), 60)
        self.assertEqual(
            {move.name[: len(move.sequence_prefix)] for move in this_year},
            set(this_year.mapped("sequence_prefix")),
        )
        journal = invoices.journal_id
        following = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": book.partners[0].id,
                "journal_id": journal.id,
                "invoice_date": TODAY,
                "invoice_line_ids": [
                    fields.Command.create(
                        {"name": "Services", "quantity": 1, "price_unit": 100, "tax_ids": []}
                    )
                ],
            }
        )
        following.action_post()
        self.assertEqual(following.sequence_prefix, this_year[0].sequence_prefix)
        self.assertEqual(following.sequence_number, max(numbers) + 1)

    def test_changed_residual_fails_the_check_loudly(self):
        book, _result = self._book(invoices=50, customers=5)
        line = self._invoices(book)[0].line_ids.filtered(
            lambda line: line.display_type == "payment_term"
        )
        self._sql(
            "UPDATE account_move_line SET amount_residual = amount_residual - 1 WHERE id = %s",
            line.id,
        )
        self.env.invalidate_all()
        with self.assertRaisesRegex(UserError, "residual is not their balance") as caught:
            check_book(self.env)
        self.assertIn(line.move_id.name, str(caught.exception))

    def test_unbalanced_entry_fails_the_check_loudly(self):
        book, _result = self._book(invoices=50, customers=5)
        move = self._invoices(book)[-1]
        line = move.line_ids.filtered(lambda line: line.display_type == "product")
        self._sql(
            "UPDATE account_move_line SET balance = balance - 5, credit = credit + 5 WHERE id = %s",
            line.id,
        )
        self.env.invalidate_all()
        with self.assertRaisesRegex(UserError, "not balanced") as caught:
            check_book(self.env)
        self.assertIn(move.name, str(caught.exception))

    def test_wrong_payment_status_fails_the_check_loudly(self):
        book, _result = self._book(invoices=50, customers=5)
        move = self._invoices(book).filtered(lambda move: move.payment_state == "not_paid")[0]
        self._sql("UPDATE account_move SET payment_state = 'paid' WHERE id = %s", move.id)
        self.env.invalidate_all()
        with self.assertRaisesRegex(UserError, "payment status"):
            check_book(self.env)

    def test_stored_total_odoo_would_not_compute_fails_the_check(self):
        """A stored amount that every SQL rule accepts but Odoo computes otherwise."""
        book, _result = self._book(invoices=20, customers=3)
        move = self._invoices(book)[0]
        self._sql(
            "UPDATE account_move SET amount_untaxed = amount_untaxed + 1 WHERE id = %s", move.id
        )
        self.env.invalidate_all()
        with self.assertRaisesRegex(UserError, "Odoo computes"):
            check_book(self.env, sample=1000)

    def test_followup_run_reminds_the_overdue_customers_the_book_holds(self):
        book, _result = self._book(invoices=200, customers=20)
        # what the book owes: per customer, open invoices a week overdue and more,
        # less its open credit notes and unapplied payments
        rows = self._sql(
            """
            SELECT l.partner_id,
                   SUM(l.amount_residual) FILTER (
                       WHERE l.amount_residual > 0 AND l.date_maturity < %s),
                   MAX(%s - l.date_maturity) FILTER (WHERE l.amount_residual > 0),
                   -SUM(l.amount_residual) FILTER (WHERE l.amount_residual < 0)
              FROM account_move_line l JOIN account_account a ON a.id = l.account_id
             WHERE a.account_type = 'asset_receivable' AND l.parent_state = 'posted'
               AND l.partner_id = ANY(%s)
             GROUP BY l.partner_id
            """,
            TODAY,
            TODAY,
            book.partners.ids,
        )
        expected = {
            partner: round(overdue, 2)
            for partner, overdue, days, credit in rows
            if overdue and days >= 7 and overdue - (credit or 0) > 0
        }
        self.assertGreater(len(expected), 10)
        result = self.env["collection.followup"]._collection_run(self.company, TODAY)
        # (a customer whose oldest open invoice is less than a week overdue may get a
        # reminder of a level before the due date: not counted on either side)
        followups = result["followups"].filtered(
            lambda f: f.partner_id in book.partners and f.level_id.delay_days > 0
        )
        self.assertEqual({f.partner_id.id: round(f.amount_due, 2) for f in followups}, expected)

    def test_two_companies_each_with_its_book(self):
        book, result = self._book(invoices=40, customers=6, companies=2)
        second = self.env["res.company"].search([("name", "=", "Collections Demo Asia Ltd.")])
        self.assertEqual(result["invoices"], 40)
        invoices = self._invoices(book)
        self.assertEqual(len(invoices.filtered(lambda m: m.company_id == second)), 20)
        self.assertEqual(
            invoices.filtered(lambda m: m.company_id == second).currency_id, second.currency_id
        )
        check_book(self.env)

    def test_bad_arguments_and_rights(self):
        with self.assertRaisesRegex(UserError, "at least one customer"):
            BulkBook(self.env).generate(customers=0, invoices=5)
        with self.assertRaisesRegex(UserError, "Only an administrator"):
            BulkBook(self.env(user=self.manager)).generate(customers=2, invoices=5)
        self.assertFalse(
            self.env["account.move"].search_count(
                [("ref", "like", "PO-%"), ("state", "=", "posted")]
            )
        )
