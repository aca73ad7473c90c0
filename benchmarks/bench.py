#!/usr/bin/env python3
"""Benchmark of collection_management on a generated book of receivables.

Run through ``./dev bench`` (which creates the database and installs the addons);
prints wall time, SQL queries and peak memory of each measured step, then ratios.
"""

import argparse
import base64
import json
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_workers import step_workers, step_workers_send
from probe import Probe


def _env(cr):
    import odoo

    return odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})


SLICE = 10000


def step_generate(registry, probe, args):
    """The dataset, by the bulk generator (default) or by the demo generator."""
    if args.generator == "bulk":
        _generate_bulk(registry, probe, args)
    else:
        _generate_orm(registry, probe, args)


def _generate_bulk(registry, probe, args):
    """The bulk generator (templates made by the ORM, copied by SQL) in one
    transaction, then ANALYZE, then its integrity check (which raises when the book
    is broken: the benchmark stops rather than measure it)."""
    from odoo.addons.collection_management.demo.bulk import BulkBook
    from odoo.addons.collection_management.demo.bulk_check import check_book

    started = time.perf_counter()
    with registry.cursor() as cr:
        before = cr.sql_log_count
        totals = BulkBook(_env(cr)).generate(
            customers=args.customers,
            invoices=args.invoices,
            companies=args.companies,
            seed=args.seed,
            today=args.today,
        )
        queries = cr.sql_log_count - before
    _analyze(registry)
    wall = time.perf_counter() - started
    _generate_row(probe, args, wall, queries, totals, "bulk")
    started = time.perf_counter()
    with registry.cursor() as cr:
        before = cr.sql_log_count
        checked = check_book(_env(cr))
        queries = cr.sql_log_count - before
        cr.rollback()
    took = time.perf_counter() - started
    probe.rows.append(
        {"name": "integrity check of the dataset", "seconds": round(took, 3), "queries": queries}
        | checked
    )
    print(
        f"{'integrity check of the dataset':<52} {took:>9.2f} s {queries:>8} queries  | "
        f"{checked['rules']} rules on every entry, Odoo's computations on "
        f"{checked['sample']} invoices",
        flush=True,
    )


def _generate_row(probe, args, wall, queries, totals, generator):
    row = {
        "name": "generate dataset",
        "generator": generator,
        "seconds": round(wall, 3),
        "queries": queries,
        "peak_mb": None,
        "unit": "invoice",
        "units": args.invoices,
        "ms_per_unit": round(1000 * wall / args.invoices, 4),
        "queries_per_unit": round(queries / args.invoices, 4),
        **totals,
    }
    probe.rows.append(row)
    print(
        f"{'generate dataset (' + generator + ')':<52} {wall:>9.2f} s {queries:>8} queries  | "
        f"{args.invoices} invoices: {row['ms_per_unit']:.3f} ms per invoice",
        flush=True,
    )


def _generate_orm(registry, probe, args):
    """The demo generator, in slices of at most 10,000 invoices, each committed and
    followed by ANALYZE, the way a large book is loaded: PostgreSQL then plans the
    accounting queries of the next slice on real statistics."""
    from odoo.addons.collection_management.demo.generator import DemoBook

    slices = max(1, -(-args.invoices // SLICE))
    totals = {"partners": 0, "invoices": 0, "payments": 0, "credit_notes": 0}
    started = time.perf_counter()
    queries = 0
    for index in range(slices):
        share = args.invoices // slices + (index < args.invoices % slices)
        customers = args.customers // slices + (index < args.customers % slices)
        slice_started = time.perf_counter()
        with registry.cursor() as cr:
            before = cr.sql_log_count
            result = DemoBook(_env(cr)).generate(
                customers=customers,
                invoices=share,
                companies=args.companies,
                seed=args.seed + index,
                today=args.today,
            )
            queries += cr.sql_log_count - before
        _analyze(registry)
        for key, value in result.items():
            totals[key] += value
        took = time.perf_counter() - slice_started
        print(
            f"  slice {index + 1}/{slices}: {share} invoices in {took:.0f} s "
            f"({1000 * took / share:.1f} ms per invoice)",
            flush=True,
        )
    wall = time.perf_counter() - started
    _generate_row(probe, args, wall, queries, totals, "orm")


def _analyze(registry):
    with registry.cursor() as cr:
        cr.execute("ANALYZE")


def _open_invoice_count(env):
    moves = env["account.move"]
    return moves.search_count(moves._collection_open_invoice_domain())


def _oca_policy(env):
    """OCA's three-reminder policy on every company's receivable accounts."""
    policy = env.ref("account_credit_control.credit_control_3_time")
    for company in env["res.company"].search([]):
        accounts = env["account.account"].search(
            [("account_type", "=", "asset_receivable"), ("company_ids", "in", company.id)]
        )
        policy.account_ids |= accounts
        company.credit_policy_id = policy
    env.flush_all()
    return policy


def _oca_generate(env, policy, today):
    for company in env["res.company"].search([]):
        run = (
            env["credit.control.run"]
            .with_company(company)
            .create({"date": today, "policy_ids": [(6, 0, policy.ids)], "company_id": company.id})
        )
        run.generate_credit_lines()
    env.flush_all()


def step_oca(registry, probe, args):
    """OCA account_credit_control on the same invoices, in a transaction rolled back:
    its line generation, then its emailing (each communication with its PDF report)
    of a sample of the customers it made lines for, timed per customer."""
    with registry.cursor() as cr:
        env = _env(cr)
        if not env["ir.module.module"].search_count(
            [("name", "=", "account_credit_control"), ("state", "=", "installed")]
        ):
            print("account_credit_control is not installed: no comparison.")
            return
        policy = _oca_policy(env)
        units = _open_invoice_count(env)
        with probe.measure("OCA credit control: generate lines", cr, units=units) as figures:
            _oca_generate(env, policy, args.today)
            lines = env["credit.control.line"].search([("channel", "=", "email")])
            figures["customers"] = len(lines.partner_id)
        partners = lines.partner_id[: args.oca_email_sample]
        sample = lines.filtered(lambda line: line.partner_id in partners)
        sample.write({"state": "to_be_sent"})
        env.flush_all()
        with probe.measure(
            "OCA credit control: email (sample)", cr, units=len(partners), unit_name="customer"
        ) as figures:
            emailer = env["credit.control.emailer"].create({"line_ids": [(6, 0, sample.ids)]})
            emailer.email_lines()
            env.flush_all()
            figures["emails_queued"] = env["mail.mail"].search_count(
                [("model", "=", "credit.control.communication")]
            )
            figures["all_customers"] = len(lines.partner_id)
        cr.rollback()


RUN_AUTO = "follow-up run, automatic levels (decide, create, cases, render, queue)"
SEND_ALL = "send every draft in bulk (render, queue)"
QUEUE_PRINT = "mail queue: statements printed and attached"
RUN_BARE = "follow-up run without rendering (decide, create, cases)"
WHOLE_QUEUED = "whole run, every email queued"
WHOLE_PRINTED = "whole run, every email queued and its statement printed"


def _run_all(env, companies, today):
    made = 0
    for company in companies.with_env(env):
        made += len(env["collection.followup"]._collection_run(company, today)["followups"])
    env.flush_all()
    return made


def step_followup(registry, probe, args):
    """Our decision phase, our run without rendering (every level reviewed first),
    then the whole run with every email: the automatic levels, then every draft
    approved and sent in bulk as an accountant would (all rolled back)."""
    with registry.cursor() as cr:
        env = _env(cr)
        units = _open_invoice_count(env)
        companies = env["res.company"].search([])
        with probe.measure("follow-up decision phase", cr, units=units) as figures:
            decided = 0
            for company in companies:
                decisions, _skipped = env["collection.followup"]._collection_decide(
                    company, args.today
                )
                decided += len(decisions)
            figures["customers_due"] = decided
        cr.rollback()
    with registry.cursor() as cr:
        env = _env(cr)
        env["collection.level"].search([]).write({"auto_execute": False})
        env.flush_all()
        env.invalidate_all()
        with probe.measure(RUN_BARE, cr, units=units) as figures:
            figures["followups"] = _run_all(env, companies, args.today)
        cr.rollback()
    with registry.cursor() as cr:
        env = _env(cr)
        env.invalidate_all()
        with probe.measure(RUN_AUTO, cr, units=units) as figures:
            figures["followups"] = _run_all(env, companies, args.today)
            figures["emails_queued"] = _queued(env)
        env.invalidate_all()
        drafts = env["collection.followup"].search([("state", "=", "draft")])
        with probe.measure(SEND_ALL, cr, units=len(drafts), unit_name="follow-up") as figures:
            # above the company's threshold the send goes to the background job: run
            # its batches here, as the cron worker would
            if drafts:
                drafts.action_send()
            jobs = env["collection.background.run"]
            while jobs.search_count([("state", "in", ("queued", "running"))]):
                jobs._cron_collection_background()
            env.flush_all()
            figures["emails_queued"] = _queued(env)
        _print_statements(env, cr, probe)
        cr.rollback()
    _whole_run(probe)


def _print_statements(env, cr, probe):
    """What the mail queue's job does before handing the emails to the server: the
    statements of the queued reminders printed, a rendering per chunk of emails."""
    from odoo.tools import split_every

    from odoo.addons.collection_management.models.collection_followup_sending import (
        STATEMENT_CHUNK,
    )

    mails = env["mail.mail"].search([("collection_statement_pending", "=", True)], order="id")
    with probe.measure(QUEUE_PRINT, cr, units=len(mails), unit_name="email") as figures:
        for chunk in split_every(STATEMENT_CHUNK, mails.ids, env["mail.mail"].browse):
            chunk._collection_attach_statements()
        env.flush_all()
        figures["with_statement"] = env["mail.mail"].search_count(
            [("model", "=", "collection.followup"), ("attachment_ids", "!=", False)]
        )


def _queued(env):
    return env["mail.mail"].search_count([("model", "=", "collection.followup")])


def _whole_run(probe):
    """The run with every email: the automatic run plus the bulk send (every email
    queued), then with the statements the mail queue prints, as two rows."""
    by_name = {row["name"]: row for row in probe.rows}
    run, send, printed = (by_name.get(name) for name in (RUN_AUTO, SEND_ALL, QUEUE_PRINT))
    if not (run and send and printed):
        return
    for name, parts in (
        (WHOLE_QUEUED, (run, send)),
        (WHOLE_PRINTED, (run, send, printed)),
    ):
        row = {
            "name": name,
            "seconds": round(sum(part["seconds"] for part in parts), 3),
            "queries": sum(part["queries"] for part in parts),
            "peak_mb": max(part["peak_mb"] for part in parts),
            "unit": "invoice",
            "units": run["units"],
            "emails_queued": send["emails_queued"],
            "with_statement": printed["with_statement"],
        }
        row["ms_per_unit"] = round(1000 * row["seconds"] / row["units"], 4)
        row["queries_per_unit"] = round(row["queries"] / row["units"], 4)
        probe.rows.append(row)
        print(probe.format(row), flush=True)
    print(
        f"  {send['emails_queued']} emails queued, {printed['with_statement']} with a "
        f"statement printed by the mail queue ({printed['units']} waited for one)",
        flush=True,
    )


def step_statements(registry, probe, args):
    """Statements of the same customers printed one wkhtmltopdf process each, then
    all in one process cut per customer (rolled back)."""
    with registry.cursor() as cr:
        env = _env(cr)
        report = env.ref("collection_management.action_report_collection_statement")
        for company in env["res.company"].search([]):
            moves = env["account.move"].search(
                [
                    ("company_id", "=", company.id),
                    *env["account.move"]._collection_open_invoice_domain(),
                ],
                limit=2000,
            )
            partner_ids = list(dict.fromkeys(moves.commercial_partner_id.ids))[: args.statements]
            reports = env["ir.actions.report"].with_company(company)
            with probe.measure(
                "statements, one process each", cr, units=len(partner_ids), unit_name="statement"
            ):
                for partner_id in partner_ids:
                    reports._render_qweb_pdf(report, [partner_id])
            with probe.measure(
                "statements, one process cut per customer",
                cr,
                units=len(partner_ids),
                unit_name="statement",
            ) as figures:
                documents = reports._collection_render_batch(report, partner_ids)
                figures["cut"] = len(documents)
            break
        cr.rollback()


def _bench_collectors(env, count=10):
    """Collectors and one round-robin rule per company, created once."""
    group = env.ref("collection_management.group_collection_collector")
    users = env["res.users"].search([("login", "=like", "bench_collector_%")])
    if not users:
        companies = env["res.company"].search([])
        users = env["res.users"].create(
            [
                {
                    "name": f"Bench collector {index}",
                    "login": f"bench_collector_{index}",
                    "groups_id": [(6, 0, group.ids)],
                    "company_id": companies[0].id,
                    "company_ids": [(6, 0, companies.ids)],
                }
                for index in range(count)
            ]
        )
        env["collection.assignment.rule"].create(
            [
                {
                    "name": "Bench",
                    "company_id": company.id,
                    "user_ids": [(6, 0, users.ids)],
                    "method": "least_loaded",
                }
                for company in companies
            ]
        )
    return users


def step_cases(registry, probe, args):
    """Case opening and assignment for every overdue customer (kept for later steps)."""
    with registry.cursor() as cr:
        env = _env(cr)
        _bench_collectors(env)
        env.cr.commit()
        companies = env["res.company"].search([])
        env["res.company"].browse(companies.ids).write(
            {"collection_case_min_amount": 0, "collection_case_min_days": 1}
        )
        units = _open_invoice_count(env)
        with probe.measure("case opening and assignment", cr, units=units) as figures:
            opened = 0
            for company in companies:
                opened += len(env["collection.case"]._collection_sync(company, args.today))
            env.flush_all()
            figures["open_cases"] = opened
            figures["assigned"] = env["collection.case"].search_count(
                [("collector_id", "!=", False), ("is_closed", "=", False)]
            )
        with probe.measure(
            "daily case pass (join, close, refresh)", cr, units=opened, unit_name="case"
        ):
            env["collection.case"]._cron_collection_cases()


def step_promises(registry, probe, args):
    """Evaluation of up to 5,000 open promises (rolled back)."""
    with registry.cursor() as cr:
        env = _env(cr)
        cases = env["collection.case"].search([("is_closed", "=", False)], limit=5000)
        promise_model = env["collection.promise"].with_context(
            tracking_disable=True, mail_create_nolog=True, mail_notrack=True
        )
        promises = promise_model.create(
            [
                {
                    "case_id": case.id,
                    "amount": round(max(case.amount_due, 1.0) / 2, 2),
                    "date_promised": args.today,
                }
                for case in cases
                if case.amount_due > 0
            ]
        )
        env.flush_all()
        env.invalidate_all()
        later = date.fromordinal(args.today.toordinal() + 10)
        with probe.measure(
            "promise evaluation", cr, units=len(promises), unit_name="promise"
        ) as figures:
            evaluated = promises.browse(promises.ids)._collection_evaluate(later)
            env.flush_all()
            figures["evaluated"] = len(evaluated)
        cr.rollback()


def step_worklist(registry, probe, args):
    """A collector opens the case list: search_read of the list view fields, 1,000 rows."""
    with registry.cursor() as cr:
        env = _env(cr)
        collector = env["res.users"].search([("login", "=like", "bench_collector_%")], limit=1)
        if not collector:
            print("worklist: no bench collector (run the cases step first)")
            return
        cases = env["collection.case"].with_user(collector)
        from lxml import etree

        arch = cases.get_views([(False, "list")])["views"]["list"]["arch"]
        fields = list(
            dict.fromkeys(node.get("name") for node in etree.fromstring(arch).iter("field"))
        )
        env.invalidate_all()
        with probe.measure("collector case list (1,000 rows)", cr, units=1000, unit_name="row"):
            rows = cases.search_read([("is_closed", "=", False)], fields, limit=1000)
        print(f"  {len(rows)} rows read by {collector.name} ({len(fields)} fields)")
        cr.rollback()


def step_exports(registry, probe, args):
    """Each Excel export over every company (rolled back)."""
    with registry.cursor() as cr:
        env = _env(cr)
        companies = env["res.company"].search([])
        units = _open_invoice_count(env)
        for report_type in ("aging", "collector", "cases", "overdue_list"):
            wizard = env["collection.report.wizard"].create(
                {
                    "report_type": report_type,
                    "date": args.today,
                    "date_from": date(args.today.year, 1, 1),
                    "company_ids": [(6, 0, companies.ids)],
                }
            )
            env.invalidate_all()
            with probe.measure(f"Excel export: {report_type}", cr, units=units) as figures:
                wizard.action_export()
                figures["kb"] = round(len(base64.b64decode(wizard.file)) / 1024)
        cr.rollback()


STEPS = {
    "generate": step_generate,
    "followup": step_followup,
    "oca": step_oca,
    "statements": step_statements,
    "cases": step_cases,
    "promises": step_promises,
    "worklist": step_worklist,
    "exports": step_exports,
    "workers": step_workers,
    "workers_send": step_workers_send,
}


def _row_text(row):
    return f"{row['seconds']:.1f} s, {row['queries_per_unit']:.2f} q/inv"


def ratios(rows):
    """The like-for-like table, every figure from this same run (on a shared machine
    only the ratios of one run compare)."""
    by_name = {row["name"]: row for row in rows}
    decision = by_name.get("follow-up decision phase")
    bare = by_name.get(RUN_BARE)
    whole = by_name.get(WHOLE_QUEUED)
    printed = by_name.get(WHOLE_PRINTED)
    generate = by_name.get("OCA credit control: generate lines")
    email = by_name.get("OCA credit control: email (sample)")
    single = by_name.get("statements, one process each")
    batch = by_name.get("statements, one process cut per customer")
    if single and batch and batch["seconds"]:
        print(
            f"statements one process each / one process cut per customer: "
            f"{single['seconds'] / batch['seconds']:.1f}x ({batch.get('cut')} cut)"
        )
    if not generate:
        return
    if decision and decision["seconds"]:
        ratio = generate["seconds"] / decision["seconds"]
        print(f"OCA credit control run / our decision phase: {ratio:.1f}x (target >= 10x)")
    print()
    print(f"{'like for like (same run, same invoices)':<42} {'ours':>22} {'peer':>22}  ours/peer")
    if bare:
        print(
            f"{'run without rendering / peer lines':<42} {_row_text(bare):>22} "
            f"{_row_text(generate):>22}  {bare['seconds'] / generate['seconds']:.2f}x"
        )
    if whole:
        print(
            f"{'run with every email / peer lines':<42} {_row_text(whole):>22} "
            f"{_row_text(generate):>22}  {whole['seconds'] / generate['seconds']:.2f}x"
            " (target <= 0.3x)"
        )
    if printed:
        print(
            f"{'... and every statement printed / peer lines':<42} {_row_text(printed):>22} "
            f"{_row_text(generate):>22}  {printed['seconds'] / generate['seconds']:.2f}x"
        )
    if printed and email and email["units"]:
        # the peer's emailing of every customer it made lines for, from its sample
        scale = email["all_customers"] / email["units"]
        seconds = generate["seconds"] + email["seconds"] * scale
        queries = (generate["queries"] + email["queries"] * scale) / generate["units"]
        peer = f"{seconds:.1f} s, {queries:.2f} q/inv"
        print(
            f"{'... with statements / peer lines + emails':<42} {_row_text(printed):>22} "
            f"{peer:>22}  {printed['seconds'] / seconds:.2f}x"
        )
        print(
            f"  (peer emailing timed on {email['units']} of its {email['all_customers']} "
            "customers and scaled)"
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--invoices", type=int, default=10000)
    parser.add_argument("--companies", type=int, default=2)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--today", default=date.today().isoformat())
    parser.add_argument("--steps", default=",".join(STEPS))
    parser.add_argument(
        "--generator",
        choices=("bulk", "orm"),
        default="bulk",
        help="bulk: ORM-made templates copied by SQL, checked; orm: the demo generator",
    )
    parser.add_argument("--json", help="write the figures to this file")
    parser.add_argument(
        "--statements", type=int, default=20, help="customers of the statements step"
    )
    parser.add_argument(
        "--oca-email-sample",
        type=int,
        default=40,
        help="customers emailed by the OCA module (one PDF process each), extrapolated",
    )
    args = parser.parse_args()
    args.today = date.fromisoformat(args.today)

    import odoo
    from odoo.modules.registry import Registry

    odoo.tools.config.parse_config(["-c", args.config, "-d", args.database])
    registry = Registry(args.database)
    probe = Probe()
    for name in args.steps.split(","):
        STEPS[name](registry, probe, args)
    ratios(probe.rows)
    if args.json:
        Path(args.json).write_text(json.dumps(probe.rows, indent=2, default=str))


if __name__ == "__main__":
    main()
