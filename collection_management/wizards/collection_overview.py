from markupsafe import Markup, escape

from odoo import _, api, fields, models

TOP_DEBTORS = 10


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
    top_debtors = fields.Html(string="Top debtors", compute="_compute_figures")

    @api.depends("company_id", "date")
    def _compute_display_name(self):
        for overview in self:
            overview.display_name = _(
                "Collections overview: %(company)s, %(date)s",
                company=overview.company_id.name,
                date=fields.Date.to_string(overview.date),
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
            # the month's progress as the daily snapshot stores it: one definition
            overview.target_amount = values["amount_target"]
            overview.recovered_month = values["amount_recovered"]
            overview.target_achievement = (
                100.0 * overview.recovered_month / overview.target_amount
                if overview.target_amount
                else 0.0
            )
            overview.stage_summary = overview._stage_table(open_domain)
            overdue = self.env["collection.case"]._collection_thresholds(company, date)
            top = sorted(overdue.items(), key=lambda item: -item[1][0])[:TOP_DEBTORS]
            overview.top_debtor_ids = self.env["res.partner"].concat(*(p for p, _v in top))
            overview.top_debtors = overview._top_debtor_table(top)

    @api.model
    def action_collection_open(self):
        """Open today's overview of the current company: a saved record, so that the
        form reads its figures (and names itself) instead of showing a new record."""
        overview = self.create({})
        return {
            "type": "ir.actions.act_window",
            "name": overview.display_name,
            "res_model": self._name,
            "res_id": overview.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
        }

    def _top_debtor_table(self, top):
        """The customers owing the most, linked to their form, with the overdue amount
        the ranking uses (``top``: [(partner, (amount, oldest due date))])."""
        currency = self.company_id.currency_id
        risks = dict(
            self.env["res.partner"]._fields["collection_risk"]._description_selection(self.env)
        )
        rows = Markup("").join(
            Markup(
                "<tr><td><a href='/odoo/res.partner/%s'>%s</a></td><td>%s</td>"
                "<td class='text-end'>%s</td><td class='text-end'>%s</td></tr>"
            )
            % (
                partner.id,
                partner.display_name,
                risks.get(partner.collection_risk, ""),
                (self.date - oldest).days,
                currency.format(amount),
            )
            for partner, (amount, oldest) in top
        )
        return Markup(
            "<table class='table table-sm'><thead><tr><th>%s</th><th>%s</th>"
            "<th class='text-end'>%s</th><th class='text-end'>%s</th></tr></thead>"
            "<tbody>%s</tbody></table>"
        ) % (
            escape(_("Customer")),
            escape(_("Risk")),
            escape(_("Days overdue")),
            escape(_("Overdue")),
            rows,
        )

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
