import os
import re
import subprocess
import tempfile
from datetime import timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo.tests import HttpCase, tagged

from odoo.addons.collection_management.report import collection_letterhead

from .common import TODAY, CollectionCommon

DEMAND_LETTER = "collection_management.action_report_collection_demand_letter"
LAWYER_LETTER = "collection_management.action_report_collection_lawyer_letter"
STATEMENT = "collection_management.action_report_collection_statement"

ONE_PIXEL_PNG = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJ"
    "AAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
# the top third of an A4 page, in points (pdftotext -r 72 measures in points)
TOP_BAND = 280
PAGE_WIDTH = 595

# English words of the demand letter that a Chinese customer must not read
ENGLISH_HEADINGS = (
    "Demand for payment",
    "Demand letter",
    "Invoice",
    "Due date",
    "Days overdue",
    "Amount",
    "Still due",
    "Total due",
    "Dear",
    "Yours faithfully",
    "Reference",
)


def pdf_pages_text(pdf, *crop):
    """The text of each page of ``pdf`` (bytes), cropped to ``crop`` (x, y, width,
    height in points) when given, read by poppler's pdftotext as a reader would."""
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "document.pdf")
        with open(path, "wb") as document:
            document.write(pdf)
        args = ["pdftotext", "-layout", "-r", "72"]
        if crop:
            x, y, width, height = crop
            args += ["-x", str(x), "-y", str(y), "-W", str(width), "-H", str(height)]
        text = subprocess.run([*args, path, "-"], check=True, capture_output=True, text=True).stdout
    return text.split("\f")[:-1]


def pdf_page_ink(pdf, page):
    """Rows of ``page`` (1-based) of ``pdf`` that hold ink, as pdftoppm draws the page
    (grey levels at 30 dpi): a list of booleans from the top of the page down."""
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "document.pdf")
        with open(path, "wb") as document:
            document.write(pdf)
        image = subprocess.run(
            ["pdftoppm", "-gray", "-r", "30", "-f", str(page), "-l", str(page), path],
            check=True,
            capture_output=True,
        ).stdout
    # binary PGM: "P5\n<width> <height>\n<max>\n" then one byte per pixel
    header = re.match(rb"P5\s+(\d+)\s+(\d+)\s+(\d+)\s", image)
    width, height = int(header.group(1)), int(header.group(2))
    pixels = image[header.end() :]
    return [
        any(value < 128 for value in pixels[row * width : (row + 1) * width])
        for row in range(height)
    ]


@tagged("post_install", "-at_install")
class TestLetterhead(CollectionCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {
                "name": "Huadong Pump Works Co., Ltd.",
                "street": "88 Zhangjiang Road",
                "city": "Shanghai",
                "zip": "201203",
                "country_id": cls.env.ref("base.cn").id,
                "company_registry": "91310115MA1K4PUMP8",
                "report_footer": "Bank of Shanghai, account 3100 2200 1188",
                "collection_case_min_amount": 0,
                "collection_case_min_days": 1,
            }
        )
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.customer = cls._customer("Debtor Ltd", lang="en_US")
        cls.customer_zh = cls._customer("Zhongyuan Trading", lang="zh_CN")
        for index in range(3):
            cls._invoice(cls.customer, 1000 + index, TODAY - timedelta(days=90 + index))
            cls._invoice(cls.customer_zh, 2000 + index, TODAY - timedelta(days=90 + index))
        cls.case = cls._open_case(cls.customer, cls.collector)
        cls.case_zh = cls._open_case(cls.customer_zh, cls.collector)

    def _pdf(self, report, records):
        with freeze_time(TODAY):
            pdf, kind = (
                self.env["ir.actions.report"]
                .with_context(force_report_rendering=True)
                ._render_qweb_pdf(report, records.ids)
            )
        self.assertEqual(kind, "pdf")
        return pdf

    def _load_chinese(self):
        self.env["ir.module.module"]._load_module_terms(
            ["collection_management"], ["zh_CN"], overwrite=True
        )

    def assertLetterheadOnFirstPage(self, pdf):
        band = pdf_pages_text(pdf, 0, 0, PAGE_WIDTH, TOP_BAND)[0]
        for detail in ("Huadong Pump Works Co., Ltd.", "88 Zhangjiang Road", "91310115MA1K4PUMP8"):
            self.assertIn(detail, band, "the letterhead is in the top band of the first page")
        ink = pdf_page_ink(pdf, 1)
        top_rows = ink[: len(ink) // 10]
        self.assertTrue(any(top_rows), "the top tenth of the first page is not blank")

    def assertNoPageHoldsOnlyTheCompany(self, pdf):
        pages = pdf_pages_text(pdf)
        company_words = set(re.findall(r"\w+", self.company.name))
        for number, text in enumerate(pages, start=1):
            words = set(re.findall(r"\w+", text)) - company_words
            self.assertTrue(words, f"page {number} of {len(pages)} holds more than the company")
            lines = [line for line in text.splitlines() if line.strip()]
            self.assertGreaterEqual(
                len(lines), 4, f"page {number} holds more than a line or two: {lines}"
            )

    def test_demand_letter_prints_the_company_letterhead_on_its_first_page(self):
        pdf = self._pdf(DEMAND_LETTER, self.case)
        self.assertLetterheadOnFirstPage(pdf)
        self.assertNoPageHoldsOnlyTheCompany(pdf)
        text = "".join(pdf_pages_text(pdf))
        self.assertIn("Bank of Shanghai, account 3100 2200 1188", text, "footer text")
        self.assertIn("Demand for payment", text)

    def test_statement_prints_the_company_letterhead_on_its_first_page(self):
        pdf = self._pdf(STATEMENT, self.customer)
        self.assertLetterheadOnFirstPage(pdf)
        self.assertNoPageHoldsOnlyTheCompany(pdf)
        self.assertIn("Bank of Shanghai", "".join(pdf_pages_text(pdf)), "footer text")

    def test_long_statement_has_no_page_without_content(self):
        for index in range(60):
            self._invoice(self.customer, 100 + index, TODAY - timedelta(days=10 + index))
        pdf = self._pdf(STATEMENT, self.customer)
        pages = pdf_pages_text(pdf)
        self.assertGreater(len(pages), 1, "sixty invoices take more than one page")
        self.assertLetterheadOnFirstPage(pdf)
        self.assertNoPageHoldsOnlyTheCompany(pdf)
        self.assertIn("Bank of Shanghai", pages[-1], "the company footer closes the statement")

    def test_signature_and_company_details_never_fall_alone_onto_a_page(self):
        """Letters of growing length: wherever the page breaks, the signature block
        (closing, company, seal, person in charge, date, company footer) stays whole
        on one page with the letter's last paragraph."""
        closing = (
            "Failing payment by that date",
            "Yours faithfully",
            "(company seal)",
            f"Date: {TODAY.isoformat()}",
            "Bank of Shanghai",
        )
        count = 3
        for invoices in range(9, 16):
            while count < invoices:
                self._invoice(self.customer, 10 + count, TODAY - timedelta(days=40 + count))
                count += 1
            with freeze_time(TODAY):
                self.case._collection_join_invoices(TODAY)
            pdf = self._pdf(DEMAND_LETTER, self.case)
            last_page = pdf_pages_text(pdf)[-1]
            with self.subTest(invoices=invoices):
                for text in closing:
                    self.assertIn(text, last_page)
                self.assertIn(self.company.name, last_page.split("Yours faithfully")[1])
                self.assertNoPageHoldsOnlyTheCompany(pdf)

    def test_letters_of_several_cases_each_start_with_the_letterhead(self):
        pdf = self._pdf(DEMAND_LETTER, self.case | self.case_zh)
        pages = pdf_pages_text(pdf, 0, 0, PAGE_WIDTH, TOP_BAND)
        starts = [page for page in pages if "91310115MA1K4PUMP8" in page]
        self.assertEqual(len(starts), 2, "one letterhead per letter")
        self.assertNoPageHoldsOnlyTheCompany(pdf)

    def test_chinese_demand_letter_is_a_demand_letter_in_chinese_throughout(self):
        self._load_chinese()
        pdf = self._pdf(DEMAND_LETTER, self.case_zh)
        self.assertLetterheadOnFirstPage(pdf)
        self.assertNoPageHoldsOnlyTheCompany(pdf)
        text = "".join(pdf_pages_text(pdf))
        self.assertIn("催款函", text)
        self.assertNotIn("催告函", text)
        for heading in ENGLISH_HEADINGS:
            self.assertNotIn(heading, text)

    def test_letter_is_signed_by_the_company_and_the_person_in_charge(self):
        self.collector.name = "Wang Fang"
        pdf = self._pdf(DEMAND_LETTER, self.case)
        last_page = pdf_pages_text(pdf)[-1]
        self.assertIn("Wang Fang", last_page)
        self.assertIn("Huadong Pump Works Co., Ltd.", last_page)
        self.assertIn(TODAY.isoformat(), last_page)
        self.case.legal_user_id = self.legal_officer
        self.legal_officer.name = "Li Lei"
        pdf = self._pdf(LAWYER_LETTER, self.case)
        self.assertIn("Huadong Pump Works Co., Ltd.", pdf_pages_text(pdf)[-1])

    def test_letter_attachment_is_named_in_the_customer_language(self):
        self._load_chinese()
        with freeze_time(TODAY):
            attachment = self.case_zh.with_user(self.manager).action_send_demand_letter()
            english = self.case.with_user(self.manager).action_send_demand_letter()
        self.assertEqual(attachment.name, f"催款函 - {self.case_zh.name}.pdf")
        self.assertEqual(english.name, f"Demand letter - {self.case.name}.pdf")
        statement = self.env.ref(STATEMENT)
        self.assertEqual(
            statement._collection_file_name(self.customer_zh, "zh_CN"),
            "对账单 - Zhongyuan Trading.pdf",
        )

    def test_patched_wkhtmltopdf_keeps_the_letterhead_in_its_header_and_footer(self):
        report = self.env["ir.actions.report"]._get_report(DEMAND_LETTER)
        html, _kind = report._render_qweb_html(DEMAND_LETTER, self.case.ids)
        with patch.object(collection_letterhead, "wkhtmltopdf_is_patched", return_value=True):
            bodies, _ids, header, footer, args = report._prepare_html(html, report.model)
        self.assertIn("91310115MA1K4PUMP8", header)
        self.assertIn("Bank of Shanghai", footer)
        self.assertNotIn("Bank of Shanghai", bodies[0])
        self.assertNotIn("data-report-margin-top", args)
        with patch.object(collection_letterhead, "wkhtmltopdf_is_patched", return_value=False):
            bodies, _ids, header, footer, args = report._prepare_html(html, report.model)
        self.assertNotIn("91310115MA1K4PUMP8", header)
        self.assertIn("91310115MA1K4PUMP8", bodies[0])
        self.assertIn("Bank of Shanghai", bodies[0])

    def test_reminder_email_opens_with_the_company_header_and_closes_with_its_details(self):
        self.company.write(
            {
                "logo": ONE_PIXEL_PNG,
                "phone": "+86 21 5080 8888",
                "email": "ar@huadong-pumps.example.com",
            }
        )
        self._load_chinese()
        customers = self._customer("Reminded Ltd", lang="en_US") | self._customer(
            "Huanan Trading", lang="zh_CN"
        )
        for customer in customers:
            customer.with_company(self.company).collector_id = self.collector
            self._invoice(customer, 1000, TODAY - timedelta(days=25))
        followups = self._run_followups(partners=customers)["followups"]
        self.assertEqual(len(followups.mail_id), 2, "both reminders were queued")
        for followup in followups:
            greeting = "尊敬的" if followup.partner_id.lang == "zh_CN" else "Dear"
            body = followup.mail_id.body_html
            header, _sep, rest = body.partition(greeting)
            self.assertTrue(rest, f"the template's text, in the customer's language: {greeting}")
            self.assertIn(f"/logo.png?company={self.company.id}", header, "the company's logo")
            self.assertIn("Huadong Pump Works Co., Ltd.", header)
            self.assertIn("88 Zhangjiang Road", header)
            for detail in (
                "91310115MA1K4PUMP8",
                "+86 21 5080 8888",
                "ar@huadong-pumps.example.com",
            ):
                self.assertIn(detail, rest, "the company's details close the email")
