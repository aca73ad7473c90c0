from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError


class CollectionStageMixin(models.AbstractModel):
    """What the pipeline of cases and the legal pipeline share: an ordered, foldable,
    translatable stage that cannot be deleted while cases are in it."""

    _name = "collection.stage.mixin"
    _description = "Stage of a Collection Pipeline"
    _order = "sequence, id"
    # the case field that points to stages of this model
    _collection_case_field = None

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    fold = fields.Boolean(help="Folded in the kanban pipeline.")
    description = fields.Text(translate=True)

    @api.constrains("name")
    def _check_name(self):
        for stage in self:
            if not (stage.name or "").strip():
                raise ValidationError(_("A stage needs a name."))

    @api.ondelete(at_uninstall=False)
    def _unlink_except_used(self):
        cases = self.env["collection.case"].with_context(active_test=False)
        if cases.search_count([(self._collection_case_field, "in", self.ids)], limit=1):
            raise UserError(
                _("Stage %(stage)s still holds cases: move them first.", stage=self[:1].name)
            )
