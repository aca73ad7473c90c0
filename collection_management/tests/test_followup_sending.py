from contextlib import contextmanager
from datetime import timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.base.models.ir_actions_report import IrActionsReport

from .common import TODAY, CollectionCommon
from .test_letterhead import pdf_pages_text


class FollowupSendingCase(CollectionCommon):
    """Drafts of the formal demand (level at 45 days, reviewed before sending, with
    the statement) of many customers, and their bulk "Send"."""

    def _drafts(self, count, prefix="Bulk", invoices=1):
        partners = self.env["res.partner"].create(
            [
                {"name": f"{prefix} customer {index}", "email": f"{prefix.lower()}{index}@ex.com"}
                for index in range(count)
            ]
        )
        for index, partner in enumerate(partners):
            # the level schedules a call for the customer's collector
            partner.with_company(self.company).collector_id = self.collector
            for number in range(invoices):
                self._invoice(partner, 1000 + index + number, TODAY - timedelta(days=50 + number))
        drafts = self._run_followups(partners=partners)["followups"]
        self.assertEqual(set(drafts.mapped("state")), {"draft"})
        self.assertEqual(len(drafts), count)
        return drafts

    def _queries(self, action):
        """The SQL queries ``action`` costs, from cold caches, flushed."""
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.cr.sql_log_count
        with freeze_time(TODAY):
            action()
        self.env.flush_all()
        return self.cr.sql_log_count - before

    @contextmanager
    def _wkhtmltopdf_calls(self):
        """The wkhtmltopdf processes started in the block: the number of documents each
        printed (the real printing runs)."""
        calls = []
        real = IrActionsReport._run_wkhtmltopdf

        def counting(report, bodies, *args, **kwargs):
            calls.append(len(bodies))
            return real(report, bodies, *args, **kwargs)

        with patch.object(IrActionsReport, "_run_wkhtmltopdf", counting):
            yield calls

    def _send(self, drafts, user=None):
        # in a plain context, tracking on as in production (the test base class turns
        # it off in its own context)
        env = self.env(context={}, user=user or self.env.user)
        with freeze_time(TODAY):
            drafts.with_env(env).action_send()


@tagged("post_install", "-at_install")
class TestFollowupSending(FollowupSendingCase):
    """Many follow-ups sent at once: the formal demand of many customers approved in
    one "Send"."""

    def test_bulk_send_queues_each_customer_its_email_with_its_own_statement(self):
        drafts = self._drafts(4)
        self._send(drafts)
        for followup in drafts:
            mail = followup.mail_id
            self.assertEqual(followup.state, "done")
            self.assertEqual(mail.state, "outgoing", "queued, not sent inside the request")
            self.assertTrue(mail.collection_statement_pending)
            self.assertEqual(mail.recipient_ids, followup.partner_id)
            self.assertEqual(mail.res_id, followup.id)
            self.assertIn(
                followup.level_id.name,
                followup.partner_id.message_ids[:1].body,
                "the customer's chatter notes the follow-up",
            )
        self._process_mail_queue(drafts.mail_id)
        for followup in drafts:
            mail = followup.mail_id
            self.assertEqual(mail.state, "sent")
            statement = mail.attachment_ids
            self.assertEqual(len(statement), 1)
            self.assertEqual(statement.res_model, "collection.followup")
            self.assertEqual(statement.res_id, followup.id)
            content = statement.raw.decode()
            self.assertIn(followup.partner_id.name, content, "the customer's own statement")
            for other in (drafts - followup).partner_id:
                self.assertNotIn(f"{other.name}<", content)
        self.assertEqual(len(drafts.mail_id), 4)

    def test_statements_of_many_customers_are_one_pdf_rendering_split_per_customer(self):
        drafts = self._drafts(3)
        with freeze_time(TODAY), self._wkhtmltopdf_calls() as calls:
            contents = drafts.with_context(force_report_rendering=True)._collection_statement_pdfs()
        self.assertEqual(calls, [1], "one wkhtmltopdf process prints the three statements")
        for followup in drafts:
            pages = pdf_pages_text(contents[followup])
            text = "".join(pages)
            self.assertTrue(contents[followup].startswith(b"%PDF"))
            self.assertIn(followup.partner_id.name, text)
            for other in (drafts - followup).partner_id:
                self.assertNotIn(other.name, text, "no page of another customer")
            self.assertIn("Statement of account", pages[0])

    def test_bulk_send_queries_do_not_grow_with_the_number_of_followups(self):
        """An accountant sends the reviewed drafts: the "Pay online" link of every
        invoice, the link of the customer's page, its interest and fees, its credits
        and its statement are looked up for all customers at once, and the invoices
        move to their level without Odoo resyncing their journal lines one by one."""
        # the sending path alone: a policy that charges fees (the demo's does) proposes
        # each follow-up's fee on its own, a cost of the fees measured apart
        policy = self.company.collection_policy_id
        policy.level_ids.write({"fee_amount": 0.0, "fee_percent": 0.0})
        policy.interest_rate = 0.0
        warm = self._drafts(2, "Warm", invoices=2)
        small = self._drafts(3, "Small", invoices=2)
        large = self._drafts(15, "Large", invoices=2)
        self._send(warm, user=self.billing)

        small_count = self._queries(lambda: self._send(small, user=self.billing))
        large_count = self._queries(lambda: self._send(large, user=self.billing))
        self.assertEqual(len(large.mail_id), 15)
        self.assertTrue(all(large.invoice_ids.mapped("access_token")), "invoices get links")
        for followup in large:
            body = followup.mail_id.body_html
            for invoice in followup.invoice_ids:
                self.assertIn(invoice.access_token, body, "each invoice's own pay link")
            access = self.env["collection.portal.access"].search(
                [("partner_id", "=", followup.partner_id.id)]
            )
            self.assertEqual(len(access), 1, "one link to the customer's page")
            self.assertIn(access.token, body)
        self.assertEqual(set(large.invoice_ids.mapped("collection_level_id")), {large.level_id})
        calls = self.env["mail.activity"].search(
            [("res_model", "=", "res.partner"), ("res_id", "in", large.partner_id.ids)]
        )
        self.assertEqual(calls.user_id, self.collector, "each customer's call is scheduled")
        self.assertEqual(len(calls), 15)
        self.assertEqual(set(large.mapped("state")), {"done"})
        # twelve follow-ups (24 invoices) more: at most one query per follow-up
        # (looking the figures up customer by customer cost about 25 each)
        self.assertLessEqual(large_count, small_count + 12)

    def test_fees_of_a_bulk_send_are_proposed_at_a_flat_number_of_queries(self):
        """The fee of each follow-up is capped on its customer's interest and fees,
        looked up for every customer of the send at once."""
        policy = self.company.collection_policy_id
        policy.level_ids.write({"fee_amount": 20.0, "fee_percent": 0.0})
        policy.write({"interest_rate": 12.0, "interest_cap_percent": 10.0})
        warm = self._drafts(2, "Warm fees", invoices=2)
        small = self._drafts(3, "Few fees", invoices=2)
        large = self._drafts(15, "Many fees", invoices=2)
        self._send(warm, user=self.billing)

        small_count = self._queries(small._collection_propose_fees)
        large_count = self._queries(large._collection_propose_fees)
        fees = self.env["collection.charge"].search([("followup_id", "in", large.ids)])
        self.assertEqual(len(fees), 15)
        self.assertEqual(set(fees.mapped("amount")), {20.0})
        self.assertEqual(fees.partner_id, large.partner_id)
        # twelve follow-ups more: at most one query each
        self.assertLessEqual(large_count, small_count + 12)

    def test_collector_cannot_mark_a_draft_sent_or_give_it_an_email(self):
        draft = self._drafts(1, "Rights")
        mail = self.env["mail.mail"].create({"subject": "fake", "email_to": "x@ex.com"})
        as_collector = draft.with_user(self.collector)
        for values in ({"state": "done"}, {"mail_id": mail.id}, {"channel": "none"}):
            with self.subTest(values=values), self.assertRaises(UserError):
                as_collector.write(values)
        self.assertEqual(draft.state, "draft")
        self.assertFalse(draft.mail_id)
