from odoo import _, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_datetime


class CollectionVisit(models.Model):
    """A visit reported on: it becomes a contact of the case's log (which records its
    promise to pay by the promise rules) and, with the customer's signed
    acknowledgement, restarts the limitation period of the case as any written
    acknowledgement does. Also what the visit sheet prints."""

    _inherit = "collection.visit"

    def action_done(self):
        for visit in self:
            visit._collection_check_completion()
        for visit in self:
            visit._collection_complete()
        return True

    def _collection_check_completion(self):
        self.ensure_one()
        if self.state != "approved":
            raise UserError(_("Only an approved visit is completed: a manager approves it first."))
        if fields.Datetime.now().date() < self.date_planned.date():
            raise UserError(
                _(
                    "The visit is planned for %(date)s: it is reported once it took place.",
                    date=fields.Date.to_string(self.date_planned.date()),
                )
            )
        if self.case_id.is_closed:
            raise UserError(
                _("Case %(case)s is closed: the visit cannot be logged.", case=self.case_id.name)
            )
        if not self.outcome:
            raise UserError(_("Choose the outcome of the visit."))
        if not (self.report or "").strip():
            raise UserError(_("Write the report of the visit: what was said and agreed."))
        has_promise = self.promise_amount or self.promise_date
        if self.outcome == "promise" and not (self.promise_amount and self.promise_date):
            raise UserError(_("A promise to pay needs the promised amount and date."))
        if self.outcome != "promise" and has_promise:
            raise UserError(
                _("A promised amount or date is recorded with the outcome 'Promise to pay'.")
            )

    def _collection_complete(self):
        """Log the visit on the case (with the rights of the user, who must be able to
        work the case), then record the acknowledgement it brought back."""
        self.ensure_one()
        interaction = self.env["collection.interaction"].create(
            self._collection_interaction_values()
        )
        self._collection_set_state(
            {"state": "done", "date_done": fields.Datetime.now(), "interaction_id": interaction.id}
        )
        if self.acknowledged:
            case = self.case_id
            note = case._collection_text(
                lambda reader: reader.env._(
                    "Signed during the visit of %(date)s (%(file)s).",
                    date=fields.Date.to_string(self.date_planned.date()),
                    file=self.acknowledgement_filename or reader.env._("signed form"),
                )
            )
            case._collection_record_interruption(
                "acknowledgement", fields.Date.context_today(self), note
            )

    def _collection_interaction_values(self):
        self.ensure_one()
        note = self.report.strip()
        if self.met_person:
            met = self.case_id._collection_text(
                lambda reader: reader.env._("Met: %(person)s", person=self.met_person)
            )
            note = f"{met}\n{note}"
        values = {
            "case_id": self.case_id.id,
            "user_id": self.user_id.id,
            "channel": "visit",
            "outcome": self.outcome,
            "note": note,
        }
        if self.outcome == "promise":
            values.update(promise_amount=self.promise_amount, promise_date=self.promise_date)
        return values

    # ------------------------------------------------------------------ visit sheet
    def _collection_sheet_lang(self):
        self.ensure_one()
        return self.partner_id.lang or self.company_id.partner_id.lang or "en_US"

    def _collection_sheet_time(self):
        """When the visit is planned, in the collector's time zone."""
        self.ensure_one()
        return format_datetime(
            self.env,
            self.date_planned,
            tz=self.user_id.tz or self.env.user.tz or "UTC",
            dt_format="yyyy-MM-dd HH:mm",
        )

    def _collection_sheet_people(self):
        self.ensure_one()
        return ", ".join((self.user_id | self.user_ids).mapped("name"))

    def action_view_case(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "collection.case",
            "res_id": self.case_id.id,
            "view_mode": "form",
        }
