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
        for case in cases:
            case.message_post(body=case._collection_text(self._closed_text))
        return {"type": "ir.actions.act_window_close"}

    def _closed_text(self, case):
        """The closing note, in the language of the case's chatter (``case.env``)."""
        labels = dict(self._fields["close_reason"]._description_selection(case.env))
        return case.env._(
            "Case closed (%(reason)s) by %(user)s: %(note)s",
            reason=labels[self.close_reason],
            user=self.env.user.name,
            note=self.note,
        )
