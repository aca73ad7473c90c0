import base64
import io
import json
import os
import shutil
import tempfile
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

from markupsafe import escape
from openpyxl import load_workbook

from odoo import fields
from odoo.tests import HttpCase, tagged
from odoo.tests.common import TEST_CURSOR_COOKIE_NAME, ChromeBrowser

from ..demo.generator import DemoBook
from .common import CollectionCommon, load_static_paths

PNG = b"\x89PNG\r\n\x1a\n"


@tagged("post_install", "-at_install")
class TestScreenshots(CollectionCommon, HttpCase):
    """The main screens render in a real browser. With COLLECTION_SCREENSHOTS set to a
    folder (``./dev screenshots``), their pictures are saved there for the docs."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        load_static_paths()
        today = fields.Date.today()
        cls.company.name = "Collections Demo Ltd."
        generator = DemoBook(cls.env, cls.company)
        generator.generate(customers=18, invoices=110, seed=5, today=today)
        generator.story(today)
        cls.env["collection.followup"]._collection_run(cls.company, today + timedelta(days=1))
        folder = os.environ.get("COLLECTION_SCREENSHOTS")
        if not folder:
            folder = tempfile.mkdtemp()
            cls.addClassCleanup(shutil.rmtree, folder, ignore_errors=True)
        cls.folder = Path(folder)

    def _screenshot(self, url, ready):
        """Open ``url`` as the collection manager in headless Chromium, wait until the
        JavaScript ``ready`` is true, return the page as PNG."""
        browser = ChromeBrowser(self, headless=True)
        try:
            self.http_request_key = self.canonical_tag + "_browser_js"
            if not url.startswith("data:"):
                self.authenticate("cmanager", "cmanager", browser=browser)
                url = self.base_url() + url
            self.http_request_strict_check = True
            self.cr.flush()
            self.cr.clear()
            browser.navigate_to(url, wait_stop=not ready)
            if ready:
                styled = (
                    "[...document.styleSheets].some((sheet) => {"
                    " try { return sheet.cssRules.length > 500; } catch { return false; } })"
                )
                if not url.startswith("data:"):
                    ready = f"({ready}) && {styled}"
                self.assertTrue(browser._wait_ready(ready, timeout=180), f"{url}: never ready")
            # let fonts and avatars settle
            browser._wait_ready("new Promise((ok) => setTimeout(() => ok(true), 800))")
            params = {}
            if url.startswith("data:"):
                # a spreadsheet is wider than the window: take the whole table
                box = browser._websocket_request(
                    "Runtime.evaluate",
                    params={
                        "expression": "JSON.stringify(document.querySelector('table')"
                        ".getBoundingClientRect())"
                    },
                )["result"]["value"]
                box = json.loads(box)
                params = {
                    "captureBeyondViewport": True,
                    "clip": {
                        "x": 0,
                        "y": 0,
                        "width": box["right"] + 1,
                        "height": box["bottom"] + 1,
                        "scale": 1,
                    },
                }
            result = browser._websocket_request("Page.captureScreenshot", params=params)
            return base64.b64decode(result["data"])
        finally:
            browser.stop()
            self._wait_remaining_requests()
            self.http_request_key = self.canonical_tag
            self.opener.cookies[TEST_CURSOR_COOKIE_NAME] = self.http_request_key

    def _capture(self, url, ready, name):
        png = self._screenshot(url, ready)
        self.assertTrue(png.startswith(PNG))
        self.assertGreater(len(png), 20000, f"{name}: a blank page would be smaller")
        (self.folder / f"{name}.png").write_bytes(png)

    def test_case_kanban_form_and_review_list(self):
        self._capture(
            "/odoo/action-collection_management.collection_case_action",
            "document.querySelectorAll('.o_kanban_record').length > 3",
            "case_kanban",
        )
        case = self.env["collection.case"].search(
            [("company_id", "=", self.company.id), ("promise_ids", "!=", False)], limit=1
        )
        self._capture(
            f"/odoo/action-collection_management.collection_case_action/{case.id}",
            "document.querySelector('.o_form_view .o_statusbar_status')",
            "case_form",
        )
        self._capture(
            "/odoo/action-collection_management.collection_followup_action",
            "document.querySelectorAll('.o_list_view .o_data_row').length > 0",
            "followup_review",
        )

    def test_excel_export_as_a_picture(self):
        wizard = self.env["collection.report.wizard"].create(
            {"report_type": "aging", "date": fields.Date.today()}
        )
        wizard.action_export()
        sheet = load_workbook(io.BytesIO(base64.b64decode(wizard.file)))["Aging"]
        values = list(sheet.iter_rows(min_row=1, max_row=sheet.max_row, values_only=True))
        width = max(len(row) for row in values)
        letters = "".join(f"<th>{chr(65 + column)}</th>" for column in range(width))
        rows = [f"<tr class='letters'><th></th>{letters}</tr>"]
        for index, row in enumerate(values[:26]):
            tag = "th" if index == 2 else "td"
            cells = "".join(
                f"<{tag}>{escape(self._cell(value, values[3:index], column))}</{tag}>"
                for column, value in enumerate(row)
            )
            rows.append(f"<tr><th class='number'>{index + 1}</th>{cells}</tr>")
        # the sheet as a spreadsheet shows it: column letters, row numbers, gridlines
        html = (
            "<html><head><meta charset='utf-8'><style>"
            "body{font-family:Calibri,Carlito,sans-serif;font-size:12px;margin:0}"
            "table{border-collapse:collapse;white-space:nowrap}"
            "td,th{border:1px solid #d4d4d4;padding:2px 6px}"
            "th{background:#1F4E78;color:#fff;font-weight:bold}"
            "tr.letters th,th.number{background:#f3f3f3;color:#555;font-weight:normal}"
            "td:nth-child(n+9){text-align:right}"
            "</style></head><body><table>" + "".join(rows) + "</table></body></html>"
        )
        self._capture(
            "data:text/html;charset=utf-8," + quote(html),
            "document.querySelectorAll('tr').length > 3",
            "excel_aging",
        )

    @staticmethod
    def _cell(value, above, column):
        """The text Excel shows: totals rows hold ``=SUM()`` formulas over the rows above."""
        if value is None:
            return ""
        if isinstance(value, str) and value.startswith("=SUM("):
            value = sum(row[column] for row in above if isinstance(row[column], int | float))
        if isinstance(value, int | float):
            return f"{value:,.2f}"
        return str(value)
