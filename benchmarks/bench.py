#!/usr/bin/env python3
"""Benchmark of collection_management on a generated book of receivables.

Run through ``./dev bench`` (which creates the database and installs the addons);
prints wall time, SQL queries and peak memory of each measured step, then ratios.
"""

import argparse
import json
import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from probe import Probe


def _env(cr):
    import odoo

    return odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})


def step_generate(registry, probe, args):
    with registry.cursor() as cr:
        env = _env(cr)
        with probe.measure("generate dataset", cr, units=args.invoices) as figures:
            result = env["collection.demo.generator"].generate(
                customers=args.customers,
                invoices=args.invoices,
                companies=args.companies,
                seed=args.seed,
                today=args.today,
            )
            figures.update(result)


def _open_invoice_count(env):
    return env["account.move"].search_count(
        [
            ("move_type", "=", "out_invoice"),
            ("state", "=", "posted"),
            ("payment_state", "in", ("not_paid", "partial")),
        ]
    )


def step_oca(registry, probe, args):
    """OCA account_credit_control on the same invoices, in a transaction rolled back."""
    with registry.cursor() as cr:
        env = _env(cr)
        if not env["ir.module.module"].search_count(
            [("name", "=", "account_credit_control"), ("state", "=", "installed")]
        ):
            print("account_credit_control is not installed: no comparison.")
            return
        policy = env.ref("account_credit_control.credit_control_3_time")
        units = _open_invoice_count(env)
        for company in env["res.company"].search([]):
            accounts = env["account.account"].search(
                [("account_type", "=", "asset_receivable"), ("company_ids", "in", company.id)]
            )
            policy.account_ids |= accounts
            company.credit_policy_id = policy
        env.flush_all()
        with probe.measure("OCA credit control: generate lines", cr, units=units):
            for company in env["res.company"].search([]):
                run = (
                    env["credit.control.run"]
                    .with_company(company)
                    .create(
                        {
                            "date": args.today,
                            "policy_ids": [(6, 0, policy.ids)],
                            "company_id": company.id,
                        }
                    )
                )
                run.generate_credit_lines()
            env.flush_all()
        cr.rollback()


def step_followup(registry, probe, args):
    """Our decision phase (rolled back), then the whole run with emails (kept)."""
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
        env.invalidate_all()
        with probe.measure(
            "follow-up run (decide, create, render, queue)", cr, units=units
        ) as figures:
            made = 0
            for company in companies.with_env(env):
                summary = env["collection.followup"]._collection_run(company, args.today)
                made += len(summary["followups"])
            env.flush_all()
            figures["followups"] = made
            figures["emails_queued"] = env["mail.mail"].search_count(
                [("model", "=", "collection.followup")]
            )
        cr.rollback()


STEPS = {
    "generate": step_generate,
    "followup": step_followup,
    "oca": step_oca,
}


def ratios(rows):
    by_name = {row["name"]: row for row in rows}
    ours = by_name.get("follow-up decision phase")
    theirs = by_name.get("OCA credit control: generate lines")
    if ours and theirs and ours["seconds"]:
        ratio = theirs["seconds"] / ours["seconds"]
        print(f"OCA credit control run / our decision phase: {ratio:.1f}x (target >= 10x)")


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
    parser.add_argument("--json", help="write the figures to this file")
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
