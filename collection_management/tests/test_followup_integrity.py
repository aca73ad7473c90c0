from datetime import date, timedelta

from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged
from odoo.tools import mute_logger

from .common import CollectionCommon

TODAY = date(2026, 6, 30)


@tagged("post_install", "-at_install")
class TestFollowupIntegrity(CollectionCommon):
    """Where the follow-up run meets the rest: reviews, disputes, other runs, other
    companies, the summary."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.before, cls.friendly, cls.second, cls.demand, cls.final = cls.policy._levels_by_delay()
        cls.customer = cls._customer("Reviewed Ltd", lang="en_US")
        cls.quality = cls.env.ref("collection_management.dispute_reason_quality")

    # ------------------------------------------------------------------ review
    def test_invoice_disputed_after_the_draft_is_left_out_at_sending(self):
        old = self._invoice(self.customer, 1000, TODAY - timedelta(days=50))
        disputed = self._invoice(self.customer, 400, TODAY - timedelta(days=48))
        draft = self._run_followups()["followups"]
        self.assertEqual((draft.level_id, draft.state), (self.demand, "draft"))
        self.assertEqual(draft.invoice_ids, old | disputed)
        # the customer disputes one invoice while the draft waits for review
        disputed.write({"collection_dispute_reason_id": self.quality.id})
        with freeze_time(TODAY + timedelta(days=1)):
            draft.action_send()
        self.assertEqual(draft.state, "done")
        self.assertEqual(draft.invoice_ids, old)
        self.assertAlmostEqual(draft.amount_due, 1000)
        self.assertNotIn(disputed.name, draft.mail_id.body_html)
        self.assertIn(old.name, draft.mail_id.body_html)
        self.assertEqual(disputed.collection_level_id, self.env["collection.level"])
        self.assertEqual(old.collection_level_id, self.demand)

    def test_draft_whose_invoices_were_all_settled_is_cancelled_not_sent(self):
        invoice = self._invoice(self.customer, 1000, TODAY - timedelta(days=50))
        draft = self._run_followups()["followups"]
        self._pay(invoice, 1000, TODAY)
        with freeze_time(TODAY + timedelta(days=1)):
            draft.action_send()
        self.assertEqual(draft.state, "cancel")
        self.assertIn("Nothing left to remind", draft.error)
        self.assertFalse(draft.mail_id)
        self.assertFalse(self.customer.collection_credit_hold, "the level did not happen")

    def test_formal_demand_lists_only_overdue_invoices(self):
        overdue = self._invoice(self.customer, 1000, TODAY - timedelta(days=80))
        upcoming = self._invoice(self.customer, 500, TODAY + timedelta(days=3))
        followup = self._run_followups()["followups"]
        self.assertEqual(followup.level_id, self.final)
        self.assertEqual(followup.invoice_ids, overdue)
        self.assertAlmostEqual(followup.amount_due, 1000)
        self.assertFalse(upcoming.collection_level_id)

    def test_reminder_before_due_date_still_lists_the_upcoming_invoice(self):
        upcoming = self._invoice(self.customer, 500, TODAY + timedelta(days=3))
        followup = self._run_followups()["followups"]
        self.assertEqual((followup.level_id, followup.invoice_ids), (self.before, upcoming))

    # ------------------------------------------------------------------ other runs
    def _another_followup(self, level, day, state="draft"):
        """What another run would insert for the customer (the ORM's create as the run
        does it)."""
        return (
            self.env["collection.followup"]
            .sudo()
            .create(
                {
                    "partner_id": self.customer.id,
                    "company_id": self.company.id,
                    "level_id": level.id,
                    "date": day,
                    "state": state,
                }
            )
        )

    def _assert_refused_by_the_database(self, level, day):
        with (
            self.assertRaises(IntegrityError),
            mute_logger("odoo.sql_db"),
            self.env.cr.savepoint(),
        ):
            self._another_followup(level, day)

    def test_database_refuses_a_second_followup_for_the_same_customer_and_day(self):
        self._invoice(self.customer, 1000, TODAY - timedelta(days=10))
        followup = self._run_followups()["followups"]
        self._assert_refused_by_the_database(followup.level_id, TODAY)
        followup.sudo().write({"state": "cancel"})
        followup.flush_recordset()
        # a cancelled follow-up does not count
        self.assertTrue(self._another_followup(self.friendly, TODAY))

    def test_one_draft_waits_per_customer(self):
        self._invoice(self.customer, 1000, TODAY - timedelta(days=50))
        draft = self._run_followups()["followups"]
        self.assertEqual(draft.state, "draft")
        self._assert_refused_by_the_database(self.final, TODAY + timedelta(days=1))

    def test_customer_made_by_another_run_meanwhile_is_left_to_it(self):
        """Another run committed a follow-up for a customer after this transaction
        began: the snapshot cannot see it, the unique index does. Creation goes on for
        the other customers and names the one left to the other run."""
        other = self._customer("Other Run Ltd")
        for customer in (self.customer, other):
            self._invoice(customer, 1000, TODAY - timedelta(days=10))
        followup_model = self.env["collection.followup"].with_company(self.company)
        decisions, _skipped = followup_model._collection_decide(self.company, TODAY)
        self.assertEqual(len(decisions), 2)
        # what the other run made, as our transaction would meet it at insert time
        self._another_followup(self.friendly, TODAY, state="done").flush_recordset()
        with mute_logger("odoo.sql_db"):
            made, taken = followup_model._collection_create_followups(
                self.company, TODAY, decisions
            )
        self.assertEqual(made.partner_id, other)
        self.assertEqual(taken, self.customer)
        self.assertEqual(
            self.env["collection.followup"].search_count([("partner_id", "=", self.customer.id)]),
            1,
        )

    # ------------------------------------------------------------------ companies
    def test_statement_is_the_followup_company_whatever_the_sender_company(self):
        customer = self._customer("Company B Debtor")
        invoice = self._invoice(customer, 777, TODAY - timedelta(days=50), company=self.company_b)
        draft = self._run_followups(company=self.company_b)["followups"]
        self.assertEqual(draft.state, "draft")
        # reviewed and sent from the list by a user whose current company is A
        self.assertEqual(self.env.company, self.company)
        with freeze_time(TODAY):
            self.env["collection.followup"].browse(draft.id).action_send()
        # the queue prints the statement, whatever company its job runs in
        self._process_mail_queue(draft.mail_id)
        statement = draft.mail_id.attachment_ids
        self.assertEqual(len(statement), 1)
        html = statement.raw.decode()
        self.assertIn(self.company_b.name, html)
        self.assertNotIn(self.company.name, html)
        self.assertIn(invoice.name, html)
        self.assertIn("777", html)

    # ------------------------------------------------------------------ the wizard
    def test_run_as_of_a_future_date_is_refused(self):
        self._invoice(self.customer, 1000, TODAY + timedelta(days=20))
        with freeze_time(TODAY):
            wizard = Form(self.env["collection.followup.run"])
            wizard.date = TODAY + timedelta(days=365)
            with self.assertRaisesText(ValidationError, "still to come"):
                wizard.save()
        self.assertFalse(
            self.env["collection.followup"].search([("partner_id", "=", self.customer.id)])
        )

    def test_summary_counts_every_followup_and_names_customers(self):
        customers = self.env["res.partner"].create(
            [{"name": f"Counted {index}", "email": f"c{index}@example.com"} for index in range(7)]
        )
        for customer in customers:
            self._invoice(customer, 100, TODAY - timedelta(days=10))
        self._invoice(self.customer, 100, TODAY + timedelta(days=30))
        with freeze_time(TODAY):
            run = self.env["collection.followup.run"].create({"date": TODAY})
            run.action_run()
        lines = run.summary.splitlines()
        self.assertEqual(len(run.followup_ids), 7)
        self.assertIn(f"7 follow-up(s) at level {self.friendly.name}", lines[0])
        self.assertIn("Counted 0", lines[0])
        self.assertIn("and 2 more", lines[0])
        self.assertIn("1 customer(s) skipped, no level due yet: Reviewed Ltd", lines)
        self.assertEqual(run.skipped_partner_ids, self.customer)
        action = run.action_open_followups()
        self.assertEqual(self.env["collection.followup"].search(action["domain"]), run.followup_ids)
        action = run.action_open_skipped()
        self.assertEqual(self.env["res.partner"].search(action["domain"]), self.customer)

    def test_followups_change_only_through_their_actions(self):
        self._invoice(self.customer, 1000, TODAY - timedelta(days=50))
        draft = self._run_followups()["followups"]
        for user in (self.collector, self.billing, self.manager):
            followup = draft.with_user(user)
            for values in (
                {"state": "done"},
                {"invoice_ids": [Command.clear()]},
                {"amount_due": 1.0},
                {"partner_id": self.company.partner_id.id},
            ):
                with self.subTest(user=user.login, values=values), self.assertRaises(UserError):
                    followup.write(values)
            with self.subTest(user=user.login), self.assertRaises(UserError):
                self.env["collection.followup"].with_user(user).create(
                    {
                        "partner_id": self.customer.id,
                        "level_id": self.friendly.id,
                        "state": "done",
                    }
                )
        self.assertEqual(draft.state, "draft")
        # the accountant's actions still work
        with freeze_time(TODAY):
            draft.with_user(self.billing).action_send()
        self.assertEqual(draft.state, "done")

    # ------------------------------------------------------------------ errors, access
    def test_failed_email_keeps_the_real_reason(self):
        self._invoice(self.customer, 1000, TODAY - timedelta(days=10))
        followup = self._run_followups()["followups"]
        mail = followup.mail_id
        mail.write({"state": "exception", "failure_reason": "550 5.1.1 mailbox unknown"})
        mail._postprocess_sent_message(success_pids=[], failure_type="mail_smtp")
        self.assertEqual(followup.state, "failed")
        self.assertIn("550 5.1.1 mailbox unknown", followup.error)

    def test_portal_user_cannot_read_internal_collection_fields(self):
        self.customer.with_company(self.company).collector_id = self.collector
        portal = new_test_user(self.env, login="portal_debtor", groups="base.group_portal")
        portal.partner_id.parent_id = self.customer
        partner = portal.partner_id.with_user(portal)
        partner.check_access("read")
        for name in (
            "collection_risk",
            "collection_risk_reasons",
            "collector_id",
            "collection_policy_id",
            "collection_credit_hold",
        ):
            with self.subTest(field=name), self.assertRaises(AccessError):
                partner.read([name])


@tagged("post_install", "-at_install")
class TestDailyJobsSurviveBadRecords(CollectionCommon):
    """One bad record is reported and skipped: it never stops a daily job for the
    other customers or the other companies."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.good = cls._customer("Good Payer Ltd")
        cls.bad = cls._customer("Broken Template Ltd")
        cls.good_b = cls._customer("Company B Payer")
        cls.env.user.company_ids |= cls.company_b
        # a manager gave one customer a policy whose reminder template cannot render
        policy = cls.policy.copy({"name": "Special terms"})
        friendly = policy._levels_by_delay()[1]
        friendly.mail_template_id = friendly.mail_template_id.copy(
            {"subject": "{{ object.no_such_field.name }}"}
        )
        cls.bad.with_company(cls.company).collection_policy_id = policy

    def _followups(self, partner):
        return self.env["collection.followup"].search([("partner_id", "=", partner.id)])

    def test_followup_cron_skips_the_bad_customer_only(self):
        for partner in (self.good, self.bad):
            self._invoice(partner, 1000, TODAY - timedelta(days=10))
        self._invoice(self.good_b, 500, TODAY - timedelta(days=10), company=self.company_b)
        with freeze_time(TODAY), mute_logger("odoo.addons.collection_management.models"):
            self.env["collection.followup"]._cron_collection_followup()
        self.assertEqual(self._followups(self.good).state, "done")
        self.assertEqual(self._followups(self.good_b).state, "done")
        self.assertFalse(self._followups(self.bad), "rolled back, tried again tomorrow")
        report = self.bad.message_ids.filtered(lambda m: "could not process" in (m.body or ""))
        self.assertEqual(len(report), 1)
        self.assertIn(self.manager.partner_id, report.partner_ids)

    def test_guard_rolls_back_and_reports_the_failed_unit_only(self):
        def touch(partner):
            partner.ref = "processed"
            if partner == self.bad:
                raise ValueError("bad data")

        with mute_logger("odoo.addons.collection_management.models.collection_job"):
            failed = self.env["collection.job"]._collection_isolated(
                "test job", self.good | self.bad | self.good_b, touch
            )
        self.assertEqual([item for item, _error in failed], [self.bad])
        self.assertEqual(self.good.ref, "processed")
        self.assertEqual(self.good_b.ref, "processed")
        self.assertFalse(self.bad.ref)
        self.assertIn("bad data", self.bad.message_ids[0].body)


@tagged("post_install", "-at_install")
class TestDraftSentAfterTheCustomerChanged(CollectionCommon):
    """A draft waits for review; meanwhile the customer is escalated to legal action or
    promises to pay. Sending it then sends nothing."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({"collection_case_min_amount": 0, "collection_case_min_days": 1})
        cls.customer = cls._customer("Escalated Ltd")
        cls._invoice(cls.customer, 1000, TODAY - timedelta(days=50))

    def _draft(self):
        draft = self._run_followups()["followups"]
        self.assertEqual(draft.state, "draft")
        return draft

    def test_draft_of_a_customer_escalated_meanwhile_is_cancelled(self):
        draft = self._draft()
        with freeze_time(TODAY):
            draft.sudo().case_id.action_escalate_legal()
            draft.action_send()
        self.assertEqual(draft.state, "cancel")
        self.assertIn("legal action", draft.error)
        self.assertFalse(draft.mail_id)

    def test_draft_of_a_customer_who_promised_meanwhile_is_cancelled(self):
        draft = self._draft()
        with freeze_time(TODAY):
            self.env["collection.promise"].create(
                {
                    "case_id": draft.sudo().case_id.id,
                    "amount": 500,
                    "date_promised": TODAY + timedelta(days=5),
                }
            )
            draft.action_send()
        self.assertEqual(draft.state, "cancel")
        self.assertIn("promised to pay", draft.error)
        self.assertFalse(self.customer.collection_credit_hold)

    def test_drafts_of_one_customer_in_two_companies_are_sent_together(self):
        self._invoice(self.customer, 1000, TODAY - timedelta(days=50), company=self.company_b)
        draft_a = self._draft()
        draft_b = self._run_followups(company=self.company_b)["followups"]
        self.customer.with_company(self.company).collector_id = self.collector
        self.customer.with_company(self.company_b).collector_id = self.collector
        with freeze_time(TODAY):
            self.env["collection.followup"].browse((draft_a | draft_b).ids).action_send()
        self.assertEqual((draft_a | draft_b).mapped("state"), ["done", "done"])
