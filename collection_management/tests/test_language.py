import base64
import io
import re
from datetime import timedelta
from unittest.mock import patch

from freezegun import freeze_time
from openpyxl import load_workbook

from odoo.tests import tagged
from odoo.tools import html2plaintext

from ..demo.generator import DemoBook
from ..report.xlsx_overdue_list import OverdueListReport
from .common import TODAY, CollectionCommon

# a word of ASCII letters: what is left of English once names and references are removed
ENGLISH_WORD = re.compile(r"[A-Za-z]{2,}")


def _load_chinese(env):
    env["res.lang"]._activate_lang("zh_CN")
    env["ir.module.module"]._load_module_terms(["collection_management"], ["zh_CN"], overwrite=True)


@tagged("post_install", "-at_install")
class TestTextReadsInTheReadersLanguage(CollectionCommon):
    """What the addon writes (scores, risk factors, chatter, activities) is read by a
    Chinese collector in Chinese, though the daily jobs run in English."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        _load_chinese(cls.env)
        cls.collector.lang = "zh_CN"
        cls.legal_officer.lang = "zh_CN"
        cls.company.write({"collection_case_min_amount": 0, "collection_case_min_days": 1})
        cls.customer = cls._customer("上海华信贸易有限公司", lang="zh_CN", ref="C00042")
        cls.customer.with_company(cls.company).collector_id = cls.collector
        # the jobs run as an English user
        cls.env = cls.env(context=dict(cls.env.context, lang="en_US"))

    def assertNoEnglish(self, text, *allowed):
        """``text`` holds no English word once the names and references in ``allowed``
        (customer names, case numbers) are taken out."""
        rest = text or ""
        for name in sorted(filter(None, allowed), key=len, reverse=True):
            rest = rest.replace(name, "")
        self.assertFalse(ENGLISH_WORD.findall(rest), f"English left in: {text!r}")

    def _late_payer_case(self):
        """A case of the Chinese customer who paid late before, owes for 200 days, broke a
        promise, went to legal action and had the limitation period restarted."""
        for months in range(3):
            invoice = self._invoice(self.customer, 1000, TODAY - timedelta(days=300 - 60 * months))
            self._pay(invoice, 1000, invoice.invoice_date_due + timedelta(days=75))
        self._invoice(self.customer, 5000, TODAY - timedelta(days=200))
        with freeze_time(TODAY - timedelta(days=20)):
            case = self.env["collection.case"]._collection_sync(
                self.company, TODAY - timedelta(days=20), self.customer
            )
        self.assertEqual(case.collector_id, self.collector)
        promise = self._promise(case, amount=500, days=3, day=TODAY - timedelta(days=20))
        with freeze_time(TODAY - timedelta(days=10)):
            promise._collection_evaluate()
        self.assertEqual(promise.state, "broken")
        with freeze_time(TODAY):
            self.env["res.partner"]._cron_collection_risk()
            case.with_user(self.manager).action_escalate_legal()
            self.assertEqual(case.legal_user_id, self.legal_officer)
            self.env["collection.limitation.event"].with_user(self.legal_officer).create(
                {"case_id": case.id, "kind": "acknowledgement", "note": "微信确认欠款"}
            ).action_record()
        return case

    def test_chinese_collector_reads_score_risk_chatter_and_activities_in_chinese(self):
        case = self._late_payer_case()
        names = (self.customer.name, case.name, self.customer.ref, self.manager.name)
        # the opening note names the collector the case went to
        names += (self.collector.name,)
        chinese = case.with_user(self.collector).with_context(lang="zh_CN")
        self.assertIn("逾期", chinese.priority_reasons)
        self.assertNoEnglish(chinese.priority_reasons, *names)
        reasons = self.customer.with_user(self.collector).with_context(lang="zh_CN")
        self.assertEqual(self.customer.collection_risk, "critical")
        self.assertNoEnglish(reasons.collection_risk_reasons, *names)
        bodies = [html2plaintext(body) for body in case.message_ids.mapped("body") if body]
        self.assertGreaterEqual(len(bodies), 5, bodies)
        for body in bodies:
            with self.subTest(body=body):
                self.assertNoEnglish(body, *names)
        activities = case.activity_ids
        self.assertTrue(activities.filtered(lambda a: a.user_id == self.collector))
        self.assertTrue(activities.filtered(lambda a: a.user_id == self.legal_officer))
        for activity in activities:
            with self.subTest(summary=activity.summary):
                self.assertNoEnglish(activity.summary, *names)
                self.assertNoEnglish(html2plaintext(activity.note or ""), *names)

    def test_call_logged_by_an_english_manager_gives_the_collector_a_chinese_activity(self):
        self._invoice(self.customer, 2000, TODAY - timedelta(days=40))
        with freeze_time(TODAY):
            case = self.env["collection.case"]._collection_sync(self.company, TODAY, self.customer)
            self.env["collection.interaction"].with_user(self.manager).with_context(
                lang="en_US"
            ).create(
                {
                    "case_id": case.id,
                    "channel": "call",
                    "outcome": "no_answer",
                    "next_action_date": TODAY + timedelta(days=2),
                }
            )
        activity = case.activity_ids.filtered(lambda a: a.user_id == self.collector)
        self.assertEqual(activity.summary, "下一步催收行动")
        # the overdue list read in English does not show the Chinese summary
        step = OverdueListReport._next_step(case.with_context(lang="en_US"))
        self.assertTrue(step.startswith("2026-07-02 "), step)
        self.assertNotIn("下一步", step)

    def test_english_reader_reads_the_same_case_in_english(self):
        case = self._late_payer_case()
        english = case.with_context(lang="en_US")
        self.assertIn("days overdue", english.priority_reasons)
        reasons = self.customer.with_context(lang="en_US").collection_risk_reasons
        self.assertIn("days late on average", reasons)

    def test_limitation_warning_reaches_the_chinese_legal_officer_in_chinese(self):
        case = self._late_payer_case()
        case.sudo().limitation_date = TODAY + timedelta(days=20)
        with freeze_time(TODAY):
            self.env["collection.case"]._cron_collection_limitation()
            # the warning is given once per threshold, whatever the language
            self.env["collection.case"]._cron_collection_limitation()
        warnings = case.activity_ids.filtered(
            lambda a: a.activity_type_id == self.env.ref("mail.mail_activity_data_warning")
        )
        self.assertEqual(warnings.user_id, self.collector | self.legal_officer)
        self.assertEqual(len(warnings), 2)
        for activity in warnings:
            self.assertNoEnglish(activity.summary, case.name)

    def test_follow_up_note_on_the_customer_is_in_its_collectors_language(self):
        self._invoice(self.customer, 800, TODAY - timedelta(days=40))
        self._run_followups()
        bodies = [
            html2plaintext(body)
            for body in self.customer.message_ids.mapped("body")
            if body and "%" not in body
        ]
        self.assertTrue(bodies)
        # the levels are the company's own records (a copy of the shipped policy made
        # before Chinese was loaded): their names are data, like the customer's
        levels = self.policy.level_ids.mapped("name")
        for body in bodies:
            with self.subTest(body=body):
                self.assertNoEnglish(body, self.customer.name, *levels)

    def test_reminder_to_a_chinese_customer_is_in_chinese_with_its_statement(self):
        self.policy.level_ids.attach_statement = True
        self._invoice(self.customer, 1000, TODAY - timedelta(days=10))
        followup = self._run_followups()["followups"]
        mail = followup.mail_id
        self.assertTrue(mail)
        self.assertNoEnglish(mail.subject, self.customer.name, self.company.name)
        received = self._process_mail_queue(mail)
        self.assertEqual(mail.state, "sent")
        self.assertEqual(len(received), 1)
        self.assertEqual(len(mail.attachment_ids), 1)
        self.assertTrue(mail.attachment_ids.name.startswith("对账单"), mail.attachment_ids.name)

    def test_every_excel_export_reads_in_chinese_for_a_chinese_manager(self):
        """Sheet names, titles and headers of each report (its chart too) are in the
        reader's language."""
        self._late_payer_case()
        self.manager.lang = "zh_CN"
        # the web client's context: the user's language
        wizards = self.env["collection.report.wizard"].with_user(self.manager)
        wizards = wizards.with_context(lang="zh_CN")
        for report_type in ("aging", "collector", "cases", "overdue_list", "weekly"):
            with self.subTest(report_type=report_type), freeze_time(TODAY):
                wizard = wizards.create(
                    {
                        "report_type": report_type,
                        "date": TODAY,
                        "date_from": TODAY - timedelta(days=30),
                    }
                )
                wizard.action_export()
                book = load_workbook(io.BytesIO(base64.b64decode(wizard.file)))
                self.assertIn("图表", book.sheetnames)
                for sheet in book.worksheets:
                    self.assertNoEnglish(sheet.title)
                    header = " ".join(str(cell.value or "") for cell in sheet[3])
                    self.assertNoEnglish(f"{sheet['A1'].value or ''} {header}", "CNY", "EUR")

    def test_invoice_left_out_at_sending_is_noted_in_the_collectors_language(self):
        policy = self._policy("To review", delays=(10,))
        policy.level_ids.auto_execute = False
        self.customer.with_company(self.company).collection_policy_id = policy
        paid = self._invoice(self.customer, 500, TODAY - timedelta(days=20))
        unpaid = self._invoice(self.customer, 300, TODAY - timedelta(days=20))
        followup = self._run_followups()["followups"]
        self.assertEqual(followup.state, "draft")
        self._pay(paid, 500, TODAY)
        with freeze_time(TODAY):
            followup.action_send()
        self.assertEqual(followup.invoice_ids, unpaid)
        bodies = [html2plaintext(body) for body in followup.message_ids.mapped("body") if body]
        self.assertTrue(bodies)
        for body in bodies:
            self.assertNoEnglish(body, paid.name, *policy.level_ids.mapped("name"))


@tagged("post_install", "-at_install")
class TestDemoInstallsChinese(CollectionCommon):
    def _deactivate_chinese(self):
        lang = self.env["res.lang"].with_context(active_test=False).search([("code", "=", "zh_CN")])
        self.env["res.users"].with_context(active_test=False).search(
            [("lang", "=", "zh_CN")]
        ).lang = "en_US"
        self.env["res.partner"].with_context(active_test=False).search(
            [("lang", "=", "zh_CN")]
        ).lang = "en_US"
        lang.active = False

    @freeze_time("2026-06-30")
    def test_demo_data_installs_chinese_for_the_chinese_users_and_customers(self):
        self._deactivate_chinese()
        last_partner = self.env["res.partner"].search([], order="id desc", limit=1)
        self.env["res.company"]._collection_demo_load()
        self.assertTrue(self.env["res.lang"]._lang_get("zh_CN"))
        users = self.env["res.users"].search([("login", "in", ("collector.li", "legal.wang"))])
        self.assertEqual(users.mapped("lang"), ["zh_CN", "zh_CN"])
        tom = self.env["res.users"].search([("login", "=", "collector.tom")])
        self.assertEqual(tom.lang, "en_US")
        # the customers the demo data made (a demo database holds earlier ones too)
        customers = self.env["res.partner"].search(
            [("customer_rank", ">", 0), ("id", ">", last_partner.id)]
        )
        chinese = customers.filtered(lambda p: "有限公司" in p.name)
        self.assertTrue(chinese)
        self.assertEqual(set(chinese.mapped("lang")), {"zh_CN"})
        # the interface itself speaks Chinese: menus of the addon and of Odoo
        root = self.env.ref("collection_management.collection_menu_root")
        self.assertEqual(root.with_context(lang="zh_CN").name, "催收管理")

    @freeze_time("2026-06-30")
    def test_generator_alone_says_so_when_chinese_is_not_installed(self):
        self._deactivate_chinese()
        with self.assertLogs("odoo.addons.collection_management.demo.generator", "WARNING"):
            book = DemoBook(self.env, self.company)
            result = book.generate(customers=6, invoices=12, seed=3)
        self.assertEqual(set(result), {"partners", "invoices", "payments", "credit_notes"})
        self.assertIn("is not installed", book.warnings[0])

    @freeze_time("2026-06-30")
    def test_generator_says_so_when_chinese_cannot_be_installed(self):
        self._deactivate_chinese()
        lang_model = type(self.env["res.lang"])
        with (
            patch.object(lang_model, "_activate_lang", return_value=self.env["res.lang"]),
            self.assertLogs("odoo.addons.collection_management.demo.generator", "WARNING") as log,
        ):
            book = DemoBook(self.env, self.company)
            self.assertFalse(book.install_chinese())
            book.generate(customers=6, invoices=12, seed=3)
        self.assertIn("zh_CN", "\n".join(log.output))
        self.assertEqual(len(book.warnings), 1, "said once")
        self.assertIn("Simplified Chinese", book.warnings[0])
        customers = self.env["res.partner"].search(
            [("ref", "=like", "C%"), ("customer_rank", ">", 0)]
        )
        self.assertEqual(set(customers.mapped("lang")), {"en_US"})
        # the administrator finds it in the company's chatter too
        note = self.company.partner_id.message_ids[:1]
        self.assertIn("Simplified Chinese", html2plaintext(note.body))
