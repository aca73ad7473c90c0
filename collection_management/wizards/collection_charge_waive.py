from odoo import fields, models


class CollectionChargeWaive(models.TransientModel):
    _name = "collection.charge.waive"
    _description = "Waive Late Interest or Fees"

    charge_ids = fields.Many2many("collection.charge", string="Charges", readonly=True)
    reason = fields.Text(required=True)

    def action_waive(self):
        self.ensure_one()
        self.charge_ids._collection_waive(self.reason)
        return {"type": "ir.actions.act_window_close"}
