from odoo import _, api, fields, models
from odoo.exceptions import UserError


class CollectionDisputeReason(models.Model):
    _name = "collection.dispute.reason"
    _inherit = ["collection.values.mixin"]
    _collection_named = True
    _description = "Dispute Reason"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    description = fields.Text(translate=True)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_in_use(self):
        # deleting would empty the reason of its invoices (set null) and so end their
        # disputes without anybody deciding it: reminders would resume
        groups = (
            self.env["account.move"]
            .sudo()
            ._read_group(
                [("collection_dispute_reason_id", "in", self.ids)],
                ["collection_dispute_reason_id"],
                ["__count"],
            )
        )
        if groups:
            reason, count = groups[0]
            raise UserError(
                _(
                    "The dispute reason %(reason)s is used by %(count)s invoice(s); deleting "
                    "it would end their disputes. Please archive it instead: the disputes "
                    "keep it and it is no longer offered.",
                    reason=reason.name,
                    count=count,
                )
            )
