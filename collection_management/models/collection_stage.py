from odoo import api, fields, models


class CollectionStage(models.Model):
    _name = "collection.stage"
    _inherit = ["collection.stage.mixin"]
    _description = "Case Stage"
    _collection_case_field = "stage_id"

    is_closed = fields.Boolean(
        string="Closing stage",
        help="Cases in this stage are finished: closed or returned to sales.",
    )
    kind = fields.Selection(
        [
            ("new", "New"),
            ("assigned", "Assigned"),
            ("progress", "In progress"),
            ("promised", "Promised"),
            ("legal", "Legal"),
            ("closed", "Closed"),
            ("returned", "Returned"),
        ],
        help="What the automatic moves of cases (assignment, contact, promise, legal "
        "escalation, closing) use this stage for. Leave empty for a stage you move cases "
        "to by hand.",
    )

    @api.model
    def _collection_stage(self, kind):
        """The first stage of ``kind`` (the automatic moves go there)."""
        return self.search([("kind", "=", kind)], limit=1)
