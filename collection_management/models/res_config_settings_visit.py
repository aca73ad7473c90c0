from odoo import api, fields, models

from .collection_values import check_numbers
from .res_company_visit import PREAPPROVED


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    collection_visit_preapproved_amount = fields.Monetary(
        related="company_id.collection_visit_preapproved_amount", readonly=False
    )

    @api.model_create_multi
    def create(self, vals_list):
        check_numbers(
            self, [{PREAPPROVED: vals[PREAPPROVED]} for vals in vals_list if PREAPPROVED in vals]
        )
        return super().create(vals_list)
