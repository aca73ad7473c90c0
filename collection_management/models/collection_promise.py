import logging

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

_logger = logging.getLogger(__name__)

# set when the promise is recorded, or by its evaluation: never by a user
SERVER_FIELDS = frozenset({"date", "user_id", "amount_paid", "date_evaluated", "interaction_id"})


class CollectionPromise(models.Model):
    _name = "collection.promise"
    _description = "Promise to Pay"
    _inherit = ["collection.case.record.mixin", "mail.thread"]
    _order = "date_promised, id"

    # a promise pauses the reminders of its customer: it belongs to a case that its
    # author may work on
    case_id = fields.Many2one(required=True)
    currency_id = fields.Many2one(related="company_id.currency_id", store=True)
    user_id = fields.Many2one(
        "res.users", string="Recorded by", default=lambda self: self.env.user, readonly=True
    )
    date = fields.Date(
        string="Made on", required=True, default=fields.Date.context_today, readonly=True
    )
    date_promised = fields.Date(string="Promised for", required=True, tracking=True)
    amount = fields.Monetary(required=True, tracking=True, aggregator="sum")
    amount_paid = fields.Monetary(readonly=True, aggregator="sum")
    state = fields.Selection(
        [
            ("open", "Open"),
            ("kept", "Kept"),
            ("partial", "Partly kept"),
            ("broken", "Broken"),
            ("cancel", "Cancelled"),
        ],
        default="open",
        required=True,
        index=True,
        tracking=True,
        readonly=True,
    )
    date_evaluated = fields.Date(string="Evaluated on", readonly=True)
    interaction_id = fields.Many2one("collection.interaction", readonly=True)
    note = fields.Text()

    @api.depends("amount", "date_promised", "currency_id")
    @api.depends_context("lang")
    def _compute_display_name(self):
        for promise in self:
            promise.display_name = _(
                "%(amount)s on %(date)s",
                amount=promise.currency_id.format(promise.amount) if promise.currency_id else "",
                date=fields.Date.to_string(promise.date_promised) or "",
            )

    @api.constrains("amount", "date_promised", "date", "partner_id")
    def _check_promise(self):
        for promise in self:
            if promise.currency_id.compare_amounts(promise.amount, 0) <= 0:
                raise ValidationError(_("A promise to pay must be a positive amount."))
            if promise.state == "open" and promise.date_promised < promise.date:
                raise ValidationError(
                    _(
                        "The promised date %(date)s is in the past.",
                        date=fields.Date.to_string(promise.date_promised),
                    )
                )
        self.filtered(lambda p: p.state == "open")._check_not_above_owed()

    @api.constrains("date_promised", "date")
    def _check_date_promised_limit(self):
        """A promise far in the future pauses the reminders of the customer for as long:
        the company bounds how far ahead a promise can be made."""
        for promise in self.filtered(lambda p: p.state == "open"):
            limit = promise.company_id.collection_promise_max_days
            if (promise.date_promised - promise.date).days > limit:
                raise ValidationError(
                    _(
                        "A promise to pay can be made for at most %(days)s days ahead: "
                        "%(date)s is too far.",
                        days=limit,
                        date=fields.Date.to_string(promise.date_promised),
                    )
                )

    def _check_not_above_owed(self):
        """Open promises of a customer never exceed what the customer owes."""
        if not self:
            return
        owed = {
            (partner, company): amount
            for partner, company, amount in self.env["account.move"]._read_group(
                [
                    ("commercial_partner_id", "in", self.partner_id.ids),
                    ("company_id", "in", self.company_id.ids),
                    *self.env["account.move"]._collection_open_invoice_domain(),
                ],
                ["commercial_partner_id", "company_id"],
                ["amount_residual_signed:sum"],
            )
        }
        promised = self._read_group(
            [
                ("partner_id", "in", self.partner_id.ids),
                ("company_id", "in", self.company_id.ids),
                ("state", "=", "open"),
            ],
            ["partner_id", "company_id"],
            ["amount:sum"],
        )
        for partner, company, amount in promised:
            limit = owed.get((partner, company), 0.0)
            if company.currency_id.compare_amounts(amount, limit) > 0:
                raise ValidationError(
                    _(
                        "Promises of %(partner)s (%(promised)s) would exceed what the "
                        "customer owes (%(owed)s).",
                        partner=partner.display_name,
                        promised=company.currency_id.format(amount),
                        owed=company.currency_id.format(limit),
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        default_case = self.env.context.get("default_case_id")
        if not all(vals.get("case_id", default_case) for vals in vals_list):
            raise ValidationError(
                _("A promise to pay is recorded on a collection case: choose the case.")
            )
        if not self.env.su:
            vals_list = self._collection_user_create_values(vals_list)
        promises = super().create(vals_list)
        promises._collection_check_cases()
        promises.case_id._collection_move_to("promised")
        for promise in promises.filtered("case_id"):
            promise.case_id.message_post(
                body=promise._collection_text(
                    lambda p: p.env._(
                        "Promise to pay %(promise)s recorded; reminders pause until then.",
                        promise=p.display_name,
                    )
                )
            )
        return promises

    def write(self, vals):
        if self._collection_moves_case(vals):
            raise UserError(
                _(
                    "A promise stays with the case it was made on: cancel it and record a "
                    "new one on the other case."
                )
            )
        if {"amount", "date_promised", "partner_id", "company_id"} & set(vals) and any(
            p.state != "open" for p in self
        ):
            raise UserError(_("Only an open promise can be changed."))
        if vals.get("state") == "cancel" and self.filtered(lambda p: p.state != "open"):
            raise UserError(_("Only an open promise can be cancelled."))
        if not self.env.su:
            self._collection_check_user_write(vals)
        result = super().write(vals)
        if vals.get("state") == "cancel":
            self.case_id.filtered(lambda c: not c.promise_open_count)._collection_move_to(
                "progress", only_from=("promised",)
            )
        return result

    @api.model
    def _collection_user_create_values(self, vals_list):
        """A user records a promise made today, by them, open and not yet evaluated."""
        for vals in vals_list:
            if (
                vals.get("state", "open") != "open"
                or vals.get("amount_paid")
                or vals.get("date_evaluated")
                or vals.get("interaction_id")
            ):
                raise UserError(
                    _(
                        "A new promise to pay is open: its status, amount paid, evaluation "
                        "date and contact are set by Odoo."
                    )
                )
        server_values = {
            "date": fields.Date.context_today(self),
            "user_id": self.env.uid,
            "state": "open",
            "amount_paid": 0.0,
            "date_evaluated": False,
            "interaction_id": False,
        }
        return [{**vals, **server_values} for vals in vals_list]

    def _collection_check_user_write(self, vals):
        """Users change the terms and the note of a promise; its status only by
        cancelling it, on a case they work on (hr.leave checks its state writes the
        same way)."""
        if SERVER_FIELDS & set(vals):
            raise UserError(
                _(
                    "The made-on date, the author, the amount paid, the evaluation date and "
                    "the contact of a promise to pay are set by Odoo."
                )
            )
        if "state" in vals:
            if vals["state"] != "cancel":
                raise UserError(
                    _("The status of a promise follows the payments: it can only be cancelled.")
                )
            self.check_access("write")
            self.case_id.check_access("write")

    def _collection_check_cases(self):
        """Only who may work a case records a promise on it (access rules of the user),
        and not on a closed case."""
        closed = self.case_id.filtered("is_closed")
        if closed:
            raise ValidationError(
                _(
                    "Case %(case)s is closed: reopen it to record a promise to pay.",
                    case=closed[0].display_name,
                )
            )
        self.case_id.check_access("write")

    def _collection_moves_case(self, vals):
        return any(
            name in vals and any(promise[name].id != (vals[name] or False) for promise in self)
            for name in ("case_id", "partner_id", "company_id")
        )

    # ------------------------------------------------------------------ actions
    def action_cancel(self):
        self.write({"state": "cancel"})
        return True

    def action_evaluate(self):
        self.filtered(lambda p: p.state == "open")._collection_evaluate()
        return True
