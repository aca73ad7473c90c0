from datetime import date, timedelta

from odoo.tests import tagged

from .common import CollectionCommon
from .smtp_server import LoopbackSmtpServer

TODAY = date(2026, 6, 30)


@tagged("post_install", "-at_install")
class TestFollowupFaults(CollectionCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls.env["res.partner"].create(
            {"name": "Faulty Ltd", "email": "ar@faulty.example.com"}
        )

    def _mail_server(self, port):
        return self.env["ir.mail_server"].create(
            {
                "name": "loopback",
                "smtp_host": "127.0.0.1",
                "smtp_port": port,
                "smtp_encryption": "none",
            }
        )

    def test_refused_mail_marks_the_followup_failed_then_retry_sends_it(self):
        self._invoice(self.customer, 1000, TODAY - timedelta(days=10))
        followup = self._run_followups()["followups"]
        self.assertEqual(followup.state, "done")
        activities_before = self.env["mail.activity"].search_count([])
        with LoopbackSmtpServer(refuse=True) as server:
            followup.mail_id.mail_server_id = self._mail_server(server.port)
            followup.mail_id.send(raise_exception=False)
        self.assertFalse(server.messages)
        self.assertEqual(followup.mail_id.state, "exception")
        self.assertEqual(followup.state, "failed")
        self.assertTrue(followup.error)
        # nothing is lost: the retry queues the same email again, once
        followup.action_send()
        self.assertEqual((followup.state, followup.error), ("done", False))
        self.assertEqual(followup.mail_id.state, "outgoing")
        self.assertEqual(
            self.env["mail.mail"].search_count(
                [("model", "=", "collection.followup"), ("res_id", "=", followup.id)]
            ),
            1,
        )
        self.assertEqual(self.env["mail.activity"].search_count([]), activities_before)
        with LoopbackSmtpServer() as server:
            followup.mail_id.mail_server_id = self._mail_server(server.port)
            followup.mail_id.send(raise_exception=False)
        self.assertEqual(len(server.messages), 1)
        self.assertIn(b"ar@faulty.example.com", server.messages[0])
        self.assertEqual(followup.state, "done")

    def test_partner_locked_by_a_concurrent_run_is_skipped(self):
        # a committed partner row, so that a second connection can lock it
        customer = self.env.ref("base.public_partner")
        with self.registry.cursor() as other:
            # the other run holds the customer first; our transaction must not have
            # written to that row yet, or the two would wait on each other
            other.execute(
                "SELECT id FROM res_partner WHERE id = %s FOR NO KEY UPDATE", [customer.id]
            )
            self._invoice(customer, 1000, TODAY - timedelta(days=10))
            summary = self._run_followups()
            self.assertFalse(summary["followups"])
            self.assertEqual(summary["skipped"].get("locked"), 1)
            other.rollback()
        summary = self._run_followups()
        self.assertEqual(summary["followups"].partner_id, customer)

    def test_run_that_finished_meanwhile_is_not_repeated(self):
        """Between our decision and our lock, another run committed a follow-up."""
        self._invoice(self.customer, 1000, TODAY - timedelta(days=10))
        followup_model = self.env["collection.followup"]
        decisions, _skipped = followup_model._collection_decide(self.company, TODAY)
        self.assertEqual(len(decisions), 1)
        followup_model.sudo().create(
            {
                "partner_id": self.customer.id,
                "company_id": self.company.id,
                "level_id": decisions[0]["level"].id,
                "date": TODAY,
                "state": "done",
            }
        )
        locked = followup_model._collection_lock_partners(self.company, self.customer, TODAY)
        self.assertFalse(locked)
