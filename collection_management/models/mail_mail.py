"""The mail queue's side of the follow-ups: a reminder whose level attaches the
statement is queued at once, and its statement is printed when the queue sends it, for
up to ``STATEMENT_CHUNK`` emails in one rendering. A follow-up run or a bulk send then
costs no PDF rendering, and the statements are printed by the queue's own worker, in
batches committed one after the other."""

import logging

from odoo import _, fields, models, tools
from odoo.tools import SQL

from .collection_followup_sending import STATEMENT_CHUNK

_logger = logging.getLogger(__name__)


class MailMail(models.Model):
    _inherit = "mail.mail"

    collection_statement_pending = fields.Boolean(
        string="Statement to print",
        readonly=True,
        copy=False,
        help="The customer's statement is printed and attached when the email is sent.",
    )

    def _send(self, auto_commit=False, raise_exception=False, **kwargs):
        if not any(self.mapped("collection_statement_pending")):
            return super()._send(auto_commit=auto_commit, raise_exception=raise_exception, **kwargs)
        for chunk in tools.split_every(STATEMENT_CHUNK, self.ids, self.browse):
            # the queue's job commits after each email it sends: the statements of
            # the chunk with the first one, or none if it stops before
            failed = chunk._collection_attach_statements()
            super(MailMail, chunk - failed)._send(
                auto_commit=auto_commit, raise_exception=raise_exception, **kwargs
            )
        return True

    def _collection_attach_statements(self):
        """Print and attach the statements these emails wait for; returns the emails
        whose statement could not be printed (set to failed with the reason, and
        their follow-ups too: a retry prints it again). An email is claimed by one
        process only: two workers sending it attach one statement."""
        claimed = self._collection_claim_statements()
        if not claimed:
            return self.browse()
        followups = (
            self.env["collection.followup"]
            .sudo()
            .search([("mail_id", "in", claimed.ids)], order="id")
        )
        with followups._collection_render_batch():
            attachments, failed = followups._collection_statement_attachments_isolated()
        self._collection_link_attachments(
            [(followup.mail_id, attachment) for followup, attachment in attachments.items()]
        )
        failed_mails = self.browse()
        for reason, failed_followups in failed.items():
            mails = failed_followups.mail_id
            mails.write(
                {
                    "state": "exception",
                    "failure_reason": reason,
                    "failure_type": "unknown",
                    "collection_statement_pending": True,
                }
            )
            mails._postprocess_sent_message(
                success_pids=[], failure_reason=reason, failure_type="unknown"
            )
            failed_mails |= mails
        return failed_mails

    def _collection_claim_statements(self):
        """The emails of ``self`` still waiting for their statement, taken in one
        statement: a concurrent sender waits on these rows, then finds them taken."""
        self.flush_recordset(["collection_statement_pending"])
        self.env.cr.execute(
            SQL(
                "UPDATE mail_mail SET collection_statement_pending = FALSE"
                " WHERE id = ANY(%s) AND collection_statement_pending RETURNING id",
                self.ids,
            )
        )
        ids = [row[0] for row in self.env.cr.fetchall()]
        self.invalidate_recordset(["collection_statement_pending"])
        return self.browse(sorted(ids))

    def _collection_link_attachments(self, pairs):
        """Attach each attachment to its email's message [(mail, attachment)], in one
        insert."""
        pairs = [(mail, attachment) for mail, attachment in pairs if mail and attachment]
        if not pairs:
            return
        self.env["mail.message"].flush_model(["attachment_ids"])
        self.env.cr.execute(
            SQL(
                "INSERT INTO message_attachment_rel (message_id, attachment_id) "
                "VALUES %s ON CONFLICT DO NOTHING",
                SQL(", ").join(
                    SQL("(%s, %s)", mail.mail_message_id.id, attachment.id)
                    for mail, attachment in pairs
                ),
            )
        )
        self.env["mail.message"].invalidate_model(["attachment_ids"])
        self.invalidate_model(["attachment_ids"])

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
