from odoo import _, models


class MailMail(models.Model):
    _inherit = "mail.mail"

    def _postprocess_sent_message(self, success_pids, failure_reason=False, failure_type=None):
        if failure_type or failure_reason:
            followups = (
                self.env["collection.followup"]
                .sudo()
                .search([("mail_id", "in", self.ids), ("state", "=", "done")])
            )
            types = dict(self._fields["failure_type"]._description_selection(self.env))
            for mail, mail_followups in followups.grouped("mail_id").items():
                # the mail's own reason (the server's answer) says more than its type
                reason = failure_reason or mail.failure_reason
                kind = types.get(failure_type or mail.failure_type, failure_type)
                mail_followups._collection_mark_failed(
                    " - ".join(part for part in (kind, reason) if part) or _("Sending failed.")
                )
        return super()._postprocess_sent_message(
            success_pids, failure_reason=failure_reason, failure_type=failure_type
        )
