"""Accounting integrity of a book written by SQL (``bulk.BulkBook``): raises on the
first broken rule, with examples, so that a benchmark never measures a broken book."""

from odoo import _
from odoo.exceptions import UserError
from odoo.tools import SQL
from odoo.tools.translate import LazyTranslate

_lt = LazyTranslate(__name__)

# the journal items of each partial reconciliation, one row each
ENDS = """
    SELECT p.id, p.amount, p.full_reconcile_id, side.line_id
      FROM account_partial_reconcile p,
           LATERAL (VALUES (p.debit_move_id), (p.credit_move_id)) AS side(line_id)
"""

# each rule: (what it means, query returning up to 5 example names of broken records)
RULES = (
    (
        _lt("journal entries not balanced (sum of the lines' balances)"),
        """
        SELECT m.name FROM account_move m JOIN account_move_line l ON l.move_id = m.id
         WHERE m.state = 'posted'
         GROUP BY m.id HAVING ROUND(SUM(l.balance), 2) != 0
        """,
    ),
    (
        _lt("journal items whose debit, credit and balance disagree"),
        """
        SELECT l.move_name FROM account_move_line l
         WHERE l.parent_state = 'posted'
           AND (l.debit - l.credit != l.balance OR l.debit < 0 OR l.credit < 0
                OR (l.debit != 0 AND l.credit != 0))
        """,
    ),
    (
        _lt("journal items whose entry's name, state, date, journal or company differ"),
        """
        SELECT m.name FROM account_move_line l JOIN account_move m ON m.id = l.move_id
         WHERE m.state = 'posted'
           AND (l.move_name IS DISTINCT FROM m.name OR l.parent_state != m.state
                OR l.date != m.date OR l.journal_id != m.journal_id
                OR l.company_id != m.company_id)
        """,
    ),
    (
        _lt("journal items whose residual is not their balance less their reconciliations"),
        """
        WITH matched AS (
            SELECT debit_move_id AS line_id, -amount AS amount,
                   -debit_amount_currency AS currency FROM account_partial_reconcile
            UNION ALL
            SELECT credit_move_id, amount, credit_amount_currency FROM account_partial_reconcile
        ), total AS (
            SELECT line_id, SUM(amount) AS amount, SUM(currency) AS currency
              FROM matched GROUP BY line_id
        )
        SELECT l.move_name FROM account_move_line l
          JOIN account_account a ON a.id = l.account_id
          LEFT JOIN total t ON t.line_id = l.id
         WHERE l.parent_state = 'posted'
           AND CASE WHEN a.reconcile OR a.account_type IN ('asset_cash', 'liability_credit_card')
                    THEN l.amount_residual != l.balance + COALESCE(t.amount, 0)
                      OR l.amount_residual_currency
                         != l.amount_currency + COALESCE(t.currency, 0)
                      OR l.reconciled != (l.balance + COALESCE(t.amount, 0) = 0
                                          AND l.amount_currency + COALESCE(t.currency, 0) = 0)
                    ELSE l.amount_residual != 0 OR l.reconciled END
        """,
    ),
    (
        _lt("invoices whose amount due is not the residual of their receivable lines"),
        """
        SELECT m.name FROM account_move m JOIN account_move_line l ON l.move_id = m.id
         WHERE m.state = 'posted' AND m.move_type IN ('out_invoice', 'out_refund')
         GROUP BY m.id
        HAVING m.amount_residual_signed
               != COALESCE(SUM(l.amount_residual) FILTER (
                      WHERE l.display_type = 'payment_term'), 0)
            OR m.amount_residual
               != ABS(COALESCE(SUM(l.amount_residual_currency) FILTER (
                      WHERE l.display_type = 'payment_term'), 0))
        """,
    ),
    (
        _lt("invoices whose amount due is not their total less what settled them"),
        """
        WITH ends AS (%(ends)s), settled AS (
            SELECT l.move_id, SUM(e.amount) AS amount
              FROM ends e JOIN account_move_line l ON l.id = e.line_id
             WHERE l.display_type = 'payment_term'
             GROUP BY l.move_id
        )
        SELECT m.name FROM account_move m LEFT JOIN settled s ON s.move_id = m.id
         WHERE m.state = 'posted' AND m.move_type IN ('out_invoice', 'out_refund')
           AND m.amount_residual != m.amount_total - COALESCE(s.amount, 0)
        """,
    ),
    (
        _lt("invoices whose payment status does not match their amount due"),
        """
        WITH ends AS (%(ends)s), reconciled AS (
            SELECT DISTINCT l.move_id FROM ends e JOIN account_move_line l ON l.id = e.line_id
             WHERE l.display_type = 'payment_term'
        )
        SELECT m.name FROM account_move m LEFT JOIN reconciled r ON r.move_id = m.id
         WHERE m.state = 'posted' AND m.move_type IN ('out_invoice', 'out_refund')
           AND m.payment_state NOT IN ('blocked', 'invoicing_legacy')
           AND CASE
               WHEN m.amount_residual = 0
                   THEN m.payment_state NOT IN ('paid', 'in_payment', 'reversed')
               WHEN r.move_id IS NOT NULL THEN m.payment_state != 'partial'
               ELSE m.payment_state != 'not_paid' END
        """,
    ),
    (
        _lt("full reconciliations with an open line or a wrong matching number"),
        """
        WITH ends AS (%(ends)s)
        SELECT l.move_name FROM account_move_line l
          LEFT JOIN ends e ON e.line_id = l.id
         WHERE (l.full_reconcile_id IS NOT NULL
                AND (l.amount_residual != 0 OR l.matching_number != l.full_reconcile_id::text))
            OR e.full_reconcile_id IS DISTINCT FROM l.full_reconcile_id AND e.id IS NOT NULL
        """,
    ),
    (
        _lt("partly reconciled journal items without their partial matching number"),
        """
        WITH ends AS (%(ends)s)
        SELECT l.move_name FROM account_move_line l JOIN ends e ON e.line_id = l.id
         WHERE l.full_reconcile_id IS NULL
           AND (l.matching_number IS NULL OR l.matching_number !~ '^P[0-9]+$')
        """,
    ),
    (
        _lt("entry names used twice in a journal"),
        """
        SELECT m.name FROM account_move m WHERE m.state = 'posted'
         GROUP BY m.journal_id, m.name HAVING COUNT(*) > 1
        """,
    ),
    (
        _lt("entry names that disagree with their sequence prefix and number"),
        """
        SELECT m.name FROM account_move m
         WHERE m.state = 'posted' AND m.name != '/'
           AND (LEFT(m.name, LENGTH(m.sequence_prefix)) != m.sequence_prefix
                OR SUBSTRING(m.name FROM LENGTH(m.sequence_prefix) + 1 FOR 12) !~ '^[0-9]+'
                OR SUBSTRING(SUBSTRING(m.name FROM LENGTH(m.sequence_prefix) + 1)
                             FROM '^[0-9]+')::bigint != m.sequence_number)
        """,
    ),
)


def check_book(env, sample=200):
    """Every rule of RULES on the whole database, then, on ``sample`` invoices, Odoo's
    own computations (residuals, totals, payment status) and the constraints of the
    invoices and their journal items. Raises a UserError naming what is broken."""
    for meaning, query in RULES:
        code = SQL(query.replace("%(ends)s", ENDS))
        env.cr.execute(SQL("SELECT * FROM (%s) broken LIMIT 5", code))
        names = [row[0] for row in env.cr.fetchall()]
        if names:
            raise UserError(
                _(
                    "The generated book is broken: %(rule)s, e.g. %(names)s.",
                    rule=str(meaning),
                    names=", ".join(str(name) for name in names),
                )
            )
    checked = _check_orm_sample(env, sample)
    return {"rules": len(RULES), "sample": checked}


MOVE_FIELDS = (
    "amount_untaxed",
    "amount_tax",
    "amount_total",
    "amount_residual",
    "amount_untaxed_signed",
    "amount_tax_signed",
    "amount_total_signed",
    "amount_residual_signed",
    "amount_total_in_currency_signed",
    "payment_state",
)
LINE_FIELDS = ("amount_residual", "amount_residual_currency", "reconciled")


def _check_orm_sample(env, sample):
    # the whole database's entries, whatever companies the caller works in
    env = env(su=True)
    env.flush_all()
    env.cr.execute(
        SQL(
            """
            SELECT id FROM account_move
             WHERE state = 'posted' AND move_type IN ('out_invoice', 'out_refund')
             ORDER BY md5(id::text) LIMIT %s
            """,
            sample,
        )
    )
    moves = env["account.move"].browse([row[0] for row in env.cr.fetchall()])
    lines = moves.line_ids | moves.line_ids.matched_debit_ids.debit_move_id
    lines |= moves.line_ids.matched_credit_ids.credit_move_id
    stored = {
        (record, name): record[name]
        for records, names in ((moves, MOVE_FIELDS), (lines, LINE_FIELDS))
        for record in records
        for name in names
    }
    env.invalidate_all()
    # computed as Odoo computes them, into the cache only (no write, no business logic)
    computed = env.registry.field_computed
    with (
        env.protecting(computed[lines._fields["amount_residual"]], lines),
        env.protecting(computed[moves._fields["amount_residual"]], moves),
        env.protecting(computed[moves._fields["payment_state"]], moves),
    ):
        lines._compute_amount_residual()
        moves._compute_amount()
        moves._compute_payment_state()
    for (record, name), value in stored.items():
        computed = record[name]
        if computed != value and not (
            isinstance(value, float) and record.company_id.currency_id.is_zero(computed - value)
        ):
            raise UserError(
                _(
                    "The generated book is broken: Odoo computes %(field)s = %(computed)s on "
                    "%(record)s, the database holds %(stored)s.",
                    field=name,
                    computed=computed,
                    record=record.display_name,
                    stored=value,
                )
            )
    # the values computed are the stored ones: writing them back changes nothing
    env.flush_all()
    moves._validate_fields(set(moves._fields))
    lines._validate_fields(set(lines._fields))
    return len(moves)
