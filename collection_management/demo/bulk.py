"""A large book of receivables in minutes, for the benchmark.

The demo generator (``generator.DemoBook``) posts every invoice and payment through the
ORM, about 28 ms an invoice. ``BulkBook`` builds the same mix of customers, invoices,
payments and credit notes, but makes only the first record of each kind through the ORM
(so that it carries every column Odoo computes) and copies it by SQL for all the others,
with their own numbers, dates, customers and amounts. Payments and applied credit notes
are then reconciled by SQL (partial and full reconciliations, residuals, matching
numbers, payment states), and ``bulk_check.check_book`` verifies the result.

A plain Python class over an environment, not a model: no RPC call reaches it.
"""

import random
from datetime import timedelta

from odoo import _
from odoo.exceptions import UserError
from odoo.tools import SQL

from .generator import DemoBook

# the columns holding an amount: a copy scales them from its template's amount
MOVE_AMOUNTS = (
    "amount_untaxed",
    "amount_tax",
    "amount_total",
    "amount_residual",
    "amount_untaxed_signed",
    "amount_untaxed_in_currency_signed",
    "amount_tax_signed",
    "amount_total_signed",
    "amount_total_in_currency_signed",
    "amount_residual_signed",
    "quick_edit_total_amount",
)
LINE_AMOUNTS = (
    "debit",
    "credit",
    "balance",
    "amount_currency",
    "tax_base_amount",
    "amount_residual",
    "amount_residual_currency",
    "price_unit",
    "price_subtotal",
    "price_total",
    "discount_amount_currency",
    "discount_balance",
)
PAYMENT_AMOUNTS = ("amount", "amount_company_currency_signed")
# never copied from a template: a copy gets none (portal tokens, hashes, attachments)
NOT_COPIED = (
    "access_token",
    "inalterable_hash",
    "secure_sequence_number",
    "message_main_attachment_id",
)
SCALE = "scale_amount"


class BulkBook:
    """Customers, invoices, payments and credit notes as ``DemoBook.generate`` makes
    them (same proportions, same spread of due dates, one or two companies), written
    by SQL from ORM-made templates."""

    CHUNK = 20000

    def __init__(self, env, company=None):
        if company:
            env = env["res.company"].with_company(company).env
        self.env = env(
            context=dict(
                env.context, tracking_disable=True, mail_create_nolog=True, mail_notrack=True
            )
        )
        self._table_columns = {}
        # the customers generated
        self.partners = env["res.partner"]

    def generate(self, customers=40, invoices=200, companies=1, seed=42, today=None):
        """Returns the counts, as ``DemoBook.generate`` does."""
        if customers < 1 or invoices < 1:
            raise UserError(_("The generator needs at least one customer and one invoice."))
        demo = DemoBook(self.env)
        demo._check_administrator()
        rng = random.Random(seed)
        today = demo._today(today)
        chinese = demo._chinese_or_warn()
        all_companies = demo._companies(companies)
        result = {"partners": 0, "invoices": 0, "payments": 0, "credit_notes": 0}
        for index, company in enumerate(all_companies):
            share = customers // len(all_companies) + (index < customers % len(all_companies))
            inv_share = invoices // len(all_companies) + (index < invoices % len(all_companies))
            counts = self._company_book(
                DemoBook(self.env, company), max(share, 1), max(inv_share, 1), rng, today, chinese
            )
            for key, value in counts.items():
                result[key] += value
        self.env.invalidate_all()
        return result

    def _company_book(self, demo, customers, invoices, rng, today, chinese):
        company = demo.env.company
        partners = demo._partners(company, customers, rng, chinese)
        self.partners |= partners
        demo.env.flush_all()
        plan = self._invoice_plan(partners, invoices, rng, today)
        invoice_lines = self._invoices(demo, plan)
        payments = self._payment_plan(plan, invoice_lines, partners, rng, today)
        paid_lines = self._payments(demo, payments)
        credits = self._credit_plan(plan, invoice_lines, partners, payments, rng, today)
        credit_lines = self._credit_notes(demo, credits)
        pairs = [
            (item["invoice_line"], line, item["amount"], item["max_date"])
            for item, line in zip(payments + credits, paid_lines + credit_lines, strict=True)
            if item["invoice_line"]
        ]
        self._reconcile(company, pairs)
        return {
            "partners": len(partners),
            "invoices": len(plan),
            "payments": len(payments),
            "credit_notes": len(credits),
        }

    # -- plans (the demo generator's mix) -------------------------------------------------
    def _invoice_plan(self, partners, count, rng, today):
        plan = []
        for _index in range(count):
            due = today + timedelta(days=rng.randint(-400, 20))
            term = rng.choice([0, 15, 30, 30, 45, 60])
            plan.append(
                {
                    "date": due - timedelta(days=term),
                    "due": due,
                    "term": term,
                    "amount": round(rng.uniform(500, 50000), 2),
                    "partner": rng.choice(partners),
                    "ref": "PO-%06d" % rng.randint(1, 999999),
                    "label": rng.choice(["Goods delivered", "Services", "货物", "技术服务费"]),
                }
            )
        return sorted(plan, key=lambda item: item["date"])

    def _payment_plan(self, plan, invoice_lines, partners, rng, today):
        """Some invoices paid fully or partly a few days after their due date, and a
        few payments left unapplied."""
        payments = []
        for item, (_move, line) in zip(plan, invoice_lines, strict=True):
            roll = rng.random()
            if roll < 0.35:
                amount = item["amount"]
                if roll >= 0.15:
                    amount = round(amount * rng.uniform(0.2, 0.8), 2)
                date = min(today, item["due"] + timedelta(days=5))
                item["paid"] = True
                payments.append(
                    {
                        "partner": item["partner"],
                        "amount": amount,
                        "date": date,
                        "memo": item["name"],
                        "invoice_line": line,
                        "max_date": max(date, item["date"]),
                    }
                )
        used = sorted({item["partner"] for item in plan}, key=lambda p: p.id)
        for partner in rng.sample(used, k=max(1, len(used) // 20)):
            payments.append(
                {
                    "partner": partner,
                    "amount": round(rng.uniform(100, 3000), 2),
                    "date": today - timedelta(days=rng.randint(1, 60)),
                    "memo": "Unapplied payment",
                    "invoice_line": None,
                }
            )
        return sorted(payments, key=lambda item: item["date"])

    def _credit_plan(self, plan, invoice_lines, partners, payments, rng, today):
        """Credit notes as the demo makes them; about half of them applied to an
        unpaid invoice of their customer that they do not settle in full."""
        unpaid = {}
        for item, (_move, line) in zip(plan, invoice_lines, strict=True):
            if not item.get("paid"):
                unpaid.setdefault(item["partner"], []).append((item, line))
        credits = []
        for partner in rng.sample(list(partners), k=max(1, len(partners) // 15)):
            amount = round(rng.uniform(200, 5000), 2)
            date = today - timedelta(days=rng.randint(1, 90))
            credit = {"partner": partner, "amount": amount, "date": date, "invoice_line": None}
            if rng.random() < 0.5:
                for item, line in unpaid.get(partner, []):
                    if item["amount"] > amount and not item.get("credited"):
                        item["credited"] = True
                        credit.update(invoice_line=line, max_date=max(date, item["date"]))
                        break
            credits.append(credit)
        return sorted(credits, key=lambda item: item["date"])

    # -- invoices, payments, credit notes -------------------------------------------------
    def _invoices(self, demo, plan):
        """Posts the first invoice through the ORM, copies it for the others. Returns
        (move id, receivable line id) of each, in the order of the plan."""
        journal = demo._journal(demo.env.company, "sale")
        first = plan[0]
        template = demo._post(
            [
                demo._invoice_values(
                    journal,
                    first["partner"],
                    first["due"],
                    first["term"],
                    first["amount"],
                    first["ref"],
                    first["label"],
                )
            ]
        )
        first["name"] = template.name
        rest = plan[1:]
        names = self._names(template, [item["date"] for item in rest])
        for item, (name, _prefix, _number) in zip(rest, names, strict=True):
            item["name"] = name
        moves = self._copy_moves(
            template,
            rest,
            names,
            {
                "ref": ("varchar", [item["ref"] for item in rest]),
                "payment_reference": ("varchar", [name for name, _p, _n in names]),
                "invoice_date": ("date", [item["date"] for item in rest]),
                "invoice_date_due": ("date", [item["due"] for item in rest]),
            },
        )
        lines = self._copy_lines(
            template,
            rest,
            moves,
            names,
            {
                "product": {"name": [item["label"] for item in rest]},
                "payment_term": {
                    "name": [f"{item['ref']} - {item['name']}" for item in rest],
                    "date_maturity": [item["due"] for item in rest],
                },
            },
        )
        term = self._term_line(template)
        return [(template.id, term.id), *zip(moves, lines["payment_term"], strict=True)]

    def _credit_notes(self, demo, credits):
        """The credit notes, the first posted by the ORM. Returns their receivable lines."""
        company = demo.env.company
        journal = demo._journal(company, "sale")
        first = credits[0]
        values = demo._invoice_values(
            journal, first["partner"], first["date"], 0, first["amount"], False, "Returned goods"
        )
        values.update(move_type="out_refund", invoice_date=first["date"])
        values.pop("invoice_date_due")
        template = demo._post([values])
        rest = credits[1:]
        names = self._names(template, [item["date"] for item in rest])
        moves = self._copy_moves(
            template, rest, names, {"invoice_date": ("date", [item["date"] for item in rest])}
        )
        lines = self._copy_lines(template, rest, moves, names, {})
        return [self._term_line(template).id] + lines["payment_term"]

    def _payments(self, demo, payments):
        """The payments, the first posted by the ORM as the demo does. Returns their
        receivable lines."""
        company = demo.env.company
        journal = demo._journal(company, "bank")
        first = payments[0]
        template = demo.env["account.payment"].create(
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": first["partner"].id,
                "amount": first["amount"],
                "date": first["date"],
                "journal_id": journal.id,
                "company_id": company.id,
                "memo": first["memo"],
            }
        )
        template.action_post()
        self.env.flush_all()
        rest = payments[1:]
        names = self._names(template.move_id, [item["date"] for item in rest])
        payment_ids = self._ids("account_payment", len(rest))
        moves = self._copy_moves(
            template.move_id,
            rest,
            names,
            {
                "ref": ("varchar", [item["memo"] for item in rest]),
                # the payments refer to their entries: they are linked once both exist
                "origin_payment_id": ("int4", [None] * len(rest)),
            },
        )
        self._copy_payment_records(template, rest, moves, names, payment_ids)
        label = template.move_id.line_ids[:1].name or ""
        prefix = label[: -len(first["memo"])] if label.endswith(first["memo"]) else ""
        lines = self._copy_lines(
            template.move_id,
            rest,
            moves,
            names,
            {
                None: {
                    "name": [prefix + item["memo"] for item in rest],
                    "date_maturity": [item["date"] for item in rest],
                    "payment_id": payment_ids,
                }
            },
        )
        receivable = template.destination_account_id
        counterpart = template.move_id.line_ids.filtered(lambda line: line.account_id == receivable)
        return [counterpart.id] + lines[counterpart.id]

    def _copy_payment_records(self, template, items, moves, names, payment_ids):
        """The account.payment copies of ``template`` over the entries ``moves``."""
        self._clone(
            "account_payment",
            template.id,
            {
                "id": ("int4", payment_ids),
                "move_id": ("int4", moves),
                "name": ("varchar", [name for name, _p, _n in names]),
                "partner_id": ("int4", [item["partner"].id for item in items]),
                "date": ("date", [item["date"] for item in items]),
                "memo": ("varchar", [item["memo"] for item in items]),
                SCALE: ("numeric", [item["amount"] for item in items]),
            },
            scale=(PAYMENT_AMOUNTS, template.amount),
        )
        self.env.cr.execute(
            SQL(
                "UPDATE account_move m SET origin_payment_id = u.payment "
                "FROM unnest(%s::int4[], %s::int4[]) AS u(move, payment) WHERE m.id = u.move",
                moves,
                payment_ids,
            )
        )

    def _term_line(self, move):
        return move.line_ids.filtered(lambda line: line.display_type == "payment_term")

    # -- copies -----------------------------------------------------------------------
    def _copy_moves(self, template, items, names, rows):
        """Copies of the posted move ``template``, one per item (partner, date, amount),
        named ``names``; ``rows`` adds columns of their own. Returns the new ids."""
        if not items:
            return []
        ids = self._ids("account_move", len(items))
        partners = [item["partner"] for item in items]
        has_partner = bool(template.partner_id)
        self._clone(
            "account_move",
            template.id,
            {
                "id": ("int4", ids),
                "name": ("varchar", [name for name, _p, _n in names]),
                "sequence_prefix": ("varchar", [prefix for _n, prefix, _s in names]),
                "sequence_number": ("int4", [number for _n, _p, number in names]),
                "date": ("date", [item["date"] for item in items]),
                "partner_id": ("int4", [p.id if has_partner else None for p in partners]),
                "commercial_partner_id": (
                    "int4",
                    [p.commercial_partner_id.id if has_partner else None for p in partners],
                ),
                "partner_shipping_id": (
                    "int4",
                    [p.id if template.partner_shipping_id else None for p in partners],
                ),
                "invoice_partner_display_name": (
                    "varchar",
                    [p.display_name if has_partner else None for p in partners],
                ),
                SCALE: ("numeric", [item["amount"] for item in items]),
                **rows,
            },
            scale=(MOVE_AMOUNTS, template.amount_total),
        )
        if has_partner:
            self._copy_followers(template, ids, [p.id for p in partners])
        return ids

    def _copy_followers(self, template, ids, partner_ids):
        """Each copy followed by its customer, as posting subscribed the template's
        customer (with the same subtypes)."""
        follower = self.env["mail.followers"].search(
            [
                ("res_model", "=", "account.move"),
                ("res_id", "=", template.id),
                ("partner_id", "=", template.partner_id.id),
            ]
        )
        if not follower:
            return
        followers = self._ids("mail_followers", len(ids))
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO mail_followers (id, res_model, res_id, partner_id)
                SELECT u.id, 'account.move', u.move, u.partner
                  FROM unnest(%s::int4[], %s::int4[], %s::int4[]) AS u(id, move, partner);
                INSERT INTO mail_followers_mail_message_subtype_rel
                       (mail_followers_id, mail_message_subtype_id)
                SELECT u.id, s.id FROM unnest(%s::int4[]) AS u(id), unnest(%s::int4[]) AS s(id)
                """,
                followers,
                ids,
                partner_ids,
                followers,
                follower.subtype_ids.ids,
            )
        )

    def _copy_lines(self, template, items, moves, names, by_type):
        """Copies of the lines of ``template`` into ``moves``. ``by_type`` gives the
        columns of their own of the lines of a display type (None: of every line).
        Returns the new ids by display type and by template line."""
        result = {}
        if not items:
            return {line.id: [] for line in template.line_ids} | {
                line.display_type: [] for line in template.line_ids
            }
        refs = [item.get("ref") or item.get("memo") for item in items]
        for line in template.line_ids.sorted("id"):
            own = by_type.get(line.display_type, by_type.get(None, {}))
            ids = self._ids("account_move_line", len(items))
            rows = {
                "id": ("int4", ids),
                "move_id": ("int4", moves),
                "move_name": ("varchar", [name for name, _p, _n in names]),
                "date": ("date", [item["date"] for item in items]),
                SCALE: ("numeric", [item["amount"] for item in items]),
            }
            if line.partner_id:
                rows["partner_id"] = ("int4", [item["partner"].id for item in items])
            if line.invoice_date:
                rows["invoice_date"] = ("date", [item["date"] for item in items])
            if line.ref:
                rows["ref"] = ("varchar", refs)
            for column, values in own.items():
                rows[column] = (self._column_type("account_move_line", column), values)
            self._clone(
                "account_move_line", line.id, rows, scale=(LINE_AMOUNTS, template.amount_total)
            )
            result[line.id] = ids
            result.setdefault(line.display_type, ids)
        return result

    def _clone(self, table, template_id, rows, scale=None):
        """INSERT ... SELECT from the template row and arrays of values: every column
        is the template's unless ``rows`` gives it ({column: (type, values)}); the
        ``scale`` columns are the template's scaled to each row's amount."""
        exprs = {column: SQL("NULL") for column in NOT_COPIED}
        if scale:
            columns, base = scale
            for column in columns:
                exprs[column] = SQL(
                    "ROUND(t.%s * u.%s / %s, 2)",
                    SQL.identifier(column),
                    SQL.identifier(SCALE),
                    base,
                )
        columns = self._columns(table)
        select = [
            SQL("u.%s", SQL.identifier(column))
            if column in rows
            else exprs.get(column, SQL("t.%s", SQL.identifier(column)))
            for column in columns
        ]
        names = list(rows)
        count = len(rows[names[0]][1])
        for start in range(0, count, self.CHUNK):
            arrays = [
                SQL("%s::%s[]", rows[name][1][start : start + self.CHUNK], SQL(rows[name][0]))
                for name in names
            ]
            self.env.cr.execute(
                SQL(
                    "INSERT INTO %s (%s) SELECT %s FROM %s t, unnest(%s) AS u(%s) WHERE t.id = %s",
                    SQL.identifier(table),
                    SQL(", ").join(SQL.identifier(column) for column in columns),
                    SQL(", ").join(select),
                    SQL.identifier(table),
                    SQL(", ").join(arrays),
                    SQL(", ").join(SQL.identifier(name) for name in names),
                    template_id,
                )
            )

    def _columns(self, table):
        if table not in self._table_columns:
            self.env.cr.execute(
                SQL(
                    "SELECT column_name, udt_name FROM information_schema.columns "
                    "WHERE table_schema = current_schema() AND table_name = %s "
                    "ORDER BY ordinal_position",
                    table,
                )
            )
            self._table_columns[table] = dict(self.env.cr.fetchall())
        return list(self._table_columns[table])

    def _column_type(self, table, column):
        self._columns(table)
        return self._table_columns[table][column]

    def _ids(self, table, count):
        """``count`` new ids of ``table``, taken from its sequence."""
        if not count:
            return []
        self.env.cr.execute(
            SQL(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                table,
                count,
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]

    def _names(self, template, dates):
        """Names following ``template``'s yearly numbering in its journal, one per date
        (dates in ascending order): (name, sequence prefix, sequence number)."""
        moves = self.env["account.move"]
        if moves._deduce_sequence_number_reset(template.name) != "year":
            raise UserError(
                _(
                    "The bulk generator needs a numbering that restarts every year; "
                    "journal %(journal)s numbers %(name)s.",
                    journal=template.journal_id.name,
                    name=template.name,
                )
            )
        pattern, values = moves._get_sequence_format_param(template.name)
        suffix = values.get("suffix") or ""
        numbers = {}
        result = []
        for date in dates:
            year = date.year % 10 ** values["year_length"]
            if year not in numbers:
                blank = pattern.format(**dict(values, year=year, seq=0))
                prefix = blank[: len(blank) - len(suffix) - values["seq_length"]]
                self.env.cr.execute(
                    SQL(
                        "SELECT COALESCE(MAX(sequence_number), 0) FROM account_move "
                        "WHERE journal_id = %s AND sequence_prefix = %s",
                        template.journal_id.id,
                        prefix,
                    )
                )
                numbers[year] = [prefix, self.env.cr.fetchone()[0]]
            numbers[year][1] += 1
            prefix, number = numbers[year]
            result.append((pattern.format(**dict(values, year=year, seq=number)), prefix, number))
        return result

    # -- reconciliation ----------------------------------------------------------------
    def _reconcile(self, company, pairs):
        """Partial reconciliations of (invoice line, payment or credit note line,
        amount, date) pairs; a full reconciliation where both lines are settled; then
        residuals, matching numbers and payment states, as Odoo's reconciliation sets
        them."""
        if not pairs:
            return
        self.env.flush_all()
        partials = self._ids("account_partial_reconcile", len(pairs))
        currency = company.currency_id.id
        uid = self.env.uid
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO account_partial_reconcile (
                    id, debit_move_id, credit_move_id, amount, debit_amount_currency,
                    credit_amount_currency, debit_currency_id, credit_currency_id, company_id,
                    max_date, create_uid, write_uid, create_date, write_date)
                SELECT u.id, u.debit, u.credit, u.amount, u.amount, u.amount, %s, %s, %s,
                       u.max_date, %s, %s, now() at time zone 'UTC', now() at time zone 'UTC'
                  FROM unnest(%s::int4[], %s::int4[], %s::int4[], %s::numeric[], %s::date[])
                       AS u(id, debit, credit, amount, max_date)
                """,
                currency,
                currency,
                company.id,
                uid,
                uid,
                partials,
                [pair[0] for pair in pairs],
                [pair[1] for pair in pairs],
                [pair[2] for pair in pairs],
                [pair[3] for pair in pairs],
            )
        )
        self.env.cr.execute(
            SQL(
                """
                UPDATE account_move_line l
                   SET amount_residual = l.amount_residual + side.sign * p.amount,
                       amount_residual_currency = l.amount_residual_currency + side.sign * p.amount,
                       reconciled = l.amount_residual + side.sign * p.amount = 0,
                       matching_number = 'P' || p.id
                  FROM account_partial_reconcile p,
                       LATERAL (VALUES (p.debit_move_id, -1), (p.credit_move_id, 1))
                       AS side(line_id, sign)
                 WHERE p.id = ANY(%s) AND l.id = side.line_id
                """,
                partials,
            )
        )
        self._full_reconcile(partials)
        self._settle_moves([pair[0] for pair in pairs] + [pair[1] for pair in pairs])

    def _full_reconcile(self, partials):
        self.env.cr.execute(
            SQL(
                """
                SELECT p.id FROM account_partial_reconcile p
                  JOIN account_move_line d ON d.id = p.debit_move_id
                  JOIN account_move_line c ON c.id = p.credit_move_id
                 WHERE p.id = ANY(%s) AND d.reconciled AND c.reconciled
                 ORDER BY p.id
                """,
                partials,
            )
        )
        settled = [row[0] for row in self.env.cr.fetchall()]
        fulls = self._ids("account_full_reconcile", len(settled))
        if not fulls:
            return
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO account_full_reconcile (id, create_uid, write_uid, create_date,
                                                    write_date)
                SELECT u.id, %s, %s, now() at time zone 'UTC', now() at time zone 'UTC'
                  FROM unnest(%s::int4[]) AS u(id);
                UPDATE account_partial_reconcile p SET full_reconcile_id = u.full_id
                  FROM unnest(%s::int4[], %s::int4[]) AS u(partial, full_id)
                 WHERE p.id = u.partial;
                UPDATE account_move_line l
                   SET full_reconcile_id = p.full_reconcile_id,
                       matching_number = p.full_reconcile_id::text
                  FROM account_partial_reconcile p,
                       LATERAL (VALUES (p.debit_move_id), (p.credit_move_id)) AS side(line_id)
                 WHERE p.id = ANY(%s) AND l.id = side.line_id
                """,
                self.env.uid,
                self.env.uid,
                fulls,
                settled,
                fulls,
                settled,
            )
        )

    def _settle_moves(self, lines):
        """Residuals and payment states of the invoices and credit notes reconciled,
        and the payments whose money is all applied."""
        paid = self.env["account.move"]._get_invoice_in_payment_state()
        self.env.cr.execute(
            SQL(
                """
                WITH touched AS (
                    SELECT DISTINCT move_id FROM account_move_line WHERE id = ANY(%s)
                ), residual AS (
                    SELECT l.move_id, SUM(l.amount_residual) AS balance,
                           SUM(l.amount_residual_currency) AS currency
                      FROM account_move_line l
                     WHERE l.move_id IN (SELECT move_id FROM touched)
                       AND l.display_type = 'payment_term'
                     GROUP BY l.move_id
                )
                UPDATE account_move m
                   SET amount_residual = ABS(r.currency),
                       amount_residual_signed = r.balance,
                       payment_state = CASE
                           WHEN r.balance != 0 THEN 'partial'
                           WHEN m.move_type = 'out_invoice' THEN %s
                           ELSE 'paid' END
                  FROM residual r
                 WHERE m.id = r.move_id;
                UPDATE account_payment pay SET is_reconciled = TRUE
                  FROM account_move_line l
                 WHERE l.payment_id = pay.id AND l.id = ANY(%s) AND l.reconciled
                """,
                lines,
                paid,
                lines,
            )
        )
