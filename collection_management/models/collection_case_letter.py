from dateutil.relativedelta import relativedelta

from odoo import _, fields, models
from odoo.exceptions import UserError


class CollectionCase(models.Model):
    """Formal letters of a case (demand letter, lawyer's letter): rendered in the
    customer's language, emailed through the mail queue, kept on the case, and
    recorded as a written demand that restarts the limitation period."""

    _inherit = "collection.case"

    def _collection_letter_invoices(self):
        self.ensure_one()
        return self.invoice_ids.filtered(
            lambda m: not m.currency_id.is_zero(m.amount_residual)
        ).sorted(lambda m: (m.invoice_date_due, m.id))

    def _collection_letter_date(self):
        return fields.Date.to_string(fields.Date.context_today(self))

    def _collection_letter_deadline(self):
        self.ensure_one()
        today = fields.Date.context_today(self)
        return fields.Date.to_string(
            today + relativedelta(days=self.company_id.collection_demand_days)
        )

    def _collection_letter_signer(self):
        """Who answers for the letter, and in which role (in the language of the
        letter): the legal officer once the case is in legal action, else the
        collector."""
        self.ensure_one()
        if self.legal_stage_id and self.legal_user_id:
            field = "legal_user_id"
        elif self.collector_id:
            field = "collector_id"
        elif self.legal_user_id:
            field = "legal_user_id"
        else:
            return self.env.user, ""
        return self[field], self._fields[field]._description_string(self.env)

    def action_send_demand_letter(self):
        return self._collection_send_letter(
            "collection_management.action_report_collection_demand_letter"
        )

    def action_send_lawyer_letter(self):
        return self._collection_send_letter(
            "collection_management.action_report_collection_lawyer_letter"
        )

    def _collection_send_letter(self, report_xmlid):
        """Send the letter to the customer through the mail queue, keep it on the case
        and record the written demand that restarts the limitation period."""
        self.ensure_one()
        if not self.env.user.has_group("collection_management.group_collection_legal"):
            raise UserError(_("Only a legal officer or a manager sends formal letters."))
        if self.is_closed:
            raise UserError(_("The case is closed."))
        if not self._collection_letter_invoices():
            raise UserError(_("The case has nothing due: there is nothing to demand."))
        report = self.env.ref(report_xmlid)
        pdf, _format = self.env["ir.actions.report"]._render_qweb_pdf(report, self.ids)
        attachment = self.env["ir.attachment"].create(
            {
                "name": report._collection_file_name(self, self.partner_id.lang or self.env.lang),
                "raw": pdf,
                "mimetype": "application/pdf",
                "res_model": self._name,
                "res_id": self.id,
            }
        )
        recipients = self.partner_id.filtered("email")
        # the message goes out to the customer with the letter: in the letter's language
        customer_env = self.with_context(lang=self.partner_id.lang or self.env.lang).env
        self.message_post(
            body=customer_env._(
                "%(letter)s sent to %(partner)s: %(amount)s due by %(deadline)s.",
                letter=report.with_env(customer_env).name,
                partner=self.partner_id.display_name,
                amount=self.currency_id.format(self.amount_due),
                deadline=self._collection_letter_deadline(),
            ),
            attachment_ids=attachment.ids,
            partner_ids=recipients.ids,
            subtype_xmlid="mail.mt_comment",
        )
        self._collection_record_interruption("demand", fields.Date.context_today(self))
        return attachment
