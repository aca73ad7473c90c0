from odoo import _, fields, models
from odoo.exceptions import UserError


class CollectionCaseClose(models.TransientModel):
    _name = "collection.case.close"
    _inherit = ["collection.case.wizard"]
    _description = "Close Collection Cases"

    close_reason = fields.Selection(
        [
            ("settled", "Settled"),
            ("written_off", "Written off"),
            ("returned", "Returned to sales"),
        ],
        required=True,
        default="settled",
    )
    note = fields.Text(required=True, help="Why the case closes: agreement, decision, ...")

    def action_close(self):
        self.ensure_one()
        if not self.env.user.has_group("collection_management.group_collection_manager"):
            raise UserError(_("Only a collection manager can close a case by hand."))
        cases = self.case_ids.filtered(lambda c: not c.is_closed)
        if not cases:
            raise UserError(_("These cases are closed already."))
        cases._collection_close(self.close_reason, self.note)
        label = dict(self._fields["close_reason"]._description_selection(self.env))[
            self.close_reason
        ]
        for case in cases:
            case.message_post(
                body=_(
                    "Case closed (%(reason)s) by %(user)s: %(note)s",
                    reason=label,
                    user=self.env.user.name,
                    note=self.note,
                )
            )
        return {"type": "ir.actions.act_window_close"}
