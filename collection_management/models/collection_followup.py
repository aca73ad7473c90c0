from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

# what the run decides and the actions change; users never write them directly
FOLLOWUP_PROCESS_FIELDS = {
    "partner_id",
    "company_id",
    "level_id",
    "date",
    "invoice_ids",
    "amount_due",
    "amount_credit",
    "state",
    "channel",
    "mail_id",
    "case_id",
    "error",
}


class CollectionFollowup(models.Model):
    """One follow-up sent or proposed to one customer at one level on one date: the
    audit log of the automated actions. The run decides them
    (``collection_followup_decision.py``) and executes them
    (``collection_followup_execution.py``); this file holds the record and the actions
    users take on it."""

    _name = "collection.followup"

    _description = "Follow-up"

    _inherit = ["mail.thread"]

    _order = "date desc, id desc"

    _check_company_auto = True

    BATCH_SIZE = 200

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

    amount_credit = fields.Monetary(
        string="Open credits",
        currency_field="currency_id",
        help="Open credit notes and unapplied payments of the customer on that date.",
    )

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

    case_id = fields.Many2one(
        "collection.case",
        groups="collection_management.group_collection_collector",
        index="btree_not_null",
        ondelete="set null",
        readonly=True,
        check_company=True,
    )

    error = fields.Text(readonly=True)

    def init(self):
        # one follow-up per customer, company and day, and one waiting for review per
        # customer and company: two runs at the same time cannot both make it
        self.env.cr.execute(
            SQL(
                """CREATE UNIQUE INDEX IF NOT EXISTS collection_followup_partner_day_unique
                       ON collection_followup (company_id, partner_id, date)
                    WHERE state != 'cancel'"""
            )
        )
        self.env.cr.execute(
            SQL(
                """CREATE UNIQUE INDEX IF NOT EXISTS collection_followup_partner_draft_unique
                       ON collection_followup (company_id, partner_id)
                    WHERE state = 'draft'"""
            )
        )

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            raise UserError(
                _("Follow-ups are made by the follow-up run, not by hand: run the follow-ups.")
            )
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su and set(vals) & FOLLOWUP_PROCESS_FIELDS:
            raise UserError(
                _(
                    "A follow-up changes only through its actions (send, edit and send, "
                    "cancel): its customer, level, invoices, amounts and state are the "
                    "run's."
                )
            )
        return super().write(vals)

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

    def action_send(self):
        """Send the reviewed drafts (or retry failed ones)."""
        self.check_access("write")
        todo = self.filtered(lambda f: f.state in ("draft", "failed"))
        if not todo:
            raise UserError(_("Only follow-ups to review or failed ones can be sent."))
        jobs = self.env["collection.background.run"]
        for company, followups in todo.grouped("company_id").items():
            if len(followups) > company.collection_background_run_threshold:
                today = fields.Date.context_today(self)
                jobs |= jobs._collection_start(
                    "send", company, today, len(followups), followups=followups
                )
                todo -= followups
        todo._collection_send_now()
        return jobs[:1]._collection_action() if jobs else True

    def _collection_send_now(self):
        """Send these reviewed drafts (or retry these failed ones) at once."""
        todo = self.filtered(lambda f: f.state in ("draft", "failed")).sudo()
        retry = todo.filtered(lambda f: f.state == "failed" and f.mail_id)
        # a failed email is queued again as it is: the rest of the level (activities,
        # credit hold, chatter) already happened and must not happen twice
        retry.mail_id.mark_outgoing()
        retry.write({"state": "done", "error": False})
        (todo - retry)._collection_execute()
        return True

    def action_cancel(self):
        self.check_access("write")
        if self.filtered(lambda f: f.state == "done"):
            raise UserError(_("A follow-up that was sent cannot be cancelled."))
        self.sudo().write({"state": "cancel"})
        return True

    def action_edit_and_send(self):
        """Open the email of a follow-up to review in the composer; sending it executes
        the rest of the level (activities, credit hold, escalation)."""
        self.ensure_one()
        if self.state not in ("draft", "failed") or not self.level_id.mail_template_id:
            raise UserError(_("Only a follow-up to review that sends an email can be edited."))
        attachments = self.env["ir.attachment"]
        if self.level_id.attach_statement:
            attachments = self._collection_statement_attachment()
        return {
            "type": "ir.actions.act_window",
            "name": _("Edit and send"),
            "res_model": "mail.compose.message",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_composition_mode": "mass_mail",
                "default_model": self._name,
                "default_res_ids": self.ids,
                "default_template_id": self.level_id.mail_template_id.id,
                "default_attachment_ids": [fields.Command.set(attachments.ids)],
                "collection_followup_ids": self.ids,
            },
        }

    def action_preview(self):
        self.ensure_one()
        if not self.level_id.mail_template_id:
            raise UserError(_("Level %(level)s sends no email.", level=self.level_id.name))
        return {
            "type": "ir.actions.act_window",
            "name": _("Preview"),
            "res_model": "mail.template.preview",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_mail_template_id": self.level_id.mail_template_id.id,
                "default_resource_ref": f"{self._name},{self.id}",
                "default_lang": self.partner_id.lang,
            },
        }

    def _collection_credit_lines(self):
        """Open credit notes and unapplied payments of the customer, for the email."""
        self.ensure_one()
        return self.env["account.move.line"].search(
            [
                ("company_id", "=", self.company_id.id),
                ("partner_id", "child_of", self.partner_id.id),
                ("account_id.account_type", "=", "asset_receivable"),
                ("parent_state", "=", "posted"),
                ("reconciled", "=", False),
                ("amount_residual", "<", 0),
            ],
            order="date, id",
        )

    def _collection_portal_url(self):
        """The link of the customer's collection page for the email: one link per
        customer, reused while it has half of its validity left."""
        self.ensure_one()
        access = self.env["collection.portal.access"]._collection_issue(
            self.partner_id, self.company_id
        )
        return access._collection_url()
