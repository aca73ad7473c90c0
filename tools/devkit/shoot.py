"""Pictures of the main screens of a running demo server, for the README and the Apps page.

Run by ``./dev screenshots`` with the virtualenv's Python (which has Playwright for Python);
it drives the system's Chromium. Standalone on purpose: no Odoo import, it talks HTTP.

    python shoot.py --url http://localhost:8069 --out docs/screenshots
"""

import argparse
import base64
import html
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

from openpyxl import load_workbook
from playwright.sync_api import sync_playwright

DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}
CASES = "/odoo/action-collection_management.collection_case_action"
WORKLIST = "/odoo/action-collection_management.collection_case_action_worklist"
FOLLOWUPS = "/odoo/action-collection_management.collection_followup_action"
DASHBOARD = "/odoo/action-collection_management.collection_dashboard_action"
LEGAL = "/odoo/action-collection_management.collection_case_action_legal"
VISITS = "/odoo/action-collection_management.collection_visit_action?view_type=calendar"
CHARGES = "/odoo/action-collection_management.collection_charge_action"
WEEKLY = "/odoo/action-collection_management.collection_weekly_report_action"

# who takes which picture: (file name, login, viewport, what to open, what shows it is ready)
SCREENS = [
    ("case_kanban", "admin", DESKTOP, CASES, ".o_kanban_record"),
    ("case_form", "admin", DESKTOP, "case_with_promise", ".o_form_view .o_statusbar_status"),
    ("followup_review", "admin", DESKTOP, FOLLOWUPS, ".o_list_view .o_data_row"),
    ("dashboard", "admin", DESKTOP, DASHBOARD, ".o-spreadsheet canvas, .o-grid canvas"),
    ("worklist_zh", "collector.li", DESKTOP, WORKLIST, ".o_kanban_record, .o_data_row"),
    ("case_form_zh", "collector.li", DESKTOP, "case_of_user", ".o_form_view .o_statusbar_status"),
    ("worklist_phone_zh", "collector.li", PHONE, WORKLIST, ".o_kanban_record, .o_data_row"),
    ("legal_kanban_zh", "legal.wang", DESKTOP, LEGAL, ".o_kanban_record"),
    ("visits_calendar_zh", "collector.li", DESKTOP, VISITS, ".o_calendar_view"),
    ("charges_review", "admin", DESKTOP, CHARGES, ".o_list_view"),
    ("weekly_reports", "admin", DESKTOP, WEEKLY, ".o_list_view .o_data_row"),
]

# the customer's side: their collection page through the link of a reminder
PORTAL = [
    ("portal_page", "en_US", DESKTOP),
    ("portal_page_zh", "zh_CN", DESKTOP),
    ("portal_page_phone_zh", "zh_CN", PHONE),
]


class Session:
    """A logged-in browser page of one user."""

    def __init__(self, browser, url, login, viewport):
        self.url = url
        self.login = login
        self.context = browser.new_context(viewport=viewport, device_scale_factor=1)
        self.page = self.context.new_page()
        self.page.goto(f"{url}/web/login")
        self.page.fill("input[name=login]", login)
        self.page.fill("input[name=password]", login)
        self.page.click("button[type=submit]")
        self.page.wait_for_selector(".o_main_navbar", timeout=120_000)

    def call(self, model, method, *args, **kwargs):
        """JSON-RPC as the logged-in user."""
        response = self.page.request.post(
            f"{self.url}/web/dataset/call_kw/{model}/{method}",
            data=json.dumps(
                {
                    "jsonrpc": "2.0",
                    "method": "call",
                    "params": {"model": model, "method": method, "args": args, "kwargs": kwargs},
                }
            ),
            headers={"Content-Type": "application/json"},
        )
        answer = response.json()
        if "error" in answer:
            raise RuntimeError(f"{model}.{method}: {answer['error']['data']['message']}")
        return answer["result"]

    def target(self, what):
        """The URL of a screen named in SCREENS."""
        if what.startswith("/"):
            return self.url + what
        if what == "case_with_promise":
            domain = [("promise_ids", "!=", False)]
        else:  # case_of_user
            user = self.call("res.users", "search", [("login", "=", self.login)], limit=1)
            domain = [("collector_id", "in", user), ("is_closed", "=", False)]
        ids = self.call("collection.case", "search", domain, limit=1, order="priority_score desc")
        if not ids:
            raise RuntimeError(f"no case for {what}: is this the demo database?")
        return f"{self.url}{CASES}/{ids[0]}"

    def picture(self, url, ready, path):
        self.page.goto(url)
        self.page.wait_for_selector(ready, timeout=120_000)
        # fonts, avatars and the last RPCs settle (the bus keeps the network busy)
        self.page.wait_for_timeout(1500)
        self.page.screenshot(path=str(path))

    def close(self):
        self.context.close()


def excel_as_html(content, sheet_name):
    """The first rows of a sheet as a spreadsheet shows them: column letters, row
    numbers, gridlines, totals computed from their SUM formulas."""
    sheet = load_workbook(io.BytesIO(content))[sheet_name]
    rows = list(sheet.iter_rows(values_only=True))
    width = max(len(row) for row in rows)
    letters = "".join(f"<th>{chr(65 + column)}</th>" for column in range(width))
    lines = [f"<tr class='letters'><th></th>{letters}</tr>"]
    for index, row in enumerate(rows[:26]):
        tag = "th" if index == 2 else "td"
        cells = []
        for column, cell in enumerate(row):
            value = cell
            if isinstance(cell, str) and cell.startswith("=SUM("):
                value = sum(r[column] for r in rows[3:index] if isinstance(r[column], int | float))
            text = f"{value:,.2f}" if isinstance(value, int | float) else (value or "")
            cells.append(f"<{tag}>{html.escape(str(text))}</{tag}>")
        lines.append(f"<tr><th class='number'>{index + 1}</th>{''.join(cells)}</tr>")
    return (
        "<html><head><meta charset='utf-8'><style>"
        "body{font-family:Calibri,Carlito,sans-serif;font-size:12px;margin:0}"
        "table{border-collapse:collapse;white-space:nowrap}"
        "td,th{border:1px solid #d4d4d4;padding:2px 6px}"
        "th{background:#1F4E78;color:#fff;font-weight:bold}"
        "tr.letters th,th.number{background:#f3f3f3;color:#555;font-weight:normal}"
        "td:nth-child(n+9){text-align:right}"
        "</style></head><body><table>" + "".join(lines) + "</table></body></html>"
    )


def excel_picture(session, path):
    """The aged receivables export, made by the export wizard, as a picture."""
    wizard = session.call("collection.report.wizard", "create", {"report_type": "aging"})
    session.call("collection.report.wizard", "action_export", [wizard])
    record = session.call("collection.report.wizard", "read", [wizard], ["file"])[0]
    page = session.page
    page.set_content(excel_as_html(base64.b64decode(record["file"]), "Aging"))
    box = page.evaluate("JSON.stringify(document.querySelector('table').getBoundingClientRect())")
    box = json.loads(box)
    page.screenshot(
        path=str(path),
        clip={"x": 0, "y": 0, "width": box["right"] + 1, "height": box["bottom"] + 1},
        full_page=True,
    )


def portal_pictures(browser, admin, out):
    """The collection page of a reminded customer of each language, as they open it
    from the email (no login), and the Chinese statement PDF's first page."""
    done = []
    for name, lang, viewport in PORTAL:
        partners = admin.call(
            "collection.portal.access",
            "search_read",
            [("partner_id.lang", "=", lang)],
            ["partner_id", "token"],
            limit=1,
            order="id",
        )
        if not partners:
            raise RuntimeError(f"no customer link for a {lang} customer: run the follow-ups")
        url = f"{admin.url}/my/collections?access_token={partners[0]['token']}"
        context = browser.new_context(viewport=viewport, device_scale_factor=1)
        page = context.new_page()
        page.goto(url)
        page.wait_for_selector(".o_collection_portal")
        page.wait_for_timeout(800)
        page.screenshot(path=str(out / f"{name}.png"), full_page=True)
        done.append(f"{name}.png")
        if lang == "zh_CN" and viewport is DESKTOP and shutil.which("pdftoppm"):
            link = page.locator("a[href*='/my/collections/statement/']").first
            pdf = page.request.get(admin.url + link.get_attribute("href")).body()
            (out / "statement_zh.pdf").write_bytes(pdf)
            subprocess.run(
                [
                    "pdftoppm",
                    "-png",
                    "-r",
                    "80",
                    "-f",
                    "1",
                    "-l",
                    "1",
                    "-singlefile",
                    str(out / "statement_zh.pdf"),
                    str(out / "statement_zh"),
                ],
                check=True,
            )
            (out / "statement_zh.pdf").unlink()
            done.append("statement_zh.png")
        context.close()
    return done


def main(argv):
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="http://localhost:8069")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        print("screenshots: no chromium on PATH (apt-get install chromium)", file=sys.stderr)
        return 1
    failed = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        sessions = {}
        try:
            for name, login, viewport, what, ready in SCREENS:
                key = (login, viewport["width"])
                if key not in sessions:
                    sessions[key] = Session(browser, args.url, login, viewport)
                session = sessions[key]
                path = args.out / f"{name}.png"
                try:
                    session.picture(session.target(what), ready, path)
                    print(f"screenshot {path.name}")
                except Exception as error:  # report each screen, go on
                    failed.append(f"{name}: {error}")
            admin = sessions[("admin", DESKTOP["width"])]
            excel_picture(admin, args.out / "excel_aging.png")
            print("screenshot excel_aging.png")
            try:
                for name in portal_pictures(browser, admin, args.out):
                    print(f"screenshot {name}")
            except Exception as error:  # report, keep the other pictures
                failed.append(f"customer page: {error}")
        finally:
            for session in sessions.values():
                session.close()
            browser.close()
    for line in failed:
        print(f"screenshot FAILED {line}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
