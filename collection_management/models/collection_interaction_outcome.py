from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools.translate import LazyTranslate

_lt = LazyTranslate(__name__)

# outcomes that end talking: the case goes towards legal action
ESCALATING_OUTCOMES = ("refused_to_pay", "deliberate_default")


class CollectionInteraction(models.Model):
    """Outcomes of a contact that call for the managers: a customer who refuses to pay
    or defaults on purpose is proposed for legal action, and the managers and the
    customer's salesperson are told."""

    _inherit = "collection.interaction"

    outcome = fields.Selection(
        selection_add=[
            ("stalling", "Stalling"),
            ("refused_to_pay", "Refuses to pay the debt"),
            ("deliberate_default", "Deliberate default"),
            ("other",),
        ],
        ondelete={
            "stalling": "set default",
            "refused_to_pay": "set default",
            "deliberate_default": "set default",
        },
        help="'Refuses to pay the debt' and 'Deliberate default' propose the case for legal "
        "action and tell the collection managers and the customer's salesperson.",
    )

    @api.constrains("outcome", "case_id")
    def _check_escalating_outcome_case(self):
        for interaction in self:
            if interaction.outcome in ESCALATING_OUTCOMES and not interaction.case_id:
                raise ValidationError(
                    _(
                        "A refusal to pay or a deliberate default proposes legal action on "
                        "a collection case: log the contact on the customer's case."
                    )
                )

    def write(self, vals):
        escalated_before = self.filtered(lambda i: i.outcome in ESCALATING_OUTCOMES)
        result = super().write(vals)
        if vals.get("outcome") in ESCALATING_OUTCOMES:
            (self - escalated_before)._collection_escalate_refusal()
        return result

    def _collection_apply(self):
        result = super()._collection_apply()
        self.filtered(lambda i: i.outcome in ESCALATING_OUTCOMES)._collection_escalate_refusal()
        return result

    def _collection_escalate_refusal(self):
        """Propose each case for legal action once (not when already proposed, in
        legal action or closed), and tell the managers of its company and the
        customer's salesperson, each in their language."""
        for interaction in self.filtered("case_id"):
            case = interaction.case_id
            proposable = not (case.is_closed or case.legal_stage_id or case.legal_request_user_id)
            if proposable:
                reason = case._collection_text(interaction._collection_outcome_text)
                case._collection_request_legal(
                    f"{reason} {interaction.note}" if interaction.note else reason
                )
            interaction._collection_tell_managers(proposed=proposable)
            case._collection_notify_legal(interaction._collection_outcome_text)

    def _collection_outcome_text(self, reader):
        """What was logged, for ``reader`` (the case in a reader's language)."""
        outcomes = dict(self._fields["outcome"]._description_selection(reader.env))
        return reader.env._(
            "%(customer)s: %(outcome)s (contact of %(date)s by %(user)s).",
            customer=self.partner_id.name,
            outcome=outcomes.get(self.outcome, ""),
            date=fields.Date.to_string(fields.Date.to_date(self.date)),
            user=self.user_id.name,
        )

    def _collection_tell_managers(self, proposed):
        """A notification to the managers of the case's company and the customer's
        salesperson in each one's language; an activity for one manager to decide on
        the legal action proposed now."""
        self.ensure_one()
        case = self.case_id
        managers = case._collection_company_managers()
        salesperson = case.partner_id.commercial_partner_id.user_id.filtered(
            lambda u: u.active and not u.share
        )
        for lang, readers in (
            (managers | salesperson)
            .grouped(lambda u: u.lang or case._collection_reader_lang())
            .items()
        ):
            # queued: the collector logging the call does not wait for the mail server
            case.message_notify(
                partner_ids=readers.partner_id.ids,
                force_send=False,
                subject=case._collection_text(_lt("Customer refuses to pay"), lang=lang),
                body=case._collection_text(
                    lambda reader: reader.env._(
                        "%(outcome)s Case %(case)s, %(amount)s due.%(proposal)s",
                        outcome=self._collection_outcome_text(reader),
                        case=reader.name,
                        amount=reader.currency_id.format(reader.amount_due),
                        proposal=(
                            " " + reader.env._("The case is proposed for legal action.")
                            if proposed
                            else ""
                        ),
                    ),
                    lang=lang,
                ),
            )
        decider = managers.sorted(lambda u: (u.company_id != case.company_id, u.id))[:1]
        if proposed and decider:
            case.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=case._collection_text(
                    _lt("Decide on legal action: customer refuses to pay"), lang=decider.lang
                ),
                note=case._collection_text(self._collection_outcome_text, lang=decider.lang),
                user_id=decider.id,
            )
