from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from .collection_values import check_numbers

PREAPPROVED = "collection_visit_preapproved_amount"


class ResCompany(models.Model):
    _inherit = "res.company"

    collection_visit_preapproved_amount = fields.Monetary(
        string="Visits pre-approved up to",
        currency_field="currency_id",
        help="A visit whose cost estimate is no more than this is approved when it is "
        "submitted, without a manager. Zero: every visit waits for a manager.",
    )

    @api.constrains(PREAPPROVED)
    def _check_collection_visit_preapproved_amount(self):
        for company in self:
            if company.currency_id.compare_amounts(company[PREAPPROVED], 0) < 0:
                raise ValidationError(_("The amount of pre-approved visits cannot be negative."))

    @api.model_create_multi
    def create(self, vals_list):
        check_numbers(
            self, [{PREAPPROVED: vals[PREAPPROVED]} for vals in vals_list if PREAPPROVED in vals]
        )
        return super().create(vals_list)

    def write(self, vals):
        if PREAPPROVED in vals:
            check_numbers(self, [{PREAPPROVED: vals[PREAPPROVED]}])
        return super().write(vals)
