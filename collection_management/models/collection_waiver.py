"""Waivers and discounts (减免/折让) asked during collection: a request on a case that a
collection manager approves before the credit note is made."""

from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError, ValidationError

# fields only the approval flow writes
WAIVER_FLOW_FIELDS = {
    "state",
    "approver_id",
    "date_decided",
    "credit_note_id",
    "company_id",
    "partner_id",
    "currency_id",
    "user_id",
}
# what the request is: fixed once it is submitted
WAIVER_REQUEST_FIELDS = {"case_id", "kind", "invoice_ids", "amount", "reason"}


class CollectionWaiver(models.Model):
    _name = "collection.waiver"
    _inherit = ["mail.thread", "collection.values.mixin"]
    _description = "Waiver or Discount Request"
    _order = "id desc"
    _check_company_auto = True

    case_id = fields.Many2one(
        "collection.case", required=True, index=True, ondelete="cascade", check_company=True
    )
    company_id = fields.Many2one(related="case_id.company_id", store=True, index=True)
    partner_id = fields.Many2one(related="case_id.partner_id", store=True, string="Customer")
    kind = fields.Selection(
        [("waiver", "Waiver"), ("discount", "Discount")],
        required=True,
        default="waiver",
    )
    invoice_ids = fields.Many2many(
        "account.move",
        string="Invoices",
        required=True,
        domain="[('collection_case_id', '=', case_id), ('state', '=', 'posted'), "
        "('payment_state', 'in', ('not_paid', 'partial'))]",
    )
    currency_id = fields.Many2one("res.currency", compute="_compute_currency_id", store=True)
    amount = fields.Monetary(required=True, tracking=True)
    reason = fields.Text(required=True)
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("to_approve", "To approve"),
            ("approved", "Approved"),
            ("refused", "Refused"),
        ],
        default="draft",
        required=True,
        readonly=True,
        copy=False,
        tracking=True,
    )
    user_id = fields.Many2one(
        "res.users", string="Requested by", default=lambda self: self.env.user, readonly=True
    )
    approver_id = fields.Many2one("res.users", readonly=True, copy=False, tracking=True)
    date_decided = fields.Date(readonly=True, copy=False)
    credit_note_id = fields.Many2one("account.move", readonly=True, copy=False)

    @api.depends("invoice_ids.currency_id", "case_id.currency_id")
    def _compute_currency_id(self):
        for waiver in self:
            waiver.currency_id = waiver.invoice_ids[:1].currency_id or waiver.case_id.currency_id

    @api.depends("case_id.name", "kind", "amount")
    def _compute_display_name(self):
        # the credit note goes to the customer: its reference in their language
        customer_env = self.with_context(lang=self.partner_id.lang or self.env.lang).env
        labels = dict(self._fields["kind"]._description_selection(customer_env))
        for waiver in self:
            waiver.display_name = _(
                "%(kind)s %(amount)s (%(case)s)",
                kind=labels.get(waiver.kind, ""),
                amount=waiver.currency_id.format(waiver.amount) if waiver.currency_id else "",
                case=waiver.case_id.name or "",
            )

    @api.constrains("amount", "reason", "invoice_ids", "case_id")
    def _check_request(self):
        for waiver in self:
            if not (waiver.reason or "").strip():
                raise ValidationError(_("A waiver or discount needs a reason."))
            if waiver.currency_id.compare_amounts(waiver.amount, 0) <= 0:
                raise ValidationError(_("A waiver or discount must be a positive amount."))
            invoices = waiver.invoice_ids
            if invoices.filtered(
                lambda m, w=waiver: (
                    m.collection_case_id != w.case_id or m.move_type != "out_invoice"
                )
            ):
                raise ValidationError(_("A waiver or discount is on invoices of its case."))
            if len(invoices.currency_id) > 1:
                raise ValidationError(
                    _("A waiver or discount is on invoices of one currency: make one per currency.")
                )
            if waiver.state in ("draft", "to_approve"):
                waiver._check_amount_owed()

    def _check_amount_owed(self):
        owed = sum(self.invoice_ids.mapped("amount_residual"))
        if self.currency_id.compare_amounts(self.amount, owed) > 0:
            raise ValidationError(
                _(
                    "The waiver or discount (%(amount)s) is more than its invoices still owe "
                    "(%(owed)s).",
                    amount=self.currency_id.format(self.amount),
                    owed=self.currency_id.format(owed),
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            for vals in vals_list:
                forbidden = (set(vals) & WAIVER_FLOW_FIELDS) - {"company_id"}
                if forbidden or vals.get("state", "draft") != "draft":
                    raise UserError(_("A waiver or discount request starts as a draft."))
        waivers = super().create(vals_list)
        if waivers.case_id.filtered("is_closed"):
            raise UserError(_("A waiver or discount is asked on an open case."))
        return waivers

    def write(self, vals):
        if not self.env.su:
            if set(vals) & WAIVER_FLOW_FIELDS:
                raise UserError(
                    _(
                        "A waiver or discount is submitted, approved or refused with its "
                        "buttons, not by editing it."
                    )
                )
            if set(vals) & WAIVER_REQUEST_FIELDS and self.filtered(lambda w: w.state != "draft"):
                raise UserError(_("Only a draft waiver or discount request can be changed."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_only_drafts(self):
        if self.filtered(lambda w: w.state not in ("draft", "refused")):
            raise UserError(_("A submitted or approved waiver cannot be deleted."))

    def action_submit(self):
        if self.filtered(lambda w: w.state != "draft"):
            raise UserError(_("Only a draft request can be submitted."))
        self.sudo().write({"state": "to_approve"})
        for waiver in self:
            waiver.case_id._collection_ask_managers(
                lambda case, w=waiver: case.env._(
                    "Waiver or discount of %(amount)s asked by %(user)s: %(reason)s",
                    amount=w.currency_id.format(w.amount),
                    user=w.env.user.name,
                    reason=w.reason,
                )
            )
        return True

    def _check_decider(self):
        if not self.env.su and not self.env.user.has_group(
            "collection_management.group_collection_manager"
        ):
            raise UserError(_("Only a collection manager approves or refuses a waiver."))
        if self.filtered(lambda w: w.state != "to_approve"):
            raise UserError(_("Only a request waiting for approval can be approved or refused."))

    def action_approve(self):
        self._check_decider()
        for waiver in self:
            waiver._check_amount_owed()
            credit_note = waiver._make_credit_note()
            waiver.sudo().write(
                {
                    "state": "approved",
                    "approver_id": self.env.uid,
                    "date_decided": fields.Date.context_today(waiver),
                    "credit_note_id": credit_note.id,
                }
            )
            waiver._note_on_case(
                lambda case, w=waiver: case.env._(
                    "Waiver or discount of %(amount)s approved by %(user)s: credit note "
                    "%(credit_note)s.",
                    amount=w.currency_id.format(w.amount),
                    user=w.env.user.name,
                    credit_note=w.credit_note_id.name,
                )
            )
        return True

    def action_refuse(self):
        self._check_decider()
        self.sudo().write(
            {
                "state": "refused",
                "approver_id": self.env.uid,
                "date_decided": fields.Date.context_today(self),
            }
        )
        for waiver in self:
            waiver._note_on_case(
                lambda case, w=waiver: case.env._(
                    "Waiver or discount of %(amount)s refused by %(user)s.",
                    amount=w.currency_id.format(w.amount),
                    user=w.env.user.name,
                )
            )
        return True

    def _note_on_case(self, text):
        """Log ``text`` (a function of the case) on the case, in its reader's language."""
        self.case_id.message_post(body=self.case_id._collection_text(text))

    def _make_credit_note(self):
        """Post the credit note of the approved amount, on the company's waiver account,
        and reconcile it with the invoices, oldest due first."""
        self.ensure_one()
        company = self.company_id
        account = company._collection_book_account("collection_waiver_account_id")
        invoices = self.invoice_ids.sorted(lambda m: (m.invoice_date_due or m.date, m.id))
        # the credit note goes to the customer: its reference in their language
        customer_env = self.with_context(lang=self.partner_id.lang or self.env.lang).env
        labels = dict(self._fields["kind"]._description_selection(customer_env))
        credit_note = (
            self.env["account.move"]
            .sudo()
            .with_company(company)
            .create(
                {
                    "move_type": "out_refund",
                    "partner_id": self.partner_id.id,
                    "journal_id": invoices[0].journal_id.id,
                    "currency_id": self.currency_id.id,
                    "invoice_date": fields.Date.context_today(self),
                    "ref": customer_env._(
                        "%(kind)s %(case)s", kind=labels[self.kind], case=self.case_id.name
                    ),
                    "reversed_entry_id": invoices[0].id if len(invoices) == 1 else False,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "name": self.reason[:200],
                                "quantity": 1,
                                "price_unit": self.amount,
                                "account_id": account.id,
                                "tax_ids": [Command.clear()],
                            }
                        )
                    ],
                }
            )
        )
        credit_note.action_post()
        for invoice in invoices:
            (invoice.sudo().line_ids | credit_note.line_ids).filtered(
                lambda line: (
                    line.account_id.account_type == "asset_receivable" and not line.reconciled
                )
            ).reconcile()
        return credit_note
