from odoo import api, fields, models


class CollectionFollowup(models.Model):
    _name = "collection.followup"
    _description = "Follow-up"
    _inherit = ["mail.thread"]
    _order = "date desc, id desc"
    _check_company_auto = True

    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        ondelete="restrict",
        help="The commercial partner the follow-up is sent to.",
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    level_id = fields.Many2one(
        "collection.level", required=True, index=True, ondelete="restrict", check_company=True
    )
    policy_id = fields.Many2one(related="level_id.policy_id", store=True)
    date = fields.Date(required=True, index=True, default=fields.Date.context_today)
    invoice_ids = fields.Many2many(
        "account.move",
        "collection_followup_invoice_rel",
        "followup_id",
        "move_id",
        string="Invoices",
        check_company=True,
    )
    amount_due = fields.Monetary(currency_field="currency_id", aggregator="sum")
    state = fields.Selection(
        [
            ("draft", "To review"),
            ("done", "Done"),
            ("cancel", "Cancelled"),
            ("failed", "Failed"),
        ],
        default="draft",
        required=True,
        index=True,
        tracking=True,
    )
    channel = fields.Selection(
        [
            ("email", "Email"),
            ("activity", "Activity (call or letter)"),
            ("none", "No message"),
        ],
        default="email",
        required=True,
    )
    mail_id = fields.Many2one("mail.mail", string="Email", ondelete="set null", readonly=True)
    error = fields.Text(readonly=True)

    @api.depends("partner_id", "level_id", "date")
    def _compute_display_name(self):
        for followup in self:
            followup.display_name = " - ".join(
                part
                for part in (
                    followup.partner_id.display_name,
                    followup.level_id.name,
                    followup.date and fields.Date.to_string(followup.date),
                )
                if part
            )
