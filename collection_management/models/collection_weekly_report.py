import logging
from datetime import timedelta

from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..report.collection_xlsx import CollectionWorkbook, ReportOptions
from ..report.xlsx_weekly import WeeklyData, WeeklyReport, week_of

_logger = logging.getLogger(__name__)

REPORT_ACTION = "collection_management.collection_weekly_report_action"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class CollectionWeeklyReport(models.Model):
    """The Friday report (周报) of one company for one week, as it was sent: its
    figures, its workbook, its recipients and who acknowledged it. Made by the daily
    job on the company's report day, never by hand, so that it is a record of what
    was sent."""

    _name = "collection.weekly.report"
    _description = "Weekly Collection Report"
    _order = "week_start desc, company_id"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name")
    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    week_start = fields.Date(required=True, readonly=True)
    week_end = fields.Date(required=True, readonly=True)
    sent_date = fields.Datetime(string="Sent on", readonly=True)
    recipient_ids = fields.Many2many(
        "res.users",
        "collection_weekly_report_res_users_rel",
        "report_id",
        "user_id",
        string="Recipients",
        readonly=True,
    )
    attachment_id = fields.Many2one(
        "ir.attachment", string="Workbook", readonly=True, ondelete="set null"
    )
    attachment_datas = fields.Binary(related="attachment_id.datas", string="Excel file")
    attachment_name = fields.Char(related="attachment_id.name")
    acknowledgement_ids = fields.One2many(
        "collection.weekly.report.acknowledgement", "report_id", readonly=True
    )
    acknowledged_count = fields.Integer(compute="_compute_acknowledged")
    acknowledged_by_me = fields.Boolean(compute="_compute_acknowledged")
    is_my_report = fields.Boolean(compute="_compute_acknowledged")
    amount_overdue = fields.Monetary(string="Overdue at the end", readonly=True)
    amount_overdue_change = fields.Monetary(string="Change over the week", readonly=True)
    amount_collected = fields.Monetary(string="Collected", readonly=True)
    newly_overdue_count = fields.Integer(string="Customers newly overdue", readonly=True)
    promise_due_count = fields.Integer(string="Promises due next week", readonly=True)
    promise_due_amount = fields.Monetary(string="Promised for next week", readonly=True)
    promise_broken_count = fields.Integer(string="Promises broken", readonly=True)
    legal_count = fields.Integer(string="Cases escalated to legal", readonly=True)

    _sql_constraints = [
        (
            "company_week_unique",
            "unique(company_id, week_start)",
            "A company's weekly report is sent once per week.",
        ),
        (
            "week_check",
            "CHECK(week_end >= week_start AND week_end - week_start < 7)",
            "A weekly report covers at most seven days.",
        ),
    ]

    @api.depends("week_start", "week_end", "company_id")
    @api.depends_context("lang")
    def _compute_name(self):
        for report in self:
            report.name = _(
                "%(company)s, %(start)s – %(end)s",
                company=report.company_id.name or "",
                start=fields.Date.to_string(report.week_start) or "",
                end=fields.Date.to_string(report.week_end) or "",
            )

    @api.depends("acknowledgement_ids.acknowledged_date", "acknowledgement_ids.user_id")
    @api.depends_context("uid")
    def _compute_acknowledged(self):
        for report in self:
            acknowledgements = report.sudo().acknowledgement_ids
            mine = acknowledgements.filtered(lambda ack: ack.user_id == self.env.user)
            report.acknowledged_count = len(acknowledgements.filtered("acknowledged_date"))
            report.is_my_report = bool(mine)
            report.acknowledged_by_me = bool(mine.acknowledged_date)

    @api.constrains("company_id", "week_start", "week_end")
    def _check_weeks_apart(self):
        for report in self:
            overlapping = self.sudo().search_count(
                [
                    ("id", "!=", report.id),
                    ("company_id", "=", report.company_id.id),
                    ("week_start", "<=", report.week_end),
                    ("week_end", ">=", report.week_start),
                ],
                limit=1,
            )
            if overlapping:
                raise ValidationError(
                    _("Two weekly reports of a company cannot cover the same days.")
                )

    # ------------------------------------------------------------------ actions
    def action_acknowledge(self):
        """The current user acknowledges the report (a recipient only; once)."""
        self.ensure_one()
        self.check_access("read")
        acknowledgement = self.sudo().acknowledgement_ids.filtered(
            lambda ack: ack.user_id == self.env.user
        )
        if not acknowledgement:
            raise UserError(_("Only a recipient of this weekly report can acknowledge it."))
        acknowledgement._collection_acknowledge()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": _("Weekly report acknowledged."),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    # ------------------------------------------------------------------ sending
    @api.model
    def _collection_week_due(self, company, today):
        """(first day, last day) of the week to send for ``company`` on ``today``, or
        None when today is not its report day or its report is sent. After a change
        of the report day, the week starts the day after the last one sent."""
        if int(company.collection_weekly_report_day or 4) != today.weekday():
            return None
        last = self.sudo().search([("company_id", "=", company.id)], order="week_end desc", limit=1)
        if last and last.week_end >= today:
            return None
        week_start, week_end = week_of(today)
        if last and last.week_end >= week_start:
            week_start = last.week_end + timedelta(days=1)
        return week_start, week_end

    @api.model
    def _collection_send_due(self, company, today):
        """Send the report of ``company`` if ``today`` is its day and it is not sent."""
        week = self._collection_week_due(company, today)
        if not week:
            return self.browse()
        report = self.sudo().create(
            {"company_id": company.id, "week_start": week[0], "week_end": week[1]}
        )
        report._collection_send()
        return report

    @api.model
    def _collection_recipients(self, company):
        """The company's collection managers and the users chosen in its settings,
        active internal users of the company."""
        managers = self.env.ref("collection_management.group_collection_manager").sudo().users
        users = managers | company.sudo().collection_weekly_report_user_ids
        return users.filtered(
            lambda user: user.active and not user.share and company in user.company_ids
        ).sorted("id")

    def _collection_send(self):
        """Compute the figures, make the workbook in each recipient's language and queue
        one email per recipient with their own acknowledgement link."""
        self.ensure_one()
        report = self.sudo().with_company(self.company_id)
        report = report.with_context(allowed_company_ids=self.company_id.ids)
        company = report.company_id
        report.write(WeeklyData(report.env, company, self.week_start, self.week_end).summary())
        recipients = self._collection_recipients(company)
        acknowledgements = report.env["collection.weekly.report.acknowledgement"].create(
            [{"report_id": report.id, "user_id": user.id} for user in recipients]
        )
        # the company's language first: its workbook is the one kept on the report
        langs = [report._collection_lang()] + [report._collection_lang(u) for u in recipients]
        workbooks = {lang: report._collection_attachment(lang) for lang in dict.fromkeys(langs)}
        report.write(
            {
                "recipient_ids": [Command.set(recipients.ids)],
                "attachment_id": workbooks[langs[0]].id,
                "sent_date": fields.Datetime.now(),
            }
        )
        mails = []
        for acknowledgement in acknowledgements:
            user = acknowledgement.user_id
            if not user.email:
                _logger.info("Weekly report %s: %s has no email address", report.id, user.login)
                continue
            lang = report._collection_lang(user)
            mails.append(report._collection_mail_values(acknowledgement, workbooks[lang], lang))
        return report.env["mail.mail"].create(mails)

    def _collection_lang(self, user=None):
        """The language of ``user`` (by default the company's)."""
        return (user and user.lang) or self.company_id.partner_id.lang or "en_US"

    def _collection_workbook(self, lang):
        """The ``.xlsx`` content of the report in ``lang``."""
        env = self.with_context(lang=lang).env
        company = self.company_id.with_env(env)
        data = WeeklyData(env, company, self.week_start, self.week_end)
        options = ReportOptions(companies=company, date=self.week_end, collectors=env["res.users"])
        workbook = CollectionWorkbook()
        WeeklyReport(env, options, [data]).render(workbook)
        return workbook.close()

    def _collection_filename(self, lang):
        return self.with_context(lang=lang).env._(
            "Weekly collection report %(company)s %(start)s - %(end)s.xlsx",
            company=self.company_id.name,
            start=fields.Date.to_string(self.week_start),
            end=fields.Date.to_string(self.week_end),
        )

    def _collection_attachment(self, lang):
        return self.env["ir.attachment"].create(
            {
                "name": self._collection_filename(lang),
                "raw": self._collection_workbook(lang),
                "mimetype": XLSX_MIMETYPE,
                "res_model": self._name,
                "res_id": self.id,
            }
        )

    def _collection_mail_values(self, acknowledgement, attachment, lang):
        """The email of one recipient, rendered in their language."""
        report = self.with_context(lang=lang)
        currency = report.company_id.currency_id
        change = report.amount_overdue_change
        body = report.env["ir.qweb"]._render(
            "collection_management.collection_weekly_report_mail",
            {
                "report": report,
                "user": acknowledgement.user_id,
                "overdue": currency.format(report.amount_overdue),
                "change": ("+" if currency.compare_amounts(change, 0) > 0 else "")
                + currency.format(change),
                "collected": currency.format(report.amount_collected),
                "promised": currency.format(report.promise_due_amount),
                "acknowledge_url": acknowledgement._collection_url(),
                "report_url": f"{report.get_base_url()}/odoo/action-{REPORT_ACTION}/{report.id}",
                "week_start": fields.Date.to_string(report.week_start),
                "week_end": fields.Date.to_string(report.week_end),
            },
        )
        return {
            "subject": report.env._(
                "Weekly collection report: %(company)s, %(start)s – %(end)s",
                company=report.company_id.name,
                start=fields.Date.to_string(report.week_start),
                end=fields.Date.to_string(report.week_end),
            ),
            "body_html": body,
            "email_from": report.company_id.email_formatted or self.env.user.email_formatted,
            "recipient_ids": [Command.link(acknowledgement.user_id.partner_id.id)],
            "attachment_ids": [Command.link(attachment.id)],
            "model": self._name,
            "res_id": self.id,
            "auto_delete": False,
        }

    @api.model
    def _collection_demo_report(self, company):
        """Demo story: the company's last weekly report, sent on its day and
        acknowledged by the administrator (or, without them, its first recipient)."""
        today = fields.Date.context_today(self)
        day = int(company.collection_weekly_report_day or 4)
        report = self._collection_send_due(
            company, today - timedelta(days=(today.weekday() - day) % 7)
        )
        admin = self.env.ref("base.user_admin", raise_if_not_found=False)
        acknowledgements = report.acknowledgement_ids
        acknowledger = acknowledgements.filtered(lambda ack: ack.user_id == admin)
        (acknowledger or acknowledgements[:1])._collection_acknowledge()
        return report

    # ------------------------------------------------------------------ jobs
    @api.model
    def _cron_collection_weekly_report(self):
        """Daily: each company whose report day is today gets its report, once."""
        today = fields.Date.context_today(self)
        companies = (
            self.env["res.company"]
            .sudo()
            .search([("collection_weekly_report_day", "=", str(today.weekday()))], order="id")
        )
        self.env["collection.job"]._collection_isolated(
            _("Collections: weekly report"),
            companies,
            lambda company: self._collection_send_due(company, today),
        )
