from odoo import _, api, fields, models
from odoo.exceptions import UserError


class CollectionPromise(models.Model):
    _inherit = "collection.promise"

    source = fields.Selection(
        [("collector", "Collector"), ("portal", "Customer portal")],
        required=True,
        default="collector",
        readonly=True,
        help="Who recorded the promise: a collector, or the customer on their collection page.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            vals_list = [{**vals, "source": "collector"} for vals in vals_list]
        return super().create(vals_list)

    def write(self, vals):
        if "source" in vals and not self.env.su:
            raise UserError(_("Who recorded a promise to pay is set by Odoo."))
        return super().write(vals)
