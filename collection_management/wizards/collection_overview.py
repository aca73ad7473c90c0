from markupsafe import Markup, escape

from odoo import _, api, fields, models


class CollectionOverview(models.TransientModel):
    """The collection office at a glance, for managers: receivables, KPIs, cases by
    stage, top debtors and this month's targets, for the current company."""

    _name = "collection.overview"
    _description = "Collections Overview"

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, readonly=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    date = fields.Date(default=fields.Date.context_today, readonly=True)
    amount_open = fields.Monetary(string="Open receivables", compute="_compute_figures")
    amount_overdue = fields.Monetary(string="Overdue", compute="_compute_figures")
    overdue_share = fields.Float(string="Overdue share (%)", compute="_compute_figures")
    dso = fields.Float(string="DSO (days)", compute="_compute_figures")
    cei = fields.Float(string="CEI (%)", compute="_compute_figures")
    recovery_rate = fields.Float(string="Recovery rate (%)", compute="_compute_figures")
    promise_kept_rate = fields.Float(string="Promises kept (%)", compute="_compute_figures")
    case_count = fields.Integer(string="Open cases", compute="_compute_figures")
    legal_count = fields.Integer(string="In legal action", compute="_compute_figures")
    target_amount = fields.Monetary(string="Target this month", compute="_compute_figures")
    recovered_month = fields.Monetary(string="Recovered this month", compute="_compute_figures")
    target_achievement = fields.Float(string="Achievement (%)", compute="_compute_figures")
    stage_summary = fields.Html(string="Cases by stage", compute="_compute_figures")
    top_debtor_ids = fields.Many2many(
        "res.partner", string="Top debtors", compute="_compute_figures"
    )

    @api.depends("company_id", "date")
    def _compute_figures(self):
        snapshot = self.env["collection.snapshot"]
        for overview in self:
            company, date = overview.company_id, overview.date
            values = snapshot._collection_company_values(company, date)[0]
            overview.amount_open = values["amount_open"]
            overview.amount_overdue = values["amount_overdue"]
            overview.overdue_share = (
                100.0 * values["amount_overdue"] / values["amount_open"]
                if values["amount_open"] > 0
                else 0.0
            )
            overview.dso = values["dso"]
            overview.cei = values["cei"]
            overview.recovery_rate = values["recovery_rate"]
            overview.promise_kept_rate = values["promise_kept_rate"]
            cases = self.env["collection.case"]
            open_domain = [("company_id", "=", company.id), ("is_closed", "=", False)]
            overview.case_count = cases.search_count(open_domain)
            overview.legal_count = cases.search_count(
                [*open_domain, ("legal_stage_id", "!=", False)]
            )
            month = date.replace(day=1)
            targets = self.env["collection.target"].search(
                [("company_id", "=", company.id), ("month", "=", month)]
            )
            overview.target_amount = sum(targets.mapped("amount"))
            overview.recovered_month = sum(
                snapshot._collection_recovered(company, month, date).values()
            )
            overview.target_achievement = (
                100.0 * overview.recovered_month / overview.target_amount
                if overview.target_amount
                else 0.0
            )
            overview.stage_summary = overview._stage_table(open_domain)
            overdue = self.env["collection.case"]._collection_thresholds(company, date)
            top = sorted(overdue.items(), key=lambda item: -item[1][0])[:10]
            overview.top_debtor_ids = self.env["res.partner"].concat(*(p for p, _v in top))

    def _stage_table(self, domain):
        groups = self.env["collection.case"]._read_group(
            domain, ["stage_id"], ["__count", "amount_due:sum"]
        )
        currency = self.company_id.currency_id
        rows = Markup("").join(
            Markup("<tr><td>%s</td><td class='text-end'>%s</td><td class='text-end'>%s</td></tr>")
            % (stage.name or _("No stage"), count, currency.format(amount or 0.0))
            for stage, count, amount in sorted(groups, key=lambda g: g[0].sequence)
        )
        return Markup(
            "<table class='table table-sm'><thead><tr><th>%s</th><th class='text-end'>%s</th>"
            "<th class='text-end'>%s</th></tr></thead><tbody>%s</tbody></table>"
        ) % (escape(_("Stage")), escape(_("Cases")), escape(_("Amount due")), rows)
