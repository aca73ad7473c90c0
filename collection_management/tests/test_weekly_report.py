import base64
import io
from datetime import date, datetime
from unittest.mock import patch
from urllib.parse import parse_qs, urlparse

from freezegun import freeze_time
from openpyxl import load_workbook
from psycopg2 import IntegrityError

from odoo import Command, http
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from ..report.collection_xlsx import CollectionWorkbook, ReportOptions
from ..report.xlsx_weekly import SHEETS, WeeklyData
from .common import CollectionCommon

FRIDAY = date(2026, 7, 3)
WEEK_START = date(2026, 6, 27)
NEXT_MONDAY = date(2026, 7, 6)
HOSTILE = '=HYPERLINK("http://evil.example","click")'


class WeeklyReportCommon(CollectionCommon):
    """A small book of company A whose week from Saturday 27 June to Friday 3 July
    2026 is known by heart:

    - "Old Debtor" owed 1,000 since 1 May, paid 300 on 1 July, promised 400 for 7 July;
    - "New Debtor" owes 500 due on 29 June: overdue for the first time this week;
    - a customer named like a formula owes 200 since 1 June, broke a promise of 100
      (found broken on 1 July) and went to legal action on 2 July.

    Overdue: 1,200 before the week, 1,400 after it (+200); collected 300."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.env["ir.module.module"]._load_module_terms(
            ["collection_management"], ["zh_CN"], overwrite=True
        )
        # the other companies of the database send theirs on Sundays, never tested here
        cls.env["res.company"].search([("id", "not in", cls.all_companies.ids)]).write(
            {"collection_weekly_report_day": "6"}
        )
        cls.sales_manager = new_test_user(
            cls.env,
            login="salesmgr",
            groups="base.group_user",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
            email="salesmgr@example.com",
            lang="zh_CN",
        )
        cls.company.write(
            {
                "collection_weekly_report_day": "4",
                "collection_weekly_report_user_ids": [Command.set(cls.sales_manager.ids)],
            }
        )
        cls.company_b.collection_weekly_report_day = "0"
        cls.old = cls._customer("Old Debtor")
        old_invoice = cls._invoice(cls.old, 1000, date(2026, 5, 1))
        cls.new = cls._customer("New Debtor")
        cls._invoice(cls.new, 500, date(2026, 6, 29))
        cls.hostile = cls._customer(HOSTILE)
        cls._invoice(cls.hostile, 200, date(2026, 6, 1))
        cls.old_case = cls._open_case(cls.old, cls.collector, day=date(2026, 6, 20))
        cls.hostile_case = cls._open_case(cls.hostile, cls.collector_2, day=date(2026, 6, 15))
        cls._pay(old_invoice, 300, date(2026, 7, 1))
        with freeze_time(date(2026, 6, 20)):
            broken = cls.env["collection.promise"].create(
                {
                    "case_id": cls.hostile_case.id,
                    "amount": 100,
                    "date_promised": date(2026, 6, 24),
                }
            )
        with freeze_time(date(2026, 7, 1)):
            broken._collection_evaluate(date(2026, 7, 1))
            cls.promise_due = cls.env["collection.promise"].create(
                {"case_id": cls.old_case.id, "amount": 400, "date_promised": date(2026, 7, 7)}
            )
        cls.promise_broken = broken
        with freeze_time(date(2026, 7, 2)):
            cls.hostile_case.with_user(cls.manager).action_escalate_legal()
        # company B: one overdue customer, its report on Mondays
        cls.customer_b = cls._customer("Debtor B")
        cls._invoice(cls.customer_b, 800, date(2026, 6, 1), company=cls.company_b)

    def _run_cron(self, day):
        with freeze_time(datetime.combine(day, datetime.min.time()).replace(hour=6)):
            self.env["collection.weekly.report"]._cron_collection_weekly_report()
        return self.env["collection.weekly.report"].search(
            [("company_id", "in", self.all_companies.ids)], order="id"
        )

    def _book(self, raw):
        return load_workbook(io.BytesIO(raw))

    def _rows(self, sheet):
        """Values of the rows under the header, until the totals row (no second
        column) or an empty row."""
        rows = []
        for row in sheet.iter_rows(min_row=4, values_only=True):
            if row[0] is None or row[1] is None:
                break
            rows.append(row)
        return rows

    def _mails(self, report):
        return self.env["mail.mail"].search(
            [("model", "=", report._name), ("res_id", "=", report.id)]
        )


@tagged("post_install", "-at_install")
class TestWeeklyReportSending(WeeklyReportCommon):
    def test_sent_once_on_the_companys_day_only(self):
        self.assertFalse(self._run_cron(date(2026, 7, 2)), "Thursday is not company A's day")
        reports = self._run_cron(FRIDAY)
        self.assertEqual(reports.company_id, self.company, "Friday is not company B's day")
        self.assertEqual((reports.week_start, reports.week_end), (WEEK_START, FRIDAY))
        mails = self._mails(reports)
        self.assertTrue(mails)
        self.assertEqual(set(mails.mapped("state")), {"outgoing"}, "queued, not sent at once")
        # the job runs again the same day (and the next week's Monday for company A)
        self.assertEqual(self._run_cron(FRIDAY), reports)
        self.assertEqual(self._mails(reports), mails)
        reports = self._run_cron(NEXT_MONDAY)
        report_b = reports.filtered(lambda r: r.company_id == self.company_b)
        self.assertEqual(report_b.company_id, self.company_b)
        self.assertEqual((report_b.week_start, report_b.week_end), (date(2026, 6, 30), NEXT_MONDAY))
        self.assertEqual(len(self._run_cron(NEXT_MONDAY)), 2)

    def test_a_company_is_sent_one_report_per_week_even_through_the_database(self):
        self._run_cron(FRIDAY)
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"):
            self.env["collection.weekly.report"].sudo().create(
                {"company_id": self.company.id, "week_start": WEEK_START, "week_end": FRIDAY}
            )
        with self.assertRaisesText(ValidationError, "cannot cover the same days"):
            self.env["collection.weekly.report"].sudo().create(
                {
                    "company_id": self.company.id,
                    "week_start": date(2026, 7, 1),
                    "week_end": date(2026, 7, 5),
                }
            )

    def test_a_new_report_day_starts_the_week_after_the_last_report(self):
        self._run_cron(FRIDAY)
        self.company.collection_weekly_report_day = "0"
        reports = self._run_cron(NEXT_MONDAY).filtered(lambda r: r.company_id == self.company)
        self.assertEqual(
            [(r.week_start, r.week_end) for r in reports.sorted("week_start")],
            [(WEEK_START, FRIDAY), (date(2026, 7, 4), NEXT_MONDAY)],
        )

    def test_a_failing_company_does_not_stop_the_others(self):
        self.company_b.collection_weekly_report_day = "4"
        model = type(self.env["collection.weekly.report"])
        send_due = model._collection_send_due

        def fail_for_company_a(reports, company, today):
            if company == self.company:
                raise ValueError("company A cannot be reported")
            return send_due(reports, company, today)

        with (
            mute_logger("odoo.addons.collection_management.models.collection_job"),
            patch.object(model, "_collection_send_due", fail_for_company_a),
        ):
            reports = self._run_cron(FRIDAY)
        self.assertEqual(reports.company_id, self.company_b)
        # company A is reported to its managers, and sent on the next run
        self.assertTrue(
            self.env["mail.message"].search([("body", "ilike", "company A cannot be reported")])
        )
        self.assertEqual(self._run_cron(FRIDAY).company_id, self.company | self.company_b)

    def test_recipients_are_the_managers_and_the_chosen_users_in_their_language(self):
        view = self.env.ref("collection_management.collection_weekly_report_mail")
        view.update_field_translations("arch_db", {"zh_CN": {"Collected this week": "本周回款"}})
        report = self._run_cron(FRIDAY)
        self.assertIn(self.manager, report.recipient_ids)
        self.assertIn(self.sales_manager, report.recipient_ids)
        self.assertNotIn(self.manager_b, report.recipient_ids, "manager of company B only")
        self.assertNotIn(self.collector, report.recipient_ids)
        self.assertEqual(report.acknowledgement_ids.user_id, report.recipient_ids)
        mails = self._mails(report)
        by_partner = {mail.recipient_ids: mail for mail in mails}
        chinese = by_partner[self.sales_manager.partner_id]
        english = by_partner[self.manager.partner_id]
        self.assertIn("本周回款", chinese.body_html)
        self.assertNotIn("Collected this week", chinese.body_html)
        self.assertIn("Collected this week", english.body_html)
        # each gets their own link, and the workbook in their language
        for user in (self.sales_manager, self.manager):
            token = report.acknowledgement_ids.filtered(lambda a, u=user: a.user_id == u)
            self.assertIn(token.sudo().access_token, by_partner[user.partner_id].body_html)
        self.assertNotIn(
            report.acknowledgement_ids.filtered(lambda a: a.user_id == self.manager)
            .sudo()
            .access_token,
            chinese.body_html,
        )
        header = self._book(chinese.attachment_ids.raw)["逾期"]
        self.assertEqual(header["B3"].value, "客户", "the Chinese reader's workbook")
        self.assertEqual(self._book(english.attachment_ids.raw)["Overdue"]["B3"].value, "Customer")
        self.assertEqual(report.attachment_id, english.attachment_ids, "the company's language")
        self.assertIn("+", english.body_html.split("Change over the week")[1][:200])

    def test_recipients_of_company_b_are_its_own_managers(self):
        self.company_b.collection_weekly_report_day = "4"
        report_b = self._run_cron(FRIDAY).filtered(lambda r: r.company_id == self.company_b)
        self.assertIn(self.manager_b, report_b.recipient_ids)
        self.assertFalse(report_b.recipient_ids & (self.manager | self.sales_manager))

    def test_the_settings_choose_the_day_and_the_extra_recipients(self):
        settings = Form(self.env["res.config.settings"].with_company(self.company))
        self.assertEqual(settings.collection_weekly_report_day, "4")
        settings.collection_weekly_report_day = "1"
        settings.collection_weekly_report_user_ids.add(self.collector)
        settings.save().execute()
        self.assertEqual(self.company.collection_weekly_report_day, "1")
        self.assertEqual(
            self.company.collection_weekly_report_user_ids, self.sales_manager | self.collector
        )
        self.assertFalse(self._run_cron(FRIDAY))
        report = self._run_cron(date(2026, 6, 30))
        self.assertIn(self.collector, report.recipient_ids)
        self.assertTrue(report.with_user(self.collector).has_access("read"), "his own report")

    def test_the_demo_story_has_one_acknowledged_report_of_last_week(self):
        with freeze_time(date(2026, 7, 5)):
            report = self.env["collection.weekly.report"]._collection_demo_report(self.company)
        self.assertEqual((report.week_start, report.week_end), (WEEK_START, FRIDAY))
        self.assertTrue(self._mails(report))
        self.assertEqual(report.acknowledged_count, 1)

    def test_only_internal_users_of_the_company_are_chosen(self):
        portal = new_test_user(self.env, login="portal_x", groups="base.group_portal")
        with self.assertRaisesText(ValidationError, "internal users of the company"):
            self.company.collection_weekly_report_user_ids = [Command.link(portal.id)]
        with self.assertRaisesText(ValidationError, "internal users of the company"):
            self.company.collection_weekly_report_user_ids = [Command.link(self.manager_b.id)]
        with self.assertRaises(ValueError):
            self.company.collection_weekly_report_day = "7"


@tagged("post_install", "-at_install")
class TestWeeklyReportWorkbook(WeeklyReportCommon):
    def test_the_summary_holds_the_weeks_figures(self):
        report = self._run_cron(FRIDAY)
        self.assertRecordValues(
            report,
            [
                {
                    "amount_overdue": 1400.0,
                    "amount_overdue_change": 200.0,
                    "amount_collected": 300.0,
                    "newly_overdue_count": 1,
                    "promise_due_count": 1,
                    "promise_due_amount": 400.0,
                    "promise_broken_count": 1,
                    "legal_count": 1,
                }
            ],
        )

    def test_the_sheets_list_the_weeks_events(self):
        report = self._run_cron(FRIDAY)
        book = self._book(report.attachment_id.raw)
        self.assertEqual(
            book.sheetnames,
            [
                "Overdue",
                "Chart",
                "Collected",
                "Newly overdue",
                "Promises next week",
                "Broken promises",
                "Escalated to legal",
            ],
        )
        company = self.company.name
        self.assertEqual(
            self._rows(book["Collected"])[0], (company, "Old Debtor", 300, 1, self.collector.name)
        )
        self.assertEqual(
            [row[:3] for row in self._rows(book["Newly overdue"])],
            [(company, "New Debtor", 500)],
        )
        [due] = self._rows(book["Promises next week"])
        self.assertEqual(due[1:6], ("Old Debtor", self.old_case.name, datetime(2026, 7, 7), 400, 0))
        [broken] = self._rows(book["Broken promises"])
        self.assertEqual(broken[1], HOSTILE)
        self.assertEqual(broken[4:7], (100, 0, "Broken"))
        [legal] = self._rows(book["Escalated to legal"])
        self.assertEqual(legal[1:5], (self.hostile_case.name, HOSTILE, datetime(2026, 7, 2), 200))
        overdue = {row[1]: row for row in self._rows(book["Overdue"])}
        self.assertEqual(overdue["Old Debtor"][2], 700)
        self.assertEqual(overdue["New Debtor"][2], 500)
        self.assertEqual(overdue[HOSTILE][7], self.collector_2.name)

    def test_the_weeks_sheets_are_read_in_queries_that_do_not_grow_with_customers(self):
        def sheets_queries():
            self.env.flush_all()
            self.env.invalidate_all()
            datas = [WeeklyData(self.env, self.company, WEEK_START, FRIDAY)]
            options = ReportOptions(self.company, FRIDAY, self.env["res.users"])
            workbook = CollectionWorkbook()
            before = self.env.cr.sql_log_count
            for sheet in SHEETS:
                sheet(self.env, options, datas).render(workbook)
            workbook.close()
            return self.env.cr.sql_log_count - before

        sheets_queries()  # the registry's caches (rules, defaults) are warm from now on
        few = sheets_queries()
        for index in range(3):
            partner = self._customer(f"Late {index}")
            invoice = self._invoice(partner, 100, date(2026, 6, 28))
            self._pay(invoice, 40, date(2026, 7, 2))
            case = self._open_case(partner, self.collector_2, day=FRIDAY)
            with freeze_time(date(2026, 7, 1)):
                self.env["collection.promise"].create(
                    {"case_id": case.id, "amount": 30, "date_promised": date(2026, 7, 8)}
                )
        self.assertEqual(sheets_queries(), few)
        book = load_workbook(io.BytesIO(self._run_cron(FRIDAY).attachment_id.raw))
        self.assertEqual(len(self._rows(book["Collected"])), 4)
        self.assertEqual(len(self._rows(book["Newly overdue"])), 4)
        self.assertEqual(len(self._rows(book["Promises next week"])), 4)

    def test_hostile_customer_names_stay_text(self):
        report = self._run_cron(FRIDAY)
        book = self._book(report.attachment_id.raw)
        for name in ("Overdue", "Broken promises", "Escalated to legal"):
            cells = [
                cell
                for row in book[name].iter_rows(min_row=4)
                for cell in row
                if cell.value == HOSTILE
            ]
            self.assertTrue(cells, name)
            self.assertTrue(all(cell.data_type == "s" for cell in cells), name)
        self.assertNotIn("HYPERLINK", str(book["Escalated to legal"]._hyperlinks))

    def test_on_demand_for_a_past_week_from_the_export_wizard(self):
        # a database with demo data has a report sent already: only new ones count
        reports_before = self.env["collection.weekly.report"].search([])
        mails = self.env["mail.mail"].search([("model", "=", "collection.weekly.report")])
        with freeze_time(date(2026, 7, 20)):
            wizard = (
                self.env["collection.report.wizard"]
                .with_user(self.manager)
                .create({"report_type": "weekly", "date": FRIDAY})
            )
            wizard.action_export()
        book = self._book(base64.b64decode(wizard.file))
        self.assertEqual(self._rows(book["Collected"])[0][2], 300)
        self.assertEqual([row[1] for row in self._rows(book["Newly overdue"])], ["New Debtor"])
        self.assertEqual(len(self._rows(book["Escalated to legal"])), 1)
        self.assertEqual(
            self.env["collection.weekly.report"].search([]), reports_before, "nothing is sent"
        )
        self.assertEqual(
            self.env["mail.mail"].search([("model", "=", "collection.weekly.report")]), mails
        )
        with freeze_time(date(2026, 7, 20)):
            collector_wizard = (
                self.env["collection.report.wizard"]
                .with_user(self.manager)
                .create(
                    {
                        "report_type": "weekly",
                        "date": FRIDAY,
                        "collector_ids": [Command.set(self.collector_2.ids)],
                    }
                )
            )
            collector_wizard.action_export()
        book = self._book(base64.b64decode(collector_wizard.file))
        self.assertFalse(self._rows(book["Collected"]), "Old Debtor is another collector's")
        self.assertEqual(len(self._rows(book["Escalated to legal"])), 1)


@tagged("post_install", "-at_install")
class TestWeeklyReportAcknowledgement(WeeklyReportCommon, HttpCase):
    def _acknowledgement(self, report, user):
        return report.acknowledgement_ids.filtered(lambda a: a.user_id == user)

    def _token(self, report, user):
        url = self._acknowledgement(report, user)._collection_url()
        return urlparse(url).path, parse_qs(urlparse(url).query)["token"][0]

    def test_the_link_of_the_email_records_the_recipients_acknowledgement_once(self):
        report = self._run_cron(FRIDAY)
        path, token = self._token(report, self.sales_manager)
        mail = self._mails(report).filtered(
            lambda m: m.recipient_ids == self.sales_manager.partner_id
        )
        self.assertIn(f"{path}?token={token}", mail.body_html)
        self.assertIn(f"collection_weekly_report_action/{report.id}", mail.body_html)
        response = self.url_open(f"{path}?token={token}")
        self.assertEqual(response.status_code, 200)
        acknowledgement = self._acknowledgement(report, self.sales_manager)
        self.assertTrue(acknowledgement.acknowledged_date)
        self.assertFalse(self._acknowledgement(report, self.manager).acknowledged_date)
        self.assertEqual(report.acknowledged_count, 1)
        acknowledgement.sudo().acknowledged_date = datetime(2026, 7, 3, 8)
        self.assertEqual(self.url_open(f"{path}?token={token}").status_code, 200)
        acknowledgement.invalidate_recordset()
        self.assertEqual(
            acknowledgement.acknowledged_date, datetime(2026, 7, 3, 8), "acknowledged once"
        )

    def test_a_wrong_token_or_user_is_refused(self):
        report = self._run_cron(FRIDAY)
        path, token = self._token(report, self.manager)
        for url in (
            f"{path}?token={token[:-2]}xx",
            f"{path}?token=short",
            f"/collection/weekly-report/{report.id + 1}/acknowledge?token={token}",
            path,
        ):
            with self.subTest(url=url):
                self.assertEqual(self.url_open(url).status_code, 403)
        self.authenticate(self.collector.login, self.collector.login)
        self.assertEqual(self.url_open(path).status_code, 403, "not a recipient")
        self.assertFalse(report.acknowledgement_ids.filtered("acknowledged_date"))
        self.authenticate(self.manager.login, self.manager.login)
        # another page cannot acknowledge in the recipient's name: he confirms
        page = self.url_open(path)
        self.assertEqual(page.status_code, 200, "the recipient, logged in")
        self.assertIn("csrf_token", page.text)
        self.assertFalse(self._acknowledgement(report, self.manager).acknowledged_date)
        with mute_logger("odoo.http"):
            forged = self.url_open(path, data={"csrf_token": "forged"})
        self.assertEqual(forged.status_code, 400)
        self.assertFalse(self._acknowledgement(report, self.manager).acknowledged_date)
        response = self.url_open(path, data={"csrf_token": http.Request.csrf_token(self)})
        self.assertEqual(response.status_code, 200)
        self.assertTrue(self._acknowledgement(report, self.manager).acknowledged_date)

    def test_the_button_records_the_current_recipients_acknowledgement(self):
        report = self._run_cron(FRIDAY)
        as_sales = report.with_user(self.sales_manager)
        # a sales manager without any collection group opens his report from the email
        form = Form(as_sales)
        self.assertEqual(form.amount_collected, 300)
        self.assertEqual(len(form.acknowledgement_ids), len(report.recipient_ids))
        self.assertTrue(as_sales.is_my_report)
        self.assertFalse(as_sales.acknowledged_by_me)
        as_sales.action_acknowledge()
        as_sales.invalidate_recordset()
        self.assertTrue(as_sales.acknowledged_by_me)
        mine = self._acknowledgement(report, self.sales_manager)
        mine.sudo().acknowledged_date = datetime(2026, 7, 3, 8)
        as_sales.action_acknowledge()
        self.assertEqual(mine.acknowledged_date, datetime(2026, 7, 3, 8), "acknowledged once")
        self.assertFalse(self._acknowledgement(report, self.manager).acknowledged_date)
        with self.assertRaises(AccessError):
            report.with_user(self.collector).action_acknowledge()
        # a manager who joined after the report was sent reads it, but is no recipient
        newcomer = self._make_user("newmgr", "collection_management.group_collection_manager")
        with self.assertRaisesText(UserError, "Only a recipient"):
            report.with_user(newcomer).action_acknowledge()


@tagged("post_install", "-at_install")
class TestWeeklyReportRights(WeeklyReportCommon):
    def test_rights_per_role(self):
        report = self._run_cron(FRIDAY)
        self.company_b.collection_weekly_report_day = "4"
        report_b = self._run_cron(FRIDAY).filtered(lambda r: r.company_id == self.company_b)
        self.records = {
            "report": report,
            "report_b": report_b,
            "acknowledgement": report.acknowledgement_ids[:1],
        }
        self.assertRights(self.manager, {"report": "ru", "report_b": "", "acknowledgement": "r"})
        self.assertRights(self.manager_b, {"report": "", "report_b": "ru"})
        self.assertRights(self.sales_manager, {"report": "r", "acknowledgement": "r"})
        for user in (self.collector, self.legal_officer, self.billing):
            self.assertRights(user, {"report": "", "acknowledgement": ""})

    def test_nobody_writes_a_sent_report_or_a_token(self):
        report = self._run_cron(FRIDAY)
        for user in (self.manager, self.sales_manager, self.collector):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                report.with_user(user).write({"amount_collected": 1e9})
        mine = self._acknowledgement_of(report, self.sales_manager).with_user(self.sales_manager)
        with self.assertRaises(AccessError):
            mine.write({"acknowledged_date": "2026-07-03 08:00:00"})
        with self.assertRaises(AccessError):
            mine.read(["access_token"])
        with self.assertRaises(AccessError):
            self.env["collection.weekly.report"].with_user(self.manager).create(
                {"company_id": self.company.id, "week_start": NEXT_MONDAY, "week_end": NEXT_MONDAY}
            )

    def _acknowledgement_of(self, report, user):
        return report.acknowledgement_ids.filtered(lambda a: a.user_id == user)

    def test_only_a_manager_exports_the_weekly_report(self):
        with self.assertRaises(AccessError):
            self.env["collection.report.wizard"].with_user(self.collector).create(
                {"report_type": "weekly", "date": FRIDAY}
            )
