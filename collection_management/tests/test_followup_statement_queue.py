from freezegun import freeze_time

from odoo.tests import tagged

from .common import TODAY
from .test_followup_sending import FollowupSendingCase


@tagged("post_install", "-at_install")
class TestFollowupStatementQueue(FollowupSendingCase):
    """The statement of a reminder is printed when the mail queue sends the email: a
    run or a bulk send queues its emails without printing, and the queue prints the
    statements of many emails at once, once each, and reports the one it cannot
    print on its follow-up."""

    def _queued(self, count, prefix="Queue"):
        drafts = self._drafts(count, prefix)
        self._send(drafts, user=self.billing)
        mails = drafts.mail_id
        self.assertEqual(len(mails), count)
        self.assertTrue(all(mails.mapped("collection_statement_pending")))
        self.assertFalse(mails.attachment_ids, "nothing printed while sending")
        return drafts, mails

    def test_the_queue_prints_each_statement_once_even_when_the_email_is_sent_again(self):
        drafts, mails = self._queued(2)
        received = self._process_mail_queue(mails)
        self.assertEqual(len(received), 2)
        for followup in drafts:
            self.assertEqual(followup.mail_id.state, "sent")
            statement = followup.mail_id.attachment_ids
            self.assertEqual(len(statement), 1)
            # the customer's email carries it
            message = next(m for m in received if followup.partner_id.email.encode() in m)
            self.assertIn(statement.name.encode(), message)
        # a manager sends an email again by hand: no second statement
        mails.mark_outgoing()
        with self._smtp() as server:
            mails.send()
        self.assertEqual(len(server.messages), 2)
        for followup in drafts:
            self.assertEqual(len(followup.mail_id.attachment_ids), 1)
        statements = self.env["ir.attachment"].search(
            [("res_model", "=", "collection.followup"), ("res_id", "in", drafts.ids)]
        )
        self.assertEqual(len(statements), 2)

    def test_an_email_is_claimed_by_one_sender_only(self):
        _drafts, mails = self._queued(2)
        self.assertEqual(mails._collection_claim_statements(), mails.sorted("id"))
        self.assertFalse(mails._collection_claim_statements(), "taken by the first sender")

    def test_the_queue_prints_the_statements_of_many_emails_in_one_rendering(self):
        drafts, mails = self._queued(3)
        with freeze_time(TODAY), self._wkhtmltopdf_calls() as calls, self._smtp() as server:
            mails.with_context(force_report_rendering=True).send()
        self.assertEqual(len(server.messages), 3)
        self.assertEqual(calls, [1], "one wkhtmltopdf process prints the three statements")
        for followup in drafts:
            statement = followup.mail_id.attachment_ids
            self.assertTrue(statement.raw.startswith(b"%PDF"))
            self.assertEqual(statement.res_id, followup.id)
            self.assertEqual(followup.mail_id.state, "sent")

    def test_a_statement_that_cannot_be_printed_fails_its_email_until_retried(self):
        drafts, mails = self._queued(2)
        report = self.env.ref("collection_management.action_report_collection_statement")
        template = report.report_name
        report.report_name = "collection_management.no_such_statement"
        self._process_mail_queue(mails)
        for followup in drafts:
            self.assertEqual(followup.mail_id.state, "exception", "not sent without it")
            self.assertEqual(followup.state, "failed")
            self.assertIn("The statement could not be printed", followup.error)
            self.assertTrue(followup.mail_id.collection_statement_pending, "printed on retry")
        self.assertFalse(mails.attachment_ids)
        report.report_name = template
        with freeze_time(TODAY):
            drafts.with_user(self.billing).action_send()
        self.assertEqual(set(drafts.mapped("state")), {"done"})
        self._process_mail_queue(mails)
        for followup in drafts:
            self.assertEqual(followup.mail_id.state, "sent")
            self.assertEqual(len(followup.mail_id.attachment_ids), 1)
        self.assertEqual(len(drafts.mail_id), 2, "the same emails, not new ones")

    def test_printing_in_the_queue_costs_a_flat_number_of_queries(self):
        """The figures the statements show are looked up for all customers of the
        queue's batch at once."""
        _small_drafts, small = self._queued(3, "Few")
        _large_drafts, large = self._queued(15, "Many")

        small_count = self._queries(small._collection_attach_statements)
        large_count = self._queries(large._collection_attach_statements)
        self.assertEqual(len(large.attachment_ids), 15)
        # twelve statements more: at most two queries each
        self.assertLessEqual(large_count, small_count + 24)
