from odoo import _, api, fields, models
from odoo.exceptions import UserError

MANAGER = "collection_management.group_collection_manager"
# the context key that carries a collection manager's reason to deliver despite a hold
OVERRIDE = "collection_hold_override"


class StockPicking(models.Model):
    _inherit = "stock.picking"

    collection_partner_hold = fields.Boolean(
        string="Customer on credit hold",
        # the customer's hold is internal, as the customer's own field
        groups="base.group_user",
        compute="_compute_collection_partner_hold",
        help="A delivery to a customer on credit hold (or to a contact of one) cannot be "
        "validated unless a collection manager overrides the hold.",
    )

    @api.depends("partner_id.commercial_partner_id.collection_credit_hold", "picking_type_code")
    def _compute_collection_partner_hold(self):
        for picking in self:
            # read as superuser: a warehouse user may not read every field of the customer
            picking.collection_partner_hold = picking.picking_type_code == "outgoing" and (
                picking.partner_id.commercial_partner_id.sudo().collection_credit_hold
            )

    def button_validate(self):
        # The hold stops what a user validates. Deliveries completed by other processes
        # (a point of sale closing its session) are sales paid on the spot, not on credit.
        held = self._collection_held_pickings()
        if held:
            self._collection_check_hold_override(held)
        result = super().button_validate()
        if held:
            # a backorder question returns before anything is done: log what was delivered
            held.filtered(lambda p: p.state == "done")._collection_log_hold_override(
                self.env.context[OVERRIDE]
            )
        return result

    def action_collection_validate_despite_hold(self):
        """Open the form where a collection manager gives the reason to deliver."""
        self.ensure_one()
        self._collection_check_manager()
        return {
            "type": "ir.actions.act_window",
            "name": _("Validate despite credit hold"),
            "res_model": "collection.picking.hold.override",
            "view_mode": "form",
            "target": "new",
            "context": {"default_picking_id": self.id},
        }

    def _collection_held_pickings(self):
        """The deliveries about to be validated for customers on credit hold."""
        return self.filtered(
            lambda p: (
                p.picking_type_code == "outgoing"
                and p.state not in ("done", "cancel")
                and p.partner_id.commercial_partner_id.sudo().collection_credit_hold
            )
        )

    def _collection_check_manager(self):
        if not self.env.user.has_group(MANAGER):
            raise UserError(_("Only a collection manager can override a credit hold."))

    def _collection_check_hold_override(self, held):
        """Refuse to validate ``held`` unless a collection manager gave a reason."""
        reason = self.env.context.get(OVERRIDE)
        if not reason:
            customers = held.partner_id.commercial_partner_id
            if len(customers) == 1:
                message = _(
                    "%(partner)s is on credit hold: deliveries to this customer cannot be "
                    "validated until a collection manager releases the hold or overrides it.",
                    partner=customers.display_name,
                )
            else:
                message = _(
                    "These customers are on credit hold: %(partners)s. Deliveries to them "
                    "cannot be validated until a collection manager releases the hold or "
                    "overrides it.",
                    partners=", ".join(customers.mapped("display_name")),
                )
            raise UserError(message)
        self._collection_check_manager()
        if not isinstance(reason, str) or not reason.strip():
            raise UserError(_("Give the reason to validate despite the credit hold."))

    def _collection_log_hold_override(self, reason):
        """Say on each delivery and on its customer's chatter who validated it despite
        the hold, and why; the customer's chatter in the language of its readers."""
        reason = reason.strip()
        for picking in self:
            customer = picking.partner_id.commercial_partner_id
            picking.message_post(body=picking._collection_override_text(customer, reason))
            lang = customer._collection_reader_lang(picking.company_id)
            customer.sudo().message_post(
                body=picking.with_context(lang=lang)._collection_override_text(customer, reason)
            )

    def _collection_override_text(self, customer, reason):
        self.ensure_one()
        return self.env._(
            "%(picking)s validated despite the credit hold of %(partner)s, by %(user)s. "
            "Reason: %(reason)s",
            picking=self.name,
            partner=customer.display_name,
            user=self.env.user.name,
            reason=reason,
        )
