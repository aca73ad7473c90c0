import logging
from collections import Counter, defaultdict
from datetime import timedelta

from markupsafe import Markup
from psycopg2 import errors as pg_errors

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

# what the run decides and the actions change; users never write them directly
FOLLOWUP_PROCESS_FIELDS = {
    "partner_id",
    "company_id",
    "level_id",
    "date",
    "invoice_ids",
    "amount_due",
    "amount_credit",
    "state",
    "channel",
    "mail_id",
    "case_id",
    "error",
}


class CollectionFollowup(models.Model):
    _name = "collection.followup"
    _description = "Follow-up"
    _inherit = ["mail.thread"]
    _order = "date desc, id desc"
    _check_company_auto = True

    BATCH_SIZE = 200

    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        ondelete="restrict",
        help="The commercial partner the follow-up is sent to.",
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    level_id = fields.Many2one(
        "collection.level", required=True, index=True, ondelete="restrict", check_company=True
    )
    policy_id = fields.Many2one(related="level_id.policy_id", store=True)
    date = fields.Date(required=True, index=True, default=fields.Date.context_today)
    invoice_ids = fields.Many2many(
        "account.move",
        "collection_followup_invoice_rel",
        "followup_id",
        "move_id",
        string="Invoices",
        check_company=True,
    )
    amount_due = fields.Monetary(currency_field="currency_id", aggregator="sum")
    amount_credit = fields.Monetary(
        string="Open credits",
        currency_field="currency_id",
        help="Open credit notes and unapplied payments of the customer on that date.",
    )
    state = fields.Selection(
        [
            ("draft", "To review"),
            ("done", "Done"),
            ("cancel", "Cancelled"),
            ("failed", "Failed"),
        ],
        default="draft",
        required=True,
        index=True,
        tracking=True,
    )
    channel = fields.Selection(
        [
            ("email", "Email"),
            ("activity", "Activity (call or letter)"),
            ("none", "No message"),
        ],
        default="email",
        required=True,
    )
    mail_id = fields.Many2one("mail.mail", string="Email", ondelete="set null", readonly=True)
    case_id = fields.Many2one(
        "collection.case",
        groups="collection_management.group_collection_collector",
        index="btree_not_null",
        ondelete="set null",
        readonly=True,
        check_company=True,
    )
    error = fields.Text(readonly=True)

    def init(self):
        # one follow-up per customer, company and day, and one waiting for review per
        # customer and company: two runs at the same time cannot both make it
        self.env.cr.execute(
            SQL(
                """CREATE UNIQUE INDEX IF NOT EXISTS collection_followup_partner_day_unique
                       ON collection_followup (company_id, partner_id, date)
                    WHERE state != 'cancel'"""
            )
        )
        self.env.cr.execute(
            SQL(
                """CREATE UNIQUE INDEX IF NOT EXISTS collection_followup_partner_draft_unique
                       ON collection_followup (company_id, partner_id)
                    WHERE state = 'draft'"""
            )
        )

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            raise UserError(
                _("Follow-ups are made by the follow-up run, not by hand: run the follow-ups.")
            )
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su and set(vals) & FOLLOWUP_PROCESS_FIELDS:
            raise UserError(
                _(
                    "A follow-up changes only through its actions (send, edit and send, "
                    "cancel): its customer, level, invoices, amounts and state are the "
                    "run's."
                )
            )
        return super().write(vals)

    @api.depends("partner_id", "level_id", "date")
    def _compute_display_name(self):
        for followup in self:
            followup.display_name = " - ".join(
                part
                for part in (
                    followup.partner_id.display_name,
                    followup.level_id.name,
                    followup.date and fields.Date.to_string(followup.date),
                )
                if part
            )

    # ------------------------------------------------------------------ actions
    def action_send(self):
        """Send the reviewed drafts (or retry failed ones)."""
        self.check_access("write")
        todo = self.filtered(lambda f: f.state in ("draft", "failed")).sudo()
        if not todo:
            raise UserError(_("Only follow-ups to review or failed ones can be sent."))
        retry = todo.filtered(lambda f: f.state == "failed" and f.mail_id)
        # a failed email is queued again as it is: the rest of the level (activities,
        # credit hold, chatter) already happened and must not happen twice
        retry.mail_id.mark_outgoing()
        retry.write({"state": "done", "error": False})
        (todo - retry)._collection_execute()
        return True

    def action_cancel(self):
        self.check_access("write")
        if self.filtered(lambda f: f.state == "done"):
            raise UserError(_("A follow-up that was sent cannot be cancelled."))
        self.sudo().write({"state": "cancel"})
        return True

    def action_edit_and_send(self):
        """Open the email of a follow-up to review in the composer; sending it executes
        the rest of the level (activities, credit hold, escalation)."""
        self.ensure_one()
        if self.state not in ("draft", "failed") or not self.level_id.mail_template_id:
            raise UserError(_("Only a follow-up to review that sends an email can be edited."))
        attachments = self.env["ir.attachment"]
        if self.level_id.attach_statement:
            attachments = self._collection_statement_attachment()
        return {
            "type": "ir.actions.act_window",
            "name": _("Edit and send"),
            "res_model": "mail.compose.message",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_composition_mode": "mass_mail",
                "default_model": self._name,
                "default_res_ids": self.ids,
                "default_template_id": self.level_id.mail_template_id.id,
                "default_attachment_ids": [fields.Command.set(attachments.ids)],
                "collection_followup_ids": self.ids,
            },
        }

    def action_preview(self):
        self.ensure_one()
        if not self.level_id.mail_template_id:
            raise UserError(_("Level %(level)s sends no email.", level=self.level_id.name))
        return {
            "type": "ir.actions.act_window",
            "name": _("Preview"),
            "res_model": "mail.template.preview",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_mail_template_id": self.level_id.mail_template_id.id,
                "default_resource_ref": f"{self._name},{self.id}",
                "default_lang": self.partner_id.lang,
            },
        }

    def _collection_credit_lines(self):
        """Open credit notes and unapplied payments of the customer, for the email."""
        self.ensure_one()
        return self.env["account.move.line"].search(
            [
                ("company_id", "=", self.company_id.id),
                ("partner_id", "child_of", self.partner_id.id),
                ("account_id.account_type", "=", "asset_receivable"),
                ("parent_state", "=", "posted"),
                ("reconciled", "=", False),
                ("amount_residual", "<", 0),
            ],
            order="date, id",
        )

    # ------------------------------------------------------------------ hooks
    def _collection_partners_blocked(self, company):
        """Customers the run must leave alone, with the reason: an open promise to pay
        or a case in legal action."""
        blocked = {}
        for partner in (
            self.env["collection.promise"]
            .sudo()
            ._read_group([("company_id", "=", company.id), ("state", "=", "open")], ["partner_id"])
        ):
            blocked[partner[0]] = "promise"
        for partner in (
            self.env["collection.case"]
            .sudo()
            ._read_group(
                [
                    ("company_id", "=", company.id),
                    ("is_closed", "=", False),
                    ("legal_stage_id", "!=", False),
                ],
                ["partner_id"],
            )
        ):
            blocked[partner[0]] = "legal"
        return blocked

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
            for followup in followups:
                case = by_partner.get(followup.partner_id)
                if not case:
                    continue
                followup.case_id = case
                case._collection_escalate(
                    _(
                        "Follow-up level %(level)s escalates this customer to legal action.",
                        level=followup.level_id.name,
                    )
                )

    def _collection_after_run(self):
        """Called with the follow-ups created by each batch of a run: open or join the
        customers' cases and link the follow-ups to them."""
        # cases are opened for whoever runs the follow-ups (an accountant, the cron)
        for company, followups in self.sudo().grouped("company_id").items():
            cases = followups.env["collection.case"]._collection_sync(
                company, followups[:1].date, followups.partner_id
            )
            by_partner = {case.partner_id: case for case in cases}
            for case, case_followups in followups.grouped(
                lambda f, by_partner=by_partner: by_partner.get(f.partner_id)
            ).items():
                if not case:
                    continue
                case_followups.filtered(lambda f: not f.case_id).case_id = case
                reached = case_followups.level_id.sorted("delay_days")[-1:]
                if not case.level_id or reached.delay_days > case.level_id.delay_days:
                    case.level_id = reached
        return self

    # ------------------------------------------------------------------ decision
    @api.model
    def _collection_candidates(self, company, date, partners=None):
        """Posted customer invoices of ``company`` with an amount due that reminders may
        concern: not excluded, not disputed (or the dispute has ended)."""
        domain = [
            ("company_id", "=", company.id),
            ("invoice_date_due", "!=", False),
            *self.env["account.move"]._collection_remindable_domain(date),
        ]
        if partners is not None:
            domain.append(("commercial_partner_id", "in", partners.commercial_partner_id.ids))
        return self.env["account.move"].search_fetch(
            domain,
            [
                "commercial_partner_id",
                "invoice_date_due",
                "amount_residual_signed",
                "collection_level_id",
            ],
            order="commercial_partner_id, invoice_date_due, id",
        )

    @api.model
    def _collection_open_credits(self, company, partners):
        """Open credit notes and unapplied payments per commercial partner (positive amounts
        in company currency), from one grouped read of receivable lines."""
        groups = self.env["account.move.line"]._read_group(
            [
                ("company_id", "=", company.id),
                ("partner_id", "in", partners.ids),
                ("account_id.account_type", "=", "asset_receivable"),
                ("parent_state", "=", "posted"),
                ("reconciled", "=", False),
                ("amount_residual", "<", 0),
            ],
            ["partner_id"],
            ["amount_residual:sum"],
        )
        credits = defaultdict(float)
        for partner, amount in groups:
            credits[partner.commercial_partner_id] += -amount
        return credits

    @api.model
    def _collection_recent(self, company, partners, date):
        """Per partner: date of the last follow-up that was not cancelled, and whether one
        is waiting for review or was made on ``date``."""
        groups = self._read_group(
            [
                ("company_id", "=", company.id),
                ("partner_id", "in", partners.ids),
                ("state", "!=", "cancel"),
            ],
            ["partner_id", "state"],
            ["date:max"],
        )
        last, pending = {}, set()
        for partner, state, last_date in groups:
            last[partner] = max(last.get(partner, last_date), last_date)
            if state == "draft" or last_date == date:
                pending.add(partner)
        return last, pending

    @api.model
    def _collection_decide(self, company, date, partners=None):
        """Decide, for every customer of ``company``, the follow-up due on ``date``.

        Returns ``(decisions, skipped)``: decisions are dicts with the partner, level,
        invoices, amount due and credits; skipped maps a reason to the partners skipped
        for it. Set-based: the number of queries does not depend on the number of
        invoices.
        """
        invoices = self._collection_candidates(company, date, partners)
        by_partner = invoices.grouped("commercial_partner_id")
        customers = self.env["res.partner"].concat(*by_partner)
        blocked = self._collection_partners_blocked(company)
        customers_in_company = customers.with_company(company)
        customers_in_company.fetch(["collection_policy_id"])
        default_policy = company.collection_policy_id
        policies = customers_in_company.collection_policy_id | default_policy
        policies.level_ids.fetch(["delay_days", "min_interval_days", "policy_id"])
        credits = self._collection_open_credits(company, customers)
        last, pending = self._collection_recent(company, customers, date)
        decisions, skipped = [], defaultdict(lambda: self.env["res.partner"])
        for partner, moves in by_partner.items():
            if partner in blocked:
                skipped[blocked[partner]] |= partner
                continue
            if partner in pending:
                skipped["pending"] |= partner
                continue
            policy = partner._collection_policy(company)
            if not policy or not policy.level_ids:
                skipped["no_policy"] |= partner
                continue
            decision, reason = self._collection_decide_partner(
                partner, moves, policy, date, credits.get(partner, 0.0), last.get(partner)
            )
            if reason:
                skipped[reason] |= partner
            else:
                decisions.append(decision)
        return decisions, skipped

    @api.model
    def _collection_decide_partner(self, partner, moves, policy, date, credit, last_date):
        """The follow-up of one customer, or the reason there is none.

        The level is the highest one reached by any of its invoices. A level after the
        due date lists only overdue invoices (a formal demand never claims what is not
        due yet); a reminder before the due date lists the invoices it concerns."""
        currency = policy.company_id.currency_id
        level, rows = None, []
        for move in moves:
            days = (date - move.invoice_date_due).days
            due = policy._due_level(days, above=move.collection_level_id)
            if due and (not level or due.delay_days > level.delay_days):
                level = due
            rows.append((move, days, due))
        if not level:
            return None, "no_level"
        if level.delay_days > 0:
            listed = [move for move, days, _due in rows if days > 0]
        else:
            listed = [move for move, days, due in rows if due or days > 0]
        overdue_total = sum(move.amount_residual_signed for move, days, _due in rows if days > 0)
        amount_due = sum(move.amount_residual_signed for move in listed)
        net = (overdue_total if level.delay_days > 0 else amount_due) - credit
        if currency.compare_amounts(net, 0) <= 0:
            return None, "credits"
        if last_date and (date - last_date).days < level.min_interval_days:
            return None, "interval"
        return {
            "partner": partner,
            "level": level,
            "invoices": self.env["account.move"].concat(*listed),
            "amount_due": amount_due,
            "credit": credit,
        }, None

    # ------------------------------------------------------------------ run
    @api.model
    def _collection_lock_partners(self, company, partners, date):
        """Lock the partners this run is about to act on; partners locked by a concurrent
        run are skipped, and partners that a run finished meanwhile are dropped."""
        if not partners:
            return partners
        self.env.cr.execute(
            SQL(
                "SELECT id FROM res_partner WHERE id = ANY(%s) FOR NO KEY UPDATE SKIP LOCKED",
                partners.ids,
            )
        )
        locked = self.env["res.partner"].browse(row[0] for row in self.env.cr.fetchall())
        if not locked:
            return locked
        # a run that committed between our decision and our lock has made them already
        self.flush_model()
        self.env.cr.execute(
            SQL(
                """SELECT partner_id FROM collection_followup
                    WHERE company_id = %s AND partner_id = ANY(%s)
                      AND (date = %s OR state = 'draft')""",
                company.id,
                locked.ids,
                date,
            )
        )
        done = {row[0] for row in self.env.cr.fetchall()}
        return locked.filtered(lambda partner: partner.id not in done)

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

    # ------------------------------------------------------------------ execution
    def _collection_statement_attachment(self):
        self.ensure_one()
        report = self.env.ref("collection_management.action_report_collection_statement")
        # the statement is the follow-up's company's, whatever company the sender is in
        pdf, _format = (
            self.env["ir.actions.report"]
            .with_company(self.company_id)
            ._render_qweb_pdf(report, self.partner_id.ids)
        )
        return self.env["ir.attachment"].create(
            {
                "name": _(
                    "Statement %(partner)s %(date)s.pdf",
                    partner=self.partner_id.name,
                    date=self.date,
                ),
                "type": "binary",
                "raw": pdf,
                "mimetype": "application/pdf",
                "res_model": self._name,
                "res_id": self.id,
            }
        )

    def _collection_send_email(self):
        """Queue the email of each follow-up through Odoo's mail queue."""
        for followup in self:
            template = followup.level_id.mail_template_id
            email_values = {}
            if followup.level_id.attach_statement:
                attachment = followup._collection_statement_attachment()
                email_values["attachment_ids"] = [fields.Command.link(attachment.id)]
            mail_id = template.send_mail(followup.id, force_send=False, email_values=email_values)
            followup.write(
                {"mail_id": mail_id, "channel": "email", "state": "done", "error": False}
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
                    % _(
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
                    "summary": _("Follow-up: %(level)s", level=level.name),
                    "note": Markup().join(notes),
                    "user_id": followup._collection_activity_user().id,
                    "date_deadline": followup.date + timedelta(days=level.activity_delay_days),
                }
            )
        if vals_list:
            self.env["mail.activity"].create(vals_list)

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
            moves.write(values)

    def _collection_execute(self, mails=None):
        """Send, schedule, hold and escalate, as each follow-up's level asks. ``mails``
        maps follow-ups to the email already queued for them (edited in the composer)."""
        if not self:
            return
        # the process acts on follow-ups the caller was allowed to send
        mails = {followup.sudo(): mail for followup, mail in (mails or {}).items()}
        self = self.sudo()._collection_recheck_invoices()  # noqa: PLW0642
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
        for followup in self:
            body = _(
                "Follow-up %(level)s: %(count)s invoice(s), %(amount)s due.",
                level=followup.level_id.name,
                count=len(followup.invoice_ids),
                amount=followup.currency_id.format(followup.amount_due),
            )
            followup.partner_id.message_post(body=body)
            if followup.sudo().case_id:
                followup.sudo().case_id.message_post(body=body)

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
            followup.message_post(
                body=_(
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

    # ------------------------------------------------------------------ cron
    @api.model
    def _cron_collection_followup(self):
        """One batch of customers per call; Odoo calls again while some remain. A
        company whose run fails is run again customer by customer, so that one bad
        customer is reported and skipped and never stops the others."""
        done = remaining = 0
        for company in self.env.user.company_ids.sorted("id"):
            made, left = self.with_company(company)._collection_run_isolated(
                company, self.BATCH_SIZE
            )
            done += made
            remaining += left
            if remaining:
                break
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)

    @api.model
    def _collection_run_isolated(self, company, limit):
        """Run ``company``'s follow-ups; returns (follow-ups made, customers left)."""
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
            return len(summaries[0]["followups"]), summaries[0]["remaining"]
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
        return sum(len(followups) for followups in made), max(len(customers) - limit, 0)
