from odoo import api, fields, models


class CollectionCaseWizard(models.AbstractModel):
    """A dialog that acts on the cases selected in a list or opened in a form."""

    _name = "collection.case.wizard"
    _description = "Action on Collection Cases"

    case_ids = fields.Many2many("collection.case", string="Cases", required=True)

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if self.env.context.get("active_model") == "collection.case":
            values["case_ids"] = [fields.Command.set(self.env.context.get("active_ids", []))]
        return values
