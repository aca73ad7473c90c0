from odoo import _, api, fields, models
from odoo.exceptions import UserError


class CollectionStage(models.Model):
    _name = "collection.stage"
    _description = "Case Stage"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    fold = fields.Boolean(help="Folded in the kanban pipeline.")
    is_closed = fields.Boolean(
        string="Closing stage", help="Cases in this stage are finished (结案 / 退案)."
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
    description = fields.Text(translate=True)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_used(self):
        if (
            self.env["collection.case"]
            .with_context(active_test=False)
            .search_count([("stage_id", "in", self.ids)], limit=1)
        ):
            raise UserError(_("A stage that still holds cases cannot be deleted."))

    @api.model
    def _collection_stage(self, kind):
        """The first stage of ``kind`` (the automatic moves go there)."""
        return self.search([("kind", "=", kind)], limit=1)
