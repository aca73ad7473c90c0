import logging
from collections import defaultdict
from datetime import timedelta

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

# settled promises are checked again this long after their evaluation: a payment
# reversed later than this no longer reopens them
RECHECK_SETTLED_DAYS = 90


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

    # ------------------------------------------------------------------ evaluation
    def _collection_payments(self):
        """Payments (not credit notes) reconciled on the customers' invoices since the
        earliest promise: {(partner id, company id): [(date, amount), ...]} by date."""
        if not self:
            return {}
        rows = self.env.execute_query(
            SQL(
                """SELECT s.partner_id, s.company_id, s.date, SUM(s.amount)
                     FROM (%s) s
                    WHERE NOT s.by_credit_note
                      AND s.partner_id = ANY(%s)
                      AND s.company_id = ANY(%s)
                      AND s.date >= %s
                 GROUP BY 1, 2, 3
                 ORDER BY 3""",
                self.env["account.partial.reconcile"]._collection_settlements_sql(),
                self.partner_id.ids,
                self.company_id.ids,
                min(self.mapped("date")),
            )
        )
        payments = defaultdict(list)
        for partner_id, company_id, date, amount in rows:
            payments[(partner_id, company_id)].append((date, amount))
        return payments

    def _collection_allocate(self, payments):
        """Spread each customer's payments over its promises: {promise: amount counted}.

        A payment counts for promises made on or before its date, and only once. The
        settled promises (kept, partly kept) first take back the money they were counted,
        from the earliest payments they may count: a promise made the day a payment
        kept another one does not count that payment again. The open promises share
        what is left, earliest promised date first (an instalment plan)."""
        allocated = {}
        for (partner_id, company_id), rows in payments.items():
            promises = self.filtered(
                lambda p, pid=partner_id, cid=company_id: (
                    p.partner_id.id == pid and p.company_id.id == cid
                )
            )
            left = [[day, amount] for day, amount in rows]
            settled = promises.filtered(lambda p: p.state in ("kept", "partial"))
            for promise in settled.sorted(lambda p: (p.date, p.id)):
                allocated[promise] = self._collection_take(left, promise.date, promise.amount_paid)
            still_open = promises.filtered(lambda p: p.state == "open")
            for promise in still_open.sorted(lambda p: (p.date_promised, p.id)):
                allocated[promise] = self._collection_take(left, promise.date, promise.amount)
        return allocated

    @api.model
    def _collection_take(self, left, since, wanted):
        """Take up to ``wanted`` from the payments ``left`` ([date, amount], by date)
        dated ``since`` or later, earliest first; what is taken is left no more."""
        taken = 0.0
        for row in left:
            if taken >= wanted:
                break
            if row[0] < since or row[1] <= 0:
                continue
            take = min(row[1], wanted - taken)
            row[1] -= take
            taken += take
        return taken

    def _collection_evaluate(self, date=None):
        """Kept when the payments reach the amount; once the promised date plus the grace
        period has passed, partly kept or broken. Set-based."""
        date = fields.Date.to_date(date) or fields.Date.context_today(self)
        promises = self.filtered(lambda p: p.state in ("open", "kept", "partial"))
        if not promises:
            return self.browse()
        # promises already settled consume the payments before the open ones, all of
        # them, whoever evaluates: also those on cases the user cannot see
        scope = self.sudo().search(
            [
                ("partner_id", "in", promises.partner_id.ids),
                ("company_id", "in", promises.company_id.ids),
                ("state", "in", ("open", "kept", "partial")),
            ]
        )
        allocated = scope._collection_allocate(scope._collection_payments())
        reopened = scope._collection_reopen_unpaid(allocated)
        promises = promises.filtered(lambda p: p.state == "open") | reopened.sudo(self.env.su)
        kept, partial, broken = self.browse(), self.browse(), self.browse()
        for promise in promises:
            paid = allocated.get(promise, 0.0)
            currency = promise.currency_id
            grace = promise.company_id.collection_promise_grace_days
            if currency.compare_amounts(paid, promise.amount) >= 0:
                kept |= promise
            elif date > promise.date_promised + timedelta(days=grace):
                if currency.compare_amounts(paid, 0) > 0:
                    partial |= promise
                else:
                    broken |= promise
            if currency.compare_amounts(paid, promise.amount_paid) != 0:
                promise.sudo().amount_paid = paid
        # status and amount paid are the evaluation's, whoever asked for it
        for state, todo in (("kept", kept), ("partial", partial), ("broken", broken)):
            if todo:
                todo.sudo().write({"state": state, "date_evaluated": date})
        kept._collection_after_kept()
        (partial | broken)._collection_after_broken()
        return kept | partial | broken

    def _collection_reopen_unpaid(self, allocated):
        """Settled promises whose money is gone (a payment taken off an invoice, a
        bounced payment) no longer count it: they are open again with what is left,
        and the evaluation decides again whether they are kept, partly kept or broken."""
        unpaid = self.filtered(
            lambda p: (
                p.state in ("kept", "partial")
                and p.currency_id.compare_amounts(allocated.get(p, 0.0), p.amount_paid) < 0
            )
        )
        for promise in unpaid:
            promise.sudo().write(
                {
                    "state": "open",
                    "amount_paid": allocated.get(promise, 0.0),
                    "date_evaluated": False,
                }
            )
        unpaid.case_id._message_log_batch(
            {
                promise.case_id.id: promise._collection_text(
                    lambda p: p.env._(
                        "Promise %(promise)s: money counted for it was taken back (a payment "
                        "reversed or taken off an invoice); it is open again.",
                        promise=p.display_name,
                    )
                )
                for promise in unpaid.filtered("case_id")
            }
        )
        return unpaid

    def _collection_after_kept(self):
        with_case = self.filtered("case_id")
        per_case = defaultdict(list)
        for promise in with_case:
            per_case[promise.case_id.id].append(
                promise._collection_text(
                    lambda p: p.env._("Promise %(promise)s kept.", promise=p.display_name)
                )
            )
        with_case.case_id._message_log_batch(
            {case_id: Markup("<br/>").join(lines) for case_id, lines in per_case.items()}
        )
        self.case_id.filtered(lambda c: not c.promise_open_count)._collection_move_to(
            "progress", only_from=("promised",)
        )

    def _collection_after_broken(self):
        """Reminders resume; the collector gets an activity and the case priority rises.
        Batched: one message insert, one activity create, one write per priority."""
        messages = {
            promise: promise._collection_text(self._collection_broken_text) for promise in self
        }
        with_case = self.filtered("case_id")
        without_case = self - with_case
        without_case.partner_id._message_log_batch(
            {promise.partner_id.id: messages[promise] for promise in without_case}
        )
        per_case = defaultdict(list)
        for promise in with_case:
            per_case[promise.case_id.id].append(messages[promise])
        with_case.case_id._message_log_batch(
            {case_id: Markup("<br/>").join(lines) for case_id, lines in per_case.items()}
        )
        call = self.env.ref("mail.mail_activity_data_call")
        case_model = self.env["ir.model"]._get_id("collection.case")
        today = fields.Date.context_today(self)
        # one activity per broken promise, without an email per activity: the collector
        # finds them in the worklist and the activity menu; in the collector's language
        vals_list = []
        for promise in with_case:
            user = promise.case_id.collector_id or promise.user_id
            vals_list.append(
                {
                    "res_model_id": case_model,
                    "res_id": promise.case_id.id,
                    "activity_type_id": call.id,
                    "summary": promise._collection_text(
                        lambda p: p.env._("Broken promise: call the customer"), user.lang
                    ),
                    "note": promise._collection_text(self._collection_broken_text, user.lang),
                    "user_id": user.id,
                    "date_deadline": today,
                }
            )
        self.env["mail.activity"].with_context(mail_activity_quick_update=True).create(vals_list)
        raised = defaultdict(lambda: self.env["collection.case"])
        for case in with_case.case_id:
            if int(case.priority or 0) < 3:
                raised[str(int(case.priority or 0) + 1)] |= case
        for priority, cases in raised.items():
            cases.priority = priority
        self.case_id.filtered(lambda c: not c.promise_open_count)._collection_move_to(
            "progress", only_from=("promised",)
        )

    @api.model
    def _collection_broken_text(self, promise):
        labels = dict(promise._fields["state"]._description_selection(promise.env))
        return promise.env._(
            "Promise %(promise)s %(state)s: %(paid)s paid. Reminders resume.",
            promise=promise.display_name,
            state=labels[promise.state].lower(),
            paid=promise.currency_id.format(promise.amount_paid),
        )

    def _collection_text(self, render, lang=None):
        """``render(promise)`` with the promise in ``lang``, by default the language of
        the chatter it goes to: its case's, else its customer's collector's."""
        self.ensure_one()
        if not lang:
            lang = (
                self.case_id._collection_reader_lang()
                if self.case_id
                else self.partner_id._collection_reader_lang(self.company_id)
            )
        return render(self.with_context(lang=lang))

    @api.model
    def _cron_collection_promises(self):
        """Evaluate the open promises of each company in one batch; a batch that fails is
        evaluated again promise by promise, so that a bad promise is reported to the
        managers and skipped, and never holds back the others."""
        job = self.env["collection.job"]
        job_name = _("Collections: evaluate promises to pay")
        today = fields.Date.context_today(self)
        # open promises, and those settled lately whose money may have been taken back
        to_check = self.search(
            [
                "|",
                ("state", "=", "open"),
                "&",
                ("state", "in", ("kept", "partial")),
                ("date_evaluated", ">=", today - timedelta(days=RECHECK_SETTLED_DAYS)),
            ]
        )
        for company, company_promises in to_check.grouped("company_id").items():
            promises = company_promises.with_company(company)
            if not promises._collection_evaluate_batch():
                job._collection_isolated(
                    job_name, list(promises), lambda promise: promise._collection_evaluate()
                )

    def _collection_evaluate_batch(self):
        """Evaluate in a savepoint; False (and nothing changed) when the batch fails."""
        try:
            with self.env.cr.savepoint():
                self._collection_evaluate()
        except Exception:  # retried promise by promise, which reports the culprit
            _logger.warning(
                "Evaluating %s promises to pay at once failed; evaluating them one by one",
                len(self),
                exc_info=True,
            )
            return False
        return True
