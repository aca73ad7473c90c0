import base64
import io
import zipfile
from datetime import timedelta

from openpyxl import load_workbook

from odoo import fields
from odoo.tests import HttpCase, tagged

from .common import CollectionCommon, load_static_paths


@tagged("post_install", "-at_install")
class TestManagerTour(CollectionCommon, HttpCase):
    """A manager opens the Collections dashboard and the overview, then exports every
    Excel report from the export wizard."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        load_static_paths()
        today = fields.Date.today()
        cls.company.write({"collection_case_min_amount": 0, "collection_case_min_days": 1})
        big = cls._customer("Tour Big Debtor")
        cls._invoice(big, 9000, today - timedelta(days=50))
        small = cls._customer("Tour Small Debtor")
        cls._invoice(small, 400, today - timedelta(days=10))
        cases = cls.env["collection.case"]._collection_sync(cls.company, today)
        cases.collector_id = cls.collector
        cls.env["collection.target"].create(
            {"collector_id": cls.collector.id, "month": today, "amount": 5000}
        )
        cls.env["collection.snapshot"]._collection_take(cls.company, today)

    def test_manager_opens_the_dashboard_and_exports_every_report(self):
        self.start_tour(
            "/odoo/action-collection_management.collection_dashboard_action",
            "collection_manager_dashboard_tour",
            login=self.manager.login,
        )
        wizards = self.env["collection.report.wizard"].search(
            [("create_uid", "=", self.manager.id)], order="id"
        )
        self.assertEqual(
            wizards.mapped("report_type"), ["aging", "collector", "cases", "overdue_list"]
        )
        for wizard in wizards:
            with self.subTest(report=wizard.report_type):
                content = io.BytesIO(base64.b64decode(wizard.file))
                charts = [
                    name
                    for name in zipfile.ZipFile(content).namelist()
                    if name.startswith("xl/charts/")
                ]
                self.assertTrue(charts, "the export has its chart")
                book = load_workbook(content, data_only=True)
                self.assertEqual(book.sheetnames[-1], "Chart")
                sheet = book.worksheets[0]
                rows = [
                    [cell.value for cell in row]
                    for row in sheet.iter_rows(min_row=4)
                    if any(cell.value is not None for cell in row)
                ]
                self.assertEqual(rows[-1][0], f"Total {self.company.name}")
                texts = {value for row in rows for value in row if isinstance(value, str)}
                if wizard.report_type == "collector":
                    self.assertIn(self.collector.name, texts)
                else:
                    self.assertTrue(
                        any("Tour Big Debtor" in text for text in texts), wizard.report_type
                    )
