"""Invariants of the office's newer features in the simulated book: charges, write-offs,
visits, weekly reports, lost contact and the outcomes that propose legal action.
Each is reported through ``_fail`` with the customers concerned."""

from datetime import timedelta

from dateutil.relativedelta import relativedelta

ESCALATING = ("refused_to_pay", "deliberate_default")
NOT_REACHED = ("no_answer", "wrong_contact")
MANAGER_GROUP = "collection_management.group_collection_manager"


class SimulationOfficeChecks:
    """Mixed into the simulation with its activities (simulation_office.py)."""

    def _check_office(self):
        for check in (
            self._check_interest_periods,
            self._check_fees,
            self._check_charge_invoices,
            self._check_charge_caps,
            self._check_writeoffs,
            self._check_balanced_book,
            self._check_visits,
            self._check_weekly_reports,
            self._check_lost_contact,
        ):
            check()

    # ------------------------------------------------------------------ charges
    def _check_interest_periods(self):
        """Never two charges (not waived) of interest for overlapping periods of a
        customer, company and currency: a period runs from the day after date_from (or
        from the due dates) to date."""
        for first, second, partner_id, start, end in self._query(
            """SELECT c1.id, c2.id, c1.partner_id, c2.date_from, c2.date
                 FROM collection_charge c1
                 JOIN collection_charge c2
                   ON c2.partner_id = c1.partner_id AND c2.company_id = c1.company_id
                  AND c2.currency_id = c1.currency_id AND c2.id > c1.id
                WHERE c1.kind = 'interest' AND c2.kind = 'interest'
                  AND c1.state != 'waived' AND c2.state != 'waived'
                  AND COALESCE(c1.date_from, '0001-01-01') < c2.date
                  AND COALESCE(c2.date_from, '0001-01-01') < c1.date
                  AND c1.partner_id = ANY(%s)""",
            self.customer_ids,
        ):
            self._fail(
                "interest periods never overlap",
                f"interest charges {first} and {second} of {self._name(partner_id)} overlap "
                f"(the second from {start} to {end})",
                [partner_id],
                key=("interest-overlap", first, second),
            )

    def _check_fees(self):
        for followup_id, partner_id, count in self._query(
            """SELECT followup_id, partner_id, COUNT(*) FROM collection_charge
                WHERE kind = 'fee' AND followup_id IS NOT NULL AND partner_id = ANY(%s)
             GROUP BY 1, 2 HAVING COUNT(*) > 1""",
            self.customer_ids,
        ):
            self._fail(
                "at most one fee per follow-up",
                f"follow-up {followup_id} of {self._name(partner_id)} has {count} fees",
                [partner_id],
                key=("fees", followup_id),
            )

    def _check_charge_invoices(self):
        """An invoiced charge has a posted invoice, in its currency, whose amount is the
        sum of the charges it invoices."""
        for move_id, partner_id, charged, currency_ids, state, total, currency_id in self._query(
            """SELECT c.move_id, c.partner_id, SUM(c.amount), ARRAY_AGG(DISTINCT c.currency_id),
                      m.state, m.amount_total, m.currency_id
                 FROM collection_charge c
            LEFT JOIN account_move m ON m.id = c.move_id
                WHERE c.state = 'invoiced' AND c.partner_id = ANY(%s)
             GROUP BY 1, 2, 5, 6, 7""",
            self.customer_ids,
        ):
            wrong = state != "posted" or currency_ids != [currency_id]
            wrong = wrong or abs(float(charged) - float(total or 0)) > 0.005
            if wrong:
                self._fail(
                    "invoiced charges have a posted invoice of their amount",
                    f"charges of {self._name(partner_id)} on invoice {move_id}: {charged} "
                    f"charged, invoice {state} for {total} (currency {currency_id}, charges "
                    f"{currency_ids})",
                    [partner_id],
                    key=("charge-invoice", move_id),
                )

    def _check_charge_caps(self):
        """What is proposed or invoiced to a customer (not waived) never exceeds the
        cap of its policy on the principal, as the engine measures both."""
        charges = self.su["collection.charge"]
        for company in self.companies:
            partner_ids = [
                row[0]
                for row in self._query(
                    "SELECT DISTINCT partner_id FROM collection_charge WHERE company_id = %s"
                    " AND state != 'waived' AND partner_id = ANY(%s)",
                    company.id,
                    self.customer_ids,
                )
            ]
            if not partner_ids:
                continue
            partners = self.su["res.partner"].browse(partner_ids)
            summary = charges._collection_summary(partners, company, self.day)
            for (partner, currency), figures in summary.items():
                if figures["cap"] is None:
                    continue
                kinds = ("interest_proposed", "interest_invoiced", "fee_proposed", "fee_invoiced")
                charged = sum(figures[kind] for kind in kinds)
                if currency.compare_amounts(charged, figures["cap"]) > 0:
                    self._fail(
                        "charges never exceed the policy's cap",
                        f"{partner.name} ({company.name}): {charged:.2f} {currency.name} "
                        f"charged, cap {figures['cap']:.2f} on {figures['principal']:.2f} "
                        f"({', '.join(figures['basis'].mapped('name'))}); "
                        + self._charges_text(partner, company, currency),
                        [partner],
                        key=("cap", partner.id, company.id, currency.id),
                    )

    def _charges_text(self, partner, company, currency):
        charges = self.su["collection.charge"].search(
            [
                ("partner_id", "=", partner.id),
                ("company_id", "=", company.id),
                ("currency_id", "=", currency.id),
                ("state", "!=", "waived"),
            ],
            order="date, id",
        )
        return "; ".join(
            f"{c.kind} {c.id} {c.date_from or ''}..{c.date} {c.amount:.2f} {c.state} on "
            f"{', '.join(c.invoice_ids.mapped('name'))}"
            for c in charges
        )

    # ------------------------------------------------------------------ write-offs
    def _check_writeoffs(self):
        cases = self.su["collection.case"].search(
            [("writeoff_move_id", "!=", False), ("partner_id", "in", self.customer_ids)],
            order="id",
        )
        for case in cases:
            move, reversal = case.writeoff_move_id, case.writeoff_reversal_move_id
            problems = []
            if reversal:
                if reversal.state != "posted" or reversal.reversed_entry_id != move:
                    problems.append(f"its reversal {reversal.name} is not a posted reversal")
            else:
                problems += self._writeoff_problems(case, move)
                if not case.is_closed:
                    problems.append("the case is open again but its write-off is not reversed")
            if problems:
                self._fail(
                    "write-offs are posted, reconciled, reversed on reopening",
                    f"case {case.name}, write-off {move.name}: " + "; ".join(problems),
                    [case.partner_id],
                    key=("writeoff", case.id, move.id, bool(reversal)),
                )

    def _writeoff_problems(self, case, move):
        problems = []
        if move.state != "posted":
            problems.append(f"entry is {move.state}")
        if not move.company_id.currency_id.is_zero(sum(move.line_ids.mapped("balance"))):
            problems.append("entry is not balanced")
        receivable = move.line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        )
        for line in receivable:
            # an invoice in a foreign currency written off at a later rate is
            # reconciled with Odoo's exchange difference entry as well
            invoices = line.matched_debit_ids.debit_move_id.move_id.filtered(
                lambda m: m.journal_id != m.company_id.currency_exchange_journal_id
            )
            if not line.reconciled and not line.currency_id.is_zero(line.amount_residual_currency):
                problems.append(f"{line.name} is not fully reconciled")
            if not invoices or invoices.filtered(
                lambda m: m.collection_case_id != case or m.move_type != "out_invoice"
            ):
                problems.append(f"{line.name} is reconciled with {invoices.mapped('name')}")
        return problems

    def _check_balanced_book(self):
        for move_id, name, balance in self._query(
            """SELECT m.id, m.name, SUM(l.balance) FROM account_move m
                 JOIN account_move_line l ON l.move_id = m.id
                WHERE m.state = 'posted' AND m.company_id = ANY(%s)
             GROUP BY 1, 2 HAVING ABS(SUM(l.balance)) > 0.0001""",
            self.companies.ids,
        ):
            move = self.su["account.move"].browse(move_id)
            self._fail(
                "every entry of the book is balanced",
                f"entry {name} is off by {balance}",
                [move.commercial_partner_id] if move.commercial_partner_id else [],
                key=("unbalanced", move_id),
            )

    # ------------------------------------------------------------------ visits
    def _check_visits(self):
        """Approved and done visits; a done visit once (its log and acknowledgement are
        checked on the day it is reported)."""
        checked = self.office_watch.setdefault("visits_done", set())
        visits = self.su["collection.visit"].search(
            [
                ("partner_id", "in", self.customer_ids),
                ("state", "in", ("approved", "done")),
                ("id", "not in", list(checked)),
            ],
            order="id",
        )
        checked.update(visits.filtered(lambda v: v.state == "done").ids)
        for visit in visits:
            problems = self._visit_problems(visit)
            if problems:
                self._fail(
                    "visits are approved by managers, logged and acknowledged",
                    f"visit {visit.id} of {visit.user_id.name} ({visit.state}): "
                    + "; ".join(problems),
                    [visit.partner_id],
                    key=("visit", visit.id, visit.state),
                )

    def _visit_problems(self, visit):
        problems = []
        approver = visit.approver_id
        if approver and not approver.has_group(MANAGER_GROUP):
            problems.append(f"approved by {approver.name}, not a manager")
        if not approver and not visit.pre_approved:
            problems.append("approved by nobody")
        if visit.state != "done":
            return problems
        contact = visit.interaction_id
        if not contact or contact.case_id != visit.case_id or contact.channel != "visit":
            problems.append("no visit in the contact log")
        if visit.acknowledged:
            case, day = visit.case_id, visit.date_planned.date()
            years = case.company_id.collection_limitation_years or 3
            if not case.last_acknowledgement_date or case.last_acknowledgement_date < day:
                problems.append(f"acknowledgement of {day} not recorded on the case")
            elif case.limitation_date and case.limitation_date < day + relativedelta(years=years):
                problems.append(f"limitation date {case.limitation_date} not moved")
        return problems

    # ------------------------------------------------------------------ weekly report
    def _report_day(self, company, day):
        """The company's report day (0 = Monday) on ``day``, as the admin set it."""
        weekday = None
        for since, value in self.report_days[company]:
            if since <= day:
                weekday = value
        return weekday

    def _check_weekly_reports(self):
        reports = self.su["collection.weekly.report"].search(
            [("company_id", "in", self.companies.ids), ("week_end", ">=", self.start)],
            order="company_id, week_start, id",
        )
        previous = {}
        for report in reports:
            company = report.company_id
            sent = report.sent_date and report.sent_date.date()
            problems = []
            if sent != report.week_end or report.week_end - report.week_start > timedelta(6):
                problems.append(f"sent {sent} for {report.week_start} – {report.week_end}")
            elif sent.weekday() != self._report_day(company, sent):
                problems.append(f"sent on {sent}, not the report day")
            before = previous.get(company)
            if before and before.week_end >= report.week_start:
                problems.append(f"overlaps the report of {before.week_start}")
            previous[company] = report
            strangers = report.acknowledgement_ids.user_id - report.recipient_ids
            if strangers:
                problems.append(f"acknowledged by {strangers.mapped('name')}, not recipients")
            if problems:
                self._fail(
                    "one weekly report per company and week, on its day, acknowledged by "
                    "recipients",
                    f"{company.name}: " + "; ".join(problems),
                    [],
                    key=("weekly", report.id),
                )

    # ------------------------------------------------------------------ contacts
    def _check_lost_contact(self):
        """A flagged case has, since the latest contact that reached the customer (and
        since its contact was restored by hand), two wrong contacts, or was flagged by
        hand and not reached since; an open case with two such wrong contacts is
        flagged."""
        rows = self._query(
            """SELECT k.id, k.lost_contact, COALESCE(k.lost_contact_restored_log_id, 0),
                      ARRAY_AGG(i.id ORDER BY i.date, i.id),
                      ARRAY_AGG(i.outcome ORDER BY i.date, i.id)
                 FROM collection_case k
                 JOIN collection_interaction i ON i.case_id = k.id
                WHERE NOT k.is_closed AND k.partner_id = ANY(%s)
             GROUP BY 1, 2, 3""",
            self.customer_ids,
        )
        flagged = set()
        for case_id, lost, restored, ids, outcomes in rows:
            log = list(zip(ids, outcomes, strict=True))
            last = max(
                (n for n, (_id, outcome) in enumerate(log) if outcome not in NOT_REACHED),
                default=-1,
            )
            since = log[last + 1 :]
            last_reached = log[last][0] if last >= 0 else 0
            wrong = [i for i, outcome in since if outcome == "wrong_contact" and i > restored]
            by_hand = case_id in self.hand_lost and last_reached <= self.hand_lost[case_id]
            if lost:
                flagged.add(case_id)
            if lost and len(wrong) < 2 and not by_hand:
                self._lost_contact_failure(case_id, "flagged without two wrong contacts", log)
            elif not lost and len(wrong) >= 2:
                self._lost_contact_failure(case_id, "two wrong contacts, not flagged", log)
        # a case flagged by hand before its first contact has no row above: forget only
        # the cases no longer flagged
        still_lost = {
            case_id
            for (case_id,) in self._query(
                "SELECT id FROM collection_case WHERE lost_contact AND id = ANY(%s)",
                list(self.hand_lost),
            )
        }
        for case_id in list(self.hand_lost):
            if case_id not in flagged | still_lost:
                self.hand_lost.pop(case_id)

    def _lost_contact_failure(self, case_id, problem, log):
        case = self.su["collection.case"].browse(case_id)
        self._fail(
            "lost contact follows the contact log",
            f"case {case.name}: {problem} (log {log[-5:]}, hand {self.hand_lost.get(case_id)})",
            [case.partner_id],
            key=("lost", case_id, problem),
        )

    def _check_escalations(self):
        """Contacts logged since the last look that refuse to pay or default on
        purpose left their open case proposed for legal action, or in it."""
        watermark = self.office_watch["interaction"]
        for interaction_id, partner_id, name, outcome in self._query(
            """SELECT i.id, k.partner_id, k.name, i.outcome FROM collection_interaction i
                 JOIN collection_case k ON k.id = i.case_id
                WHERE i.id > %s AND i.outcome = ANY(%s) AND NOT k.is_closed
                  AND k.legal_stage_id IS NULL AND k.legal_request_user_id IS NULL
                  AND k.partner_id = ANY(%s)""",
            watermark,
            list(ESCALATING),
            self.customer_ids,
        ):
            self._fail(
                "a refusal to pay proposes legal action",
                f"case {name}: contact {interaction_id} ({outcome}) left it without a proposal",
                [partner_id],
                key=("escalation", interaction_id),
            )
        self.office_watch["interaction"] = self._max_id("collection_interaction")
