from datetime import date, timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged
from odoo.tools import SQL

from .common import CollectionCommon

TODAY = date(2026, 6, 30)


@tagged("post_install", "-at_install")
class TestPromiseIntegrity(CollectionCommon):
    """What a user (or an RPC call) can and cannot do with promises to pay, and a promise
    job that survives a bad promise."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.own = cls._open_case(cls._overdue_customer("Own debtor"), cls.collector)
        cls.other = cls._open_case(cls._overdue_customer("Other debtor"), cls.collector_2)
        foreign = cls._overdue_customer("Foreign debtor", company=cls.company_b)
        cls.foreign = cls._open_case(foreign, cls.manager_b, company=cls.company_b)

    # ------------------------------------------------------------------ promised date
    def test_promised_date_is_at_most_the_company_limit_ahead(self):
        self.assertEqual(self.company.collection_promise_max_days, 365)
        with self.assertRaisesText(ValidationError, "at most 365 days"):
            self._promise(self.own, user=self.collector, date_promised=date(9999, 12, 31))
        promise = self._promise(self.own, user=self.collector, days=365)
        self.assertEqual(promise.date_promised, TODAY + timedelta(days=365))
        with freeze_time(TODAY), self.assertRaisesText(ValidationError, "at most 365 days"):
            promise.with_user(self.collector).date_promised = date(9999, 12, 31)
        self.company.collection_promise_max_days = 30
        with self.assertRaisesText(ValidationError, "at most 30 days"):
            self._promise(self.own, user=self.collector, days=31)
        self.assertTrue(self._promise(self.own, user=self.collector, days=30))

    def test_contact_log_cannot_promise_beyond_the_limit(self):
        with freeze_time(TODAY):
            form = Form(
                self.env["collection.interaction"]
                .with_user(self.collector)
                .with_context(default_case_id=self.own.id)
            )
            form.outcome = "promise"
            form.promise_amount = 100
            form.promise_date = date(9999, 12, 31)
            with self.assertRaisesText(ValidationError, "at most 365 days"):
                form.save()
        self.assertFalse(self.own.promise_ids)

    # ------------------------------------------------------------------ promise job
    def test_one_bad_promise_does_not_stop_the_promise_job(self):
        bad = self._promise(self.own)
        good = self._promise(self.other)
        foreign = self._promise(self.foreign)
        # a promise from before the limit existed, or written around it
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "UPDATE collection_promise SET date_promised = %s WHERE id = %s",
                date(9999, 12, 31),
                bad.id,
            )
        )
        bad.invalidate_recordset(["date_promised"])
        with freeze_time(TODAY + timedelta(days=10)):
            self.env["collection.promise"]._cron_collection_promises()
        self.assertEqual(good.state, "broken", "the other customers of the company are evaluated")
        self.assertEqual(foreign.state, "broken", "the other companies are evaluated")
        self.assertEqual(bad.state, "open")
        reports = bad.message_ids.filtered(lambda m: self.manager.partner_id in m.partner_ids)
        self.assertEqual(len(reports), 1)
        self.assertIn("could not process", reports.body)
        self.assertNotIn(self.manager_b.partner_id, reports.partner_ids)

    # ------------------------------------------------------------------ case and rights
    def test_collector_promises_only_on_a_case_they_work(self):
        promises = self.env["collection.promise"].with_user(self.collector)
        other_customer = self.other.partner_id
        with self.assertRaises(AccessError):
            self._promise(self.other, user=self.collector)
        with freeze_time(TODAY), self.assertRaisesText(ValidationError, "on a collection case"):
            promises.create(
                {
                    "partner_id": other_customer.id,
                    "amount": 100,
                    "date_promised": TODAY + timedelta(days=5),
                }
            )
        with self.assertRaisesText(ValidationError, "customer of its case"):
            self._promise(self.own, user=self.collector, partner_id=other_customer.id)
        self.assertFalse(
            self.env["collection.promise"].search([("partner_id", "=", other_customer.id)]),
            "the reminders of the other collector's customer do not pause",
        )
        promise = self._promise(self.own, user=self.collector)
        self.assertEqual(promise.partner_id, self.own.partner_id)
        with self.assertRaisesText(UserError, "stays with the case"):
            promise.with_user(self.collector).case_id = self.other
        with self.assertRaisesText(UserError, "stays with the case"):
            promise.case_id = self.other

    def test_unassigned_legal_and_manager_cases_take_promises_of_their_workers(self):
        unassigned = self._open_case(
            self._overdue_customer("Unassigned debtor"), self.env["res.users"]
        )
        self.assertTrue(self._promise(unassigned, user=self.collector))
        with freeze_time(TODAY):
            self.other.action_escalate_legal()
        self.assertTrue(self._promise(self.other, user=self.legal_officer))
        self.assertTrue(self._promise(self.other, user=self.manager))
        with self.assertRaises(AccessError):
            self._promise(self.own, user=self.legal_officer)
        with self.assertRaises(AccessError):
            self._promise(self.foreign, user=self.manager)

    def test_no_promise_on_a_closed_case(self):
        with freeze_time(TODAY):
            self.own._collection_close("settled")
        with self.assertRaisesText(ValidationError, "is closed"):
            self._promise(self.own)

    def test_contact_log_promise_needs_its_case(self):
        interactions = self.env["collection.interaction"].with_user(self.collector)
        values = {
            "outcome": "promise",
            "promise_amount": 100,
            "promise_date": TODAY + timedelta(days=5),
        }
        with freeze_time(TODAY), self.assertRaisesText(ValidationError, "on a collection case"):
            interactions.create({"partner_id": self.other.partner_id.id, **values})
        with freeze_time(TODAY), self.assertRaises(AccessError):
            interactions.create({"case_id": self.other.id, **values})
        with freeze_time(TODAY):
            interaction = interactions.create({"case_id": self.own.id, **values})
        self.assertEqual(interaction.promise_id.case_id, self.own)
        self.assertEqual(interaction.promise_id.interaction_id, interaction)
        with self.assertRaisesText(UserError, "promise recorded from this contact"):
            interaction.case_id = self.other
        with self.assertRaisesText(UserError, "promise recorded from this contact"):
            interaction.with_user(self.collector).promise_amount = 50
        with self.assertRaisesText(UserError, "set by Odoo"):
            interaction.with_user(self.collector).promise_id = False

    # ------------------------------------------------------------------ fields set by Odoo
    def test_made_on_date_and_author_are_set_by_odoo(self):
        promise = self._promise(
            self.own,
            user=self.collector,
            date=TODAY - timedelta(days=30),
            user_id=self.collector_2.id,
        )
        self.assertEqual(promise.date, TODAY)
        self.assertEqual(promise.user_id, self.collector)
        for user in (self.collector, self.manager):
            for values in ({"date": TODAY - timedelta(days=30)}, {"user_id": user.id}):
                with (
                    self.subTest(user=user.login, values=values),
                    self.assertRaisesText(UserError, "set by Odoo"),
                ):
                    promise.with_user(user).write(values)
        self.assertEqual(promise.date, TODAY)

    def test_status_and_amount_paid_follow_the_payments_only(self):
        promise = self._promise(self.own, user=self.collector)
        with freeze_time(TODAY):
            contact = self.env["collection.interaction"].create(
                {"case_id": self.own.id, "outcome": "reached"}
            )
        attempts = (
            {"state": "kept", "amount_paid": 999},
            {"state": "kept"},
            {"amount_paid": 999},
            {"date_evaluated": TODAY},
            {"interaction_id": contact.id},
        )
        for user in (self.collector, self.manager):
            for values in attempts:
                with self.subTest(user=user.login, values=values), self.assertRaises(UserError):
                    promise.with_user(user).write(values)
        self.assertEqual(promise.state, "open")
        self.assertEqual(promise.amount_paid, 0)
        self.assertFalse(promise.interaction_id)
        for values in ({"state": "kept"}, {"amount_paid": 100}, {"date_evaluated": TODAY}):
            with self.subTest(values=values), self.assertRaises(UserError):
                self._promise(self.own, user=self.collector, **values)
        with self.assertRaises(UserError):
            self._promise(self.own, user=self.collector, interaction_id=contact.id)
        # the evaluation sets them, whoever asks for it
        self._pay(self.own.invoice_ids, 100, TODAY + timedelta(days=1))
        with freeze_time(TODAY + timedelta(days=1)):
            promise.with_user(self.collector).action_evaluate()
        self.assertEqual(promise.state, "kept")
        self.assertEqual(promise.amount_paid, 100)

    def test_only_who_works_the_case_cancels_a_promise(self):
        promise = self._promise(self.own, user=self.collector)
        with self.assertRaises(AccessError):
            promise.with_user(self.collector_2).action_cancel()
        with self.assertRaises(AccessError):
            promise.with_user(self.collector_2).write({"state": "cancel"})
        self.assertEqual(self.own.stage_id.kind, "promised")
        promise.with_user(self.collector).action_cancel()
        self.assertEqual(promise.state, "cancel")
        self.assertEqual(self.own.stage_id.kind, "progress")
        with self.assertRaisesText(UserError, "only be cancelled"):
            promise.with_user(self.manager).write({"state": "open"})
        with self.assertRaisesText(UserError, "Only an open promise"):
            promise.with_user(self.manager).action_cancel()

    def test_amounts_must_be_numbers(self):
        for amount in (float("nan"), float("inf"), float("-inf"), "nan", "lots"):
            with self.subTest(amount=amount):
                with self.assertRaisesText(ValidationError, "must be a number"):
                    self._promise(self.own, user=self.collector, amount=amount)
                with freeze_time(TODAY), self.assertRaisesText(ValidationError, "must be a number"):
                    self.env["collection.interaction"].with_user(self.collector).create(
                        {
                            "case_id": self.own.id,
                            "outcome": "promise",
                            "promise_amount": amount,
                            "promise_date": TODAY + timedelta(days=5),
                        }
                    )
        promise = self._promise(self.own, user=self.collector)
        with self.assertRaisesText(ValidationError, "must be a number"):
            promise.with_user(self.collector).write({"amount": float("nan")})
        with self.assertRaisesText(ValidationError, "positive"):
            promise.with_user(self.collector).write({"amount": 0})
        promise.with_user(self.collector).note = "   "
        self.assertEqual(promise.amount, 100)

    def test_collector_records_a_promise_from_the_case_form(self):
        action = self.own.with_user(self.collector).action_new_promise()
        with freeze_time(TODAY):
            form = Form(
                self.env["collection.promise"]
                .with_user(self.collector)
                .with_context(**action["context"])
            )
            form.amount = 250
            form.date_promised = TODAY + timedelta(days=10)
            promise = form.save()
        self.assertEqual(promise.case_id, self.own)
        self.assertEqual(promise.partner_id, self.own.partner_id)
        self.assertEqual((promise.date, promise.user_id), (TODAY, self.collector))
        self.assertEqual(self.own.stage_id.kind, "promised")

    def test_payments_a_collector_cannot_see_promised_are_not_counted_again(self):
        customer = self.other.partner_id
        self._invoice(customer, 2000, TODAY - timedelta(days=40))
        kept = self._promise(self.other, amount=1000, days=20)
        self._pay(self.other.invoice_ids, 1000, TODAY)
        with freeze_time(TODAY):
            kept._collection_evaluate()
            self.assertEqual(kept.state, "kept")
            self.other._collection_close("settled")
            # the customer's next case goes to another collector, who records a promise
            new_case = self.env["collection.case"].create(
                {"partner_id": customer.id, "company_id": self.company.id}
            )
            new_case.collector_id = self.collector
        promise = self._promise(new_case, amount=500, days=5, user=self.collector)
        with freeze_time(TODAY + timedelta(days=10)):
            promise.with_user(self.collector).action_evaluate()
        self.assertEqual(promise.state, "broken", "the payment kept a promise of the old case")

    def test_contact_form_asks_for_the_case_of_a_promise(self):
        with freeze_time(TODAY):
            form = Form(self.env["collection.interaction"].with_user(self.collector))
            form.partner_id = self.own.partner_id
            form.outcome = "promise"
            form.promise_amount = 100
            with self.assertRaisesRegex(AssertionError, "case_id"):
                form.save()
            form.outcome = "reached"
            self.assertFalse(form.save().case_id, "a contact without promise needs no case")
