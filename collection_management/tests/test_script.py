from datetime import timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged

from .common import TODAY, CollectionCommon

ALL_PLACEHOLDERS = (
    "<p>C={customer} K={contact} O={overdue_amount} T={open_amount} I={oldest_invoice} "
    "D={oldest_due_date} N={days_overdue} PD={promised_date} PA={promised_amount} "
    "U={collector} F={company}</p>"
)


@tagged("post_install", "-at_install")
class TestCallScripts(CollectionCommon):
    """Call scripts: filled from the case in the customer's language, never evaluated,
    chosen by the case's situation, configured by managers per company."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for lang in ("zh_CN", "de_DE"):
            cls.env["res.lang"]._activate_lang(lang)
        cls.scripts = cls.env["collection.script"]
        cls.shared = cls.env.ref("collection_management.collection_script_first_call")
        cls.script_a = cls.scripts.create(
            {
                "name": "Company A first call",
                "situation": "first_call",
                "company_id": cls.company.id,
                "sequence": 50,
                "body": ALL_PLACEHOLDERS,
            }
        )
        cls.script_b = cls.scripts.create(
            {
                "name": "Company B first call",
                "situation": "first_call",
                "company_id": cls.company_b.id,
                "body": "<p>B script for {customer}</p>",
            }
        )
        cls.records = {"shared": cls.shared, "own": cls.script_a, "other": cls.script_b}

    def _case(self, name, amount=1234.5, days=40, **values):
        partner = self._overdue_customer(name, amount=amount, days=days, **values)
        return self._open_case(partner, self.collector)

    def _log_form(self, case, user=None):
        interactions = self.env["collection.interaction"].with_user(user or self.collector)
        return Form(interactions.with_context(default_case_id=case.id))

    def test_placeholders_are_filled_in_the_chinese_customers_language(self):
        case = self._case("上海华信贸易有限公司", lang="zh_CN")
        self._invoice(case.partner_id, 500, TODAY + timedelta(days=10))
        contact = self.env["res.partner"].create(
            {"name": "王经理", "parent_id": case.partner_id.id}
        )
        self._promise(case, amount=300, days=5)
        self.script_a.update_field_translations(
            "body", {"zh_CN": {ALL_PLACEHOLDERS[3:-4]: "您好 " + ALL_PLACEHOLDERS[3:-4]}}
        )
        oldest = case.invoice_ids
        with freeze_time(TODAY):
            form = self._log_form(case)
            form.contact_id = contact
            form.script_id = self.script_a
            body = str(form.script_body)
        self.assertIn("您好 C=上海华信贸易有限公司 K=王经理", body)
        self.assertIn("O=$&nbsp;1,234.50 T=$&nbsp;1,734.50", body)
        self.assertIn(f"I={oldest.name} D=2026年05月21日 N=40", body)
        self.assertIn("PD=2026年07月05日 PA=$&nbsp;300.00", body)
        self.assertIn(f"U={self.collector.name} F={self.company.name}", body)

        # the same case for a German customer: their amount and date formats
        case.partner_id.lang = "de_DE"
        with freeze_time(TODAY):
            form = self._log_form(case)
            form.script_id = self.script_a
            body = str(form.script_body)
        self.assertIn("O=$&nbsp;1.234,50", body)
        self.assertIn("D=21.05.2026", body)

    def test_hostile_values_are_escaped_and_the_body_is_never_evaluated(self):
        case = self._case('<img src=x onerror="alert(1)">&Co {company}')
        self.script_a.body = (
            "<p>{customer} owes {overdue_amount}; {{ object.company_id.name }} "
            "${object.name} <t t-out='object.name'/></p>"
        )
        with freeze_time(TODAY):
            form = self._log_form(case)
            form.script_id = self.script_a
            body = str(form.script_body)
        self.assertNotIn("<img", body)
        self.assertIn('&lt;img src=x onerror="alert(1)"&gt;&amp;Co {company} owes', body)
        # a placeholder inside a value is not filled again; template code stays text
        self.assertIn("{{ object.company_id.name }}", body)
        self.assertIn("${object.name}", body)
        self.assertNotIn(self.company.name, body)

    def test_unknown_placeholder_is_refused_on_save(self):
        with self.assertRaisesText(ValidationError, "{customer_name}"):
            self.scripts.create(
                {"name": "Typo", "situation": "refusal", "body": "<p>Dear {customer_name}</p>"}
            )
        with self.assertRaisesText(ValidationError, "{amount}"):
            self.script_a.body = "<p>You owe {amount}</p>"
        # a translation is checked in its own language too
        with self.assertRaisesText(ValidationError, "{kunde}"):
            self.script_a.with_context(lang="de_DE").body = "<p>Hallo {kunde}</p>"

    def test_situation_follows_the_state_of_the_case(self):
        with freeze_time(TODAY):
            case = self._case("Situation Ltd")
            self.assertEqual(self._log_form(case).script_situation, "first_call")
            self.assertEqual(self._log_form(case).script_id, self.script_a)

            self.env["collection.interaction"].with_user(self.collector).create(
                {"case_id": case.id, "outcome": "refused"}
            )
            self.assertEqual(self._log_form(case).script_situation, "refusal")

            case._collection_request_legal("Refuses every call")
            self.assertEqual(self._log_form(case).script_situation, "final_warning")
            self.assertEqual(
                self._log_form(case).script_id,
                self.env.ref("collection_management.collection_script_final_warning"),
            )

            promise = self._promise(case, amount=100, days=3, day=TODAY - timedelta(days=20))
            self.assertEqual(self._log_form(case).script_situation, "promise_followup")
        with freeze_time(TODAY - timedelta(days=10)):
            promise._collection_evaluate()
        self.assertEqual(promise.state, "broken")
        with freeze_time(TODAY):
            self.assertEqual(self._log_form(case).script_situation, "broken_promise")
            case.invoice_ids.collection_dispute_reason_id = self.env.ref(
                "collection_management.dispute_reason_quality"
            )
            self.assertEqual(self._log_form(case).script_situation, "dispute")

    def test_last_level_of_the_policy_calls_for_the_final_warning(self):
        with freeze_time(TODAY):
            case = self._case("Last Level Ltd")
            # the level the follow-up run reached
            case.sudo().level_id = self.policy.level_ids.sorted("sequence")[-1]
            self.assertEqual(self._log_form(case).script_situation, "final_warning")
            case.sudo().level_id = self.policy.level_ids.sorted("sequence")[0]
            self.assertEqual(self._log_form(case).script_situation, "first_call")

    def test_collector_picks_another_situation_and_the_log_keeps_it(self):
        case = self._case("Pick Ltd", lang="en_US")
        with freeze_time(TODAY):
            form = self._log_form(case)
            form.script_situation = "dispute"
            self.assertEqual(
                form.script_id, self.env.ref("collection_management.collection_script_dispute")
            )
            self.assertIn("You have disputed an invoice", str(form.script_body))
            form.outcome = "reached"
            interaction = form.save()
        self.assertEqual(interaction.script_situation, "dispute")
        # logging the contact does not change the situation it was logged in
        self.assertEqual(interaction.script_id.situation, "dispute")

    def test_each_company_gets_its_own_scripts_or_the_shared_ones(self):
        partner_b = self._overdue_customer("Company B Debtor", company=self.company_b)
        case_b = self._open_case(partner_b, self.collector_2, company=self.company_b)
        self.collector_2.company_ids |= self.company_b
        with freeze_time(TODAY):
            self.assertEqual(self._log_form(case_b, self.collector_2).script_id, self.script_b)
            case_a = self._case("Company A Debtor")
            self.assertEqual(self._log_form(case_a).script_id, self.script_a)
        self.script_a.active = False
        with freeze_time(TODAY):
            self.assertEqual(self._log_form(case_a).script_id, self.shared)

    def test_managers_edit_scripts_and_collectors_only_read_them(self):
        self.assertRights(self.collector, {"shared": "r", "own": "r", "other": ""})
        self.assertRights(self.legal_officer, {"shared": "r", "own": "r", "other": ""})
        self.assertRights(self.manager, {"shared": "rwcu", "own": "rwcu", "other": ""})
        self.assertRights(self.manager_b, {"shared": "rwcu", "own": "", "other": "rwcu"})
        self.assertRights(self.billing, {"shared": "", "own": "", "other": ""})
        script = self.script_a.with_user(self.collector)
        with self.assertRaises(AccessError):
            script.write({"body": "<p>Pay now or else</p>"})
        with self.assertRaises(AccessError):
            self.scripts.with_user(self.collector).create(
                {"name": "Mine", "situation": "refusal", "body": "<p>x</p>"}
            )
        with self.assertRaises(AccessError):
            script.unlink()
        self.assertNotIn("Pay now", str(self.script_a.body))

    def test_a_contact_cannot_use_the_script_of_another_company(self):
        case = self._case("Cross Company Ltd")
        with freeze_time(TODAY):
            interaction = (
                self.env["collection.interaction"]
                .with_user(self.collector)
                .create({"case_id": case.id, "outcome": "no_answer"})
            )
        with self.assertRaises(UserError):
            interaction.with_user(self.collector).write({"script_id": self.script_b.id})
        self.assertEqual(interaction.script_id, self.script_a)


@tagged("post_install", "-at_install")
class TestRefusalOutcomes(CollectionCommon):
    """Stalling, refusal to pay and deliberate default in the contact log; the last two
    tell the managers and the salesperson and propose legal action once."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("de_DE")
        cls.salesperson = cls._make_user("sales", "base.group_user")
        cls.salesperson.lang = "de_DE"
        partner = cls._overdue_customer("Refuser Ltd", amount=1000, days=60)
        partner.user_id = cls.salesperson
        cls.case = cls._open_case(partner, cls.collector)

    def _log(self, outcome, case=None, user=None, note=False):
        with freeze_time(TODAY):
            return (
                self.env["collection.interaction"]
                .with_user(user or self.collector)
                .create({"case_id": (case or self.case).id, "outcome": outcome, "note": note})
            )

    def _notifications(self):
        # a notification is readable by its recipients only
        return (
            self.env["mail.message"]
            .sudo()
            .search(
                [
                    ("model", "=", "collection.case"),
                    ("res_id", "=", self.case.id),
                    ("message_type", "=", "user_notification"),
                    # not the notices of activities assigned
                    ("subject", "not ilike", "assigned to you"),
                ]
            )
        )

    def test_each_new_outcome_is_logged_with_its_label(self):
        labels = {
            "stalling": "Stalling",
            "refused_to_pay": "Refuses to pay the debt",
            "deliberate_default": "Deliberate default",
        }
        for outcome, label in labels.items():
            interaction = self._log(outcome)
            self.assertEqual(interaction.outcome, outcome)
            self.assertEqual(interaction.display_name, f"Call: {label}")

    def test_stalling_proposes_nothing_and_tells_nobody(self):
        self._log("stalling")
        self.assertFalse(self.case.legal_request_user_id)
        self.assertFalse(self._notifications())
        self.assertFalse(self.case.activity_ids.filtered(lambda a: "legal" in a.summary))

    def test_refusal_to_pay_tells_managers_and_salesperson_and_proposes_legal_once(self):
        self._log("refused_to_pay", note="Says the goods were fine but will not pay")
        self.assertEqual(self.case.legal_request_user_id, self.collector)
        self.assertEqual(self.case.legal_request_date, TODAY)
        self.assertIn("Refuses to pay the debt", self.case.legal_request_note)
        self.assertIn("will not pay", self.case.legal_request_note)
        notifications = self._notifications()
        readers = notifications.partner_ids
        self.assertIn(self.manager.partner_id, readers)
        self.assertIn(self.salesperson.partner_id, readers)
        self.assertNotIn(self.manager_b.partner_id, readers)
        # each reader in their language: the German salesperson reads German amounts
        german = notifications.filtered(lambda m: self.salesperson.partner_id in m.partner_ids)
        self.assertEqual(german.partner_ids, self.salesperson.partner_id)
        self.assertIn("1.000,00", german.body)
        # by email through the mail queue, as the salesperson chose
        mail = self.env["mail.mail"].search(
            [("mail_message_id", "=", german.id), ("state", "=", "outgoing")]
        )
        self.assertEqual(mail.recipient_ids, self.salesperson.partner_id)
        self.assertIn("1.000,00", mail.body_html)
        english = notifications - german
        self.assertIn(self.manager.partner_id, english.partner_ids)
        self.assertIn("1,000.00", english.body)
        self.assertIn("proposed for legal action", english.body)
        activity = self.case.activity_ids.filtered(lambda a: "Decide on legal action" in a.summary)
        self.assertEqual(len(activity), 1)
        self.assertIn(activity.user_id, self.case._collection_company_managers())

        # a second refusal: told again, not proposed again, no second task
        request_messages = self.case.message_ids.filtered(lambda m: "proposes" in (m.body or ""))
        self._log("deliberate_default")
        self.assertEqual(
            self.case.message_ids.filtered(lambda m: "proposes" in (m.body or "")),
            request_messages,
        )
        self.assertEqual(len(request_messages), 1)
        self.assertEqual(len(self._notifications()), 2 * len(notifications))
        self.assertEqual(
            len(self.case.activity_ids.filtered(lambda a: "Decide on legal action" in a.summary)),
            1,
        )

    def test_deliberate_default_on_a_case_in_legal_action_tells_the_legal_officer(self):
        self.case.with_user(self.manager).action_escalate_legal()
        stage = self.case.legal_stage_id
        self._log("deliberate_default")
        self.assertFalse(self.case.legal_request_user_id)
        self.assertEqual(self.case.legal_stage_id, stage)
        comments = self.case.message_ids.filtered(
            lambda m: self.legal_officer.partner_id in m.partner_ids
        )
        self.assertTrue(any("Deliberate default" in m.body for m in comments))
        self.assertIn(self.manager.partner_id, self._notifications().partner_ids)

    def test_changing_an_outcome_to_a_refusal_proposes_legal_action(self):
        interaction = self._log("reached")
        self.assertFalse(self.case.legal_request_user_id)
        with freeze_time(TODAY):
            interaction.with_user(self.collector).write({"outcome": "deliberate_default"})
        self.assertEqual(self.case.legal_request_user_id, self.collector)

    def test_a_refusal_needs_a_case(self):
        with self.assertRaisesText(ValidationError, "log the contact on the customer's case"):
            self.env["collection.interaction"].with_user(self.collector).create(
                {"partner_id": self.case.partner_id.id, "outcome": "refused_to_pay"}
            )

    def test_collector_cannot_propose_by_writing_the_case(self):
        with self.assertRaises(UserError):
            self.case.with_user(self.collector).write(
                {"legal_request_user_id": self.collector.id, "legal_request_date": TODAY}
            )
        self.assertFalse(self.case.legal_request_user_id)
        self.assertFalse(self.case.legal_request_date)
