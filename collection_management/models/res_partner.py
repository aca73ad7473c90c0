from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    collection_policy_id = fields.Many2one(
        "collection.policy",
        string="Follow-up policy",
        company_dependent=True,
        domain="[('company_id', 'in', (False, current_company_id))]",
        help="Overrides the company's default follow-up policy for this customer.",
    )
    collector_id = fields.Many2one(
        "res.users",
        company_dependent=True,
        domain="[('share', '=', False)]",
        help="Collector in charge of this customer in the current company.",
    )

    collection_credit_hold = fields.Boolean(
        string="Credit hold",
        tracking=True,
        help="On hold: no new deliveries or invoices on credit until the debt is settled.",
    )
    collection_followup_ids = fields.One2many("collection.followup", "partner_id")
    collection_followup_count = fields.Integer(compute="_compute_collection_status")
    collection_amount_overdue = fields.Monetary(
        string="Overdue amount",
        compute="_compute_collection_status",
        currency_field="collection_currency_id",
    )
    collection_currency_id = fields.Many2one("res.currency", compute="_compute_collection_status")
    collection_level_id = fields.Many2one(
        "collection.level",
        string="Current follow-up level",
        compute="_compute_collection_status",
    )
    collection_last_date = fields.Date(
        string="Last follow-up", compute="_compute_collection_status"
    )
    collection_disputed_count = fields.Integer(
        string="Disputed invoices", compute="_compute_collection_status"
    )
    collection_next_action_date = fields.Date(
        string="Next collection action",
        compute="_compute_collection_status",
        help="Deadline of the next activity planned on this customer.",
    )

    def _compute_collection_status(self):
        company = self.env.company
        today = fields.Date.context_today(self)
        partners = self.commercial_partner_id
        open_invoices = [
            ("company_id", "=", company.id),
            ("commercial_partner_id", "in", partners.ids),
            ("move_type", "=", "out_invoice"),
            ("state", "=", "posted"),
            ("payment_state", "in", ("not_paid", "partial")),
        ]
        overdue = dict(
            self.env["account.move"]._read_group(
                [*open_invoices, ("invoice_date_due", "<", today)],
                ["commercial_partner_id"],
                ["amount_residual_signed:sum"],
            )
        )
        followups = {
            partner: (count, last_date)
            for partner, count, last_date in self.env["collection.followup"]._read_group(
                [
                    ("company_id", "=", company.id),
                    ("partner_id", "in", partners.ids),
                    ("state", "!=", "cancel"),
                ],
                ["partner_id"],
                ["__count", "date:max"],
            )
        }
        levels = dict(
            self.env["account.move"]._read_group(
                [*open_invoices, ("collection_level_id", "!=", False)],
                ["commercial_partner_id"],
                ["collection_level_id:recordset"],
            )
        )
        disputed = dict(
            self.env["account.move"]._read_group(
                [*open_invoices, ("collection_dispute_reason_id", "!=", False)],
                ["commercial_partner_id"],
                ["__count"],
            )
        )
        next_actions = dict(
            self.env["mail.activity"]._read_group(
                [("res_model", "=", "res.partner"), ("res_id", "in", partners.ids)],
                ["res_id"],
                ["date_deadline:min"],
            )
        )
        for partner in self:
            commercial = partner.commercial_partner_id
            partner.collection_disputed_count = disputed.get(commercial, 0)
            partner.collection_next_action_date = next_actions.get(commercial.id, False)
            count, last_date = followups.get(commercial, (0, False))
            partner.collection_followup_count = count
            partner.collection_last_date = last_date
            partner.collection_amount_overdue = overdue.get(commercial, 0.0)
            partner.collection_currency_id = company.currency_id
            reached = levels.get(commercial)
            partner.collection_level_id = reached.sorted("delay_days")[-1:] if reached else False

    def _collection_policy(self, company):
        """The follow-up policy that applies to this (commercial) partner in ``company``."""
        self.ensure_one()
        partner = self.with_company(company)
        return partner.collection_policy_id or company.collection_policy_id

    def action_collection_followups(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "collection_management.collection_followup_action"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.commercial_partner_id.id}
        return action

    def action_collection_release_hold(self):
        self.write({"collection_credit_hold": False})
        return True

    def _collection_statement_lines(self, company):
        """Open customer invoices and credit notes of this customer in ``company``."""
        self.ensure_one()
        moves = self.env["account.move"].search(
            [
                ("company_id", "=", company.id),
                ("commercial_partner_id", "=", self.commercial_partner_id.id),
                ("move_type", "in", ("out_invoice", "out_refund")),
                ("state", "=", "posted"),
                ("payment_state", "in", ("not_paid", "partial")),
            ],
            order="invoice_date_due, id",
        )
        overdue = moves.filtered(lambda m: m.collection_days_overdue > 0)
        return {
            "moves": moves,
            "total": sum(moves.mapped("amount_residual_signed")),
            "overdue": sum(overdue.mapped("amount_residual_signed")),
        }
