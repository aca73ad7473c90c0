from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools.translate import LazyTranslate

_lt = LazyTranslate(__name__)


class CollectionInteraction(models.Model):
    _name = "collection.interaction"
    _inherit = ["collection.case.record.mixin"]
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
            ("portal", "Customer portal"),
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
            ("acknowledged", "Acknowledged the balance"),
            ("message", "Wrote to us"),
            ("other", "Other"),
        ],
        required=True,
        default="reached",
    )
    note = fields.Text()
    contact_phone = fields.Char(
        string="Phone",
        compute="_compute_contact_details",
        help="Phone of the contact person, else of the customer.",
    )
    contact_email = fields.Char(
        string="Email",
        compute="_compute_contact_details",
        help="Email of the contact person, else of the customer.",
    )
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

    @api.depends(
        "contact_id.phone",
        "contact_id.mobile",
        "contact_id.email",
        "partner_id.phone",
        "partner_id.mobile",
        "partner_id.email",
    )
    def _compute_contact_details(self):
        for interaction in self:
            people = [interaction.contact_id, interaction.partner_id]
            interaction.contact_phone = next(
                (p.phone or p.mobile for p in people if p and (p.phone or p.mobile)), False
            )
            interaction.contact_email = next((p.email for p in people if p and p.email), False)

    @api.constrains("outcome", "promise_amount", "promise_date", "case_id")
    def _check_promise(self):
        for interaction in self.filtered(lambda i: i.outcome == "promise"):
            if not (interaction.promise_amount and interaction.promise_date):
                raise ValidationError(_("A promise to pay needs the promised amount and date."))
            if not interaction.case_id:
                raise ValidationError(
                    _(
                        "A promise to pay is recorded on a collection case: log the contact "
                        "on the customer's case."
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        interactions = super().create(vals_list)
        interactions._collection_apply()
        return interactions

    def write(self, vals):
        if "promise_id" in vals and not self.env.su:
            raise UserError(
                _("The promise of a contact is set by Odoo when the contact is logged.")
            )
        promise_fields = {"case_id", "partner_id", "company_id", "outcome", "promise_amount"}
        if (promise_fields | {"promise_date"}) & set(vals) and self.filtered("promise_id"):
            raise UserError(
                _(
                    "The case, outcome, amount and date of a promise recorded from this contact "
                    "cannot change: change or cancel the promise itself."
                )
            )
        return super().write(vals)

    def _collection_apply(self):
        """What logging a contact does to its case: promise, next action, stage, chatter."""
        # a contact logged with its promises already made (the customer's instalments
        # on the portal) creates none
        with_promise = self.filtered(lambda i: i.outcome == "promise" and not i.promise_id)
        # created with the rights of the user, who must be able to work the case
        promises = self.env["collection.promise"].create(
            [
                {
                    "case_id": interaction.case_id.id,
                    "amount": interaction.promise_amount,
                    "date_promised": interaction.promise_date,
                }
                for interaction in with_promise
            ]
        )
        for interaction, promise in zip(with_promise, promises, strict=True):
            promise.sudo().interaction_id = interaction
            interaction.sudo().promise_id = promise
        cases = self.case_id
        cases._collection_move_to("progress", only_from=("new", "assigned"))
        for interaction in self.filtered("case_id"):
            case = interaction.case_id
            if interaction.next_action_date:
                case.next_action_date = interaction.next_action_date
                assignee = case.collector_id or interaction.user_id
                case.activity_schedule(
                    "mail.mail_activity_data_todo",
                    date_deadline=interaction.next_action_date,
                    # in the language of whoever does it, not of who logged the call
                    summary=case._collection_text(
                        _lt("Next collection action"), lang=assignee.lang
                    ),
                    note=interaction.note or "",
                    user_id=assignee.id,
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
