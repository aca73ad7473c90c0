from collections import defaultdict
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.tools import SQL

from ..report.collection_aging_report import BUCKETS

BUCKET_FIELDS = {key: f"amount_{key}" for key, _label in BUCKETS}
DSO_PERIOD_DAYS = 30
DSO_MAX_PERIODS = 24


class CollectionSnapshot(models.Model):
    """Overdue totals by bucket and collection KPIs of one company (or one collector of
    it) on one day, stored daily so that trends can be graphed."""

    _name = "collection.snapshot"
    _description = "Collection KPI Snapshot"
    _order = "date desc, company_id, collector_id"
    _check_company_auto = True

    date = fields.Date(required=True, index=True)
    company_id = fields.Many2one("res.company", required=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    collector_id = fields.Many2one("res.users", index=True, help="Empty: the whole company.")
    # balances on a day: grouped over days (a week, a month) they average, never add up
    amount_not_due = fields.Monetary(string="Not due", aggregator="avg")
    amount_1_30 = fields.Monetary(string="1-30", aggregator="avg")
    amount_31_60 = fields.Monetary(string="31-60", aggregator="avg")
    amount_61_90 = fields.Monetary(string="61-90", aggregator="avg")
    amount_91_180 = fields.Monetary(string="91-180", aggregator="avg")
    amount_181_365 = fields.Monetary(string="181-365", aggregator="avg")
    amount_over_365 = fields.Monetary(string="Over 365", aggregator="avg")
    amount_open = fields.Monetary(string="Open receivables", aggregator="avg")
    amount_overdue = fields.Monetary(string="Overdue", aggregator="avg")
    dso = fields.Float(
        string="DSO (days)",
        aggregator="avg",
        help="Days sales outstanding, countback method over 30-day periods.",
    )
    cei = fields.Float(
        string="CEI (%)",
        aggregator="avg",
        help="Collection effectiveness index over the last 30 days.",
    )
    recovery_rate = fields.Float(string="Recovery rate (%)", aggregator="avg")
    promise_kept_rate = fields.Float(string="Promises kept (%)", aggregator="avg")
    amount_recovered = fields.Monetary(
        string="Recovered this month",
        aggregator="max",
        help="Recovered on the cases from the first of the month to the date.",
    )
    amount_target = fields.Monetary(
        string="Target this month", aggregator="max", help="Collection target of the month."
    )

    def init(self):
        # one snapshot per day, company and collector (the company's has no collector)
        self.env.cr.execute(
            SQL(
                """CREATE UNIQUE INDEX IF NOT EXISTS collection_snapshot_day_unique
                       ON collection_snapshot (date, company_id, COALESCE(collector_id, 0))"""
            )
        )

    # ------------------------------------------------------------------ figures
    @api.model
    def _collection_recovered(self, company, date_from, date_to, collectors=None):
        """Money (not credit notes) recovered between the dates on invoices of cases of
        ``company``, per collector of the case: {user id or None (no collector): amount}."""
        details = self._collection_recovered_details(company, date_from, date_to, collectors)
        return {user_id: amount for user_id, (amount, _days) in details.items()}

    @api.model
    def _collection_recovered_details(self, company, date_from, date_to, collectors=None):
        """{user id or None: (amount recovered, amount-weighted days from the opening of
        the case to each payment)} between the dates.

        Recovered is what a case counts as recovered: what its invoices were paid after
        they joined it. The settlements of an invoice, the last reconciled first, make
        up the amount paid since it joined (due when it joined less due now); earlier
        ones were paid before and are not recovered, even when dated the day the case
        opened. Each counts on its date."""
        case, move = self.env["collection.case"], self.env["account.move"]
        collector_filter = SQL("")
        if collectors is not None:
            collector_filter = SQL("AND k.collector_id = ANY(%s)", collectors.ids)
        rows = self.env.execute_query(
            SQL(
                """WITH ranked AS (
                       SELECT s.*, SUM(s.amount) OVER (
                                  PARTITION BY s.invoice_id ORDER BY s.partial_id DESC
                              ) AS from_here
                         FROM (%(settlements)s) s
                        WHERE s.case_id IS NOT NULL
                   ), recovered AS (
                       SELECT %(collector)s AS collector_id, r.date - %(date_open)s AS days,
                              LEAST(r.amount, GREATEST(
                                  GREATEST(%(assigned)s - %(residual)s, 0)
                                  - (r.from_here - r.amount), 0)) AS amount
                         FROM ranked r
                         JOIN collection_case k ON k.id = r.case_id
                         JOIN account_move inv ON inv.id = r.invoice_id
                        WHERE %(company)s = %(company_id)s
                          AND NOT r.by_credit_note
                          AND r.date BETWEEN %(date_from)s AND %(date_to)s
                          %(collector_filter)s
                   )
                   SELECT collector_id, SUM(amount), SUM(amount * GREATEST(days, 0))
                     FROM recovered
                    WHERE amount > 0
                 GROUP BY collector_id""",
                settlements=self.env["account.partial.reconcile"]._collection_settlements_sql(),
                company=SQL.identifier("k", "company_id", to_flush=case._fields["company_id"]),
                company_id=company.id,
                date_from=date_from,
                date_to=date_to,
                date_open=SQL.identifier("k", "date_open", to_flush=case._fields["date_open"]),
                collector=SQL.identifier(
                    "k", "collector_id", to_flush=case._fields["collector_id"]
                ),
                assigned=SQL.identifier(
                    "inv",
                    "collection_case_assigned",
                    to_flush=move._fields["collection_case_assigned"],
                ),
                residual=SQL.identifier(
                    "inv", "amount_residual_signed", to_flush=move._fields["amount_residual_signed"]
                ),
                collector_filter=collector_filter,
            )
        )
        return {user_id: (amount, days) for user_id, amount, days in rows}

    @api.model
    def _collection_credit_sales(self, company, date, periods):
        """Customer invoices of the ``periods`` 30-day periods before ``date`` (period 0
        ends on ``date``): {period: amount}."""
        move = self.env["account.move"]

        def column(name):
            return SQL.identifier("account_move", name, to_flush=move._fields[name])

        rows = self.env.execute_query(
            SQL(
                """SELECT (%(date)s::date - %(invoice_date)s) / %(days)s AS period,
                          SUM(%(total)s)
                     FROM account_move
                    WHERE %(company)s = %(company_id)s
                      AND %(move_type)s = 'out_invoice'
                      AND %(state)s = 'posted'
                      AND %(invoice_date)s <= %(date)s
                      AND %(invoice_date)s > %(date)s::date - %(span)s
                 GROUP BY 1""",
                date=date,
                days=DSO_PERIOD_DAYS,
                company_id=company.id,
                span=DSO_PERIOD_DAYS * periods,
                invoice_date=column("invoice_date"),
                total=column("amount_total_signed"),
                company=column("company_id"),
                move_type=column("move_type"),
                state=column("state"),
            )
        )
        return dict(rows)

    @api.model
    def _collection_dso(self, receivables, sales):
        """Countback: walk back period by period, taking each period's sales out of the
        receivables, until they are used up."""
        left, days = receivables, 0.0
        for period in range(DSO_MAX_PERIODS):
            if left <= 0:
                break
            period_sales = sales.get(period, 0.0)
            if period_sales <= 0:
                days += DSO_PERIOD_DAYS
                continue
            if left >= period_sales:
                days += DSO_PERIOD_DAYS
                left -= period_sales
            else:
                days += DSO_PERIOD_DAYS * left / period_sales
                left = 0
        return round(days, 1)

    @api.model
    def _collection_cei(self, begin_total, sales, end_total, end_current):
        """(B + S - E) / (B + S - C) x 100 over the period."""
        collectible = begin_total + sales - end_current
        if collectible <= 0:
            return 0.0
        return round(100.0 * (begin_total + sales - end_total) / collectible, 1)

    @api.model
    def _collection_rates(self, company, date, collector=None):
        """Recovery rate of the cases and kept share of the promises evaluated in the
        last 90 days, in percent."""
        case_domain = [("company_id", "=", company.id), ("date_open", "<=", date)]
        promise_domain = [
            ("company_id", "=", company.id),
            ("state", "in", ("kept", "partial", "broken")),
            ("date_evaluated", ">", date - timedelta(days=90)),
            ("date_evaluated", "<=", date),
        ]
        if collector:
            case_domain.append(("collector_id", "=", collector.id))
            promise_domain.append(("case_id.collector_id", "=", collector.id))
        cases = self.env["collection.case"].with_context(active_test=False)
        [(assigned, recovered)] = cases._read_group(
            case_domain, [], ["amount_assigned:sum", "amount_recovered:sum"]
        )
        states = dict(
            self.env["collection.promise"]._read_group(promise_domain, ["state"], ["__count"])
        )
        evaluated = sum(states.values())
        return (
            round(100.0 * (recovered or 0.0) / assigned, 1) if assigned else 0.0,
            round(100.0 * states.get("kept", 0) / evaluated, 1) if evaluated else 0.0,
        )

    @api.model
    def _collection_company_values(self, company, date):
        """Values of the company's snapshot and of each collector's, for ``date``."""
        aging_model = self.env["collection.aging.report"]
        aging = aging_model._collection_aging(company, date)
        before = aging_model._collection_aging(company, date - timedelta(days=DSO_PERIOD_DAYS))
        sales = self._collection_credit_sales(company, date, DSO_MAX_PERIODS)
        owners = {
            case.partner_id.id: case.collector_id
            for case in self.env["collection.case"].search(
                [
                    ("company_id", "=", company.id),
                    ("is_closed", "=", False),
                    ("collector_id", "!=", False),
                ]
            )
        }
        totals = defaultdict(lambda: dict.fromkeys(BUCKET_FIELDS, 0.0))
        for (partner_id, _company_id), buckets in aging.items():
            keys = [self.env["res.users"]]
            if partner_id in owners:
                keys.append(owners[partner_id])
            for key in keys:
                for bucket, amount in buckets.items():
                    totals[key][bucket] += amount
        begin_total = sum(sum(buckets.values()) for buckets in before.values())
        recovered, targets = self._collection_month_progress(company, date)
        values_list = []
        collectors = self.env["res.users"].union(*owners.values()).sorted("id")
        for collector in [self.env["res.users"], *collectors]:
            buckets = totals[collector]
            open_amount = sum(buckets.values())
            values = {
                "date": date,
                "company_id": company.id,
                "collector_id": collector.id or False,
                "amount_open": open_amount,
                "amount_overdue": open_amount - buckets["not_due"],
                **{BUCKET_FIELDS[key]: amount for key, amount in buckets.items()},
                "amount_recovered": recovered.get(collector.id or "all", 0.0),
                "amount_target": targets.get(collector.id or "all", 0.0),
            }
            values["recovery_rate"], values["promise_kept_rate"] = self._collection_rates(
                company, date, collector or None
            )
            if not collector:
                values["dso"] = self._collection_dso(open_amount, sales)
                values["cei"] = self._collection_cei(
                    begin_total, sales.get(0, 0.0), open_amount, buckets["not_due"]
                )
            values_list.append(values)
        return values_list

    @api.model
    def _collection_month_progress(self, company, date):
        """Recovered and target of the month of ``date`` up to it: two dicts {user id
        or "all" (the company): amount}."""
        month = date.replace(day=1)
        recovered = self._collection_recovered(company, month, date)
        recovered["all"] = sum(recovered.values())
        targets = {
            collector.id: amount
            for collector, amount in self.env["collection.target"]._read_group(
                [("company_id", "=", company.id), ("month", "=", month)],
                ["collector_id"],
                ["amount:sum"],
            )
        }
        targets["all"] = sum(targets.values())
        return recovered, targets

    @api.model
    def _collection_take(self, company, date):
        """Store (or refresh) the snapshots of ``company`` on ``date``: idempotent."""
        values_list = self._collection_company_values(company, date)
        existing = {
            (snap.collector_id.id or False): snap
            for snap in self.search([("company_id", "=", company.id), ("date", "=", date)])
        }
        to_create = []
        snapshots = self.browse()
        for values in values_list:
            snap = existing.get(values["collector_id"])
            if snap:
                snap.write(values)
                snapshots |= snap
            else:
                to_create.append(values)
        return snapshots | self.create(to_create)

    @api.model
    def _cron_collection_snapshot(self):
        today = fields.Date.context_today(self)
        self.env["collection.job"]._collection_isolated(
            _("Collections: daily KPI snapshot"),
            self.env.user.company_ids.sorted("id"),
            lambda company: self.with_company(company)._collection_take(company, today),
        )
