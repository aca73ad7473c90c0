from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class CollectionInteraction(models.Model):
    _name = "collection.interaction"
    _inherit = ["collection.case.record"]
    _description = "Contact Log Entry"
    _order = "date desc, id desc"

    contact_id = fields.Many2one(
        "res.partner",
        string="Contact person",
        domain="['|', ('id', '=', partner_id), ('parent_id', '=', partner_id)]",
    )
    user_id = fields.Many2one(
        "res.users", string="Collector", required=True, default=lambda self: self.env.user
    )
    date = fields.Datetime(required=True, default=fields.Datetime.now)
    channel = fields.Selection(
        [
            ("call", "Call"),
            ("email", "Email"),
            ("visit", "Visit"),
            ("letter", "Letter"),
            ("sms", "SMS"),
            ("other", "Other"),
        ],
        required=True,
        default="call",
    )
    outcome = fields.Selection(
        [
            ("reached", "Reached"),
            ("no_answer", "No answer"),
            ("promise", "Promise to pay"),
            ("refused", "Refused to pay"),
            ("dispute", "Disputes the debt"),
            ("wrong_contact", "Wrong contact"),
            ("other", "Other"),
        ],
        required=True,
        default="reached",
    )
    note = fields.Text()
    next_action_date = fields.Date(
        help="Schedules the next action of the collector on the case for this date."
    )
    promise_amount = fields.Monetary(
        currency_field="company_currency_id",
        help="With the outcome 'Promise to pay': records the promise.",
    )
    promise_date = fields.Date(
        string="Promised for",
        default=lambda self: fields.Date.context_today(self) + timedelta(days=7),
    )
    company_currency_id = fields.Many2one(related="company_id.currency_id")
    promise_id = fields.Many2one("collection.promise", readonly=True, copy=False)

    @api.depends("channel", "outcome", "date")
    def _compute_display_name(self):
        channels = dict(self._fields["channel"]._description_selection(self.env))
        outcomes = dict(self._fields["outcome"]._description_selection(self.env))
        for interaction in self:
            interaction.display_name = _(
                "%(channel)s: %(outcome)s",
                channel=channels.get(interaction.channel, ""),
                outcome=outcomes.get(interaction.outcome, ""),
            )

    @api.constrains("outcome", "promise_amount", "promise_date")
    def _check_promise(self):
        for interaction in self:
            if interaction.outcome == "promise" and not (
                interaction.promise_amount and interaction.promise_date
            ):
                raise ValidationError(_("A promise to pay needs the promised amount and date."))

    @api.model_create_multi
    def create(self, vals_list):
        interactions = super().create(vals_list)
        interactions._collection_apply()
        return interactions

    def _collection_apply(self):
        """What logging a contact does to its case: promise, next action, stage, chatter."""
        promises = self.env["collection.promise"].create(
            [
                {
                    "case_id": interaction.case_id.id,
                    "partner_id": interaction.partner_id.id,
                    "company_id": interaction.company_id.id,
                    "amount": interaction.promise_amount,
                    "date_promised": interaction.promise_date,
                    "interaction_id": interaction.id,
                }
                for interaction in self
                if interaction.outcome == "promise"
            ]
        )
        for promise in promises:
            promise.interaction_id.promise_id = promise
        cases = self.case_id
        cases._collection_move_to("progress", only_from=("new", "assigned"))
        for interaction in self.filtered("case_id"):
            case = interaction.case_id
            if interaction.next_action_date:
                case.next_action_date = interaction.next_action_date
                case.activity_schedule(
                    "mail.mail_activity_data_todo",
                    date_deadline=interaction.next_action_date,
                    summary=_("Next collection action"),
                    note=interaction.note or "",
                    user_id=(case.collector_id or interaction.user_id).id,
                )
            case.message_post(
                body=_(
                    "%(contact)s by %(user)s%(note)s",
                    contact=interaction.display_name,
                    user=interaction.user_id.name,
                    note=f": {interaction.note}" if interaction.note else "",
                ),
                subtype_xmlid="mail.mt_note",
            )
