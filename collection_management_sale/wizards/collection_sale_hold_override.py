from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools.misc import clean_context

REASON_MAX = 1000


class CollectionSaleHoldOverride(models.TransientModel):
    _name = "collection.sale.hold.override"
    _description = "Confirm a quotation despite the customer's credit hold"

    order_id = fields.Many2one("sale.order", required=True, readonly=True, ondelete="cascade")
    partner_id = fields.Many2one(
        related="order_id.partner_id.commercial_partner_id", string="Customer"
    )
    reason = fields.Text(
        required=True, help="Why the quotation is confirmed although the customer is on hold."
    )

    @api.constrains("reason")
    def _check_reason(self):
        for wizard in self:
            reason = (wizard.reason or "").strip()
            if not reason:
                raise ValidationError(_("Give the reason to confirm despite the credit hold."))
            if len(reason) > REASON_MAX:
                raise ValidationError(
                    _("The reason is too long: at most %(max)s characters.", max=REASON_MAX)
                )

    def action_confirm(self):
        self.ensure_one()
        order = self.order_id
        order._collection_check_manager()
        # the form's defaults must not reach the records confirming creates
        context = dict(clean_context(self.env.context), collection_hold_override=self.reason)
        order.with_env(self.env(context=context)).action_confirm()
        return {"type": "ir.actions.act_window_close"}
