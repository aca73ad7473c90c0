import math

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class CollectionLegalCost(models.Model):
    _name = "collection.legal.cost"
    _inherit = ["collection.values.mixin"]
    _description = "Legal Cost"
    _order = "date desc, id desc"
    _check_company_auto = True

    case_id = fields.Many2one(
        "collection.case", required=True, index=True, ondelete="cascade", check_company=True
    )
    company_id = fields.Many2one(related="case_id.company_id", store=True, index=True)
    company_currency_id = fields.Many2one(related="case_id.currency_id")
    date = fields.Date(required=True, default=fields.Date.context_today)
    description = fields.Char(required=True)
    cost_type = fields.Selection(
        [
            ("court", "Court fees"),
            ("lawyer", "Lawyer's fees"),
            ("preservation", "Asset preservation"),
            ("enforcement", "Enforcement"),
            ("other", "Other"),
        ],
        string="Type",
        default="other",
        required=True,
    )
    amount = fields.Monetary(required=True, currency_field="currency_id")
    currency_id = fields.Many2one(
        "res.currency", required=True, default=lambda self: self.env.company.currency_id
    )
    amount_company = fields.Monetary(
        string="Amount (company currency)",
        compute="_compute_amount_company",
        store=True,
        currency_field="company_currency_id",
        aggregator="sum",
    )
    partner_id = fields.Many2one(
        "res.partner", string="Paid to", help="Lawyer, court or bailiff.", check_company=True
    )

    @api.depends("amount", "currency_id", "date", "case_id.company_id")
    def _compute_amount_company(self):
        for cost in self:
            company = cost.case_id.company_id or self.env.company
            cost.amount_company = cost.currency_id._convert(
                cost.amount, company.currency_id, company, cost.date or fields.Date.today()
            )

    @api.constrains("amount", "description")
    def _check_amount(self):
        for cost in self:
            if not (cost.description or "").strip():
                raise ValidationError(_("A legal cost needs a description."))
            if (
                not math.isfinite(cost.amount)
                or cost.currency_id.compare_amounts(cost.amount, 0) <= 0
            ):
                raise ValidationError(
                    _("A legal cost must be a positive amount (%(cost)s).", cost=cost.description)
                )
