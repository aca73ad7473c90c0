"""Lost contact (失联): the customer can no longer be reached at the details we have.

The flag is set by hand, or by the contact log when two wrong contacts follow each other
with no reached contact in between (unanswered calls do not count either way). Setting it
gives the collector tracing tasks; the next reached contact lifts it and closes them."""

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools.translate import LazyTranslate

_lt = LazyTranslate(__name__)

# outcomes of a contact that did not reach the customer; every other outcome, including
# those added later, is a reached contact
NOT_REACHED_OUTCOMES = frozenset({"no_answer", "wrong_contact"})
# wrong contacts in a row (no reached contact in between) that mean the contact is lost
WRONG_CONTACTS_LOST = 2
LOST_CONTACT_POINTS = 10

TRACING_TASKS = (
    (
        _lt("Tracing: business registry"),
        _lt(
            "Look the customer up in the business registry: registered address, legal "
            "representative, phone and email of the latest annual report."
        ),
    ),
    (
        _lt("Tracing: sales person and other contacts"),
        _lt(
            "Ask the sales person and the customer's other known contacts (shareholders, "
            "guarantors, business partners) for new contact details."
        ),
    ),
    (
        _lt("Tracing: court and enforcement records"),
        _lt(
            "Search court judgments and enforcement records for the customer's current "
            "addresses and other creditors."
        ),
    ),
)
RESTORED_FEEDBACK_HAND = _lt("Contact restored by hand.")
RESTORED_FEEDBACK_LOG = _lt("Customer reached.")


class CollectionCase(models.Model):
    _inherit = "collection.case"

    lost_contact = fields.Boolean(
        copy=False,
        help="The customer cannot be reached at the known details (失联): set by hand, or "
        "after two wrong contacts in a row; the next reached contact lifts it.",
    )
    lost_contact_date = fields.Date(string="Lost contact since", copy=False, readonly=True)
    # wrong contacts count from the contact after this one: the contact was restored by
    # hand when it was the latest of the log
    lost_contact_restored_log_id = fields.Many2one(
        "collection.interaction", copy=False, readonly=True, ondelete="set null"
    )

    # the score (collection_case_score.py): a lost customer must be traced before
    # anything else can be done
    @api.depends("lost_contact")
    def _compute_priority_score(self):
        return super()._compute_priority_score()

    @api.depends("lost_contact")
    @api.depends_context("lang")
    def _compute_priority_reasons(self):
        return super()._compute_priority_reasons()

    def write(self, vals):
        if self.env.context.get("collection_lost_contact_auto"):
            return super().write(vals)
        if {"lost_contact_date", "lost_contact_restored_log_id"} & set(vals) and not self.env.su:
            raise UserError(_("The date of a lost contact is recorded by Odoo."))
        if "lost_contact" not in vals:
            return super().write(vals)
        flag = bool(vals["lost_contact"])
        changed = self.filtered(lambda c: c.lost_contact != flag)
        res = super().write(vals)
        changed._collection_lost_contact_changed(flag, by_hand=True)
        return res

    def _collection_score_parts(self, today):
        parts = super()._collection_score_parts(today)
        if self.lost_contact:
            parts.append((LOST_CONTACT_POINTS, self.env._("lost contact: trace the customer")))
        return parts

    def action_new_contact_details(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("New contact details"),
            "res_model": "collection.contact.details",
            "view_mode": "form",
            "target": "new",
            "context": {"default_case_id": self.id},
        }

    def _collection_update_lost_contact(self, interactions):
        """After ``interactions`` were logged: lift the flag of the cases whose latest
        contact reached the customer; set it on those where one of them made too many
        wrong contacts in a row."""
        for case in self:
            logged = interactions.filtered(lambda i, c=case: i.case_id == c)
            since = case._collection_contacts_since_reached()
            reaching = logged.filtered(lambda i: i.outcome not in NOT_REACHED_OUTCOMES)
            if case.lost_contact and not since and reaching:
                case._collection_set_lost_contact(False, reaching.sorted("date")[-1])
            elif not case.lost_contact and logged.filtered(lambda i: i.outcome == "wrong_contact"):
                restored = case.lost_contact_restored_log_id.id or 0
                wrong = since.filtered(
                    lambda i, r=restored: i.outcome == "wrong_contact" and i.id > r
                )
                if len(wrong) >= WRONG_CONTACTS_LOST:
                    case._collection_set_lost_contact(True, wrong[-1])

    def _collection_contacts_since_reached(self):
        """The contacts logged after the latest one that reached the customer (all of
        them when none did), oldest first."""
        self.ensure_one()
        log = self.interaction_ids.sorted(lambda i: (i.date, i.id))
        reached = log.filtered(lambda i: i.outcome not in NOT_REACHED_OUTCOMES)[-1:]
        if not reached:
            return log
        return log.filtered(lambda i: (i.date, i.id) > (reached.date, reached.id))

    def _collection_set_lost_contact(self, flag, interaction):
        """Set or lift the flag because of the contact ``interaction``."""
        # the process sets and lifts the flag for whoever logged the contact, whose
        # right to work the case the contact log checked
        self.sudo().with_context(collection_lost_contact_auto=True).write({"lost_contact": flag})
        self._collection_lost_contact_changed(flag, by_hand=False, interaction=interaction)

    def _collection_lost_contact_changed(self, flag, by_hand, interaction=None):
        today = fields.Date.context_today(self)
        for case in self:
            latest = case.interaction_ids.sorted(lambda i: (i.date, i.id))[-1:]
            case.sudo().with_context(collection_lost_contact_auto=True).write(
                {
                    "lost_contact_date": flag and today,
                    # contact restored by hand: earlier wrong contacts no longer count
                    "lost_contact_restored_log_id": (not flag and by_hand and latest.id)
                    or case.lost_contact_restored_log_id.id,
                }
            )
            if flag:
                tracer = case._collection_start_tracing()
            else:
                tracer = case._collection_stop_tracing(by_hand)
            text = case._collection_text(
                lambda c, t=tracer: c._collection_lost_contact_message(
                    flag, by_hand, t, interaction
                )
            )
            case.message_post(body=Markup("<p>%s</p>") % text, subtype_xmlid="mail.mt_note")

    def _collection_tracer(self):
        """Who traces the customer: whoever works the case, else the user who found the
        contact lost, else (a customer's own message on the portal) a manager."""
        self.ensure_one()
        worker = (self.legal_stage_id and self.legal_user_id) or self.collector_id
        if worker:
            return worker
        if not self.env.user.share and not self.env.user._is_public():
            return self.env.user
        return self.env["collection.portal"]._collection_manager(self.company_id)

    def _collection_start_tracing(self):
        """Tracing tasks for whoever works the case, in their language."""
        self.ensure_one()
        tracing = self.env.ref("collection_management.mail_activity_type_collection_tracing")
        tracer = self._collection_tracer()
        today = fields.Date.context_today(self)
        for summary, note in TRACING_TASKS:
            self.sudo().activity_schedule(
                activity_type_id=tracing.id,
                date_deadline=today,
                summary=self._collection_text(summary, lang=tracer.lang),
                note=self._collection_text(note, lang=tracer.lang),
                user_id=tracer.id,
            )
        return tracer

    def _collection_stop_tracing(self, by_hand):
        self.ensure_one()
        tracing = self.env.ref("collection_management.mail_activity_type_collection_tracing")
        activities = self.activity_ids.filtered(lambda a: a.activity_type_id == tracing)
        tracer = activities.user_id[:1] or self._collection_tracer()
        feedback = RESTORED_FEEDBACK_HAND if by_hand else RESTORED_FEEDBACK_LOG
        activities.sudo().action_feedback(
            feedback=self._collection_text(feedback, lang=tracer.lang)
        )
        return tracer

    def _collection_lost_contact_message(self, flag, by_hand, tracer, interaction=None):
        """The chatter note of the flag set (``flag``) or lifted, by hand or because of
        the contact ``interaction``, in the context's language."""
        user, tracer = self.env.user.name, tracer.name
        if flag and by_hand:
            return self.env._(
                "Contact lost, as marked by %(user)s: tracing tasks given to %(tracer)s.",
                user=user,
                tracer=tracer,
            )
        if flag:
            return self.env._(
                "Contact lost: two wrong contacts in a row, with no reached contact in "
                "between. Tracing tasks given to %(tracer)s.",
                tracer=tracer,
            )
        if by_hand:
            return self.env._(
                "Contact restored, as marked by %(user)s: tracing tasks closed.", user=user
            )
        return self.env._(
            "Contact restored: the customer was reached (%(contact)s, logged by %(user)s). "
            "Tracing tasks closed.",
            contact=interaction.with_env(self.env).display_name,
            user=interaction.user_id.name,
        )
