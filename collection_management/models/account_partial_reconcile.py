from odoo import _, api, models
from odoo.tools import SQL


class AccountPartialReconcile(models.Model):
    _inherit = "account.partial.reconcile"

    @api.model_create_multi
    def create(self, vals_list):
        partials = super().create(vals_list)
        partials._collection_notify_legal_cases()
        return partials

    def unlink(self):
        # a payment taken off an invoice: a case that closed itself as paid owes again
        invoices = self.debit_move_id.move_id.sudo()
        cases = invoices.collection_case_id
        promises = (
            self.env["collection.promise"]
            .sudo()
            .search(
                [
                    ("partner_id", "in", invoices.commercial_partner_id.ids),
                    ("state", "in", ("kept", "partial")),
                ]
            )
        )
        result = super().unlink()
        cases._collection_reopen_owed()
        # the money a settled promise counted may be gone
        promises._collection_evaluate()
        return result

    def _collection_notify_legal_cases(self):
        """Payments of a customer in legal action are news for the legal officer."""
        invoices = self.debit_move_id.move_id.filtered(lambda m: m.move_type == "out_invoice")
        if not invoices:
            return
        for case in invoices._collection_legal_cases():
            paid = self.filtered(
                lambda p, case=case: (
                    p.debit_move_id.move_id.commercial_partner_id == case.partner_id
                    and p.company_id == case.company_id
                    and p.credit_move_id.move_id.move_type != "out_refund"
                )
            )
            if paid:
                case._collection_notify_legal(
                    _(
                        "Payment of %(amount)s received from this customer in legal action.",
                        amount=case.currency_id.format(sum(paid.mapped("amount"))),
                    )
                )

    @api.model
    def _collection_settlements_sql(self):
        """What settled customer invoices, as an SQL subquery: one row per partial
        reconciliation of an invoice, with the invoice, its case, customer and company,
        the date, the amount (company currency) and whether a credit note (or a case's
        write-off entry) settled it rather than money. The one place that joins
        reconciliations to invoices; its columns carry the fields to flush
        (``env.execute_query``)."""
        move, line = self.env["account.move"], self.env["account.move.line"]

        def column(alias, model, name):
            return SQL.identifier(alias, name, to_flush=model._fields[name])

        return SQL(
            """SELECT apr.id AS partial_id, inv.id AS invoice_id, %(case)s AS case_id,
                      %(partner)s AS partner_id, %(company)s AS company_id,
                      %(date)s AS date, %(amount)s AS amount,
                      (%(settled_by)s = 'out_refund' OR EXISTS (
                          SELECT 1 FROM collection_case wc WHERE %(writeoff)s = cm.id
                      )) AS by_credit_note
                 FROM account_partial_reconcile apr
                 JOIN account_move_line dl ON dl.id = %(debit)s
                 JOIN account_move inv ON inv.id = %(debit_move)s
                 JOIN account_move_line cl ON cl.id = %(credit)s
                 JOIN account_move cm ON cm.id = %(credit_move)s
                WHERE %(invoice_type)s = 'out_invoice'""",
            case=column("inv", move, "collection_case_id"),
            partner=column("inv", move, "commercial_partner_id"),
            company=column("inv", move, "company_id"),
            date=column("apr", self, "max_date"),
            amount=column("apr", self, "amount"),
            settled_by=column("cm", move, "move_type"),
            # a case's write-off entry settles without money, as a credit note does
            writeoff=column("wc", self.env["collection.case"], "writeoff_move_id"),
            debit=column("apr", self, "debit_move_id"),
            debit_move=column("dl", line, "move_id"),
            credit=column("apr", self, "credit_move_id"),
            credit_move=column("cl", line, "move_id"),
            invoice_type=column("inv", move, "move_type"),
        )
