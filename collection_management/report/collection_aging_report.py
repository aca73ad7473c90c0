from odoo import api, fields, models
from odoo.tools import SQL

BUCKETS = [
    ("not_due", "Not due"),
    ("1_30", "1-30"),
    ("31_60", "31-60"),
    ("61_90", "61-90"),
    ("91_180", "91-180"),
    ("181_365", "181-365"),
    ("over_365", "Over 365"),
]
# upper bound of days overdue of each bucket (None: no bound)
BUCKET_LIMITS = [0, 30, 60, 90, 180, 365, None]


def _column(alias, model, name):
    """``alias.name`` in SQL, carrying the field to flush before the query runs."""
    return SQL.identifier(alias, name, to_flush=model._fields[name])


def bucket_case_sql(days):
    """SQL CASE giving the bucket key of ``days`` overdue (an SQL expression)."""
    parts = []
    for (key, _label), limit in zip(BUCKETS, BUCKET_LIMITS, strict=True):
        if limit is None:
            parts.append(SQL("ELSE %s", key))
        else:
            parts.append(SQL("WHEN %s <= %s THEN %s", days, limit, key))
    return SQL("CASE %s END", SQL(" ").join(parts))


class CollectionAgingReport(models.Model):
    """Open receivable items of customers with their aging bucket, for pivot and graph
    analysis (as of today)."""

    _name = "collection.aging.report"
    _description = "Aged Receivables Analysis"
    _auto = False
    _order = "days_overdue desc"
    _rec_name = "move_id"
    # what the view reads: the ORM flushes these fields before reading it
    _depends = {
        "account.move.line": [
            "move_id",
            "company_id",
            "partner_id",
            "account_id",
            "date",
            "date_maturity",
            "parent_state",
            "reconciled",
            "amount_residual",
        ],
        "account.account": ["account_type"],
        "res.company": ["currency_id"],
        "res.partner": ["commercial_partner_id", "collector_id"],
        "collection.case": ["partner_id", "company_id", "collector_id", "is_closed"],
    }

    move_id = fields.Many2one("account.move", string="Entry", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    collector_id = fields.Many2one("res.users", readonly=True)
    case_id = fields.Many2one("collection.case", readonly=True)
    date_maturity = fields.Date(string="Due date", readonly=True)
    days_overdue = fields.Integer(readonly=True, aggregator="max")
    bucket = fields.Selection(BUCKETS, readonly=True)
    amount_residual = fields.Monetary(string="Amount due", readonly=True, aggregator="sum")

    @api.model
    def _read_group_orderby(self, order, groupby_terms, query):
        # buckets in age order, not in the alphabetical order of their keys
        # ("181_365" before "1_30"): pivot, graph and grouped lists read them so
        bucket = groupby_terms.get("bucket")
        if bucket is not None:
            groupby_terms = {
                **groupby_terms,
                "bucket": SQL("array_position(%s::varchar[], %s)", list(dict(BUCKETS)), bucket),
            }
        return super()._read_group_orderby(order, groupby_terms, query)

    @property
    def _table_query(self):
        days = SQL("(CURRENT_DATE - COALESCE(l.date_maturity, l.date))")
        return SQL(
            """SELECT l.id, l.move_id, l.company_id, c.currency_id,
                      COALESCE(p.commercial_partner_id, l.partner_id) AS partner_id,
                      COALESCE(k.collector_id,
                               (cp.collector_id ->> l.company_id::text)::int) AS collector_id,
                      k.id AS case_id,
                      COALESCE(l.date_maturity, l.date) AS date_maturity,
                      GREATEST(%(days)s, 0) AS days_overdue,
                      %(bucket)s AS bucket,
                      l.amount_residual
                 FROM account_move_line l
                 JOIN account_account a ON a.id = l.account_id
                 JOIN res_company c ON c.id = l.company_id
                 JOIN res_partner p ON p.id = l.partner_id
                 JOIN res_partner cp ON cp.id = COALESCE(p.commercial_partner_id, p.id)
            LEFT JOIN collection_case k ON k.partner_id = cp.id
                                       AND k.company_id = l.company_id
                                       AND NOT k.is_closed
                WHERE a.account_type = 'asset_receivable'
                  AND l.parent_state = 'posted'
                  AND NOT l.reconciled
                  AND l.amount_residual != 0""",
            days=days,
            bucket=bucket_case_sql(days),
        )

    @api.model
    def _collection_aging(self, companies, as_of, partners=None):
        """Aged receivables per customer as they were on ``as_of``: payments and credit
        notes reconciled after that date are ignored. Returns {(partner id, company id):
        {bucket: amount}} in company currency."""
        rows = self.env.execute_query(self._collection_aging_sql(companies, as_of, partners))
        aging = {}
        for partner_id, company_id, bucket, amount in rows:
            row = aging.setdefault((partner_id, company_id), dict.fromkeys(dict(BUCKETS), 0.0))
            row[bucket] += amount
        return aging

    @api.model
    def _collection_aging_sql(self, companies, as_of, partners=None):
        """The query of ``_collection_aging``: receivable lines posted by ``as_of`` less
        what was reconciled with them by then, per customer, company and bucket. Its
        columns carry the fields to flush (``env.execute_query``)."""
        line, account = self.env["account.move.line"], self.env["account.account"]
        partner = self.env["res.partner"]
        customer = SQL(
            "COALESCE(%s, %s)",
            _column("p", partner, "commercial_partner_id"),
            _column("l", line, "partner_id"),
        )
        partner_filter = SQL("")
        if partners is not None:
            partner_filter = SQL("AND %s = ANY(%s)", customer, partners.ids)
        return SQL(
            """WITH debit AS (%(debit)s), credit AS (%(credit)s), open AS (
                       SELECT %(customer)s AS partner_id, %(company)s AS company_id,
                              COALESCE(%(maturity)s, %(date)s) AS due,
                              %(balance)s - COALESCE(debit.amount, 0)
                                          + COALESCE(credit.amount, 0) AS amount
                         FROM account_move_line l
                         JOIN account_account a ON a.id = %(account)s
                         JOIN res_partner p ON p.id = %(partner)s
                    LEFT JOIN debit ON debit.line_id = l.id
                    LEFT JOIN credit ON credit.line_id = l.id
                        WHERE %(account_type)s = 'asset_receivable'
                          AND %(state)s = 'posted'
                          AND %(company)s = ANY(%(companies)s)
                          AND %(date)s <= %(as_of)s
                          %(partner_filter)s
                   )
                   SELECT open.partner_id, open.company_id, %(bucket)s, SUM(open.amount)
                     FROM open
                    WHERE open.amount != 0
                 GROUP BY 1, 2, 3""",
            debit=self._collection_reconciled_sql("debit_move_id", companies, as_of),
            credit=self._collection_reconciled_sql("credit_move_id", companies, as_of),
            customer=customer,
            company=_column("l", line, "company_id"),
            maturity=_column("l", line, "date_maturity"),
            date=_column("l", line, "date"),
            balance=_column("l", line, "balance"),
            account=_column("l", line, "account_id"),
            partner=_column("l", line, "partner_id"),
            account_type=_column("a", account, "account_type"),
            state=_column("l", line, "parent_state"),
            companies=companies.ids,
            as_of=as_of,
            partner_filter=partner_filter,
            bucket=bucket_case_sql(SQL("(%s::date - open.due)", as_of)),
        )

    @api.model
    def _collection_reconciled_sql(self, side, companies, as_of):
        """Amount reconciled with each line on its ``side`` (``debit_move_id`` or
        ``credit_move_id``) of the partial reconciliations made by ``as_of``."""
        partial = self.env["account.partial.reconcile"]
        line = _column("apr", partial, side)
        return SQL(
            """SELECT %(line)s AS line_id, SUM(%(amount)s) AS amount
                 FROM account_partial_reconcile apr
                WHERE %(date)s <= %(as_of)s AND %(company)s = ANY(%(companies)s)
             GROUP BY %(line)s""",
            line=line,
            amount=_column("apr", partial, "amount"),
            date=_column("apr", partial, "max_date"),
            company=_column("apr", partial, "company_id"),
            as_of=as_of,
            companies=companies.ids,
        )
