from odoo import _, fields, models
from odoo.exceptions import UserError


class CollectionLimitationEvent(models.TransientModel):
    _name = "collection.limitation.event"
    _description = "Interruption of the Limitation Period"

    case_id = fields.Many2one("collection.case", required=True)
    kind = fields.Selection(
        [
            ("demand", "Demand to the debtor"),
            ("acknowledgement", "Acknowledgement by the debtor"),
        ],
        required=True,
        default="demand",
    )
    date = fields.Date(required=True, default=fields.Date.context_today)
    note = fields.Text(help="What was sent or received, and how it can be proved.")

    def action_record(self):
        self.ensure_one()
        if not self.env.user.has_group("collection_management.group_collection_legal"):
            raise UserError(_("Only a legal officer or a manager records interruptions."))
        if self.date > fields.Date.context_today(self):
            raise UserError(_("An interruption cannot be recorded in the future."))
        self.case_id._collection_record_interruption(self.kind, self.date, self.note)
        return {"type": "ir.actions.act_window_close"}
