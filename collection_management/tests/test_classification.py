import base64
import io
from datetime import timedelta
from unittest.mock import patch

from freezegun import freeze_time
from openpyxl import load_workbook

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged
from odoo.tools import html2plaintext
from odoo.tools.translate import code_translations

from ..demo.generator import DemoBook
from ..models.collection_case_contact import NOT_REACHED_OUTCOMES
from .common import TODAY, CollectionCommon

# what the catalogue will say in Chinese; the tests lend it until the lead translates
CHINESE = {
    "debtor %(label)s": "债务人%(label)s",
    "overdue cause: %(cause)s": "逾期原因：%(cause)s",
    "lost contact: trace the customer": "失联：查找客户",
    "Secure the customer's assets first (asset preservation), propose legal action and "
    "assess a write-off with the manager.": "先保全客户财产（财产保全），提请法律行动。",
    "Keep the evidence and involve the legal officer at once.": "保存证据并立即通知法务专员。",
    "Tracing: business registry": "查找：工商登记",
    "Tracing: sales person and other contacts": "查找：销售人员及其他联系人",
    "Tracing: court and enforcement records": "查找：法院及执行记录",
    "Look the customer up in the business registry: registered address, legal "
    "representative, phone and email of the latest annual report.": "在工商登记中查询客户。",
    "Ask the sales person and the customer's other known contacts (shareholders, "
    "guarantors, business partners) for new contact details.": "向销售人员及客户其他联系人询问。",
    "Search court judgments and enforcement records for the customer's current "
    "addresses and other creditors.": "查询法院判决及执行记录。",
    "Contact lost: two wrong contacts in a row, with no reached contact in "
    "between. Tracing tasks given to %(tracer)s.": "失联：连续两次联系方式错误。%(tracer)s",
}
CHINESE_LABELS = {
    ("debtor_class", "unwilling_unable"): "无意愿且无能力还款",
    ("overdue_cause", "fraud"): "欺诈",
}


@tagged("post_install", "-at_install")
class TestClassification(CollectionCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls._overdue_customer("Gamma Trading", amount=5000, days=60)
        cls.case = cls._open_case(cls.customer, cls.collector)
        cls.other = cls._overdue_customer("Delta Supplies", amount=3000, days=30)
        cls.other_case = cls._open_case(cls.other, cls.collector_2)

    def _log(self, case, outcome, user=None, minutes=0):
        """A contact of ``outcome`` logged on ``case`` (as ``user``), ``minutes`` after
        the start of TODAY."""
        interactions = self.env["collection.interaction"]
        if user:
            interactions = interactions.with_user(user)
        with freeze_time(TODAY):
            return interactions.create(
                {
                    "case_id": case.id,
                    "channel": "call",
                    "outcome": outcome,
                    "date": f"{TODAY} 08:{minutes:02d}:00",
                    "promise_amount": 100,
                    "promise_date": TODAY + timedelta(days=5),
                }
            )

    def _tracing(self, case):
        tracing = self.env.ref("collection_management.mail_activity_type_collection_tracing")
        return case.activity_ids.filtered(lambda a: a.activity_type_id == tracing)

    def _notes(self, case):
        return [html2plaintext(body) for body in case.message_ids.mapped("body") if body]

    # ------------------------------------------------------------------ class and cause
    def test_class_and_cause_raise_the_score_and_explain_it(self):
        case = self.case.with_user(self.collector)
        with freeze_time(TODAY):
            before = case.priority_score
            self.assertNotIn("debtor", case.priority_reasons)
            case.write({"willingness": "unwilling"})
            self.assertEqual(case.priority_score, before + 10)
            self.assertIn("+10 debtor unwilling to pay", case.priority_reasons)
            self.assertFalse(case.debtor_class)
            case.write({"ability": "able", "overdue_cause": "fraud"})
            self.assertEqual(case.debtor_class, "unwilling_able")
            self.assertEqual(case.priority_score, before + 15 + 15)
            self.assertIn("+15 debtor unwilling but able to pay", case.priority_reasons)
            self.assertIn("+15 overdue cause: Fraud", case.priority_reasons)
            self.assertIn("demand letter", case.suggested_approach)
            self.assertIn("legal officer", case.suggested_approach)
            # a customer willing and able needs no more than a reminder: no points
            case.write({"willingness": "willing", "overdue_cause": "quality_dispute"})
            self.assertEqual(case.debtor_class, "willing_able")
            self.assertEqual(case.priority_score, before)
            self.assertNotIn("debtor", case.priority_reasons)
            self.assertIn("agree a payment date", case.suggested_approach)
            self.assertIn("quality dispute", case.suggested_approach)
            case.write({"ability": "unable"})
            self.assertIn("instalment plan", case.suggested_approach)
            self.assertIn("+5 debtor willing but unable to pay", case.priority_reasons)

    def test_every_class_has_its_approach(self):
        approaches = set()
        for willingness in ("willing", "unwilling"):
            for ability in ("able", "unable"):
                self.case.write({"willingness": willingness, "ability": ability})
                self.assertEqual(self.case.debtor_class, f"{willingness}_{ability}")
                approaches.add(self.case.suggested_approach)
        self.assertEqual(len(approaches), 4)
        self.case.write({"willingness": False})
        self.assertIn("Classify the debtor", self.case.suggested_approach)

    def test_the_analysis_groups_cases_by_class_and_cause(self):
        self.case.write({"willingness": "unwilling", "ability": "unable", "overdue_cause": "fraud"})
        self.other_case.write({"willingness": "willing", "ability": "able"})
        groups = self.env["collection.case"]._read_group(
            [("id", "in", (self.case | self.other_case).ids)],
            ["debtor_class", "overdue_cause"],
            ["amount_due:sum"],
        )
        self.assertEqual(
            sorted(groups, key=lambda g: g[0]),
            [("unwilling_unable", "fraud", 5000.0), ("willing_able", False, 3000.0)],
        )
        action = self.env.ref("collection_management.collection_case_action_analysis")
        arch = self.env["collection.case"].get_views([(False, "search")], {"action_id": action.id})
        search = arch["views"]["search"]["arch"]
        for name in ("group_debtor_class", "group_overdue_cause", "lost_contact", "unwilling"):
            self.assertIn(f'name="{name}"', search)

    def test_chinese_collector_reads_reasons_approach_and_tracing_in_chinese(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(
            ["collection_management"], ["zh_CN"], overwrite=True
        )
        key = ("collection_management", "zh_CN")
        catalogue = {**code_translations.get_python_translations(*key), **CHINESE}
        for (field, value), label in CHINESE_LABELS.items():
            self.env["ir.model.fields.selection"].search(
                [
                    ("field_id.model", "=", "collection.case"),
                    ("field_id.name", "=", field),
                    ("value", "=", value),
                ]
            ).with_context(lang="zh_CN").name = label
        self.collector.lang = "zh_CN"
        with patch.dict(code_translations.python_translations, {key: catalogue}):
            self.case.write(
                {"willingness": "unwilling", "ability": "unable", "overdue_cause": "fraud"}
            )
            chinese = self.case.with_user(self.collector).with_context(lang="zh_CN")
            with freeze_time(TODAY):
                reasons = chinese.priority_reasons
            self.assertIn("+10 债务人无意愿且无能力还款", reasons)
            self.assertIn("+15 逾期原因：欺诈", reasons)
            self.assertIn("逾期", reasons.splitlines()[1])  # the existing reasons too
            self.assertIn("财产保全", chinese.suggested_approach)
            self.assertIn("法务专员", chinese.suggested_approach)
            # an English manager logs the calls; the Chinese collector gets the tasks
            self._log(self.case, "wrong_contact", user=self.manager, minutes=1)
            self._log(self.case, "wrong_contact", user=self.manager, minutes=2)
            tracing = self._tracing(self.case)
            self.assertEqual(
                set(tracing.mapped("summary")),
                {"查找：工商登记", "查找：销售人员及其他联系人", "查找：法院及执行记录"},
            )
            self.assertIn("失联：连续两次联系方式错误", "\n".join(self._notes(self.case)))

    def test_tracked_on_the_case(self):
        self.env.flush_all()
        self.cr.precommit.run()
        tracking = {"tracking_disable": False, "mail_notrack": False}
        self.case.with_user(self.collector).with_context(**tracking).write(
            {"willingness": "willing", "ability": "unable", "overdue_cause": "cash_flow"}
        )
        self.env.flush_all()
        self.cr.precommit.run()
        tracked = self.case.message_ids.sudo().tracking_value_ids.field_id.mapped("name")
        self.assertEqual(set(tracked), {"willingness", "ability", "overdue_cause"})

    # ------------------------------------------------------------------ export
    def test_case_register_shows_class_cause_and_lost_contact(self):
        self.case.write({"willingness": "unwilling", "ability": "able", "overdue_cause": "fraud"})
        with freeze_time(TODAY):
            self.case.lost_contact = True
        wizard = self.env["collection.report.wizard"].create(
            {"report_type": "cases", "date": TODAY}
        )
        wizard.action_export()
        book = load_workbook(io.BytesIO(base64.b64decode(wizard.file)))
        sheet = book["Cases"]
        header = [cell.value for cell in sheet[3]]
        rows = {
            row[0]: dict(zip(header, row, strict=True))
            for row in sheet.iter_rows(min_row=4, values_only=True)
            if row[0] and str(row[0]).startswith("CASE/")
        }
        mine, other = rows[self.case.name], rows[self.other_case.name]
        self.assertEqual(mine["Debtor class"], "Unwilling but able to pay")
        self.assertEqual(mine["Overdue cause"], "Fraud")
        self.assertEqual(mine["Lost contact since"].date(), TODAY)
        self.assertEqual(
            (other["Debtor class"], other["Overdue cause"], other["Lost contact since"]),
            (None, None, None),
        )

    # ------------------------------------------------------------------ lost contact
    def test_two_wrong_contacts_in_a_row_mark_the_contact_lost(self):
        self._log(self.case, "wrong_contact", user=self.collector, minutes=1)
        self.assertFalse(self.case.lost_contact)
        self.assertFalse(self._tracing(self.case))
        # an unanswered call neither reaches the customer nor proves the number wrong
        self._log(self.case, "no_answer", user=self.collector, minutes=2)
        self._log(self.case, "wrong_contact", user=self.collector, minutes=3)
        self.assertTrue(self.case.lost_contact)
        self.assertEqual(self.case.lost_contact_date, TODAY)
        tracing = self._tracing(self.case)
        self.assertEqual(len(tracing), 3)
        self.assertEqual(tracing.user_id, self.collector)
        self.assertIn(
            "Contact lost: two wrong contacts in a row", "\n".join(self._notes(self.case))
        )
        with freeze_time(TODAY):
            self.assertIn("+10 lost contact: trace the customer", self.case.priority_reasons)
        worklist = (
            self.env["collection.case"]
            .with_user(self.collector)
            .search([("lost_contact", "=", True)])
        )
        self.assertEqual(worklist, self.case)
        # a third wrong contact changes nothing more
        self._log(self.case, "wrong_contact", user=self.collector, minutes=4)
        self.assertEqual(len(self._tracing(self.case)), 3)
        # the next contact that reaches the customer lifts the flag and closes the tasks
        self._log(self.case, "no_answer", user=self.collector, minutes=5)
        self.assertTrue(self.case.lost_contact)
        self._log(self.case, "refused", user=self.collector, minutes=6)
        self.assertFalse(self.case.lost_contact)
        self.assertFalse(self.case.lost_contact_date)
        self.assertFalse(self._tracing(self.case))
        done = self.case.message_ids.filtered(
            lambda m: (
                m.mail_activity_type_id
                == self.env.ref("collection_management.mail_activity_type_collection_tracing")
            )
        )
        self.assertEqual(len(done), 3, "the tasks are marked done, not deleted")
        self.assertIn(
            "Contact restored: the customer was reached (Call: Refused to pay, logged by "
            f"{self.collector.name}). Tracing tasks closed.",
            "\n".join(self._notes(self.case)),
        )

    def test_a_reached_contact_between_two_wrong_contacts_keeps_the_contact(self):
        self._log(self.case, "wrong_contact", minutes=1)
        self._log(self.case, "reached", minutes=2)
        self._log(self.case, "wrong_contact", minutes=3)
        self.assertFalse(self.case.lost_contact)
        # a contact logged late, before the two wrong ones, does not lift the flag
        self._log(self.case, "wrong_contact", minutes=4)
        self.assertTrue(self.case.lost_contact)
        self._log(self.case, "reached", minutes=0)
        self.assertTrue(self.case.lost_contact)

    def test_a_corrected_contact_counts_as_logged(self):
        self._log(self.case, "wrong_contact", user=self.collector, minutes=1)
        second = self._log(self.case, "wrong_contact", user=self.collector, minutes=2)
        self.assertTrue(self.case.lost_contact)
        # the second call did reach someone after all
        second.with_user(self.collector).outcome = "reached"
        self.assertFalse(self.case.lost_contact)
        self.assertFalse(self._tracing(self.case))
        second.with_user(self.collector).outcome = "wrong_contact"
        self.assertTrue(self.case.lost_contact)

    def test_tracing_of_an_unassigned_case_goes_to_who_lost_the_contact(self):
        self.case.collector_id = False
        self._log(self.case, "wrong_contact", user=self.collector_2, minutes=1)
        self._log(self.case, "wrong_contact", user=self.collector_2, minutes=2)
        self.assertEqual(self._tracing(self.case).user_id, self.collector_2)

    def test_every_outcome_but_no_answer_and_wrong_contact_reaches_the_customer(self):
        outcomes = self.env["collection.interaction"]._fields["outcome"].get_values(self.env)
        reached = [outcome for outcome in outcomes if outcome not in NOT_REACHED_OUTCOMES]
        self.assertIn("reached", reached)
        for minutes, outcome in enumerate(reached):
            with self.subTest(outcome=outcome):
                self.case.with_user(self.collector).lost_contact = True
                self.assertTrue(self._tracing(self.case))
                self._log(self.case, outcome, user=self.collector, minutes=minutes)
                self.assertFalse(self.case.lost_contact)
                self.assertFalse(self._tracing(self.case))

    def test_lost_contact_set_and_restored_by_hand(self):
        case = self.case.with_user(self.collector)
        self._log(self.case, "wrong_contact", minutes=1)
        with freeze_time(TODAY):
            case.lost_contact = True
        self.assertEqual(len(self._tracing(self.case)), 3)
        self.assertEqual(self.case.lost_contact_date, TODAY)
        notes = "\n".join(self._notes(self.case))
        self.assertIn(f"Contact lost, as marked by {self.collector.name}", notes)
        case.lost_contact = False
        self.assertFalse(self._tracing(self.case))
        self.assertIn("Contact restored, as marked by", "\n".join(self._notes(self.case)))
        # restored by hand: the wrong contact before does not count any more
        self._log(self.case, "wrong_contact", minutes=2)
        self.assertFalse(self.case.lost_contact)
        self._log(self.case, "wrong_contact", minutes=3)
        self.assertTrue(self.case.lost_contact)
        with self.assertRaisesText(UserError, "recorded by Odoo"):
            case.write({"lost_contact_date": TODAY - timedelta(days=300)})

    # ------------------------------------------------------------------ new contact details
    def _details(self, user=None, case=None, **values):
        wizards = self.env["collection.contact.details"]
        if user:
            wizards = wizards.with_user(user)
        with freeze_time(TODAY):
            wizard = wizards.create({"case_id": (case or self.case).id, **values})
            wizard.action_record()
        return wizard

    def test_new_contact_person_recorded_with_its_source(self):
        self.customer.phone = "+86 21 5555 0000"
        self._details(
            user=self.collector,
            name="Wang Fang (finance)",
            phone="+86 21 6666 1234 转 8001",
            email=" Wang.Fang@Gamma.example ",
            source="business_registry",
            note="Annual report 2025 <b>online</b>",
        )
        contact = self.customer.child_ids
        self.assertEqual(contact.name, "Wang Fang (finance)")
        self.assertEqual(contact.type, "contact")
        self.assertEqual(contact.email, "wang.fang@gamma.example")
        self.assertIn("Business registry", html2plaintext(contact.comment))
        self.assertEqual(self.customer.phone, "+86 21 5555 0000", "the old phone stays")
        for record in (self.customer, self.case):
            message = record.message_ids[0]
            with self.subTest(record=record._name):
                text = html2plaintext(message.body)
                self.assertIn("New contact Wang Fang (finance) of the customer recorded", text)
                self.assertIn(f"Source: Business registry, obtained on {TODAY}", text)
                self.assertIn("Phone: +86 21 6666 1234 转 8001", text)
                self.assertIn("Note: Annual report 2025 <b>online</b>", text)
                self.assertNotIn("<b>online", message.body, "typed text stays text")
        # a contact with an address of its own is another address of the customer
        self._details(name="Warehouse", street="88 Harbour Road", city="Ningbo", source="sales")
        self.assertEqual(
            self.customer.child_ids.filtered(lambda c: c.name == "Warehouse").type, "other"
        )

    def test_new_details_replace_the_customers_and_keep_the_old_ones_in_the_note(self):
        self.customer.write(
            {"phone": "021 5555 0000", "street": "1 Old Street", "city": "Shanghai"}
        )
        self._details(
            user=self.collector,
            record_as="customer",
            phone="021 7777 0000",
            street="9 New Road",
            city="Suzhou",
            source="court",
        )
        self.assertEqual(self.customer.phone, "021 7777 0000")
        self.assertEqual((self.customer.street, self.customer.city), ("9 New Road", "Suzhou"))
        self.assertFalse(self.customer.child_ids)
        text = html2plaintext(self.case.message_ids[0].body)
        self.assertIn("Phone: 021 7777 0000 (until now: 021 5555 0000)", text)
        self.assertIn("Address: 9 New Road, Suzhou (until now: 1 Old Street, Shanghai)", text)
        self.assertIn("Court or enforcement records", text)

    def test_new_contact_details_refuse_what_is_not_contact_details(self):
        cases = [
            ({"name": "X"}, UserError, "at least a phone"),
            ({"phone": "12345"}, UserError, "name of the new contact"),
            ({"name": "X", "email": "not-an-email"}, ValidationError, "not a valid email"),
            ({"name": "X", "phone": "=1+2*3"}, ValidationError, "is not a phone number"),
            ({"name": "X", "mobile": "+-"}, ValidationError, "is not a phone number"),
            ({"name": "X", "phone": "1" * 41}, ValidationError, "too long"),
            (
                {"name": "X", "phone": "123456", "source_date": TODAY + timedelta(days=1)},
                ValidationError,
                "in the future",
            ),
        ]
        for values, error, text in cases:
            with self.subTest(values=values), self.assertRaisesText(error, text):
                self._details(user=self.collector, **values)
        self.assertFalse(self.customer.child_ids)

    # ------------------------------------------------------------------ rights
    def test_collector_classifies_own_cases_only(self):
        self.case.with_user(self.collector).write(
            {"willingness": "unwilling", "overdue_cause": "cash_flow", "lost_contact": True}
        )
        self.assertEqual(self.case.willingness, "unwilling")
        other = self.other_case.with_user(self.collector)
        for vals in ({"willingness": "willing"}, {"ability": "unable"}, {"lost_contact": True}):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                other.write(vals)
        self.assertFalse(self.other_case.willingness or self.other_case.lost_contact)
        with self.assertRaises(AccessError):
            self._details(user=self.collector, case=self.other_case, name="X", phone="123456")
        with self.assertRaises(AccessError):
            self.case.with_user(self.billing).write({"willingness": "willing"})
        case = self.case.with_user(self.collector)
        with self.assertRaisesText(ValidationError, "is not one of the choices"):
            case.write({"willingness": "maybe"})
        with self.assertRaisesText(ValidationError, "is not one of the choices"):
            case.write({"overdue_cause": ["fraud"]})
        with self.assertRaisesText(UserError, "set by the collection process"):
            case.write({"debtor_class": "willing_able"})
        # the manager classifies any case
        self.other_case.with_user(self.manager).write({"ability": "unable"})
        self.assertEqual(self.other_case.ability, "unable")

    def test_each_company_classifies_its_own_cases(self):
        customer_b = self._overdue_customer("Epsilon Ltd", company=self.company_b)
        case_b = self._open_case(customer_b, self.manager_b, company=self.company_b)
        case_b.with_user(self.manager_b).write({"willingness": "unwilling", "ability": "able"})
        self.assertEqual(case_b.debtor_class, "unwilling_able")
        for user in (self.collector, self.manager):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                case_b.with_user(user).write({"overdue_cause": "fraud"})
        with self.assertRaises(AccessError):
            self.case.with_user(self.manager_b).write({"willingness": "willing"})
        with self.assertRaises(AccessError):
            self._details(user=self.manager_b, case=self.case, name="X", phone="123456")
        counts = dict(
            self.env["collection.case"]
            .with_user(self.manager_b)
            .with_context(allowed_company_ids=self.company_b.ids)
            ._read_group([], ["debtor_class"], ["__count"])
        )
        self.assertEqual(counts, {"unwilling_able": 1})

    # ------------------------------------------------------------------ screens and demo
    def test_collector_classifies_on_the_case_form(self):
        with Form(self.case.with_user(self.collector)) as form:
            form.willingness = "unwilling"
            form.ability = "unable"
            form.overdue_cause = "bankruptcy"
            self.assertEqual(form.debtor_class, "unwilling_unable")
            self.assertIn("asset preservation", form.suggested_approach)
            form.lost_contact = True
        self.assertEqual(self.case.overdue_cause, "bankruptcy")
        self.assertTrue(self.case.lost_contact)
        self.assertEqual(len(self._tracing(self.case)), 3)
        action = self.case.with_user(self.collector).action_new_contact_details()
        wizard = Form(
            self.env[action["res_model"]]
            .with_user(self.collector)
            .with_context(**action["context"])
        )
        self.assertIn("Phone: none", wizard.current_details)
        wizard.name = "Li Lei"
        wizard.mobile = "138 0000 1111"
        wizard.save().action_record()
        self.assertEqual(self.customer.child_ids.mobile, "138 0000 1111")

    @freeze_time("2026-06-30")
    def test_demo_story_classifies_debtors_and_loses_a_contact(self):
        generator = DemoBook(self.env, self.company)
        generator.generate(customers=15, invoices=90, seed=11)
        generator.story()
        cases = self.env["collection.case"].search([("company_id", "=", self.company.id)])
        self.assertEqual(
            set(cases.mapped("debtor_class")) - {False},
            {"unwilling_able", "willing_able", "willing_unable"},
        )
        lost = cases.filtered("lost_contact")
        self.assertEqual(len(lost), 1)
        self.assertEqual(len(self._tracing(lost)), 3)
