import logging
from collections import defaultdict
from datetime import timedelta

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

# settled promises are checked again this long after their evaluation: a payment
# reversed later than this no longer reopens them
RECHECK_SETTLED_DAYS = 90


class CollectionPromise(models.Model):
    """How a promise to pay is evaluated against the customer's payments: kept, partly
    kept or broken, what each outcome does to the case, and the daily promise job."""

    _inherit = "collection.promise"

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
    def _cron_collection_promises(self, company_id=None):
        """Evaluate the open promises of each company in one batch; a batch that fails is
        evaluated again promise by promise, so that a bad promise is reported to the
        managers and skipped, and never holds back the others. The job of a company
        (``company_id``) evaluates that company's promises only, in its context."""
        job = self.env["collection.job"]
        job_name = _("Collections: evaluate promises to pay")
        companies = job._collection_job_companies(company_id)
        if company_id:
            if not companies:
                return
            self = companies._collection_job_env(self)  # noqa: PLW0642
        today = fields.Date.context_today(self)
        # open promises, and those settled lately whose money may have been taken back
        domain = [("company_id", "=", companies.id)] if company_id else []
        to_check = self.search(
            [
                *domain,
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
