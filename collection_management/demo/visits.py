"""Visits of the demo story: one approved by the manager and still to come, one done
with its report in the contact log (a visit the company pre-approves)."""

from datetime import datetime, time, timedelta

import pytz

from odoo import fields
from odoo.tools.translate import LazyTranslate

_lt = LazyTranslate(__name__)

# visits costing up to this are approved without a manager in the demo company
PREAPPROVED = 500


def story_visits(env, planned, done, today):
    """``planned`` gets a visit next week approved by the manager running the story;
    ``done`` a visit two days ago reported as done by its collector."""
    cases = (planned | done).filtered(lambda c: not c.visit_ids and not c.is_closed)
    if len(cases) < 2:
        return env["collection.visit"]
    company = cases.company_id
    if not company.collection_visit_preapproved_amount:
        company.collection_visit_preapproved_amount = PREAPPROVED
    upcoming = _plan(
        env,
        planned,
        today + timedelta(days=5),
        800,
        _lt("Meet the director to agree on a payment plan; bring the signed delivery notes."),
    )
    upcoming.action_submit()
    if upcoming.state == "to_approve":
        upcoming.action_approve()
    visit = _plan(
        env,
        done,
        # reported, so in the past whatever day the story is played for
        min(today, fields.Date.today()) - timedelta(days=2),
        200,
        _lt("Collect the overdue payment or a written payment plan."),
    )
    visit.action_submit()
    if visit.state == "to_approve":
        # the company pre-approves less than the demo's cost
        visit.action_approve()
    visit.write(
        {
            "outcome": "reached",
            "met_person": done._collection_text(_lt("Ms Chen, chief accountant")),
            "report": done._collection_text(
                _lt(
                    "The customer confirms the invoices and waits for a payment from its own "
                    "customer at the end of the month; they will call us with a date."
                )
            ),
        }
    )
    visit.action_done()
    return upcoming | visit


def _plan(env, case, day, cost, purpose):
    collector = case.collector_id or env.user
    # 10:00 in the office's time zone (the company's, else UTC), stored in UTC
    office = pytz.timezone(case.company_id.partner_id.tz or "UTC")
    moment = (
        office.localize(datetime.combine(day, time(10, 0)))
        .astimezone(pytz.utc)
        .replace(tzinfo=None)
    )
    return (
        env["collection.visit"]
        .with_user(collector)
        .create(
            {
                "case_id": case.id,
                "user_id": collector.id,
                "date_planned": moment,
                "purpose": case._collection_text(purpose),
                "cost_estimate": cost,
            }
        )
        .with_user(env.user)
    )
