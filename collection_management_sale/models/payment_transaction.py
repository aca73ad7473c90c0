from odoo import models


class PaymentTransaction(models.Model):
    _inherit = "payment.transaction"

    def _check_amount_and_confirm_order(self):
        # A prepayment of part of a held customer's quotation is received, but does not
        # confirm it: the rest would be sold on credit. The quotation waits for a
        # collection manager (and says so) instead of failing the payment's processing.
        deferring = self.with_context(collection_hold_defer="paid")
        confirmed = super(PaymentTransaction, deferring)._check_amount_and_confirm_order()
        return confirmed.with_env(self.env).filtered(lambda o: o.state == "sale")
