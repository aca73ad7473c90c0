from odoo import api, fields, models


class CollectionLegalRequest(models.TransientModel):
    _name = "collection.legal.request"
    _description = "Propose Cases for Legal Action"

    case_ids = fields.Many2many("collection.case", string="Cases", required=True)
    note = fields.Text(string="Reason", required=True)

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if self.env.context.get("active_model") == "collection.case":
            values["case_ids"] = [fields.Command.set(self.env.context.get("active_ids", []))]
        return values

    def action_request(self):
        self.ensure_one()
        self.case_ids._collection_request_legal(self.note)
        return {"type": "ir.actions.act_window_close"}
