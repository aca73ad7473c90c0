from odoo import _, fields, models
from odoo.exceptions import UserError


class CollectionCaseReassign(models.TransientModel):
    _name = "collection.case.reassign"
    _inherit = ["collection.case.wizard"]
    _description = "Reassign Collection Cases"

    collector_id = fields.Many2one(
        "res.users",
        string="New collector",
        domain="[('share', '=', False)]",
        help="Leave empty to hand the cases back to the assignment rules.",
    )

    def action_reassign(self):
        self.ensure_one()
        if not self.env.user.has_group("collection_management.group_collection_manager"):
            raise UserError(_("Only a collection manager can reassign cases."))
        cases = self.case_ids.filtered(lambda c: not c.is_closed)
        if not cases:
            raise UserError(_("Closed cases cannot be reassigned."))
        if self.collector_id:
            foreign = cases.filtered(lambda c: c.company_id not in self.collector_id.company_ids)
            if foreign:
                raise UserError(
                    _(
                        "%(user)s has no access to the company of %(cases)s.",
                        user=self.collector_id.name,
                        cases=", ".join(foreign.mapped("name")),
                    )
                )
            cases.write({"collector_id": self.collector_id.id})
        else:
            cases.write({"collector_id": False})
            cases._collection_assign()
        return {"type": "ir.actions.act_window_close"}
