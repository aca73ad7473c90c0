from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools.misc import clean_context

REASON_MAX = 1000


class CollectionPickingHoldOverride(models.TransientModel):
    _name = "collection.picking.hold.override"
    _description = "Validate a delivery despite the customer's credit hold"

    picking_id = fields.Many2one(
        "stock.picking", string="Delivery", required=True, readonly=True, ondelete="cascade"
    )
    partner_id = fields.Many2one(
        related="picking_id.partner_id.commercial_partner_id", string="Customer"
    )
    reason = fields.Text(
        required=True, help="Why the delivery is validated although the customer is on hold."
    )

    @api.constrains("reason")
    def _check_reason(self):
        for wizard in self:
            reason = (wizard.reason or "").strip()
            if not reason:
                raise ValidationError(_("Give the reason to validate despite the credit hold."))
            if len(reason) > REASON_MAX:
                raise ValidationError(
                    _("The reason is too long: at most %(max)s characters.", max=REASON_MAX)
                )

    def action_validate(self):
        self.ensure_one()
        picking = self.picking_id
        picking._collection_check_manager()
        # the form's defaults must not reach the moves and backorders validating creates
        context = dict(clean_context(self.env.context), collection_hold_override=self.reason)
        result = picking.with_env(self.env(context=context)).button_validate()
        # a question (backorder, immediate transfer) continues in its own form
        return result if isinstance(result, dict) else {"type": "ir.actions.act_window_close"}
