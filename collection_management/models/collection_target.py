from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class CollectionTarget(models.Model):
    _name = "collection.target"
    _description = "Collection Target"
    _order = "month desc, collector_id"
    _check_company_auto = True

    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    collector_id = fields.Many2one(
        "res.users",
        required=True,
        index=True,
        domain="[('share', '=', False), ('company_ids', 'in', company_id)]",
    )
    month = fields.Date(
        required=True,
        default=lambda self: fields.Date.context_today(self).replace(day=1),
        help="Any day of the month; stored as the first day.",
    )
    amount = fields.Monetary(string="Target", required=True, aggregator="sum")
    amount_recovered = fields.Monetary(
        string="Recovered", compute="_compute_achievement", aggregator="sum"
    )
    achievement = fields.Float(string="Achievement (%)", compute="_compute_achievement")

    _sql_constraints = [
        (
            "collector_month_unique",
            "unique(company_id, collector_id, month)",
            "A collector has one target per month and company.",
        ),
    ]

    @api.constrains("amount")
    def _check_amount(self):
        for target in self:
            if target.currency_id.compare_amounts(target.amount, 0) <= 0:
                raise ValidationError(_("A collection target must be a positive amount."))

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("month"):
                vals["month"] = fields.Date.to_date(vals["month"]).replace(day=1)
        return super().create(vals_list)

    def write(self, vals):
        if vals.get("month"):
            vals = {**vals, "month": fields.Date.to_date(vals["month"]).replace(day=1)}
        return super().write(vals)

    @api.depends("amount", "month", "collector_id", "company_id")
    def _compute_achievement(self):
        recovered = {}
        for (company, start), targets in self.grouped(lambda t: (t.company_id, t.month)).items():
            if not start:
                continue
            end = start + relativedelta(months=1, days=-1)
            recovered.update(
                {
                    (company.id, start, user_id): amount
                    for user_id, amount in self.env["collection.snapshot"]
                    ._collection_recovered(company, start, end, targets.collector_id)
                    .items()
                }
            )
        for target in self:
            amount = recovered.get(
                (target.company_id.id, target.month, target.collector_id.id), 0.0
            )
            target.amount_recovered = amount
            target.achievement = 100.0 * amount / target.amount if target.amount else 0.0
