from odoo import api, fields, models


class CollectionCase(models.Model):
    """The legal costs of a case in the books: recorded, billed, recharged, recovered."""

    _inherit = "collection.case"

    legal_cost_billed = fields.Monetary(
        string="Costs billed", compute="_compute_legal_cost_books", store=True, aggregator="sum"
    )
    legal_cost_recharged = fields.Monetary(
        string="Costs recharged",
        compute="_compute_legal_cost_books",
        store=True,
        aggregator="sum",
    )
    legal_cost_recovered = fields.Monetary(
        string="Costs recovered",
        compute="_compute_legal_cost_books",
        store=True,
        aggregator="sum",
        help="What the debtor paid of the legal costs re-invoiced to them.",
    )

    @api.depends(
        "legal_cost_ids.amount_billed",
        "legal_cost_ids.amount_recharged",
        "legal_cost_ids.amount_recovered",
    )
    def _compute_legal_cost_books(self):
        for case in self:
            costs = case.legal_cost_ids
            case.legal_cost_billed = sum(costs.mapped("amount_billed"))
            case.legal_cost_recharged = sum(costs.mapped("amount_recharged"))
            case.legal_cost_recovered = sum(costs.mapped("amount_recovered"))
