from odoo import _, api, fields, models
from odoo.exceptions import UserError

MANAGER = "collection_management.group_collection_manager"
# the context key that carries a collection manager's reason to confirm despite a hold
OVERRIDE = "collection_hold_override"
# set when the customer accepts online (signature or payment): a held quotation is left
# to a collection manager instead of refused
DEFER = "collection_hold_defer"


class SaleOrder(models.Model):
    _inherit = "sale.order"

    collection_partner_hold = fields.Boolean(
        string="Customer on credit hold",
        # the customer's hold is internal, as the customer's own field
        groups="base.group_user",
        compute="_compute_collection_partner_hold",
        help="The customer (or the company it belongs to) is on credit hold: the quotation "
        "cannot be confirmed unless a collection manager overrides the hold.",
    )

    @api.depends("partner_id.commercial_partner_id.collection_credit_hold")
    def _compute_collection_partner_hold(self):
        for order in self:
            # read as superuser: a salesman may not read every field of the customer
            order.collection_partner_hold = (
                order.partner_id.commercial_partner_id.sudo().collection_credit_hold
            )

    def action_confirm(self):
        held = self._collection_held_orders()
        if held and self.env.context.get(DEFER) and not self.env.context.get(OVERRIDE):
            held._collection_leave_to_manager(self.env.context[DEFER])
            others = self - held
            return super(SaleOrder, others).action_confirm() if others else True
        if held:
            self._collection_check_hold_override(held)
        result = super().action_confirm()
        if held:
            held.filtered(lambda o: o.state == "sale")._collection_log_hold_override(
                self.env.context[OVERRIDE]
            )
        return result

    def action_collection_confirm_despite_hold(self):
        """Open the form where a collection manager gives the reason to confirm."""
        self.ensure_one()
        self._collection_check_manager()
        return {
            "type": "ir.actions.act_window",
            "name": _("Confirm despite credit hold"),
            "res_model": "collection.sale.hold.override",
            "view_mode": "form",
            "target": "new",
            "context": {"default_order_id": self.id},
        }

    def _collection_held_orders(self):
        """The quotations about to be confirmed for customers on credit hold. A quotation
        paid in full online is not a sale on credit: it is not held."""
        return self.filtered(
            lambda o: (
                o.state in ("draft", "sent")
                and o.partner_id.commercial_partner_id.sudo().collection_credit_hold
                and not o._collection_paid_in_full()
            )
        )

    def _collection_paid_in_full(self):
        self.ensure_one()
        return (
            self.currency_id.compare_amounts(self.amount_total, 0) > 0
            and self.currency_id.compare_amounts(self.amount_paid, self.amount_total) >= 0
        )

    def _collection_check_manager(self):
        if not self.env.user.has_group(MANAGER):
            raise UserError(_("Only a collection manager can override a credit hold."))

    def _collection_check_hold_override(self, held):
        """Refuse to confirm ``held`` unless a collection manager gave a reason."""
        reason = self.env.context.get(OVERRIDE)
        if not reason:
            customers = held.partner_id.commercial_partner_id
            if len(customers) == 1:
                message = _(
                    "%(partner)s is on credit hold: its quotations cannot be confirmed until "
                    "a collection manager releases the hold or overrides it.",
                    partner=customers.display_name,
                )
            else:
                message = _(
                    "These customers are on credit hold: %(partners)s. Their quotations "
                    "cannot be confirmed until a collection manager releases the hold or "
                    "overrides it.",
                    partners=", ".join(customers.mapped("display_name")),
                )
            raise UserError(message)
        self._collection_check_manager()
        if not isinstance(reason, str) or not reason.strip():
            raise UserError(_("Give the reason to confirm despite the credit hold."))

    def _collection_log_hold_override(self, reason):
        """Say on each order and on its customer's chatter who confirmed it despite the
        hold, and why; the customer's chatter in the language of its readers."""
        reason = reason.strip()
        for order in self:
            customer = order.partner_id.commercial_partner_id
            order.message_post(body=order._collection_override_text(customer, reason))
            lang = customer._collection_reader_lang(order.company_id)
            customer.sudo().message_post(
                body=order.with_context(lang=lang)._collection_override_text(customer, reason)
            )

    def _validate_order(self):
        # the customer signs online: a held quotation stays signed, for a manager
        return super(SaleOrder, self.with_context(**{DEFER: "signed"}))._validate_order()

    def _collection_leave_to_manager(self, why):
        """Accepted online (``why``: "signed" or "paid") by a customer on hold: the
        quotation is not confirmed, it says why, and its salesperson is asked to see a
        collection manager."""
        # the customer (a portal or public user) cannot write on the order's chatter
        for order in self.sudo():
            customer = order.partner_id.commercial_partner_id
            lang = order.user_id.lang or customer._collection_reader_lang(order.company_id)
            text = order.with_context(lang=lang)._collection_waiting_text(customer, why)
            order.message_post(body=text)
            if order.user_id:
                order.activity_schedule(
                    "mail.mail_activity_data_todo", user_id=order.user_id.id, note=text
                )

    def _collection_waiting_text(self, customer, why):
        if why == "paid":
            return self.env._(
                "A payment was received for this quotation, but it is not confirmed: "
                "%(partner)s is on credit hold and the payment does not cover the whole "
                "order. A collection manager can confirm it despite the hold.",
                partner=customer.display_name,
            )
        return self.env._(
            "The customer accepted this quotation online, but it is not confirmed: "
            "%(partner)s is on credit hold. A collection manager can confirm it despite "
            "the hold.",
            partner=customer.display_name,
        )

    def _collection_override_text(self, customer, reason):
        self.ensure_one()
        return self.env._(
            "%(order)s confirmed despite the credit hold of %(partner)s, by %(user)s. "
            "Reason: %(reason)s",
            order=self.name,
            partner=customer.display_name,
            user=self.env.user.name,
            reason=reason,
        )
