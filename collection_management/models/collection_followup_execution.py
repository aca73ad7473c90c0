import logging
from collections import Counter, defaultdict
from datetime import timedelta

from markupsafe import Markup
from psycopg2 import errors as pg_errors

from odoo import _, api, fields, models
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

# minutes before a job looks again at customers another run held
RETRY_MINUTES = 1


class CollectionFollowup(models.Model):
    """The run and what a follow-up does: create the follow-ups decided, then send the
    email, schedule the activity, hold credit, escalate and move the invoices to their
    level; the daily job."""

    _inherit = "collection.followup"

    @api.model
    def _collection_run(self, company, date=None, partners=None, limit=None):
        """Decide and act for ``company`` on ``date``; ``limit`` caps the number of
        customers handled in this call. Returns a summary dict: the follow-ups made, a
        count per level, the customers skipped per reason (and their count), and how
        many customers remain for the next call."""
        date = fields.Date.to_date(date) or fields.Date.context_today(self)
        self = self.with_company(company)  # noqa: PLW0642
        decisions, skipped = self._collection_decide(company, date, partners)
        remaining = 0
        if limit is not None and len(decisions) > limit:
            remaining = len(decisions) - limit
            decisions = decisions[:limit]
        partners_todo = self.env["res.partner"].concat(*(d["partner"] for d in decisions))
        locked = self._collection_lock_partners(company, partners_todo, date)
        skipped["locked"] |= partners_todo - locked
        decisions = [d for d in decisions if d["partner"] in locked]
        followups, taken = self._collection_create_followups(company, date, decisions)
        followups = followups.sudo(self.env.su)
        skipped["locked"] |= taken
        followups._collection_after_run()
        followups.filtered(lambda f: f.level_id.auto_execute)._collection_execute()
        skipped = {reason: partners for reason, partners in skipped.items() if partners}
        return {
            "followups": followups,
            "per_level": dict(Counter(followup.level_id for followup in followups)),
            "skipped": {reason: len(partners) for reason, partners in skipped.items()},
            "skipped_partners": skipped,
            "remaining": remaining,
        }

    @api.model
    def _collection_create_followups(self, company, date, decisions):
        """Create the follow-ups of ``decisions``. A customer whose follow-up another
        run made meanwhile (committed after this transaction began, so invisible to it)
        hits the unique indexes: that customer is left to the other run. Returns the
        follow-ups and the customers taken by another run."""
        vals_list = [
            {
                "partner_id": d["partner"].id,
                "company_id": company.id,
                "level_id": d["level"].id,
                "date": date,
                "invoice_ids": [fields.Command.set(d["invoices"].ids)],
                "amount_due": d["amount_due"],
                "amount_credit": d["credit"],
                "channel": "email" if d["level"].send_email else "none",
            }
            for d in decisions
        ]
        # follow-ups are made by the run only (users cannot create them)
        self = self.sudo()  # noqa: PLW0642
        try:
            with self.env.cr.savepoint():
                return self.create(vals_list), self.env["res.partner"]
        except pg_errors.UniqueViolation:
            _logger.info("follow-up run: another run made some follow-ups; retrying one by one")
        followups, taken = self.browse(), self.env["res.partner"]
        for vals in vals_list:
            try:
                with self.env.cr.savepoint():
                    followups |= self.create(vals)
            except pg_errors.UniqueViolation:
                taken |= self.env["res.partner"].browse(vals["partner_id"])
        return followups, taken

    def _collection_after_run(self):
        """Called with the follow-ups created by each batch of a run: open or join the
        customers' cases and link the follow-ups to them."""
        # cases are opened for whoever runs the follow-ups (an accountant, the cron)
        for company, followups in self.sudo().grouped("company_id").items():
            cases = followups.env["collection.case"]._collection_sync(
                company, followups[:1].date, followups.partner_id
            )
            by_partner = {case.partner_id: case for case in cases}
            links, per_level = [], defaultdict(list)
            for case, case_followups in followups.grouped(
                lambda f, by_partner=by_partner: by_partner.get(f.partner_id)
            ).items():
                if not case:
                    continue
                links += [(f.id, case.id) for f in case_followups if not f.case_id]
                reached = case_followups.level_id.sorted("delay_days")[-1:]
                if not case.level_id or reached.delay_days > case.level_id.delay_days:
                    per_level[reached].append(case.id)
            followups._collection_link_cases(links)
            # one write per level reached, not one per case
            for level, case_ids in per_level.items():
                cases.browse(case_ids).level_id = level
        return self

    def _collection_link_cases(self, links):
        """Set the case of follow-ups, ``links`` [(follow-up id, case id)], in one
        statement (one ORM write per case would cost a write per customer)."""
        if not links:
            return
        self.flush_model(["case_id"])
        self.env.cr.execute(
            SQL(
                """UPDATE collection_followup f SET case_id = v.case_id
                     FROM (VALUES %s) AS v(followup_id, case_id)
                    WHERE f.id = v.followup_id""",
                SQL(", ").join(SQL("(%s, %s)", *link) for link in links),
            )
        )
        linked = self.browse(followup_id for followup_id, _case_id in links)
        linked.invalidate_recordset(["case_id"])
        self.env["collection.case"].invalidate_model(["followup_ids"])
        linked.modified(["case_id"])

    def _collection_escalate_legal(self):
        """Follow-ups whose level escalates to legal: the customer's case (opened if
        needed, whatever the thresholds) goes to the first legal stage."""
        # cases are opened for whoever runs the follow-ups (an accountant, the cron)
        for company, followups in self.sudo().grouped("company_id").items():
            cases = followups.env["collection.case"]._collection_sync(
                company,
                followups[:1].date,
                followups.partner_id,
                force_partners=followups.partner_id,
            )
            by_partner = {case.partner_id: case for case in cases}
            per_level = defaultdict(lambda: self.env["collection.case"])
            for followup in followups:
                case = by_partner.get(followup.partner_id)
                if not case:
                    continue
                followup.case_id = case
                per_level[followup.level_id] |= case
            for level, level_cases in per_level.items():
                level_cases._collection_escalate(
                    lambda reader, level=level: reader.env._(
                        "Follow-up level %(level)s escalates this customer to legal action.",
                        level=level.with_env(reader.env).name,
                    )
                )

    def _collection_activity_user(self):
        self.ensure_one()
        collector = self.partner_id.with_company(self.company_id).collector_id
        return collector or self.env.user

    def _collection_schedule_activities(self, followups_without_email):
        call = self.env.ref("mail.mail_activity_data_call")
        partner_model = self.env["ir.model"]._get_id("res.partner")
        vals_list = []
        for followup in self:
            user = followup._collection_activity_user()
            # the activity is written in the language of the user it is assigned to
            followup = followup.with_context(lang=user.lang or followup.env.lang)  # noqa: PLW2901
            level = followup.level_id
            without_email = followup in followups_without_email
            if not (level.create_activity or without_email):
                continue
            # one activity per follow-up: the level's call and the missing email address
            # are the same task for the collector
            notes = []
            if without_email:
                notes.append(
                    Markup("<p>%s</p>")
                    % followup.env._(
                        "No email address: call or write to the customer instead (level "
                        "%(level)s).",
                        level=level.name,
                    )
                )
            if level.create_activity and level.activity_note:
                notes.append(level.activity_note)
            vals_list.append(
                {
                    "res_model_id": partner_model,
                    "res_id": followup.partner_id.id,
                    "activity_type_id": (level.activity_type_id or call).id,
                    "summary": followup.env._("Follow-up: %(level)s", level=level.name),
                    "note": Markup().join(notes),
                    "user_id": user.id,
                    "date_deadline": followup.date + timedelta(days=level.activity_delay_days),
                }
            )
        # one create per round where each customer and user appear once: Odoo subscribes
        # the user to the customer once per create (twice in one create is a duplicate)
        while vals_list:
            seen, batch, rest = set(), [], []
            for vals in vals_list:
                key = (vals["res_id"], vals["user_id"])
                (rest if key in seen else batch).append(vals)
                seen.add(key)
            # no "assigned to you" email per activity: a run gives a collector hundreds
            # of calls at once, which their activities list shows
            self.env["mail.activity"].with_context(mail_activity_quick_update=True).create(batch)
            vals_list = rest

    def _collection_move_invoices(self):
        """Each invoice goes to the highest level its own days overdue reached."""
        per_level = defaultdict(lambda: self.env["account.move"])
        for followup in self:
            for move in followup.invoice_ids:
                days = (followup.date - move.invoice_date_due).days
                due = followup.policy_id._due_level(days, above=move.collection_level_id)
                if due:
                    per_level[(due, followup.date)] |= move
                else:
                    per_level[(None, followup.date)] |= move
        for (level, date), moves in per_level.items():
            values = {"collection_last_date": date}
            if level:
                values["collection_level_id"] = level.id
            # collection fields only: the journal entries' lines need no resync (Odoo
            # would read every line's taxes again, invoice by invoice)
            moves.with_context(skip_invoice_sync=True).write(values)

    def _collection_execute(self, mails=None):
        """Send, schedule, hold and escalate, as each follow-up's level asks. ``mails``
        maps follow-ups to the email already queued for them (edited in the composer)."""
        if not self:
            return
        # the process acts on follow-ups the caller was allowed to send
        mails = {followup.sudo(): mail for followup, mail in (mails or {}).items()}
        self = self.sudo()._collection_recheck_customers()._collection_recheck_invoices()  # noqa: PLW0642
        if not self:
            return
        for followup, mail in mails.items():
            if followup not in self:
                continue
            followup.write(
                {"mail_id": mail.id, "channel": "email", "state": "done", "error": False}
            )
        wants_email = self.filtered(lambda f: f.level_id.send_email and f not in mails)
        without_email = wants_email.filtered(lambda f: not f.partner_id.email)
        without_email.write(
            {
                "channel": "activity",
                "state": "done",
                "error": _(
                    "The customer has no email address: an activity to call or "
                    "write was scheduled instead."
                ),
            }
        )
        (wants_email - without_email)._collection_send_email()
        (self - wants_email).write({"state": "done", "channel": "none"})
        self._collection_schedule_activities(without_email)
        held = self.filtered(lambda f: f.level_id.credit_hold).partner_id
        held.filtered(lambda p: not p.collection_credit_hold).write(
            {"collection_credit_hold": True}
        )
        self.filtered(lambda f: f.level_id.escalate_legal)._collection_escalate_legal()
        self._collection_move_invoices()
        self._collection_log_done()

    def _collection_done_text(self, lang):
        followup = self.with_context(lang=lang)
        return followup.env._(
            "Follow-up %(level)s: %(count)s invoice(s), %(amount)s due.",
            level=followup.level_id.name,
            count=len(followup.invoice_ids),
            amount=followup.currency_id.format(followup.amount_due),
        )

    def _collection_recheck_customers(self):
        """At sending time, the customer is checked again: one escalated to legal action
        or who promised to pay since the follow-up was prepared gets no reminder; the
        follow-up is cancelled with the reason. Returns the follow-ups still to send."""
        reasons = {
            "legal": _(
                "Not sent: the customer is in legal action since the follow-up was "
                "prepared; no automated reminder goes to a customer in legal action."
            ),
            "promise": _(
                "Not sent: the customer has promised to pay since the follow-up was "
                "prepared; reminders pause until the promised date."
            ),
        }
        cancelled = self.browse()
        for company, followups in self.grouped("company_id").items():
            blocked = self._collection_partners_blocked(company)
            for reason, stopped in followups.grouped(
                lambda f, blocked=blocked: blocked.get(f.partner_id)
            ).items():
                if reason:
                    stopped.write({"state": "cancel", "error": reasons[reason]})
                    cancelled |= stopped
        return self - cancelled

    def _collection_recheck_invoices(self):
        """At sending time, each invoice is checked again: one paid, disputed, excluded
        or cancelled since the follow-up was prepared (a draft waits for review) is
        left out, and the amount is what is due now. A follow-up left with nothing is
        cancelled, with the reason. Returns the follow-ups still to execute."""
        today = fields.Date.context_today(self)
        cancelled = self.browse()
        for followup in self:
            invoices = followup.invoice_ids
            keep = invoices._collection_remindable(today)
            if followup.level_id.delay_days > 0:
                keep = keep.filtered(lambda m: m.invoice_date_due < today)
            if keep == invoices:
                continue
            dropped = invoices - keep
            lang = followup.partner_id._collection_reader_lang(followup.company_id)
            followup.message_post(
                body=followup.with_context(lang=lang).env._(
                    "Left out at sending, paid, disputed or excluded since the follow-up "
                    "was prepared: %(invoices)s.",
                    invoices=", ".join(dropped.mapped("display_name")),
                )
            )
            values = {
                "invoice_ids": [fields.Command.set(keep.ids)],
                "amount_due": sum(keep.mapped("amount_residual_signed")),
            }
            if not keep:
                values.update(
                    state="cancel",
                    error=_(
                        "Nothing left to remind: every invoice of this follow-up was paid, "
                        "disputed or excluded before it was sent."
                    ),
                )
                cancelled |= followup
            followup.write(values)
        return self - cancelled

    def _collection_mark_failed(self, reason):
        self.write({"state": "failed", "error": reason})

    @api.model
    def _cron_collection_followup(self, company_id=None):
        """One batch of customers per call; Odoo calls again while some remain. The job
        of a company (``company_id``) runs that company only, in its context, so that
        the jobs of several companies run side by side on several cron workers. A
        company whose run fails is run again customer by customer, so that one bad
        customer is reported and skipped and never stops the others."""
        done = remaining = locked = 0
        for company in self.env["collection.job"]._collection_job_companies(company_id):
            actor = company._collection_job_env(self) if company_id else self
            made, left, busy = actor.with_company(company)._collection_run_isolated(
                company, self.BATCH_SIZE
            )
            done += made
            remaining += left
            locked += busy
            if remaining:
                break
        if locked:
            self._collection_retry_later()
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)

    @api.model
    def _collection_retry_later(self):
        """Customers another run held (a manual run, another company's job working on a
        customer of both companies) are left to it; this job looks again in a minute,
        in case that run is rolled back."""
        cron = self.env["ir.cron"].sudo().browse(self.env.context.get("cron_id")).exists()
        if cron:
            cron._trigger(fields.Datetime.now() + timedelta(minutes=RETRY_MINUTES))

    @api.model
    def _collection_run_isolated(self, company, limit):
        """Run ``company``'s follow-ups; returns (follow-ups made, customers left,
        customers held by another run)."""
        job = self.env["collection.job"]
        job_name = _("Collections: follow-up run")
        summaries = []
        failed = job._collection_isolated(
            job_name,
            company,
            lambda company: summaries.append(self._collection_run(company, limit=limit)),
            report=False,
        )
        if not failed:
            summary = summaries[0]
            locked = summary["skipped"].get("locked", 0)
            return len(summary["followups"]), summary["remaining"], locked
        today = fields.Date.context_today(self)
        customers = self._collection_candidates(company, today).commercial_partner_id
        made = []
        job._collection_isolated(
            job_name,
            customers[:limit],
            lambda customer: made.append(
                self._collection_run(company, today, partners=customer)["followups"]
            ),
        )
        return sum(len(followups) for followups in made), max(len(customers) - limit, 0), 0
