from odoo import fields, models


class CollectionLegalRequest(models.TransientModel):
    _name = "collection.legal.request"
    _inherit = ["collection.case.wizard"]
    _description = "Propose Cases for Legal Action"

    note = fields.Text(string="Reason", required=True)

    def action_request(self):
        self.ensure_one()
        self.case_ids._collection_request_legal(self.note)
        return {"type": "ir.actions.act_window_close"}
