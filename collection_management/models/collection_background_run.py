"""Big follow-up runs and big sends, in the background.

"Run follow-ups" for more customers than the company's threshold, or "Send" on more
drafts than it, would run inside one web request, which a production server stops
after its time limit. Above the threshold the request records what to do and wakes
the background job; the job works in batches (one transaction each), shows its
progress on the record, and when done posts the summary to the user who asked
(notification and chatter). Below the threshold everything runs at once, as before.
"""

from collections import Counter

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.tools import SQL


class CollectionBackgroundRun(models.Model):
    _name = "collection.background.run"
    _description = "Follow-ups run in the background"
    _inherit = ["mail.thread"]
    _order = "id desc"
    _check_company_auto = True

    BATCH_SIZE = 200

    name = fields.Char(compute="_compute_name")
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    user_id = fields.Many2one("res.users", string="Asked by", required=True, readonly=True)
    kind = fields.Selection(
        [("run", "Run follow-ups"), ("send", "Send follow-ups")], required=True, readonly=True
    )
    date = fields.Date(string="As of", required=True, readonly=True)
    partner_ids = fields.Many2many(
        "res.partner", string="Customers", readonly=True, help="Empty for every customer."
    )
    followup_ids = fields.Many2many(
        "collection.followup", string="Follow-ups", readonly=True, check_company=True
    )
    state = fields.Selection(
        [("queued", "Waiting"), ("running", "Running"), ("done", "Done"), ("failed", "Failed")],
        default="queued",
        required=True,
        readonly=True,
        index=True,
    )
    total = fields.Integer(readonly=True)
    done_count = fields.Integer(string="Done", readonly=True)
    progress = fields.Float(compute="_compute_progress")
    summary_html = fields.Html(string="Result", readonly=True, sanitize=True)

    @api.depends("kind", "date", "company_id")
    def _compute_name(self):
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        for job in self:
            job.name = f"{kinds.get(job.kind, '')} {fields.Date.to_string(job.date) or ''}"

    @api.depends("total", "done_count", "state")
    def _compute_progress(self):
        for job in self:
            if job.state == "done":
                job.progress = 100.0
            else:
                job.progress = (
                    100.0 * min(job.done_count, job.total) / job.total if job.total else 0.0
                )

    @api.model
    def _collection_threshold(self, company):
        return company.collection_background_run_threshold

    @api.model
    def _collection_start(self, kind, company, date, total, partners=None, followups=None):
        """Record a background run asked by the current user and wake the job."""
        job = self.sudo().create(
            {
                "kind": kind,
                "company_id": company.id,
                "user_id": self.env.user.id,
                "date": date,
                "total": total,
                "partner_ids": [fields.Command.set((partners or self.env["res.partner"]).ids)],
                "followup_ids": [
                    fields.Command.set((followups or self.env["collection.followup"]).ids)
                ],
            }
        )
        job.message_subscribe(partner_ids=self.env.user.partner_id.ids)
        self.env.ref("collection_management.ir_cron_collection_background").sudo()._trigger()
        return job.sudo(False)

    def _collection_action(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Follow-ups in the background"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "current",
        }

    @api.model
    def _cron_collection_background(self):
        """One batch of the oldest background run per call; called again while some
        remain. A run taken by another worker is left to it (no duplicates)."""
        self.env.cr.execute(
            SQL(
                """SELECT id FROM collection_background_run
                    WHERE state IN ('queued', 'running')
                 ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED"""
            )
        )
        row = self.env.cr.fetchone()
        if not row:
            self.env["ir.cron"]._notify_progress(done=0, remaining=0)
            return
        # the job is the process's: its own fields are written whoever the cron runs as
        job = self.sudo().browse(row[0])
        steps = []
        failed = self.env["collection.job"]._collection_isolated(
            _("Collections: follow-ups in the background"),
            job,
            lambda job: steps.append(job._collection_step()),
        )
        if failed:
            job._collection_fail()
        done, remaining = steps[0] if steps else (1, 0)
        left = self.search_count([("state", "in", ("queued", "running"))])
        self.env["ir.cron"]._notify_progress(done=max(done, 1), remaining=remaining or left)

    def _collection_step(self):
        """One batch of this run, as the user who asked for it; returns (done in this
        batch, left after it)."""
        self.ensure_one()
        self.state = "running"
        actor = (
            self.env["collection.followup"].with_user(self.user_id).with_company(self.company_id)
        )
        if self.kind == "run":
            summary = actor._collection_run(
                self.company_id, self.date, self.partner_ids or None, limit=self.BATCH_SIZE
            )
            made = summary["followups"]
            self.followup_ids = [fields.Command.link(f.id) for f in made]
            left = summary["remaining"]
        else:
            todo = self.followup_ids.filtered(lambda f: f.state in ("draft", "failed"))
            todo = todo.sorted("id")
            batch = todo[: self.BATCH_SIZE]
            actor.browse(batch.ids)._collection_send_now()
            made = batch
            left = len(todo) - len(batch)
        self.done_count = max(self.total - left, 0)
        if not left:
            self._collection_finish()
        return len(made), left

    def _collection_fail(self):
        """A batch failed (reported to the managers): the run stops, the user is told."""
        self.state = "failed"
        job = self.with_context(lang=self.user_id.lang or self.env.lang)
        self.message_post(
            body=job.env._(
                "%(name)s stopped: a batch failed and was reported to the collection "
                "managers. What was done before it is kept.",
                name=job.name,
            ),
            partner_ids=self.user_id.partner_id.ids,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )

    def _collection_finish(self):
        """Done: the summary on the run, and the user who asked is told."""
        self.state = "done"
        self.done_count = max(self.done_count, self.total)
        user = self.user_id
        job = self.with_context(lang=user.lang or self.env.lang)
        per_state = Counter(job.followup_ids.mapped("state"))
        states = dict(job.followup_ids._fields["state"]._description_selection(job.env))
        lines = [
            job.env._("%(count)s follow-up(s) %(state)s", count=count, state=states[state])
            for state, count in sorted(per_state.items())
        ] or [job.env._("No follow-up was due.")]
        title = job.env._("%(name)s: done", name=job.name)
        body = Markup("<p>%s</p><ul>%s</ul>") % (
            title,
            Markup("").join(Markup("<li>%s</li>") % line for line in lines),
        )
        self.summary_html = body
        self.message_post(
            body=body,
            partner_ids=user.partner_id.ids,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        user._bus_send(
            "simple_notification",
            {"type": "success", "title": title, "message": ", ".join(lines), "sticky": True},
        )
