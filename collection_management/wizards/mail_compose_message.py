from odoo import models


class MailComposeMessage(models.TransientModel):
    _inherit = "mail.compose.message"

    def _action_send_mail(self, auto_commit=False):
        mails, messages = super()._action_send_mail(auto_commit=auto_commit)
        followup_ids = self.env.context.get("collection_followup_ids")
        if followup_ids:
            followups = self.env["collection.followup"].browse(followup_ids)
            followups.check_access("write")
            by_record = {mail.res_id: mail for mail in mails}
            queued = {
                followup: by_record[followup.id]
                for followup in followups
                if followup.id in by_record
            }
            followups._collection_execute(mails=queued)
        return mails, messages
