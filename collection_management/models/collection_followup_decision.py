import logging
from collections import defaultdict

from psycopg2 import errors as pg_errors

from odoo import api, models
from odoo.tools import SQL

_logger = logging.getLogger(__name__)


class CollectionFollowup(models.Model):
    """Where a reminder is decided: which customers of a company get which level on a
    date, and why the others are skipped. Set-based: the number of queries does not
    depend on the number of invoices."""

    _inherit = "collection.followup"

    def _collection_partners_blocked(self, company):
        """Customers the run must leave alone, with the reason: an open promise to pay
        or a case in legal action."""
        blocked = {}
        for partner in (
            self.env["collection.promise"]
            .sudo()
            ._read_group([("company_id", "=", company.id), ("state", "=", "open")], ["partner_id"])
        ):
            blocked[partner[0]] = "promise"
        for partner in (
            self.env["collection.case"]
            .sudo()
            ._read_group(
                [
                    ("company_id", "=", company.id),
                    ("is_closed", "=", False),
                    ("legal_stage_id", "!=", False),
                ],
                ["partner_id"],
            )
        ):
            blocked[partner[0]] = "legal"
        return blocked

    @api.model
    def _collection_candidates(self, company, date, partners=None):
        """Posted customer invoices of ``company`` with an amount due that reminders may
        concern: not excluded, not disputed (or the dispute has ended)."""
        domain = [
            ("company_id", "=", company.id),
            ("invoice_date_due", "!=", False),
            *self.env["account.move"]._collection_remindable_domain(date),
        ]
        if partners is not None:
            domain.append(("commercial_partner_id", "in", partners.commercial_partner_id.ids))
        return self.env["account.move"].search_fetch(
            domain,
            [
                "commercial_partner_id",
                "invoice_date_due",
                "amount_residual_signed",
                "collection_level_id",
            ],
            order="commercial_partner_id, invoice_date_due, id",
        )

    @api.model
    def _collection_open_credits(self, company, partners):
        """Open credit notes and unapplied payments per commercial partner (positive amounts
        in company currency), from one grouped read of receivable lines."""
        groups = self.env["account.move.line"]._read_group(
            [
                ("company_id", "=", company.id),
                ("partner_id", "in", partners.ids),
                ("account_id.account_type", "=", "asset_receivable"),
                ("parent_state", "=", "posted"),
                ("reconciled", "=", False),
                ("amount_residual", "<", 0),
            ],
            ["partner_id"],
            ["amount_residual:sum"],
        )
        credits = defaultdict(float)
        for partner, amount in groups:
            credits[partner.commercial_partner_id] += -amount
        return credits

    @api.model
    def _collection_recent(self, company, partners, date):
        """Per partner: date of the last follow-up that was not cancelled, and whether one
        is waiting for review or was made on ``date``."""
        groups = self._read_group(
            [
                ("company_id", "=", company.id),
                ("partner_id", "in", partners.ids),
                ("state", "!=", "cancel"),
            ],
            ["partner_id", "state"],
            ["date:max"],
        )
        last, pending = {}, set()
        for partner, state, last_date in groups:
            last[partner] = max(last.get(partner, last_date), last_date)
            if state == "draft" or last_date == date:
                pending.add(partner)
        return last, pending

    @api.model
    def _collection_decide(self, company, date, partners=None):
        """Decide, for every customer of ``company``, the follow-up due on ``date``.

        Returns ``(decisions, skipped)``: decisions are dicts with the partner, level,
        invoices, amount due and credits; skipped maps a reason to the partners skipped
        for it. Set-based: the number of queries does not depend on the number of
        invoices.
        """
        invoices = self._collection_candidates(company, date, partners)
        by_partner = invoices.grouped("commercial_partner_id")
        customers = self.env["res.partner"].concat(*by_partner)
        blocked = self._collection_partners_blocked(company)
        customers_in_company = customers.with_company(company)
        customers_in_company.fetch(["collection_policy_id"])
        default_policy = company.collection_policy_id
        policies = customers_in_company.collection_policy_id | default_policy
        policies.level_ids.fetch(["delay_days", "min_interval_days", "policy_id"])
        credits = self._collection_open_credits(company, customers)
        last, pending = self._collection_recent(company, customers, date)
        decisions, skipped = [], defaultdict(lambda: self.env["res.partner"])
        for partner, moves in by_partner.items():
            if partner in blocked:
                skipped[blocked[partner]] |= partner
                continue
            if partner in pending:
                skipped["pending"] |= partner
                continue
            policy = partner._collection_policy(company)
            if not policy or not policy.level_ids:
                skipped["no_policy"] |= partner
                continue
            decision, reason = self._collection_decide_partner(
                partner, moves, policy, date, credits.get(partner, 0.0), last.get(partner)
            )
            if reason:
                skipped[reason] |= partner
            else:
                decisions.append(decision)
        return decisions, skipped

    @api.model
    def _collection_decide_partner(self, partner, moves, policy, date, credit, last_date):
        """The follow-up of one customer, or the reason there is none.

        The level is the highest one reached by any of its invoices. A level after the
        due date lists only overdue invoices (a formal demand never claims what is not
        due yet); a reminder before the due date lists the invoices it concerns."""
        currency = policy.company_id.currency_id
        level, rows = None, []
        for move in moves:
            days = (date - move.invoice_date_due).days
            due = policy._due_level(days, above=move.collection_level_id)
            if due and (not level or due.delay_days > level.delay_days):
                level = due
            rows.append((move, days, due))
        if not level:
            return None, "no_level"
        if level.delay_days > 0:
            listed = [move for move, days, _due in rows if days > 0]
        else:
            listed = [move for move, days, due in rows if due or days > 0]
        overdue_total = sum(move.amount_residual_signed for move, days, _due in rows if days > 0)
        amount_due = sum(move.amount_residual_signed for move in listed)
        net = (overdue_total if level.delay_days > 0 else amount_due) - credit
        if currency.compare_amounts(net, 0) <= 0:
            return None, "credits"
        if last_date and (date - last_date).days < level.min_interval_days:
            return None, "interval"
        return {
            "partner": partner,
            "level": level,
            "invoices": self.env["account.move"].concat(*listed),
            "amount_due": amount_due,
            "credit": credit,
        }, None

    @api.model
    def _collection_lock_rows(self, partners):
        """Lock the rows of ``partners`` that no other transaction holds. A customer of
        two companies that another company's run changed (credit hold) after this
        transaction began cannot be locked in it (PostgreSQL refuses, to keep this
        transaction's snapshot consistent): such customers are left, one by one, to a
        later run instead of failing the whole batch."""
        query = "SELECT id FROM res_partner WHERE id = ANY(%s) FOR NO KEY UPDATE SKIP LOCKED"
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(SQL(query, partners.ids))
                ids = [row[0] for row in self.env.cr.fetchall()]
        except pg_errors.SerializationFailure:
            ids = []
            for partner in partners:
                try:
                    with self.env.cr.savepoint(flush=False):
                        self.env.cr.execute(SQL(query, partner.ids))
                        ids += [row[0] for row in self.env.cr.fetchall()]
                except pg_errors.SerializationFailure:
                    _logger.info("follow-up run: customer %s changed by another run", partner.id)
        return self.env["res.partner"].browse(ids)

    def _collection_lock_partners(self, company, partners, date):
        """Lock the partners this run is about to act on; partners locked by a concurrent
        run are skipped, and partners that a run finished meanwhile are dropped."""
        if not partners:
            return partners
        locked = self._collection_lock_rows(partners)
        if not locked:
            return locked
        # a run that committed between our decision and our lock has made them already
        self.flush_model()
        self.env.cr.execute(
            SQL(
                """SELECT partner_id FROM collection_followup
                    WHERE company_id = %s AND partner_id = ANY(%s)
                      AND (date = %s OR state = 'draft')""",
                company.id,
                locked.ids,
                date,
            )
        )
        done = {row[0] for row in self.env.cr.fetchall()}
        return locked.filtered(lambda partner: partner.id not in done)
