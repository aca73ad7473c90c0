from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

# the day count: actual days over a year of 365 days (rate in percent)
DAYS_PER_YEAR = 365

# one row per overdue receivable line: interest = rate x (principal x days since the start
# - each payment x days since it was received) / (100 x 365)
INTEREST_QUERY = """
WITH terms AS (
    SELECT *
      FROM unnest(%(partners)s::int[], %(dates)s::date[], %(rates)s::numeric[],
                  %(graces)s::int[], %(sinces)s::date[])
           AS t(partner_id, as_of, rate, grace, since)
), lines AS (
    SELECT l.id AS line_id, m.id AS invoice_id, t.partner_id,
           %(currency)s AS currency_id, %(principal)s AS principal,
           t.as_of, t.rate, t.since, %(maturity)s + t.grace AS start_date
      FROM terms t
      JOIN account_move m ON %(partner)s = t.partner_id
      JOIN account_move_line l ON %(line_move)s = m.id
     WHERE %(company)s = %(company_id)s AND %(move_type)s = 'out_invoice'
       AND %(state)s = 'posted' AND %(display_type)s = 'payment_term'
       AND %(principal)s > 0 AND %(maturity)s < t.as_of AND %(move_date)s <= t.as_of
       AND NOT EXISTS (SELECT 1 FROM collection_charge c WHERE c.move_id = m.id)
), paid AS (
    SELECT li.line_id, SUM(%(paid)s) AS paid, MAX(%(paid_on)s) AS last_paid,
           SUM(%(paid)s * GREATEST(li.as_of - GREATEST(%(paid_on)s, li.start_date), 0))
               AS paid_days
      FROM lines li
      JOIN account_partial_reconcile apr ON %(debit)s = li.line_id
     WHERE %(paid_on)s <= li.as_of
  GROUP BY li.line_id
)
SELECT li.partner_id, li.invoice_id, li.currency_id, li.principal,
       li.principal - COALESCE(p.paid, 0) AS residual,
       GREATEST(li.principal * GREATEST(li.as_of - li.start_date, 0)
                - COALESCE(p.paid_days, 0), 0) * li.rate / (100 * %(year)s) AS interest
  FROM lines li
  LEFT JOIN paid p ON p.line_id = li.line_id
 WHERE li.principal - COALESCE(p.paid, 0) > 0
    OR p.last_paid > COALESCE(li.since, '0001-01-01'::date)
"""


class CollectionCharge(models.Model):
    """Interest and fees as of any date, for many customers at once: what accrued, what
    is proposed, invoiced or waived, and the cap of each policy."""

    _inherit = "collection.charge"

    @api.model
    def _collection_interest_rows(self, company, terms):
        """Interest of the customers' overdue receivable lines in ``company``, from one
        query. ``terms`` maps a commercial partner to (as of date, annual rate %, grace
        days, since): each receivable line due before the date bears simple interest
        on what it still owed each day, from its due date plus the grace days until the
        date, actual days / 365; each payment or credit note lowers that amount from
        the day it was reconciled (``max_date``). A line counts if it still owes
        something on the date or was paid after ``since``. Lines of charge invoices
        bear no interest. Rows: partner, invoice, currency, principal (invoice
        currency), residual on the date and interest (not rounded)."""
        if not terms:
            return []
        partners = list(terms)
        move, line = self.env["account.move"], self.env["account.move.line"]
        partial = self.env["account.partial.reconcile"]

        def column(alias, model, name):
            return SQL.identifier(alias, name, to_flush=model._fields[name])

        query = SQL(
            INTEREST_QUERY,
            partners=[p.id for p in partners],
            dates=[terms[p][0] for p in partners],
            rates=[terms[p][1] for p in partners],
            graces=[terms[p][2] for p in partners],
            sinces=[terms[p][3] for p in partners],
            company_id=company.id,
            year=DAYS_PER_YEAR,
            currency=column("l", line, "currency_id"),
            principal=column("l", line, "amount_currency"),
            maturity=column("l", line, "date_maturity"),
            partner=column("m", move, "commercial_partner_id"),
            line_move=column("l", line, "move_id"),
            company=column("m", move, "company_id"),
            move_type=column("m", move, "move_type"),
            state=column("m", move, "state"),
            display_type=column("l", line, "display_type"),
            move_date=column("m", move, "date"),
            paid=column("apr", partial, "debit_amount_currency"),
            paid_on=column("apr", partial, "max_date"),
            debit=column("apr", partial, "debit_move_id"),
        )
        self.env["collection.charge"].flush_model(["move_id"])
        rows = self.env.execute_query_dict(query)
        for row in rows:
            for key in ("principal", "residual", "interest"):
                row[key] = float(row[key])
        return rows

    @api.model
    def _collection_policies(self, partners, company):
        """The policy of each commercial partner in ``company``."""
        partners = partners.with_company(company)
        return {p: p.collection_policy_id or company.collection_policy_id for p in partners}

    @api.model
    def _collection_last_interest_dates(self, partners, company, date):
        groups = self.sudo()._read_group(
            [
                ("partner_id", "in", partners.ids),
                ("company_id", "=", company.id),
                ("kind", "=", "interest"),
                ("date", "<=", date),
            ],
            ["partner_id"],
            ["date:max"],
        )
        return dict(groups)

    @api.model
    def _collection_accrual(self, partners, company, date):
        """Interest accrued since each customer's last interest charge up to ``date``:
        {(partner, currency): (accrued, {invoice: principal}, invoices bearing
        interest)}, not rounded and not capped. The first charge starts from the due
        dates, on the lines still owing or paid within the policy's period."""
        policies = self._collection_policies(partners, company)
        last = self._collection_last_interest_dates(partners, company, date)
        terms_now, terms_then = {}, {}
        for partner, policy in policies.items():
            if not policy:
                continue
            since = last.get(partner) or date - timedelta(days=policy.interest_period_days)
            rate, grace = policy.interest_rate, policy.interest_grace_days
            terms_now[partner] = (date, rate, grace, since)
            if last.get(partner):
                terms_then[partner] = (last[partner], rate, grace, since)
        moves = self.env["account.move"]
        result = defaultdict(lambda: [0.0, defaultdict(float), moves])
        for row in self._collection_interest_rows(company, terms_now):
            entry = result[(row["partner_id"], row["currency_id"])]
            invoice = moves.browse(row["invoice_id"])
            entry[0] += row["interest"]
            entry[1][invoice] += row["principal"]
            if row["interest"] > 0:
                entry[2] |= invoice
        for row in self._collection_interest_rows(company, terms_then):
            key = (row["partner_id"], row["currency_id"])
            if key in result:
                result[key][0] -= row["interest"]
        partner_model, currency_model = self.env["res.partner"], self.env["res.currency"]
        return {
            (partner_model.browse(p), currency_model.browse(c)): (max(accrued, 0.0), basis, bearing)
            for (p, c), (accrued, basis, bearing) in result.items()
        }

    @api.model
    def _collection_summary(self, partners, company, date=None, keep_empty=False):
        """Interest and fees of ``partners`` (commercial) in ``company`` as of ``date``,
        per customer and currency: {(partner, currency): dict} with ``accrued``
        (interest not yet charged, capped), ``interest_proposed``, ``fee_proposed``,
        ``interest_invoiced``, ``fee_invoiced``, ``due`` (what is not invoiced yet:
        accrued and proposed), ``claim_interest``, ``claim_fees`` (everything not
        waived), ``cap`` (the most interest and fees may reach, or None), ``principal``,
        ``basis`` (the overdue invoices it counts now, ``basis_amounts`` their principal)
        and ``charged_invoices`` (those of every charge, waived too). Interest and
        fees never exceed the policy's cap on the principal. ``keep_empty``: also the
        customers and currencies with nothing accrued or charged (their cap and
        principal)."""
        date = fields.Date.to_date(date) or fields.Date.context_today(self)
        partners = partners.commercial_partner_id
        accrual = self._collection_accrual(partners, company, date)
        policies = self._collection_policies(partners, company)
        charged, charged_invoices = self._collection_charged(partners, company, date)
        keys = set(accrual) | {(p, c) for p, c, _k, _s in charged}
        summary = {}
        for partner, currency in keys:
            accrued, basis, invoices = accrual.get(
                (partner, currency), (0.0, {}, self.env["account.move"])
            )
            # the principal: the overdue invoices now, and those charged before
            principal = sum(basis.values()) + sum(
                (charged_invoices[(partner, currency)] - self.env["account.move"].concat(*basis))
                .sudo()
                .mapped("amount_total")
            )
            figures = self._collection_figures(
                currency, charged, (partner, currency), accrued, principal, policies.get(partner)
            )
            figures["invoices"] = invoices
            figures["basis"] = self.env["account.move"].concat(*basis)
            figures["basis_amounts"] = dict(basis)
            figures["charged_invoices"] = charged_invoices[(partner, currency)]
            if (
                keep_empty
                or not currency.is_zero(figures["due"])
                or not currency.is_zero(figures["claim_interest"] + figures["claim_fees"])
            ):
                summary[(partner, currency)] = figures
        return summary

    @api.model
    def _collection_charged(self, partners, company, date):
        """What is charged (proposed or invoiced, not waived) up to ``date``: the sums
        by (partner, currency, kind, state), and the invoices concerned by (partner,
        currency), those of waived charges too: waiving a charge forgives it, not the
        debt it was charged on, which stays in the principal of the cap (else the
        charges kept would exceed the cap they were measured against)."""
        domain = [
            ("partner_id", "in", partners.ids),
            ("company_id", "=", company.id),
            ("date", "<=", date),
        ]
        charged_invoices = defaultdict(lambda: self.env["account.move"])
        for charge in self.sudo().search(domain):
            charged_invoices[(charge.partner_id, charge.currency_id)] |= charge.invoice_ids
        charged = defaultdict(float)
        for partner, currency, kind, state, amount in self.sudo()._read_group(
            [*domain, ("state", "!=", "waived")],
            ["partner_id", "currency_id", "kind", "state"],
            ["amount:sum"],
        ):
            charged[(partner, currency, kind, state)] += amount
        return charged, charged_invoices

    @api.model
    def _collection_figures(self, currency, charged, key, accrued, principal, policy):
        """The figures of one customer and currency; the accrued interest is cut to
        what the cap leaves after the charges."""
        figures = {
            f"{kind}_{state}": charged.get((*key, kind, state), 0.0)
            for kind in ("interest", "fee")
            for state in ("proposed", "invoiced")
        }
        cap_percent = policy.interest_cap_percent if policy else 0.0
        cap = currency.round(principal * cap_percent / 100) if cap_percent else None
        if cap is not None:
            accrued = min(accrued, max(cap - sum(figures.values()), 0.0))
        figures.update(
            accrued=currency.round(accrued), cap=cap, principal=principal, currency=currency
        )
        figures["due"] = figures["accrued"] + figures["interest_proposed"] + figures["fee_proposed"]
        figures["claim_interest"] = (
            figures["accrued"] + figures["interest_proposed"] + figures["interest_invoiced"]
        )
        figures["claim_fees"] = figures["fee_proposed"] + figures["fee_invoiced"]
        return figures
