from odoo import _, api, models


class AccountPartialReconcile(models.Model):
    _inherit = "account.partial.reconcile"

    @api.model_create_multi
    def create(self, vals_list):
        partials = super().create(vals_list)
        partials._collection_notify_legal_cases()
        return partials

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
