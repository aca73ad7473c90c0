from odoo import models


class MailMail(models.Model):
    _inherit = "mail.mail"

    def _postprocess_sent_message(self, success_pids, failure_reason=False, failure_type=None):
        if failure_type or failure_reason:
            followups = (
                self.env["collection.followup"]
                .sudo()
                .search([("mail_id", "in", self.ids), ("state", "=", "done")])
            )
            followups._collection_mark_failed(failure_reason or failure_type)
        return super()._postprocess_sent_message(
            success_pids, failure_reason=failure_reason, failure_type=failure_type
        )
