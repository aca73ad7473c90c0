from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

# what a manager may change on a proposed charge; everything else changes only through
# the actions (invoice, waive) or the process that proposes charges
MANAGER_FIELDS = {"amount", "note"}


class CollectionCharge(models.Model):
    """Late interest or a collection fee proposed on a customer's overdue invoices. A
    proposal waits for a manager, who invoices it or waives it with a reason: nothing
    is charged to a customer without that decision."""

    _name = "collection.charge"
    _inherit = ["mail.thread", "collection.values.mixin"]
    _description = "Late Interest or Collection Fee"
    _order = "date desc, id desc"
    _check_company_auto = True

    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, readonly=True
    )
    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    case_id = fields.Many2one(
        "collection.case", index=True, readonly=True, check_company=True, ondelete="set null"
    )
    kind = fields.Selection(
        [("interest", "Late interest"), ("fee", "Collection fee")], required=True, readonly=True
    )
    date = fields.Date(
        required=True,
        index=True,
        readonly=True,
        help="Interest: the last day of the period charged. Fee: the day of the follow-up.",
    )
    date_from = fields.Date(
        string="Period after",
        readonly=True,
        help="Interest: the day of the previous charge (the period starts the day after); "
        "empty for the first charge, which covers the interest since the due dates.",
    )
    currency_id = fields.Many2one("res.currency", required=True, readonly=True)
    amount = fields.Monetary(tracking=True, aggregator="sum")
    amount_proposed = fields.Monetary(
        readonly=True, help="The amount computed; a manager may only lower it."
    )
    invoice_ids = fields.Many2many(
        "account.move",
        "collection_charge_invoice_rel",
        "charge_id",
        "move_id",
        string="Overdue invoices",
        readonly=True,
    )
    followup_id = fields.Many2one(
        "collection.followup", readonly=True, index=True, ondelete="set null", check_company=True
    )
    state = fields.Selection(
        [("proposed", "Proposed"), ("invoiced", "Invoiced"), ("waived", "Waived")],
        default="proposed",
        required=True,
        readonly=True,
        index=True,
        tracking=True,
    )
    move_id = fields.Many2one(
        "account.move", string="Charge invoice", readonly=True, index=True, copy=False
    )
    waive_reason = fields.Text(readonly=True, tracking=True)
    decided_by_id = fields.Many2one("res.users", readonly=True, string="Decided by")
    note = fields.Text()

    def init(self):
        # the database itself refuses a second proposal for the same period or follow-up
        self.env.cr.execute(
            SQL(
                """CREATE UNIQUE INDEX IF NOT EXISTS collection_charge_interest_unique
                       ON collection_charge (partner_id, company_id, currency_id, date)
                    WHERE kind = 'interest';
                   CREATE UNIQUE INDEX IF NOT EXISTS collection_charge_fee_unique
                       ON collection_charge (followup_id, currency_id)
                    WHERE kind = 'fee'"""
            )
        )

    @api.depends("kind", "partner_id", "date")
    def _compute_display_name(self):
        labels = dict(self._fields["kind"]._description_selection(self.env))
        for charge in self:
            charge.display_name = _(
                "%(kind)s %(partner)s %(date)s",
                kind=labels.get(charge.kind, ""),
                partner=charge.partner_id.name or "",
                date=fields.Date.to_string(charge.date) or "",
            )

    @api.constrains("amount", "amount_proposed")
    def _check_amount(self):
        for charge in self:
            if (
                charge.amount <= 0
                or charge.currency_id.compare_amounts(charge.amount, charge.amount_proposed) > 0
            ):
                raise ValidationError(
                    _(
                        "The amount of %(charge)s must be positive and at most the "
                        "%(proposed)s computed.",
                        charge=charge.display_name,
                        proposed=charge.currency_id.format(charge.amount_proposed),
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            raise UserError(_("Charges are proposed by the collection process, not by hand."))
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            self._collection_check_user_write(vals)
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_decided(self):
        if not self.env.su:
            raise UserError(_("Charges are kept: waive a proposed charge with a reason instead."))

    def _collection_check_user_write(self, vals):
        forbidden = set(vals) - MANAGER_FIELDS
        if forbidden:
            raise UserError(
                _(
                    "A charge changes only by invoicing or waiving it (fields: %(fields)s).",
                    fields=", ".join(
                        sorted(
                            self._fields[name]._description_string(self.env)
                            for name in forbidden
                            if name in self._fields
                        )
                        or sorted(forbidden)
                    ),
                )
            )
        self._collection_check_manager()
        if "amount" in vals and self.filtered(lambda c: c.state != "proposed"):
            raise UserError(_("Only the amount of a proposed charge can be changed."))

    def _collection_check_manager(self):
        if not self.env.user.has_group("collection_management.group_collection_manager"):
            raise UserError(_("Only a collection manager invoices, waives or changes charges."))

    def _collection_check_proposed(self):
        if not self or self.filtered(lambda c: c.state != "proposed"):
            raise UserError(_("Only proposed charges can be invoiced or waived."))

    def action_invoice(self):
        """Invoice the proposed charges: one customer invoice per customer, company and
        currency, with one line per charge."""
        self._collection_check_manager()
        self._collection_check_proposed()
        moves = self.env["account.move"]
        groups = self.sudo().grouped(lambda c: (c.partner_id, c.company_id, c.currency_id))
        for charges in groups.values():
            moves |= charges._collection_create_invoice()
        return {
            "type": "ir.actions.act_window",
            "name": _("Charge invoices"),
            "res_model": "account.move",
            "view_mode": "list,form",
            "domain": [("id", "in", moves.ids)],
        }

    def action_waive(self):
        self._collection_check_manager()
        self._collection_check_proposed()
        return {
            "type": "ir.actions.act_window",
            "name": _("Waive charges"),
            "res_model": "collection.charge.waive",
            "view_mode": "form",
            "target": "new",
            "context": {"default_charge_ids": self.ids},
        }

    def _collection_waive(self, reason):
        self._collection_check_manager()
        self._collection_check_proposed()
        if not isinstance(reason, str) or not reason.strip():
            raise UserError(_("Say why the charges are waived: a reason is required."))
        self.sudo().write(
            {"state": "waived", "waive_reason": reason.strip(), "decided_by_id": self.env.uid}
        )
        return True

    def _collection_create_invoice(self):
        """One posted customer invoice for these charges (one customer, company and
        currency), written in the customer's language, linked to the charges, their
        case and the invoices they concern."""
        first = self[0]
        partner, company = first.partner_id, first.company_id
        lang = partner.lang or company.partner_id.lang or "en_US"
        charges = self.with_company(company).with_context(lang=lang)
        journal = charges.env["account.journal"].search(
            [*charges.env["account.journal"]._check_company_domain(company), ("type", "=", "sale")],
            limit=1,
        )
        if not journal:
            raise UserError(
                _(
                    "Company %(company)s has no sales journal to invoice charges.",
                    company=company.name,
                )
            )
        concerned = self.invoice_ids
        move = charges.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "company_id": company.id,
                "journal_id": journal.id,
                "currency_id": first.currency_id.id,
                "invoice_date": fields.Date.context_today(self),
                "invoice_origin": ", ".join(concerned.sorted("name").mapped("name"))[:250],
                "ref": first.case_id.name or False,
                "invoice_line_ids": [
                    fields.Command.create(charge._collection_invoice_line()) for charge in charges
                ],
            }
        )
        # linked before posting: a charge invoice is not a sale that a credit hold stops
        self.write({"state": "invoiced", "move_id": move.id, "decided_by_id": self.env.uid})
        move.action_post()
        move.message_post(
            body=_(
                "Late interest and collection fees charged on %(invoices)s (case %(case)s), "
                "decided by %(user)s.",
                invoices=move.invoice_origin or "-",
                case=first.case_id.name or "-",
                user=self.env.user.name,
            )
        )
        return move

    def _collection_invoice_line(self):
        """The invoice line of this charge, in the language of the environment."""
        self.ensure_one()
        product = self._collection_product(self.kind)
        invoices = ", ".join(self.invoice_ids.sorted("name").mapped("name"))
        if self.kind == "interest":
            period = self.env._(
                "%(product)s until %(date)s on %(invoices)s",
                product=product.name,
                date=fields.Date.to_string(self.date),
                invoices=invoices,
            )
            if self.date_from:
                period = self.env._(
                    "%(product)s from %(start)s to %(date)s on %(invoices)s",
                    product=product.name,
                    start=fields.Date.to_string(self.date_from),
                    date=fields.Date.to_string(self.date),
                    invoices=invoices,
                )
        else:
            period = self.env._(
                "%(product)s of %(date)s on %(invoices)s",
                product=product.name,
                date=fields.Date.to_string(self.date),
                invoices=invoices,
            )
        return {
            "product_id": product.id,
            "name": period,
            "quantity": 1,
            "price_unit": self.amount,
        }
