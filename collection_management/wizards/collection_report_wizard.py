import base64

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..report.collection_xlsx import CollectionWorkbook, ReportOptions
from ..report.xlsx_aging import AgingReport
from ..report.xlsx_cases import CaseRegisterReport
from ..report.xlsx_collector import CollectorReport
from ..report.xlsx_overdue_list import OverdueListReport
from ..report.xlsx_weekly import WeeklyReport

# the report written for each report type
REPORTS = {
    "aging": AgingReport,
    "collector": CollectorReport,
    "cases": CaseRegisterReport,
    "overdue_list": OverdueListReport,
    "weekly": WeeklyReport,
}


class CollectionReportWizard(models.TransientModel):
    _name = "collection.report.wizard"
    _description = "Collection Excel Reports"

    report_type = fields.Selection(
        [
            ("aging", "Aged receivables"),
            ("collector", "Collector performance"),
            ("cases", "Case register"),
            ("overdue_list", "Weekly overdue list"),
            ("weekly", "Weekly report (week ending on the date)"),
        ],
        required=True,
        default="aging",
    )
    date = fields.Date(
        string="As of",
        required=True,
        default=fields.Date.context_today,
        help="Aging as it was on this date (later payments ignored); end of the period "
        "of the collector report.",
    )
    date_from = fields.Date(
        string="From",
        default=lambda self: fields.Date.context_today(self).replace(day=1),
        help="Start of the period of the collector report.",
    )
    company_ids = fields.Many2many(
        "res.company",
        string="Companies",
        required=True,
        default=lambda self: self.env.company,
        domain=lambda self: [("id", "in", self.env.user.company_ids.ids)],
    )
    collector_ids = fields.Many2many(
        "res.users",
        string="Collectors",
        domain="[('share', '=', False)]",
        help="Leave empty for every collector.",
    )
    file = fields.Binary(readonly=True, attachment=False)
    filename = fields.Char(readonly=True)

    @api.constrains("date", "date_from", "report_type")
    def _check_dates(self):
        today = fields.Date.context_today(self)
        for wizard in self:
            if wizard.date > today:
                raise ValidationError(
                    _(
                        "A report cannot be dated after today (%(today)s).",
                        today=fields.Date.to_string(today),
                    )
                )
            if wizard.report_type == "collector" and (
                not wizard.date_from or wizard.date_from > wizard.date
            ):
                raise ValidationError(
                    _("The period of the collector report must start before it ends.")
                )

    @api.constrains("company_ids", "collector_ids")
    def _check_companies(self):
        for wizard in self:
            if not wizard.company_ids:
                raise ValidationError(_("Choose at least one company to export."))
            foreign = wizard.company_ids - self.env.user.company_ids
            if foreign:
                raise ValidationError(
                    _(
                        "You do not work for %(companies)s: you cannot export its collections.",
                        companies=", ".join(foreign.sudo().mapped("name")),
                    )
                )
            collectors = wizard.sudo().collector_ids
            if any(collectors.mapped("share")):
                raise ValidationError(_("Collectors are internal users."))
            strangers = collectors.filtered(lambda u, w=wizard: not u.company_ids & w.company_ids)
            if strangers:
                raise ValidationError(
                    _(
                        "These collectors work for none of the companies chosen: %(collectors)s.",
                        collectors=", ".join(strangers.mapped("name")),
                    )
                )

    # ------------------------------------------------------------------ action
    def action_export(self):
        self.ensure_one()
        if not self.env.user.has_group("collection_management.group_collection_manager"):
            raise UserError(_("Only a collection manager exports collection reports."))
        self._check_dates()
        self._check_companies()
        workbook = CollectionWorkbook()
        REPORTS[self.report_type](*self._report_scope()).render(workbook)
        labels = dict(self._fields["report_type"]._description_selection(self.env))
        self.write(
            {
                "file": base64.b64encode(workbook.close()),
                "filename": "%s %s.xlsx"
                % (labels[self.report_type], fields.Date.to_string(self.date)),
            }
        )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/?model={self._name}&id={self.id}&field=file"
            "&filename_field=filename&download=true",
            "target": "self",
        }

    def _report_scope(self):
        """Environment and options of the report: the companies chosen are the ones
        exported, whatever the company switcher shows."""
        env = self.with_context(allowed_company_ids=self.company_ids.ids).env
        options = ReportOptions(
            companies=self.company_ids.with_env(env),
            date=self.date,
            date_from=self.date_from if self.report_type == "collector" else None,
            collectors=self.collector_ids.with_env(env),
        )
        return env, options
