#!/usr/bin/env python3
"""Server time of every screen of the addon, role by role, on a running demo server.

For each demo user, every menu of the addon the user reaches is opened the way the web
client opens it (action, views, the records of the list or kanban, the first record's
form) and the customer's collection page is opened through a reminder's link. Each
HTTP call is timed on localhost, so the time printed is the server's (plus a
loopback round trip). Target: no screen over 1 s.

    ./dev start --detach
    ~/.local/share/collection_management/venv/bin/python benchmarks/screens.py
"""

import argparse
import sys
import time
from xml.etree import ElementTree

import requests

USERS = ("admin", "collector.li", "collector.tom", "legal.wang")
TARGET_MS = 1000


class Client:
    def __init__(self, url, db, login):
        self.url, self.login = url, login
        self.http = requests.Session()
        self.call_raw("/web/session/authenticate", {"db": db, "login": login, "password": login})
        self.context = self.call_raw("/web/session/get_session_info", {})["user_context"]

    def call_raw(self, path, params):
        started = time.perf_counter()
        response = self.http.post(
            self.url + path, json={"jsonrpc": "2.0", "method": "call", "params": params}
        )
        self.last_ms = (time.perf_counter() - started) * 1000
        answer = response.json()
        if "error" in answer:
            raise RuntimeError(f"{path}: {answer['error']['data']['message']}")
        return answer["result"]

    def call(self, model, method, *args, **kwargs):
        kwargs.setdefault("context", self.context)
        params = {"model": model, "method": method, "args": list(args), "kwargs": kwargs}
        return self.call_raw(f"/web/dataset/call_kw/{model}/{method}", params)


def shown_fields(arch, fields):
    """Fields a view shows itself, as the web client asks for them."""
    root = ElementTree.fromstring(arch)
    nested = {
        id(node)
        for sub in root.iter()
        if sub is not root and sub.tag in ("list", "form", "kanban")
        for node in sub.iter()
    }
    return {
        node.get("name"): {}
        for node in root.iter("field")
        if id(node) not in nested and node.get("name") in fields
    }


def open_screen(client, action_id):
    """The calls of the web client opening a window action; [(what, ms)]."""
    timings = []
    action = client.call_raw("/web/action/load", {"action_id": action_id})
    timings.append(("action", client.last_ms))
    if action.get("tag") == "action_spreadsheet_dashboard":
        return action["name"], timings + open_dashboard(client, action)
    if action.get("type") != "ir.actions.act_window" or action.get("target") == "new":
        return action.get("name"), timings
    model = action["res_model"]
    views = [[view_id, mode] for view_id, mode in action["views"]]
    if "search" not in [mode for _id, mode in views]:
        views.append([False, "search"])
    loaded = client.call(model, "get_views", views=views, options={"load_filters": True})
    timings.append(("views", client.last_ms))
    fields = loaded["models"][model]["fields"]
    listing = next((m for m in ("kanban", "list") if m in loaded["views"]), None)
    records = []
    if listing:
        spec = shown_fields(loaded["views"][listing]["arch"], fields)
        domain = action.get("domain") or []
        if isinstance(domain, str):
            domain = []  # evaluated client-side; the unfiltered list is the heavier one
        records = client.call(model, "web_search_read", domain, spec, limit=80)["records"]
        timings.append((listing, client.last_ms))
    if "form" in loaded["views"] and records:
        spec = shown_fields(loaded["views"]["form"]["arch"], fields)
        client.call(model, "web_read", [records[0]["id"]], spec)
        timings.append(("form", client.last_ms))
    return action["name"], timings


def menus_of(client):
    """The addon's menus that open something, as the web client loads them for the user."""
    started = time.perf_counter()
    response = client.http.get(f"{client.url}/web/webclient/load_menus/{started}")
    menus = response.json()
    root = next(
        (
            m
            for m in menus.values()
            if m.get("xmlid") == "collection_management.collection_menu_root"
        ),
        None,
    )
    if not root:
        return []
    return [
        (menu["name"], menu["actionID"])
        for menu in menus.values()
        if menu.get("appID") == root["id"] and menu.get("actionID")
    ]


def open_dashboard(client, action):
    """The spreadsheet dashboard: its data, then each pivot and chart's grouped read, as
    the spreadsheet asks for them; [(what, ms)]."""
    dashboard_id = action.get("params", {}).get("dashboard_id")
    if not dashboard_id:
        return []
    data = client.call("spreadsheet.dashboard", "get_readonly_dashboard", [dashboard_id])
    timings = [("dashboard", client.last_ms)]
    snapshot = data["snapshot"]
    reads = [
        (
            p["model"],
            p["domain"],
            [m["fieldName"] for m in p["measures"]],
            [r["fieldName"] for r in p["rows"] + p["columns"]],
        )
        for p in snapshot.get("pivots", {}).values()
    ]
    for sheet in snapshot.get("sheets", []):
        for figure in sheet.get("figures", []):
            meta = figure["data"].get("metaData")
            if meta:
                domain = figure["data"].get("searchParams", {}).get("domain", [])
                reads.append((meta["resModel"], domain, [meta["measure"]], meta["groupBy"]))
    for model, domain, measures, groupby in reads:
        fields = [m for m in measures if m != "__count"]
        client.call(model, "read_group", domain, fields, groupby, lazy=False)
        timings.append((model, client.last_ms))
    return timings


def exports(client):
    """Each Excel export of the wizard, as a manager runs it; [(report, ms)]."""
    timings = []
    for report in ("aging", "collector", "cases", "overdue_list"):
        wizard = client.call("collection.report.wizard", "create", {"report_type": report})
        client.call("collection.report.wizard", "action_export", [wizard])
        timings.append((report, client.last_ms))
    return timings


def portal_page(url, admin):
    access = admin.call(
        "collection.portal.access", "search_read", [], ["token"], limit=1, order="id desc"
    )
    if not access:
        return None
    started = time.perf_counter()
    response = requests.get(f"{url}/my/collections?access_token={access[0]['token']}")
    response.raise_for_status()
    return (time.perf_counter() - started) * 1000


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", default="http://localhost:8069")
    parser.add_argument("--db", default="collection")
    args = parser.parse_args(argv)
    slow = []
    print(f"{'user':<14} {'screen':<28} {'calls':>5} {'slowest ms':>11} {'total ms':>9}")
    for login in USERS:
        client = Client(args.url, args.db, login)
        for name, action_id in menus_of(client):
            try:
                title, timings = open_screen(client, action_id)
            except RuntimeError as error:
                print(f"{login:<14} {name:<28} error: {error}")
                continue
            worst = max(ms for _what, ms in timings)
            total = sum(ms for _what, ms in timings)
            print(f"{login:<14} {title[:28]:<28} {len(timings):>5} {worst:>11.0f} {total:>9.0f}")
            if worst > TARGET_MS:
                slow.append((login, title, worst))
        if login == "admin":
            for report, ms in exports(client):
                print(f"{login:<14} {'export ' + report:<28} {1:>5} {ms:>11.0f} {ms:>9.0f}")
                if ms > TARGET_MS:
                    slow.append((login, f"export {report}", ms))
            ms = portal_page(args.url, client)
            if ms is not None:
                print(
                    f"{'customer':<14} {'collection page (link)':<28} {1:>5} {ms:>11.0f} {ms:>9.0f}"
                )
                if ms > TARGET_MS:
                    slow.append(("customer", "collection page", ms))
    print(f"\nscreens over {TARGET_MS} ms: {len(slow)}")
    for login, title, ms in slow:
        print(f"  {login} {title}: {ms:.0f} ms")
    return 1 if slow else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
