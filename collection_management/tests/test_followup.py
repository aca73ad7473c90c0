from datetime import date, timedelta

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import CollectionCommon

TODAY = date(2026, 6, 30)


@tagged("post_install", "-at_install")
class TestFollowupRun(CollectionCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.levels = cls.policy._levels_by_delay()
        cls.before, cls.friendly, cls.second, cls.demand, cls.final = cls.levels
        cls.customer = cls.env["res.partner"].create(
            {"name": "Debtor Ltd", "email": "ar@debtor.example.com", "lang": "en_US"}
        )
        cls.customer.with_company(cls.company).collector_id = cls.collector

    def _mails(self, partner):
        return self.env["mail.mail"].search(
            [("model", "=", "collection.followup"), ("recipient_ids", "in", partner.ids)]
        )

    def test_level_by_days_overdue_one_followup_per_customer(self):
        old = self._invoice(self.customer, 1000, TODAY - timedelta(days=25))
        recent = self._invoice(self.customer, 500, TODAY - timedelta(days=8))
        self._invoice(self.customer, 300, TODAY + timedelta(days=30))
        summary = self._run_followups()
        followup = summary["followups"]
        self.assertEqual(len(followup), 1)
        self.assertEqual(followup.level_id, self.second)
        self.assertEqual(followup.invoice_ids, old | recent)
        self.assertAlmostEqual(followup.amount_due, 1500)
        self.assertEqual(followup.state, "done")
        self.assertEqual(old.collection_level_id, self.second)
        self.assertEqual(recent.collection_level_id, self.friendly)
        self.assertEqual(old.collection_last_date, TODAY)
        mail = self._mails(self.customer)
        self.assertEqual(len(mail), 1)
        self.assertEqual(followup.mail_id, mail)
        self.assertEqual(mail.state, "outgoing")
        self.assertIn(old.name, mail.body_html)
        self.assertTrue(mail.collection_statement_pending, "printed when the queue sends it")
        self.assertFalse(mail.attachment_ids)
        self._process_mail_queue(mail)
        self.assertEqual(mail.state, "sent")
        self.assertEqual(len(mail.attachment_ids), 1, "the second level attaches the statement")
        self.assertFalse(mail.collection_statement_pending)
        activity = self.env["mail.activity"].search(
            [("res_model", "=", "res.partner"), ("res_id", "=", self.customer.id)]
        )
        self.assertEqual(activity.user_id, self.collector)
        self.assertEqual(activity.activity_type_id, self.env.ref("mail.mail_activity_data_call"))

    def test_second_run_same_day_sends_nothing(self):
        self._invoice(self.customer, 1000, TODAY - timedelta(days=10))
        first = self._run_followups()
        self.assertEqual(len(first["followups"]), 1)
        second = self._run_followups()
        self.assertFalse(second["followups"])
        self.assertEqual(second["skipped"], {"pending": 1})
        self.assertEqual(len(self._mails(self.customer)), 1)
        self.assertEqual(
            self.env["collection.followup"].search_count([("partner_id", "=", self.customer.id)]),
            1,
        )

    def test_next_level_only_after_its_delay_and_the_minimum_interval(self):
        invoice = self._invoice(self.customer, 1000, TODAY - timedelta(days=10))
        self._run_followups()
        self.assertEqual(invoice.collection_level_id, self.friendly)
        # day 15: no new level due
        self.assertFalse(self._run_followups(TODAY + timedelta(days=5))["followups"])
        # day 21: second level due, 11 days after the last follow-up (interval 7)
        summary = self._run_followups(TODAY + timedelta(days=11))
        self.assertEqual(summary["followups"].level_id, self.second)
        # a level with a long interval waits
        self.demand.min_interval_days = 40
        self.assertEqual(
            self._run_followups(TODAY + timedelta(days=36))["skipped"], {"interval": 1}
        )

    def test_reminder_before_due_date(self):
        invoice = self._invoice(self.customer, 800, TODAY + timedelta(days=5))
        followup = self._run_followups()["followups"]
        self.assertEqual(followup.level_id, self.before)
        self.assertEqual(followup.invoice_ids, invoice)

    def test_draft_level_waits_for_review_then_sends(self):
        self._invoice(self.customer, 1000, TODAY - timedelta(days=50))
        followup = self._run_followups()["followups"]
        self.assertEqual(followup.level_id, self.demand)
        self.assertEqual(followup.state, "draft")
        self.assertFalse(self._mails(self.customer))
        self.assertFalse(self.customer.collection_credit_hold)
        followup.action_send()
        self.assertEqual(followup.state, "done")
        self.assertEqual(len(self._mails(self.customer)), 1)
        self.assertTrue(self.customer.collection_credit_hold)
        with self.assertRaises(UserError):
            followup.action_cancel()

    def test_draft_edited_in_the_composer_then_sent(self):
        self._invoice(self.customer, 1000, TODAY - timedelta(days=50))
        followup = self._run_followups()["followups"]
        action = followup.action_edit_and_send()
        composer = Form(self.env[action["res_model"]].with_context(**action["context"]))
        composer.subject = "Payment plan proposal"
        wizard = composer.save()
        self.assertEqual(wizard.env.context.get("collection_followup_ids"), followup.ids)
        wizard.action_send_mail()
        self.assertEqual(followup.state, "done")
        mails = self._mails(self.customer)
        self.assertEqual(len(mails), 1, "the edited email only, not the template again")
        self.assertEqual(mails.subject, "Payment plan proposal")
        self.assertEqual(followup.mail_id, mails)
        self.assertEqual(len(mails.attachment_ids), 1, "the statement is attached")
        self.assertTrue(self.customer.collection_credit_hold)

    def test_preview_opens_the_template_preview(self):
        self._invoice(self.customer, 1000, TODAY - timedelta(days=50))
        followup = self._run_followups()["followups"]
        action = followup.action_preview()
        preview = self.env[action["res_model"]].with_context(**action["context"]).create({})
        self.assertIn(self.customer.name, preview.body_html)

    def test_cancelled_draft_is_proposed_again_later(self):
        self._invoice(self.customer, 1000, TODAY - timedelta(days=50))
        self._run_followups()["followups"].action_cancel()
        again = self._run_followups(TODAY + timedelta(days=1))["followups"]
        self.assertEqual(again.level_id, self.demand)

    def test_excluded_and_disputed_invoices_are_skipped(self):
        excluded = self._invoice(self.customer, 1000, TODAY - timedelta(days=30))
        disputed = self._invoice(self.customer, 700, TODAY - timedelta(days=30))
        excluded.collection_exclude = True
        disputed.write(
            {
                "collection_dispute_reason_id": self.env.ref(
                    "collection_management.dispute_reason_quality"
                ).id,
                "collection_dispute_end_date": TODAY + timedelta(days=10),
            }
        )
        self.assertFalse(self._run_followups()["followups"])
        # the dispute ends: the invoice is followed up again
        summary = self._run_followups(TODAY + timedelta(days=11))
        self.assertEqual(summary["followups"].invoice_ids, disputed)

    def test_expired_dispute_releases_itself(self):
        disputed = self._invoice(self.customer, 700, TODAY - timedelta(days=30))
        disputed.write(
            {
                "collection_dispute_reason_id": self.env.ref(
                    "collection_management.dispute_reason_amount"
                ).id,
                "collection_dispute_end_date": TODAY - timedelta(days=1),
            }
        )
        with freeze_time(TODAY):
            self.env["account.move"]._cron_collection_release_disputes()
        self.assertFalse(disputed.collection_dispute_reason_id)

    def test_credits_cover_the_overdue_amount(self):
        self._invoice(self.customer, 1000, TODAY - timedelta(days=30))
        self._invoice(self.customer, 1200, TODAY - timedelta(days=5), move_type="out_refund")
        self.assertEqual(self._run_followups()["skipped"], {"credits": 1})
        # a partial credit leaves a positive net: the reminder goes, credits shown
        other = self.env["res.partner"].create({"name": "Other", "email": "o@example.com"})
        self._invoice(other, 1000, TODAY - timedelta(days=30))
        self._invoice(other, 400, TODAY - timedelta(days=5), move_type="out_refund")
        credit_note = self._invoice(other, 400, TODAY - timedelta(days=5), move_type="out_refund")
        followup = self._run_followups(partners=other)["followups"]
        self.assertAlmostEqual(followup.amount_credit, 800)
        body = followup.mail_id.body_html
        self.assertIn(credit_note.name, body, "the email lists the credits beside invoices")
        self.assertIn(followup.invoice_ids.get_portal_url().split("?")[0], body)
        self.assertIn("access_token=", body, "each invoice has its pay-online link")

    def test_customer_without_email_gets_an_activity(self):
        self.customer.email = False
        self._invoice(self.customer, 1000, TODAY - timedelta(days=10))
        followup = self._run_followups()["followups"]
        self.assertEqual(followup.channel, "activity")
        self.assertIn("no email address", followup.error)
        self.assertFalse(self._mails(self.customer))
        activity = self.env["mail.activity"].search(
            [("res_model", "=", "res.partner"), ("res_id", "=", self.customer.id)]
        )
        self.assertEqual(len(activity), 1)

    def test_customer_without_email_at_a_level_with_a_call(self):
        """The level's call and the missing email make one activity, not two on the same
        customer (two in one batch also made Odoo subscribe the collector twice)."""
        self.customer.email = False
        self._invoice(self.customer, 1000, TODAY - timedelta(days=25))
        followup = self._run_followups()["followups"]
        self.assertTrue(followup.level_id.create_activity)
        activity = self.env["mail.activity"].search(
            [("res_model", "=", "res.partner"), ("res_id", "=", self.customer.id)]
        )
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.activity_type_id, followup.level_id.activity_type_id)
        self.assertIn("No email address", str(activity.note))
        self.assertIn("ask for a payment date", str(activity.note), "the level's own note")

    def test_email_in_the_customer_language(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        template = self.friendly.mail_template_id
        template.with_context(lang="fr_FR").subject = "Rappel de paiement"
        self.customer.lang = "fr_FR"
        self._invoice(self.customer, 1000, TODAY - timedelta(days=10))
        self._run_followups()
        self.assertEqual(self._mails(self.customer).subject, "Rappel de paiement")

    def test_multi_company_isolation(self):
        self._invoice(self.customer, 1000, TODAY - timedelta(days=10))
        in_b = self._invoice(self.customer, 900, TODAY - timedelta(days=10), company=self.company_b)
        followup = self._run_followups()["followups"]
        self.assertNotIn(in_b, followup.invoice_ids)
        self.assertFalse(in_b.collection_level_id)
        followup_b = self._run_followups(company=self.company_b)["followups"]
        self.assertEqual(followup_b.invoice_ids, in_b)
        self.assertEqual(followup_b.level_id.policy_id, self.policy_b)

    def test_cron_batches_and_resumes_without_duplicates(self):
        customers = self.env["res.partner"].create(
            [{"name": f"C{i}", "email": f"c{i}@example.com"} for i in range(5)]
        )
        for customer in customers:
            self._invoice(customer, 100, TODAY - timedelta(days=10))
        first = self._run_followups(limit=2)
        self.assertEqual((len(first["followups"]), first["remaining"]), (2, 3))
        second = self._run_followups(limit=2)
        self.assertEqual((len(second["followups"]), second["remaining"]), (2, 1))
        third = self._run_followups(limit=2)
        self.assertEqual((len(third["followups"]), third["remaining"]), (1, 0))
        followups = self.env["collection.followup"].search([("partner_id", "in", customers.ids)])
        self.assertEqual(len(followups), 5)
        self.assertEqual(followups.partner_id, customers)

    def test_cron_entry_point(self):
        self._invoice(self.customer, 1000, TODAY - timedelta(days=10))
        with freeze_time(TODAY):
            self.env["collection.followup"]._cron_collection_followup()
        self.assertEqual(
            self.env["collection.followup"].search_count([("partner_id", "=", self.customer.id)]),
            1,
        )

    def test_wizard_reports_counts(self):
        self._invoice(self.customer, 1000, TODAY - timedelta(days=10))
        wizard = Form(self.env["collection.followup.run"])
        wizard.date = TODAY
        run = wizard.save()
        action = run.action_run()
        self.assertEqual((action["res_model"], action["res_id"]), (run._name, run.id))
        self.assertIn(self.friendly.name, run.summary)

    def test_partner_status(self):
        self._invoice(self.customer, 1000, TODAY - timedelta(days=10))
        self._run_followups()
        with freeze_time(TODAY):
            self.customer.invalidate_recordset()
            self.assertEqual(self.customer.collection_followup_count, 1)
            self.assertEqual(self.customer.collection_level_id, self.friendly)
            self.assertAlmostEqual(self.customer.collection_amount_overdue, 1000)
            # the second level schedules a call: it is the customer's next action
            self.assertFalse(self.customer.collection_next_action_date)
            self.assertEqual(self.customer.collection_disputed_count, 0)
        disputed = self._invoice(self.customer, 300, TODAY - timedelta(days=3))
        disputed.collection_dispute_reason_id = self.env.ref(
            "collection_management.dispute_reason_delivery"
        )
        self._run_followups(TODAY + timedelta(days=12))
        with freeze_time(TODAY + timedelta(days=12)):
            self.customer.invalidate_recordset()
            self.assertEqual(self.customer.collection_disputed_count, 1)
            self.assertEqual(self.customer.collection_next_action_date, TODAY + timedelta(days=12))
        action = self.customer.action_collection_followups()
        self.assertIn(("partner_id", "=", self.customer.id), action["domain"])


@tagged("post_install", "-at_install")
class TestFollowupQueries(CollectionCommon):
    def _make(self, count):
        partners = self.env["res.partner"].create(
            [{"name": f"Q{count}-{i}", "email": f"q{i}@example.com"} for i in range(10)]
        )
        for index in range(count):
            self._invoice(
                partners[index % 10], 100 + index, TODAY - timedelta(days=10 + index % 60)
            )
        return partners

    def test_decision_queries_do_not_grow_with_invoices(self):
        followup_model = self.env["collection.followup"]
        small = self._make(10)
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.cr.sql_log_count
        decisions_small, _skipped = followup_model._collection_decide(self.company, TODAY, small)
        small_count = self.cr.sql_log_count - before
        large = self._make(200)
        self.env.flush_all()
        self.env.invalidate_all()
        with self.assertQueryCount(small_count):
            decisions_large, _skipped = followup_model._collection_decide(
                self.company, TODAY, large
            )
        self.assertEqual(len(decisions_small), 10)
        self.assertEqual(len(decisions_large), 10)
        self.assertEqual(sum(len(d["invoices"]) for d in decisions_large), 200)
