from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError


class AccountMove(models.Model):
    _inherit = "account.move"

    collection_level_id = fields.Many2one(
        "collection.level",
        groups="base.group_user",
        string="Follow-up level",
        copy=False,
        index="btree_not_null",
        readonly=True,
        help="Highest follow-up level this invoice has been part of.",
    )
    collection_last_date = fields.Date(
        string="Last follow-up", copy=False, readonly=True, groups="base.group_user"
    )
    collection_exclude = fields.Boolean(
        groups="base.group_user",
        string="Excluded from follow-ups",
        copy=False,
        tracking=True,
        help="No reminder is sent for this invoice.",
    )
    collection_dispute_reason_id = fields.Many2one(
        "collection.dispute.reason",
        string="Dispute",
        copy=False,
        tracking=True,
        help="A disputed invoice is left out of follow-ups until the dispute ends.",
    )
    collection_dispute_user_id = fields.Many2one(
        "res.users", groups="base.group_user", string="Dispute owner", copy=False, tracking=True
    )
    collection_dispute_end_date = fields.Date(
        string="Dispute until",
        copy=False,
        tracking=True,
        help="The dispute releases itself after this date.",
    )
    collection_days_overdue = fields.Integer(
        string="Days overdue",
        compute="_compute_collection_days_overdue",
        help="Days since the due date, for an invoice still due (0 when not overdue).",
    )

    collection_case_id = fields.Many2one(
        "collection.case",
        groups="collection_management.group_collection_collector",
        string="Collection case",
        copy=False,
        index="btree_not_null",
        readonly=True,
        check_company=True,
    )
    collection_case_assigned = fields.Monetary(
        string="Assigned to the case",
        groups="collection_management.group_collection_collector",
        copy=False,
        readonly=True,
        currency_field="company_currency_id",
        help="Amount due of the invoice when it joined its collection case.",
    )
    collection_partner_hold = fields.Boolean(
        related="commercial_partner_id.collection_credit_hold",
        string="Customer on credit hold",
        groups="base.group_user",
    )

    @api.depends("invoice_date_due", "amount_residual", "state")
    @api.depends_context("date")
    def _compute_collection_days_overdue(self):
        today = fields.Date.to_date(self.env.context.get("date")) or fields.Date.context_today(self)
        for move in self:
            overdue = (
                move.is_sale_document(include_receipts=True)
                and move.state == "posted"
                and move.invoice_date_due
                and not move.currency_id.is_zero(move.amount_residual)
            )
            move.collection_days_overdue = (
                max((today - move.invoice_date_due).days, 0) if overdue else 0
            )

    @api.constrains("collection_dispute_reason_id", "collection_dispute_end_date")
    def _check_collection_dispute(self):
        for move in self:
            if move.collection_dispute_end_date and not move.collection_dispute_reason_id:
                raise ValidationError(
                    _(
                        "Invoice %(name)s has a dispute end date but no dispute reason.",
                        name=move.display_name,
                    )
                )

    @api.model
    def _collection_open_invoice_domain(self):
        """Posted customer invoices that still owe something: what collection is about."""
        return [
            ("move_type", "=", "out_invoice"),
            ("state", "=", "posted"),
            ("payment_state", "in", ("not_paid", "partial")),
        ]

    @api.model
    def _collection_remindable_domain(self, date):
        """Open invoices a reminder may claim on ``date``: not excluded, not disputed
        (a dispute whose end date has passed no longer counts). Same rule as
        ``_collection_remindable``."""
        return [
            *self._collection_open_invoice_domain(),
            ("collection_exclude", "=", False),
            "|",
            ("collection_dispute_reason_id", "=", False),
            ("collection_dispute_end_date", "<", date),
        ]

    def _collection_is_disputed(self, date):
        """Disputed on ``date``: a dispute reason whose end date (if any) is not past."""
        self.ensure_one()
        return bool(self.collection_dispute_reason_id) and (
            not self.collection_dispute_end_date or self.collection_dispute_end_date >= date
        )

    def _collection_remindable(self, date):
        """The invoices a reminder may still claim on ``date``: open, not excluded, not
        disputed (the follow-up engine selects its candidates by the same rule)."""
        return self.filtered(
            lambda m: (
                m.move_type == "out_invoice"
                and m.state == "posted"
                and m.payment_state in ("not_paid", "partial")
                and not m.collection_exclude
                and not m._collection_is_disputed(date)
            )
        )

    def _post(self, soft=True):
        self._collection_check_credit_hold()
        posted = super()._post(soft=soft)
        posted._collection_notify_legal_cases()
        return posted

    def _collection_legal_cases(self):
        """Open cases in legal action of these moves' customers, per company."""
        partners = self.commercial_partner_id
        if not partners:
            return self.env["collection.case"]
        return (
            self.env["collection.case"]
            .sudo()
            .search(
                [
                    ("partner_id", "in", partners.ids),
                    ("company_id", "in", self.company_id.ids),
                    ("is_closed", "=", False),
                    ("legal_stage_id", "!=", False),
                ]
            )
        )

    def _collection_notify_legal_cases(self):
        invoices = self.filtered(lambda m: m.move_type == "out_invoice")
        for case in invoices._collection_legal_cases():
            news = invoices.filtered(
                lambda m, case=case: (
                    m.commercial_partner_id == case.partner_id and m.company_id == case.company_id
                )
            )
            if news:
                case._collection_notify_legal(
                    _(
                        "New invoice(s) for this customer in legal action: %(names)s.",
                        names=", ".join(news.mapped("name")),
                    )
                )

    def _collection_check_credit_hold(self):
        """Companies that block held customers refuse to post their invoices, unless a
        collection manager overrides the hold (logged on the invoice)."""
        held = self.filtered(
            lambda m: (
                m.move_type == "out_invoice"
                and m.commercial_partner_id.collection_credit_hold
                and m.company_id.collection_block_held_invoices
            )
        )
        held -= held._collection_charges_on_debt()
        if not held:
            return
        if not self.env.context.get("collection_hold_override"):
            customers = held.commercial_partner_id
            names = ", ".join(customers.mapped("display_name"))
            if len(customers) == 1:
                message = _(
                    "%(partner)s is on credit hold: its invoices cannot be posted until a "
                    "collection manager releases the hold or overrides it.",
                    partner=names,
                )
            else:
                message = _(
                    "These customers are on credit hold: %(partners)s. Their invoices cannot "
                    "be posted until a collection manager releases the hold or overrides it.",
                    partners=names,
                )
            raise UserError(message)
        if not self.env.user.has_group("collection_management.group_collection_manager"):
            raise UserError(_("Only a collection manager can override a credit hold."))
        for move in held:
            move.message_post(
                body=_(
                    "Posted despite the credit hold of %(partner)s, by %(user)s.",
                    partner=move.commercial_partner_id.display_name,
                    user=self.env.user.name,
                )
            )

    def _collection_charges_on_debt(self):
        """The invoices among these that charge the debt itself: late interest and fees
        a manager invoiced, legal costs recharged to the debtor. A credit hold stops new
        sales to a customer, not what its debt costs it (the hold would otherwise keep
        them from ever being invoiced while the debt is unpaid)."""
        if not self:
            return self
        charges = self.env["collection.charge"].sudo().search([("move_id", "in", self.ids)])
        costs = (
            self.env["collection.legal.cost"]
            .sudo()
            .search([("recharge_invoice_id", "in", self.ids)])
        )
        return self & (charges.move_id | costs.recharge_invoice_id)

    def action_collection_post_override_hold(self):
        return self.with_context(collection_hold_override=True).action_post()

    def action_collection_release_dispute(self):
        self.write(
            {
                "collection_dispute_reason_id": False,
                "collection_dispute_user_id": False,
                "collection_dispute_end_date": False,
            }
        )

    @api.model
    def _cron_collection_release_disputes(self):
        """Disputes whose end date has passed release themselves."""
        expired = self.search(
            [
                ("collection_dispute_reason_id", "!=", False),
                ("collection_dispute_end_date", "<", fields.Date.context_today(self)),
            ]
        )
        failed = self.env["collection.job"]._collection_isolated(
            _("Collections: release of ended disputes"),
            expired,
            lambda move: move._collection_release_ended_dispute(),
        )
        return expired - self.concat(*(move for move, _error in failed))

    def _collection_release_ended_dispute(self):
        self.ensure_one()
        self.message_post(
            body=_(
                "The dispute (%(reason)s) ended on %(date)s; follow-ups resume.",
                reason=self.collection_dispute_reason_id.name,
                date=fields.Date.to_string(self.collection_dispute_end_date),
            )
        )
        self.action_collection_release_dispute()
