from odoo import _, api, fields, models
from odoo.exceptions import UserError


class CollectionLegalStage(models.Model):
    _name = "collection.legal.stage"
    _description = "Legal Stage"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    fold = fields.Boolean(help="Folded in the legal kanban.")
    is_closed = fields.Boolean(
        string="Concluding stage", help="The legal action is over in this stage."
    )
    is_demand = fields.Boolean(
        string="Records a demand",
        help="Moving a case into this stage records a demand that interrupts the "
        "limitation period (demand letter, lawyer's letter, lawsuit).",
    )
    description = fields.Text(translate=True)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_used(self):
        if (
            self.env["collection.case"]
            .with_context(active_test=False)
            .search_count([("legal_stage_id", "in", self.ids)], limit=1)
        ):
            raise UserError(_("A legal stage that still holds cases cannot be deleted."))
