"""The office's newer work in the simulated book (mixed into ``CollectionSimulation``).

Collectors classify their cases, log stalling customers, refusals and deliberate
defaults, try wrong numbers twice, mark customers as lost and record the new contact
details they trace, plan visits and report on them (with promises and signed
acknowledgements), and ask for waivers. Managers approve or refuse visits, waivers and
legal costs, decide on the cases proposed for legal action, invoice, lower or waive the
late interest and fees that the daily job proposes, and reopen cases written off or
settled. The legal officer records, bills and recharges legal costs. Recipients
acknowledge the weekly report. Collectors also try what only managers may do. The
invariants of all this are in ``simulation_office_checks.py``.
"""

import base64
import traceback
from datetime import datetime, time, timedelta

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL

from .simulation_office_checks import SimulationOfficeChecks

OFFICE_USER_ERRORS = (UserError, ValidationError, AccessError)
# outcomes of the contact log added for the office's procedure, with their weights
OFFICE_OUTCOMES = {"stalling": 6, "refused_to_pay": 2, "deliberate_default": 1}
VISIT_OUTCOMES = ["reached", "promise", "refused", "stalling", "refused_to_pay", "no_answer"]
HOSTILE_TEXTS = ['=HYPERLINK("http://evil.example/","x")', "<script>alert(1)</script>", "+1-2"]
SIGNED_FORM = base64.b64encode(b"%PDF-1.4\n% signed acknowledgement of the balance\n")
VISIT_HOUR = time(2, 0)  # ten in the morning in Shanghai, the same date everywhere
REPORT_DAY_A, REPORT_DAY_B, REPORT_DAY_B_LATER = 4, 1, 3  # Friday, Tuesday, Thursday


class _Forbidden(Exception):
    """Raised inside a savepoint when a forbidden action went through: rolled back."""


class SimulationOffice(SimulationOfficeChecks):
    """Activities of the office's newer features; see the module's docstring."""

    # ================================================================== setup
    def _setup_office(self):
        self.hand_lost = {}  # case id -> id of its latest contact when flagged by hand
        self.charge_decisions = {}  # charge id -> (day to decide, decision)
        self.office_watch = {"interaction": self._max_id("collection_interaction")}
        self.report_days = {
            self.company_a: [(self.start, REPORT_DAY_A)],
            self.company_b: [(self.start, REPORT_DAY_B)],
        }
        self.report_day_change = self.rng.randint(20, 50)
        self._setup_interest_and_fees()
        self._setup_books()
        self.company_a.write(
            {
                "collection_visit_preapproved_amount": 150,
                "collection_weekly_report_day": str(REPORT_DAY_A),
                "collection_weekly_report_user_ids": [Command.set(self.legal.ids)],
            }
        )
        self.company_b.write(
            {
                "collection_visit_preapproved_amount": 0,
                "collection_weekly_report_day": str(REPORT_DAY_B),
            }
        )
        self.lawyer = self.su["res.partner"].create({"name": "Sim King & Partners Law Firm"})

    def _max_id(self, table):
        return self._query("SELECT COALESCE(MAX(id), 0) FROM %s", SQL.identifier(table))[0][0]

    def _setup_interest_and_fees(self):
        rng = self.rng
        policies = [
            self.company_a.collection_policy_id,
            self.strict_policy,
            self.company_b.collection_policy_id,
        ]
        for policy in policies:
            policy.write(
                {
                    "interest_rate": rng.choice([6.0, 12.0, 24.0]),
                    "interest_grace_days": rng.choice([0, 5, 10]),
                    "interest_cap_percent": rng.choice([1.0, 3.0, 10.0]),
                    "interest_period_days": rng.choice([14, 30]),
                }
            )
            scale = 7 if policy.company_id.currency_id.name == "CNY" else 1
            for level in policy._levels_by_delay():
                if level.delay_days > 0 and rng.random() < 0.6:
                    level.write(
                        {"fee_amount": 15 * scale, "fee_percent": rng.choice([0.0, 0.5, 1.0])}
                    )
            self._log_global(
                f"policy {policy.name}: interest {policy.interest_rate}% after "
                f"{policy.interest_grace_days} days every {policy.interest_period_days} days, "
                f"cap {policy.interest_cap_percent}%"
            )

    def _setup_books(self):
        for index, company in enumerate(self.companies):
            accounts = {}
            for name, code in (
                ("collection_writeoff_account_id", "671190"),
                ("collection_legal_cost_account_id", "660290"),
                ("collection_waiver_account_id", "660390"),
            ):
                if name == "collection_waiver_account_id" and not index:
                    continue  # company A books waivers to its write-off account
                accounts[name] = (
                    self.su["account.account"]
                    .create(
                        {
                            "code": code,
                            "name": f"Sim {name.split('_')[1]}",
                            "account_type": "expense",
                            "company_ids": [Command.set(company.ids)],
                        }
                    )
                    .id
                )
            journal = self.su["account.journal"].search(
                [("company_id", "=", company.id), ("type", "=", "general")], limit=1
            )
            company.write({**accounts, "collection_writeoff_journal_id": journal.id})

    # ================================================================== collectors
    def _office_outcome(self, case, outcome):
        """A collector who just reached a wrong number often tries the same details
        again: two wrong contacts in a row."""
        last = case.interaction_ids.sorted(lambda i: (i.date, i.id))[-1:]
        if last.outcome == "wrong_contact" and self.rng.random() < 0.5:
            return "wrong_contact"
        return outcome

    def _own_cases(self, collector, domain=()):
        return self._as(collector, "collection.case").search(
            [("is_closed", "=", False), ("collector_id", "=", collector.id), *domain],
            order="id",
            limit=12,
        )

    def _office_collectors(self):
        rng = self.rng
        for collector in self._available_collectors():
            for chance, step in (
                (0.12, self._classify_case),
                (0.07, self._plan_visit),
                (0.03, self._request_waiver),
                (0.02, self._mark_lost_by_hand),
            ):
                if rng.random() < chance:
                    step(collector)
        self._trace_lost_contacts()
        self._report_visits()
        self._check_escalations()

    def _classify_case(self, collector):
        cases = self._own_cases(collector)
        if not cases:
            return
        case = self.rng.choice(cases)
        causes = [value for value, _label in case._fields["overdue_cause"].selection]
        vals = {
            "willingness": self.rng.choice(["willing", "unwilling", False]),
            "ability": self.rng.choice(["able", "unable", False]),
            "overdue_cause": self.rng.choice([*causes, False]),
        }
        hostile = self.rng.random() < 0.1
        if hostile:
            vals[self.rng.choice(sorted(vals))] = self.rng.choice(["maybe", 3, HOSTILE_TEXTS[1]])
        done = self._attempt(
            case.partner_id,
            f"{collector.name}: classifies {case.name} {vals}",
            lambda: case.write(vals),
        )
        self.counts["classified"] += done is not None
        if hostile and done is not None:
            self._fail(
                "a classification outside the choices is refused",
                f"{collector.name} wrote {vals} on case {case.name}",
                [case.partner_id],
                key=("classification", case.id),
            )

    def _mark_lost_by_hand(self, collector):
        cases = self._own_cases(collector, [("lost_contact", "=", False)])
        if not cases:
            return
        case = self.rng.choice(cases)
        latest = max(case.interaction_ids.ids, default=0)
        done = self._attempt(
            case.partner_id,
            f"{collector.name}: marks {case.name} as lost contact",
            lambda: case.write({"lost_contact": True}),
        )
        if done is not None:
            self.hand_lost[case.id] = latest

    def _trace_lost_contacts(self):
        """Collectors record the new contact details they traced for lost customers,
        and often say the contact is restored."""
        available = self._available_collectors()
        cases = self.su["collection.case"].search(
            [
                ("lost_contact", "=", True),
                ("is_closed", "=", False),
                ("partner_id", "in", self.customer_ids),
            ],
            order="id",
        )
        for case in cases:
            collector = case.collector_id
            if collector not in available or self.rng.random() > 0.3:
                continue
            self._record_contact_details(collector, case)

    def _record_contact_details(self, collector, case):
        rng = self.rng
        index = self.day_index
        hostile = rng.random() < 0.1
        vals = {
            "case_id": case.id,
            "record_as": rng.choice(["contact", "contact", "customer"]),
            "name": rng.choice(["Finance manager", "财务经理 王女士", HOSTILE_TEXTS[0]]),
            "phone": rng.choice(["+86 21 5555 0101", "021-6666 8888 转 123", "+1 (415) 555-0100"]),
            "email": f"ap.{index}@traced{index}.example.com",
            "source": rng.choice(["business_registry", "sales", "court", "customer", "other"]),
            "note": rng.choice(["", "From the annual report", HOSTILE_TEXTS[1]]),
        }
        if hostile:
            vals[rng.choice(["phone", "email"])] = rng.choice(["call me", "=1+2", "no email here"])
        details = self._as(collector, "collection.contact.details", case.company_id)
        done = self._attempt(
            case.partner_id,
            f"{collector.name}: records new contact details ({vals['record_as']}) of {case.name}",
            lambda: details.create(vals).action_record(),
        )
        if hostile and done is not None:
            self._fail(
                "traced contact details are checked",
                f"{collector.name} recorded {vals['phone']!r} / {vals['email']!r}",
                [case.partner_id],
                key=("details", case.id, self.day_index),
            )
        if done is not None and rng.random() < 0.5:
            own = self._as(collector, "collection.case", case.company_id).browse(case.id)
            if self._attempt(
                case.partner_id,
                f"{collector.name}: contact of {case.name} restored by hand",
                lambda: own.write({"lost_contact": False}),
            ):
                self.hand_lost.pop(case.id, None)

    def _plan_visit(self, collector):
        cases = self._own_cases(collector)
        if not cases:
            return
        rng = self.rng
        case = rng.choice(cases)
        scale = 7 if case.company_id.currency_id.name == "CNY" else 1
        vals = {
            "case_id": case.id,
            "user_id": collector.id,
            "date_planned": datetime.combine(self.day + timedelta(rng.randint(0, 4)), VISIT_HOUR),
            "purpose": rng.choice(
                ["Collect the overdue balance", "当面对账并催款", *HOSTILE_TEXTS]
            ),
            "cost_estimate": rng.choice([0, 80, 120, 300, 900]) * scale,
        }
        hostile = rng.random() < 0.08
        if hostile:
            vals.update(
                rng.choice(
                    [
                        {"state": "approved"},
                        {"approver_id": collector.id},
                        {"acknowledged": True, "acknowledgement_file": SIGNED_FORM},
                    ]
                )
            )
        visits = self._as(collector, "collection.visit", case.company_id)
        label = f"{collector.name}: plans a visit to {case.name} ({vals['cost_estimate']})"
        visit = self._attempt(case.partner_id, label, lambda: visits.create(vals))
        if hostile and visit:
            self._fail(
                "a new visit is a draft",
                f"{collector.name} created visit {visit.id} with {sorted(vals)}",
                [case.partner_id],
                key=("visit-create", visit.id),
            )
        elif visit:
            self.counts["visits"] += 1
            self._attempt(case.partner_id, f"{collector.name}: submits it", visit.action_submit)

    def _report_visits(self):
        """Collectors report on the approved visits whose day came; a visit whose case
        closed, went to another collector or whose collector left, is cancelled."""
        now = datetime.combine(self.day, time(23, 59))
        visits = self.su["collection.visit"].search(
            [
                ("state", "=", "approved"),
                ("date_planned", "<=", now),
                ("partner_id", "in", self.customer_ids),
            ],
            order="id",
        )
        available = self._available_collectors()
        for visit in visits:
            user = visit.user_id
            case = visit.case_id
            if not user.active or case.is_closed or case.collector_id != user:
                user = self.manager  # the case closed or went to another collector
            elif user not in available:
                continue
            own = self._as(user, "collection.visit", visit.company_id).browse(visit.id)
            if user == self.manager or self.rng.random() < 0.12:
                self._attempt(
                    visit.partner_id, f"{user.name}: cancels visit {visit.id}", own.action_cancel
                )
            elif self.rng.random() < 0.8:
                self._complete_visit(user, own)

    def _complete_visit(self, collector, visit):
        rng = self.rng
        case = self.su["collection.visit"].browse(visit.id).case_id
        outcome = rng.choice(VISIT_OUTCOMES)
        vals = {
            "outcome": outcome,
            "met_person": rng.choice(["Mr. Wang, CFO", "李会计", HOSTILE_TEXTS[0]]),
            "report": rng.choice(["Agreed to pay next week.", "对方称资金紧张", HOSTILE_TEXTS[1]]),
        }
        owed = case.amount_due - sum(
            case.promise_ids.filtered(lambda p: p.state == "open").mapped("amount")
        )
        if outcome == "promise" and case.currency_id.compare_amounts(owed, 1) <= 0:
            vals["outcome"] = "reached"
        elif outcome == "promise":
            vals["promise_amount"] = case.currency_id.round(owed * rng.choice([0.5, 1.0]))
            vals["promise_date"] = self.day + timedelta(days=rng.randint(5, 20))
        if vals["outcome"] != "no_answer" and rng.random() < 0.35:
            vals.update(
                acknowledged=True,
                acknowledgement_file=SIGNED_FORM,
                acknowledgement_filename="acknowledgement.pdf",
            )

        def report():
            visit.write(vals)
            visit.action_done()

        label = f"{collector.name}: visit {visit.id} done ({vals['outcome']})"
        if vals.get("acknowledged"):
            label += ", balance acknowledged"
        if self._attempt(case.partner_id, label, report) is not None:
            self.counts["visits_done"] += 1
            if visit.promise_id:
                self.counts["promises"] += 1
                self._plan_promise(visit.promise_id)

    def _request_waiver(self, collector):
        cases = self._own_cases(collector)
        if not cases:
            return
        rng = self.rng
        case = self.su["collection.case"].browse(rng.choice(cases).id)
        invoices = case.invoice_ids.filtered(
            lambda m: (
                m.state == "posted"
                and m.move_type == "out_invoice"
                and not m.currency_id.is_zero(m.amount_residual)
            )
        )
        if not invoices:
            return
        invoice = rng.choice(invoices.sorted("id"))
        share = rng.choice([0.05, 0.1, 0.2])
        hostile = rng.random() < 0.1
        if hostile:
            share = rng.choice([1.5, -0.1])
        vals = {
            "case_id": case.id,
            "kind": rng.choice(["waiver", "discount"]),
            "invoice_ids": [Command.set(invoice.ids)],
            "amount": invoice.currency_id.round(invoice.amount_residual * share),
            "reason": rng.choice(
                ["Quality issue agreed with sales", "质量问题折让", HOSTILE_TEXTS[0]]
            ),
        }
        waivers = self._as(collector, "collection.waiver", case.company_id)
        label = f"{collector.name}: asks a {vals['kind']} of {vals['amount']} on {invoice.name}"
        waiver = self._attempt(case.partner_id, label, lambda: waivers.create(vals))
        if hostile and waiver:
            self._fail(
                "a waiver is positive and at most what is owed",
                f"{collector.name} asked {vals['amount']} on {invoice.name} "
                f"(owes {invoice.amount_residual})",
                [case.partner_id],
                key=("waiver", waiver.id),
            )
        elif waiver:
            self.counts["waivers"] += 1
            self._attempt(case.partner_id, f"{collector.name}: submits it", waiver.action_submit)

    # ================================================================== managers
    def _office_managers(self):
        manager = self.manager if self.day_index % 2 else self.manager_zh
        rng = self.rng
        self._decide_visits(manager)
        self._decide_waivers(manager)
        self._decide_charges(manager)
        if rng.random() < 0.3:
            self._decide_legal_requests(manager)
        if rng.random() < 0.04:
            self._reopen_case(manager)
        self._decide_legal_costs(manager)
        self._acknowledge_weekly_reports()
        if self.day_index == self.report_day_change:
            self.company_b.collection_weekly_report_day = str(REPORT_DAY_B_LATER)
            self.report_days[self.company_b].append((self.day, REPORT_DAY_B_LATER))
            self._log_global(f"admin: weekly report of {self.company_b.name} now on Thursday")

    def _decide_visits(self, manager):
        visits = self._as(manager, "collection.visit").search(
            [("state", "=", "to_approve"), ("partner_id", "in", self.customer_ids)], order="id"
        )
        for visit in visits:
            draw = self.rng.random()
            if draw < 0.55:
                self._attempt(
                    visit.partner_id,
                    f"{manager.name}: approves visit {visit.id}",
                    visit.action_approve,
                )
            elif draw < 0.7:
                self._attempt(
                    visit.partner_id,
                    f"{manager.name}: refuses visit {visit.id}",
                    visit.action_refuse,
                )

    def _decide_waivers(self, manager):
        waivers = self._as(manager, "collection.waiver").search(
            [("state", "=", "to_approve"), ("partner_id", "in", self.customer_ids)], order="id"
        )
        for waiver in waivers:
            draw = self.rng.random()
            if draw < 0.5:
                label = f"{manager.name}: approves waiver {waiver.id} ({waiver.amount})"
                if self._attempt(waiver.partner_id, label, waiver.action_approve):
                    self.counts["waivers_approved"] += 1
            elif draw < 0.75:
                self._attempt(
                    waiver.partner_id,
                    f"{manager.name}: refuses waiver {waiver.id}",
                    waiver.action_refuse,
                )

    def _decide_charges(self, manager):
        """Proposed charges wait a few days; then the manager invoices them (both
        companies' selected at once, or customer by customer), lowers some first,
        or waives them with a reason."""
        rng = self.rng
        charges = self._as(manager, "collection.charge").search(
            [("state", "=", "proposed"), ("partner_id", "in", self.customer_ids)], order="id"
        )
        for charge in charges:
            if charge.id not in self.charge_decisions:
                decision = rng.choices(["invoice", "lower", "waive", "wait"], [5, 2, 3, 1])[0]
                self.charge_decisions[charge.id] = (
                    self.day + timedelta(rng.randint(0, 4)),
                    decision,
                )
        due = charges.filtered(lambda c: self.charge_decisions[c.id][0] <= self.day)
        decided = {
            kind: due.filtered(lambda c, k=kind: self.charge_decisions[c.id][1] == k)
            for kind in ("invoice", "lower", "waive")
        }
        for charge in decided["lower"]:
            self._lower_charge(manager, charge)
        to_invoice = decided["invoice"] | decided["lower"]
        if (
            to_invoice
            and self._attempt(
                None,
                f"{manager.name}: invoices {len(to_invoice)} charges",
                to_invoice.action_invoice,
            )
            is None
        ):
            for charges_of in to_invoice.grouped("partner_id").values():
                self._attempt(
                    charges_of.partner_id,
                    f"{manager.name}: invoices the charges {charges_of.ids}",
                    charges_of.action_invoice,
                )
        self.counts["charges_invoiced"] += len(to_invoice.filtered(lambda c: c.state == "invoiced"))
        if decided["waive"]:
            self._waive_charges(manager, decided["waive"])

    def _lower_charge(self, manager, charge):
        hostile = self.rng.random() < 0.2
        amount = charge.currency_id.round(charge.amount_proposed * (3 if hostile else 0.7))
        if hostile and self.rng.random() < 0.5:
            amount = -amount
        done = self._attempt(
            charge.partner_id,
            f"{manager.name}: sets charge {charge.id} to {amount} ({charge.amount_proposed} "
            "proposed)",
            lambda: charge.write({"amount": amount}),
        )
        if hostile and done is not None:
            self._fail(
                "a charge is at most what was computed",
                f"charge {charge.id} set to {amount}, {charge.amount_proposed} proposed",
                [charge.partner_id],
                key=("charge-amount", charge.id),
            )

    def _waive_charges(self, manager, charges):
        reason = self.rng.choice(["Good customer, first delay", "客户长期合作，免收", "   "])
        wizard = self._as(manager, "collection.charge.waive")
        done = self._attempt(
            None,
            f"{manager.name}: waives charges {charges.ids} ({reason!r})",
            lambda: wizard.create(
                {"charge_ids": [Command.set(charges.ids)], "reason": reason}
            ).action_waive(),
        )
        if done is not None and not reason.strip():
            self._fail(
                "a charge is waived with a reason",
                f"charges {charges.ids} waived without a reason",
                charges.partner_id,
                key=("waive-reason", charges.ids[0]),
            )
        self.counts["charges_waived"] += len(charges) if done else 0

    def _decide_legal_requests(self, manager):
        cases = self._as(manager, "collection.case").search(
            [
                ("legal_request_user_id", "!=", False),
                ("legal_stage_id", "=", False),
                ("is_closed", "=", False),
                ("partner_id", "in", self.customer_ids),
            ],
            order="id",
            limit=3,
        )
        for case in cases:
            if self.rng.random() < 0.6:
                action, verb = case.action_approve_legal, "approves"
            else:
                action, verb = case.action_reject_legal, "turns down"
            self._attempt(case.partner_id, f"{manager.name}: {verb} legal action", action)

    def _reopen_case(self, manager):
        cases = self._as(manager, "collection.case").search(
            [
                ("is_closed", "=", True),
                ("close_reason", "in", ("settled", "written_off")),
                ("partner_id", "in", self.customer_ids),
            ],
            order="id",
        )
        if cases:
            case = self.rng.choice(cases)
            if self._attempt(
                case.partner_id, f"{manager.name}: reopens {case.name}", case.action_reopen
            ):
                self.counts["reopened"] += 1

    def _decide_legal_costs(self, manager):
        costs = self._as(manager, "collection.legal.cost").search(
            [("state", "=", "to_approve"), ("case_id.partner_id", "in", self.customer_ids)],
            order="id",
        )
        for cost in costs:
            draw = self.rng.random()
            if draw < 0.7:
                self._attempt(
                    cost.case_id.partner_id,
                    f"{manager.name}: approves legal cost {cost.id}",
                    cost.action_approve,
                )
            elif draw < 0.85:
                self._attempt(
                    cost.case_id.partner_id,
                    f"{manager.name}: refuses legal cost {cost.id}",
                    cost.action_refuse,
                )

    def _acknowledge_weekly_reports(self):
        acknowledgements = self.su["collection.weekly.report.acknowledgement"].search(
            [
                ("acknowledged_date", "=", False),
                ("company_id", "in", self.companies.ids),
                ("user_id", "in", (self.manager | self.manager_zh | self.legal).ids),
            ],
            order="id",
        )
        for acknowledgement in acknowledgements:
            if self.rng.random() < 0.3:
                user = acknowledgement.user_id
                report = self._as(user, "collection.weekly.report", acknowledgement.company_id)
                report = report.browse(acknowledgement.report_id.id)
                if self._attempt(
                    None, f"{user.name}: acknowledges {report.name}", report.action_acknowledge
                ):
                    self.counts["acknowledged"] += 1

    # ================================================================== legal officer
    def _office_legal(self):
        rng = self.rng
        if rng.random() < 0.08:
            case = self._pick_case(self.legal, [("legal_stage_id", "!=", False)])
            if case:
                self._record_legal_cost(case)
        costs = self._as(self.legal, "collection.legal.cost").search(
            [("state", "=", "approved"), ("case_id.partner_id", "in", self.customer_ids)],
            order="id",
        )
        for cost in costs:
            partner = cost.case_id.partner_id
            if not cost.bill_id and rng.random() < 0.3:
                self._attempt(partner, f"legal: bills cost {cost.id}", cost.action_create_bill)
            recharge = cost.rechargeable and not cost.recharge_invoice_id and rng.random() < 0.2
            if recharge and self._attempt(
                partner, f"legal: recharges cost {cost.id}", cost.action_recharge
            ):
                self.counts["recharged"] += 1

    def _record_legal_cost(self, case):
        rng = self.rng
        scale = 7 if case.currency_id.name == "CNY" else 1
        vals = {
            "case_id": case.id,
            "description": rng.choice(["Lawyer's fee, first instance", "诉讼费", HOSTILE_TEXTS[2]]),
            "cost_type": rng.choice(["court", "lawyer", "preservation", "enforcement", "other"]),
            "amount": round(rng.uniform(200, 3000) * scale, 2),
            "currency_id": case.currency_id.id,
            "partner_id": self.lawyer.id,
            "rechargeable": rng.random() < 0.5,
        }
        costs = self._as(self.legal, "collection.legal.cost", case.company_id)
        cost = self._attempt(
            case.partner_id, f"legal: records cost {vals['amount']}", lambda: costs.create(vals)
        )
        if cost:
            self.counts["legal_costs"] += 1
            self._attempt(case.partner_id, "legal: submits it", cost.action_submit)

    # ================================================================== forbidden
    def _office_forbidden_writes(self):
        """A collector tries what only a manager decides: approving a visit,
        invoicing or waiving a charge, confirming a write-off."""
        if self.rng.random() > 0.1:
            return
        collectors = self._available_collectors()
        if not collectors:
            return
        collector = self.rng.choice(collectors)
        attempts = self._forbidden_visit(collector) + self._forbidden_charge(collector)
        attempts += self._forbidden_writeoff(collector)
        if attempts:
            self._try_forbidden(collector, *self.rng.choice(attempts))

    def _forbidden_visit(self, collector):
        visit = self._as(collector, "collection.visit").search(
            [("state", "=", "to_approve"), ("user_id", "=", collector.id)], limit=1
        )
        if not visit:
            return []
        return [
            ("approving a visit", visit.partner_id, visit.action_approve),
            (
                "approving a visit by writing it",
                visit.partner_id,
                lambda: visit.write({"state": "approved", "approver_id": collector.id}),
            ),
        ]

    def _forbidden_charge(self, collector):
        charge = self._as(collector, "collection.charge").search(
            [("state", "=", "proposed"), ("case_id.collector_id", "=", collector.id)], limit=1
        )
        if not charge:
            return []
        waive = self._as(collector, "collection.charge.waive")
        return [
            ("invoicing a charge", charge.partner_id, charge.action_invoice),
            (
                "invoicing a charge by writing it",
                charge.partner_id,
                lambda: charge.write({"state": "invoiced"}),
            ),
            (
                "waiving a charge by writing it",
                charge.partner_id,
                lambda: charge.write({"state": "waived", "waive_reason": "friend"}),
            ),
            (
                "waiving a charge",
                charge.partner_id,
                lambda: waive.create(
                    {"charge_ids": [Command.set(charge.ids)], "reason": "friend"}
                ).action_waive(),
            ),
        ]

    def _forbidden_writeoff(self, collector):
        cases = self._own_cases(collector)
        if not cases:
            return []
        case = self.rng.choice(cases)
        wizard = self._as(collector, "collection.case.close", case.company_id).with_context(
            active_model="collection.case", active_ids=case.ids
        )
        entry = self.su["account.move"].search(
            [("company_id", "=", case.company_id.id), ("move_type", "=", "entry")], limit=1
        )
        return [
            (
                "confirming a write-off",
                case.partner_id,
                lambda: wizard.create({"close_reason": "written_off", "note": "x"}).action_close(),
            ),
            (
                "linking a write-off entry by writing the case",
                case.partner_id,
                lambda: case.write({"writeoff_move_id": entry.id}),
            ),
        ]

    def _try_forbidden(self, collector, what, partner, action):
        accepted = False
        try:
            with self.cr.savepoint():
                action()
                self.env.flush_all()
                raise _Forbidden
        except _Forbidden:
            accepted = True  # undone by the savepoint, reported below
        except OFFICE_USER_ERRORS:
            self._log(partner, f"{collector.name}: tried {what}: refused")
        except Exception as error:  # an entry point that crashes is a defect
            self._fail(
                "no user action crashes",
                f"{collector.name} {what} raised {error!r}\n{traceback.format_exc(limit=6)}",
                [partner],
                key=("crash", what, type(error).__name__),
            )
        self.counts["forbidden"] += 1
        if accepted:
            self._fail(
                "collectors cannot do what managers decide",
                f"{collector.name} succeeded in {what} (undone)",
                [partner],
                key=("office-forbidden", what),
            )

    def _settlement_lines(self, case):
        """The discount a settlement agrees on each open invoice of the case: a part of
        what it still owes (the customer pays the rest)."""
        invoices = (
            self.su["collection.case"]
            .browse(case.id)
            .invoice_ids.filtered(
                lambda m: m.state == "posted" and not m.currency_id.is_zero(m.amount_residual)
            )
        )
        return [
            Command.create(
                {
                    "invoice_id": invoice.id,
                    "amount": invoice.currency_id.round(
                        invoice.amount_residual * self.rng.choice([0.1, 0.3, 0.5])
                    ),
                }
            )
            for invoice in invoices.sorted("id")
        ]

    def _office_summary(self):
        c = self.counts
        return (
            f"visits {c['visits']}/{c['visits_done']} waivers {c['waivers']}/"
            f"{c['waivers_approved']} charges {c['charges_invoiced']}/{c['charges_waived']} "
            f"costs {c['legal_costs']} reopened {c['reopened']} acks {c['acknowledged']}"
        )
