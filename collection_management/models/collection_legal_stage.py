from odoo import fields, models


class CollectionLegalStage(models.Model):
    _name = "collection.legal.stage"
    _inherit = ["collection.stage.mixin"]
    _description = "Legal Stage"
    _collection_case_field = "legal_stage_id"

    fold = fields.Boolean(help="Folded in the legal kanban.")
    is_closed = fields.Boolean(
        string="Concluding stage", help="The legal action is over in this stage."
    )
    is_demand = fields.Boolean(
        string="Records a demand",
        help="Moving a case into this stage records a demand that interrupts the "
        "limitation period (demand letter, lawyer's letter, lawsuit).",
    )
