from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class AccountMove(models.Model):
    _inherit = "account.move"

    collection_level_id = fields.Many2one(
        "collection.level",
        string="Follow-up level",
        copy=False,
        index="btree_not_null",
        readonly=True,
        help="Highest follow-up level this invoice has been part of.",
    )
    collection_last_date = fields.Date(string="Last follow-up", copy=False, readonly=True)
    collection_exclude = fields.Boolean(
        string="Excluded from follow-ups",
        copy=False,
        tracking=True,
        help="No reminder is sent for this invoice.",
    )
    collection_dispute_reason_id = fields.Many2one(
        "collection.dispute.reason",
        string="Dispute",
        copy=False,
        tracking=True,
        help="A disputed invoice is left out of follow-ups until the dispute ends.",
    )
    collection_dispute_user_id = fields.Many2one(
        "res.users", string="Dispute owner", copy=False, tracking=True
    )
    collection_dispute_end_date = fields.Date(
        string="Dispute until",
        copy=False,
        tracking=True,
        help="The dispute releases itself after this date.",
    )
    collection_days_overdue = fields.Integer(
        string="Days overdue",
        compute="_compute_collection_days_overdue",
        help="Days since the due date, for an invoice still due (0 when not overdue).",
    )

    @api.depends("invoice_date_due", "amount_residual", "state")
    @api.depends_context("date")
    def _compute_collection_days_overdue(self):
        today = fields.Date.to_date(self.env.context.get("date")) or fields.Date.context_today(self)
        for move in self:
            overdue = (
                move.is_sale_document(include_receipts=True)
                and move.state == "posted"
                and move.invoice_date_due
                and not move.currency_id.is_zero(move.amount_residual)
            )
            move.collection_days_overdue = (
                max((today - move.invoice_date_due).days, 0) if overdue else 0
            )

    @api.constrains("collection_dispute_reason_id", "collection_dispute_end_date")
    def _check_collection_dispute(self):
        for move in self:
            if move.collection_dispute_end_date and not move.collection_dispute_reason_id:
                raise ValidationError(
                    _(
                        "Invoice %(name)s has a dispute end date but no dispute reason.",
                        name=move.display_name,
                    )
                )

    def action_collection_release_dispute(self):
        self.write(
            {
                "collection_dispute_reason_id": False,
                "collection_dispute_user_id": False,
                "collection_dispute_end_date": False,
            }
        )

    @api.model
    def _cron_collection_release_disputes(self):
        """Disputes whose end date has passed release themselves."""
        expired = self.search(
            [
                ("collection_dispute_reason_id", "!=", False),
                ("collection_dispute_end_date", "<", fields.Date.context_today(self)),
            ]
        )
        for move in expired:
            move.message_post(
                body=_(
                    "The dispute (%(reason)s) ended on %(date)s; follow-ups resume.",
                    reason=move.collection_dispute_reason_id.name,
                    date=move.collection_dispute_end_date,
                )
            )
        expired.action_collection_release_dispute()
        return expired
