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
        self.env["account.move.line"].flush_model()
        self.env["account.partial.reconcile"].flush_model()
        days = SQL("(%s::date - open.due)", as_of)
        partner_filter = SQL("")
        if partners is not None:
            partner_filter = SQL(
                "AND COALESCE(p.commercial_partner_id, l.partner_id) = ANY(%s)", partners.ids
            )
        self.env.cr.execute(
            SQL(
                """WITH debit AS (
                       SELECT debit_move_id AS line_id, SUM(amount) AS amount
                         FROM account_partial_reconcile
                        WHERE max_date <= %(as_of)s AND company_id = ANY(%(companies)s)
                     GROUP BY debit_move_id
                   ), credit AS (
                       SELECT credit_move_id AS line_id, SUM(amount) AS amount
                         FROM account_partial_reconcile
                        WHERE max_date <= %(as_of)s AND company_id = ANY(%(companies)s)
                     GROUP BY credit_move_id
                   ), open AS (
                       SELECT COALESCE(p.commercial_partner_id, l.partner_id) AS partner_id,
                              l.company_id,
                              COALESCE(l.date_maturity, l.date) AS due,
                              l.balance - COALESCE(debit.amount, 0)
                                        + COALESCE(credit.amount, 0) AS amount
                         FROM account_move_line l
                         JOIN account_account a ON a.id = l.account_id
                         JOIN res_partner p ON p.id = l.partner_id
                    LEFT JOIN debit ON debit.line_id = l.id
                    LEFT JOIN credit ON credit.line_id = l.id
                        WHERE a.account_type = 'asset_receivable'
                          AND l.parent_state = 'posted'
                          AND l.company_id = ANY(%(companies)s)
                          AND l.date <= %(as_of)s
                          %(partner_filter)s
                   )
                   SELECT open.partner_id, open.company_id, %(bucket)s, SUM(open.amount)
                     FROM open
                    WHERE open.amount != 0
                 GROUP BY 1, 2, 3""",
                as_of=as_of,
                companies=companies.ids,
                partner_filter=partner_filter,
                bucket=bucket_case_sql(days),
            )
        )
        aging = {}
        for partner_id, company_id, bucket, amount in self.env.cr.fetchall():
            row = aging.setdefault((partner_id, company_id), dict.fromkeys(dict(BUCKETS), 0.0))
            row[bucket] += amount
        return aging
