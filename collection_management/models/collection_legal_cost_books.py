"""Legal costs in the books: a cost is approved (legal officer submits, manager
approves), billed by the lawyer or court (a vendor bill on the company's legal cost
account) and, when the judgment or the contract allows, re-invoiced to the debtor."""

from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError

# fields only the approval and booking flow writes
COST_FLOW_FIELDS = {
    "state",
    "approver_id",
    "date_approved",
    "bill_id",
    "recharge_invoice_id",
}
# what was approved: fixed once the cost is submitted
COST_APPROVED_FIELDS = {"case_id", "amount", "currency_id", "partner_id", "date", "cost_type"}


class CollectionLegalCost(models.Model):
    _inherit = "collection.legal.cost"

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
    )
    approver_id = fields.Many2one("res.users", readonly=True, copy=False)
    date_approved = fields.Date(readonly=True, copy=False)
    rechargeable = fields.Boolean(
        string="Recharge to the debtor",
        help="The judgment or the contract puts this cost on the debtor: it can be "
        "re-invoiced to them.",
    )
    bill_id = fields.Many2one("account.move", string="Vendor bill", readonly=True, copy=False)
    recharge_invoice_id = fields.Many2one(
        "account.move", string="Recharge invoice", readonly=True, copy=False
    )
    amount_billed = fields.Monetary(
        string="Billed",
        compute="_compute_books",
        store=True,
        currency_field="company_currency_id",
        help="Billed by the lawyer or court (vendor bill not cancelled), company currency.",
    )
    amount_recharged = fields.Monetary(
        string="Recharged",
        compute="_compute_books",
        store=True,
        currency_field="company_currency_id",
        help="Re-invoiced to the debtor (posted invoice), company currency.",
    )
    amount_recovered = fields.Monetary(
        string="Recovered",
        compute="_compute_books",
        store=True,
        currency_field="company_currency_id",
        help="What the debtor paid of the recharge invoice, company currency.",
    )

    @api.depends(
        "amount_company",
        "bill_id.state",
        "recharge_invoice_id.state",
        "recharge_invoice_id.amount_residual_signed",
        "recharge_invoice_id.amount_total_signed",
    )
    def _compute_books(self):
        for cost in self:
            bill, recharge = cost.bill_id, cost.recharge_invoice_id
            cost.amount_billed = cost.amount_company if bill and bill.state != "cancel" else 0.0
            posted = recharge.state == "posted"
            cost.amount_recharged = recharge.amount_total_signed if posted else 0.0
            cost.amount_recovered = (
                recharge.amount_total_signed - recharge.amount_residual_signed if posted else 0.0
            )

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            for vals in vals_list:
                flow = set(vals) & COST_FLOW_FIELDS
                if flow - {"state"} or vals.get("state", "draft") != "draft":
                    raise UserError(_("A legal cost is recorded as a draft, then submitted."))
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            if set(vals) & COST_FLOW_FIELDS:
                raise UserError(
                    _(
                        "A legal cost is submitted, approved, billed and recharged with its "
                        "buttons, not by editing it."
                    )
                )
            if set(vals) & COST_APPROVED_FIELDS and self.filtered(lambda c: c.state != "draft"):
                raise UserError(
                    _("A submitted or approved legal cost cannot be changed: refuse it first.")
                )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_unbooked(self):
        if self.filtered(lambda c: c.state in ("to_approve", "approved")):
            raise UserError(_("A submitted or approved legal cost cannot be deleted."))

    def _check_group(self, group, message):
        if not self.env.su and not self.env.user.has_group(group):
            raise UserError(message)

    def _check_state(self, states, message):
        if self.filtered(lambda c: c.state not in states):
            raise UserError(message)

    def action_submit(self):
        self._check_group(
            "collection_management.group_collection_legal",
            _("Only a legal officer or a manager submits legal costs."),
        )
        self._check_state(("draft",), _("Only a draft legal cost can be submitted."))
        self.sudo().write({"state": "to_approve"})
        for cost in self:
            cost.case_id._collection_ask_managers(
                lambda case, c=cost: case.env._(
                    "Legal cost to approve: %(cost)s, %(amount)s, submitted by %(user)s.",
                    cost=c.description,
                    amount=c.currency_id.format(c.amount),
                    user=c.env.user.name,
                )
            )
        return True

    def action_approve(self):
        self._check_group(
            "collection_management.group_collection_manager",
            _("Only a collection manager approves legal costs."),
        )
        self._check_state(("to_approve",), _("Only a submitted legal cost can be approved."))
        self.sudo().write(
            {
                "state": "approved",
                "approver_id": self.env.uid,
                "date_approved": fields.Date.context_today(self),
            }
        )
        return True

    def action_refuse(self):
        self._check_group(
            "collection_management.group_collection_manager",
            _("Only a collection manager refuses legal costs."),
        )
        self._check_state(("to_approve",), _("Only a submitted legal cost can be refused."))
        self.sudo().write({"state": "refused", "approver_id": self.env.uid})
        return True

    def action_reset_draft(self):
        self._check_group(
            "collection_management.group_collection_legal",
            _("Only a legal officer or a manager changes legal costs."),
        )
        self._check_state(("refused",), _("Only a refused legal cost goes back to draft."))
        self.sudo().write({"state": "draft", "approver_id": False})
        return True

    def action_create_bill(self):
        """The vendor bill of the lawyer or court, in draft for the accountant to check
        against the document received and post."""
        self._check_group(
            "collection_management.group_collection_legal",
            _("Only a legal officer or a manager bills legal costs."),
        )
        self._check_state(("approved",), _("Only an approved legal cost can be billed."))
        for cost in self:
            if cost.bill_id and cost.bill_id.state != "cancel":
                raise UserError(
                    _("The legal cost %(cost)s is billed already.", cost=cost.description)
                )
            if not cost.partner_id:
                raise UserError(
                    _(
                        "Say who is paid for the legal cost %(cost)s (lawyer, court) before "
                        "billing it.",
                        cost=cost.description,
                    )
                )
            bill = cost._make_move("in_invoice", cost.partner_id, cost.date)
            cost.sudo().write({"bill_id": bill.id})
        return True

    def action_recharge(self):
        """Re-invoice the cost to the debtor: a posted customer invoice crediting the
        legal cost account back."""
        self._check_group(
            "collection_management.group_collection_legal",
            _("Only a legal officer or a manager recharges legal costs."),
        )
        self._check_state(("approved",), _("Only an approved legal cost can be recharged."))
        for cost in self:
            if not cost.rechargeable:
                raise UserError(
                    _(
                        "The legal cost %(cost)s is not marked as recharged to the debtor "
                        "(judgment or contract).",
                        cost=cost.description,
                    )
                )
            if cost.recharge_invoice_id.state == "posted":
                raise UserError(
                    _("The legal cost %(cost)s is recharged already.", cost=cost.description)
                )
            invoice = cost._make_move(
                "out_invoice", cost.case_id.partner_id, fields.Date.context_today(cost)
            )
            # linked before posting: a recharged cost is not a sale that a credit hold stops
            cost.sudo().write({"recharge_invoice_id": invoice.id})
            invoice.action_post()
        return True

    def _make_move(self, move_type, partner, day):
        self.ensure_one()
        company = self.company_id
        account = company._collection_book_account("collection_legal_cost_account_id")
        return (
            self.env["account.move"]
            .sudo()
            .with_company(company)
            .with_context(default_move_type=move_type)
            .create(
                {
                    "move_type": move_type,
                    "partner_id": partner.id,
                    "currency_id": self.currency_id.id,
                    "invoice_date": day,
                    "ref": _("%(case)s: %(cost)s", case=self.case_id.name, cost=self.description),
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "name": self.description,
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
