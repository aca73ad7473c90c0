"""The Friday report (周报): what happened to a company's receivables in one week.

``WeeklyData`` gathers the figures of one company and week (each read once); the
summary of the email and the sheets of the workbook are made from it, so that the
two always agree. The workbook is the weekly overdue list followed by a sheet per
event of the week: money collected, customers newly overdue, promises due next week
and broken this week, cases escalated to legal action."""

from datetime import timedelta
from functools import cached_property

from odoo import _, fields
from odoo.tools import SQL, LazyTranslate

from .collection_xlsx import DATE, FIRST_ROW, MONEY, NUMBER, Column, XlsxReport
from .xlsx_overdue_list import OverdueListReport

_lt = LazyTranslate(__name__)

WEEK_DAYS = 7


def week_of(date):
    """The week a report dated ``date`` covers: the seven days ending on it."""
    return date - timedelta(days=WEEK_DAYS - 1), date


class WeeklyData:
    """The figures of ``company`` for the week from ``week_start`` to ``week_end``
    (both included), read with ``env`` (its companies and rights)."""

    def __init__(self, env, company, week_start, week_end):
        self.env = env
        self.company = company.with_env(env)
        self.week_start = week_start
        self.week_end = week_end

    # ------------------------------------------------------------------ figures
    def _overdue_on(self, date):
        """{customer id: overdue amount} as the books stood at the end of ``date``."""
        aging = self.env["collection.aging.report"]._collection_aging(self.company, date)
        overdue = {}
        for (partner_id, _company_id), buckets in aging.items():
            amount = sum(buckets.values()) - buckets["not_due"]
            if not self.company.currency_id.is_zero(amount):
                overdue[partner_id] = amount
        return overdue

    @cached_property
    def overdue_before(self):
        return self._overdue_on(self.week_start - timedelta(days=1))

    @cached_property
    def overdue_after(self):
        return self._overdue_on(self.week_end)

    @cached_property
    def collected(self):
        """[(customer, amount, invoices)]: money (not credit notes) that settled the
        customers' invoices during the week, largest first."""
        rows = self.env.execute_query(
            SQL(
                """SELECT s.partner_id, SUM(s.amount), COUNT(DISTINCT s.invoice_id)
                     FROM (%(settlements)s) s
                    WHERE s.company_id = %(company)s
                      AND NOT s.by_credit_note
                      AND s.date BETWEEN %(start)s AND %(end)s
                 GROUP BY s.partner_id
                 ORDER BY 2 DESC, 1""",
                settlements=self.env["account.partial.reconcile"]._collection_settlements_sql(),
                company=self.company.id,
                start=self.week_start,
                end=self.week_end,
            )
        )
        partners = self.env["res.partner"].browse(row[0] for row in rows)
        return [
            (partner, amount, count)
            for partner, (_id, amount, count) in zip(partners, rows, strict=True)
        ]

    @cached_property
    def newly_overdue(self):
        """[(customer, overdue amount)]: customers overdue at the end of the week who
        owed nothing overdue the day before it began, largest first."""
        before = self.overdue_before
        new = [
            (partner_id, amount)
            for partner_id, amount in self.overdue_after.items()
            if amount > 0 and before.get(partner_id, 0.0) <= 0
        ]
        new.sort(key=lambda item: (-item[1], item[0]))
        partners = self.env["res.partner"].browse(partner_id for partner_id, _amount in new)
        return list(zip(partners, [amount for _id, amount in new], strict=True))

    @cached_property
    def promises_due(self):
        """Open promises for a date of the next seven days."""
        return self.env["collection.promise"].search(
            [
                ("company_id", "=", self.company.id),
                ("state", "=", "open"),
                ("date_promised", ">", self.week_end),
                ("date_promised", "<=", self.week_end + timedelta(days=WEEK_DAYS)),
            ],
            order="date_promised, id",
        )

    @cached_property
    def promises_broken(self):
        """Promises found broken (not or only partly kept) during the week."""
        return self.env["collection.promise"].search(
            [
                ("company_id", "=", self.company.id),
                ("state", "in", ("broken", "partial")),
                ("date_evaluated", ">=", self.week_start),
                ("date_evaluated", "<=", self.week_end),
            ],
            order="date_promised, id",
        )

    @cached_property
    def legal_cases(self):
        """Cases escalated to legal action during the week."""
        return (
            self.env["collection.case"]
            .with_context(active_test=False)
            .search(
                [
                    ("company_id", "=", self.company.id),
                    ("legal_date", ">=", self.week_start),
                    ("legal_date", "<=", self.week_end),
                ],
                order="legal_date, id",
            )
        )

    @cached_property
    def _collectors(self):
        """{customer id: collector}: the collector of the customer's open case, else
        the customer's own collector in the company."""
        partners = self.env["res.partner"].browse(
            {p.id for p, *_rest in self.collected}
            | {p.id for p, _amount in self.newly_overdue}
            | set(self.promises_due.partner_id.ids)
            | set(self.promises_broken.partner_id.ids)
        )
        collectors = {
            partner.id: partner.collector_id for partner in partners.with_company(self.company)
        }
        cases = self.env["collection.case"].search_fetch(
            [
                ("company_id", "=", self.company.id),
                ("partner_id", "in", partners.ids),
                ("is_closed", "=", False),
                ("collector_id", "!=", False),
            ],
            ["partner_id", "collector_id"],
        )
        collectors.update({case.partner_id.id: case.collector_id for case in cases})
        return collectors

    def collector_of(self, partner):
        return self._collectors.get(partner.id, self.env["res.users"])

    def summary(self):
        """The figures of the email and of the report record."""
        overdue_after = sum(self.overdue_after.values())
        return {
            "amount_overdue": overdue_after,
            "amount_overdue_change": overdue_after - sum(self.overdue_before.values()),
            "amount_collected": sum(amount for _partner, amount, _count in self.collected),
            "newly_overdue_count": len(self.newly_overdue),
            "promise_due_count": len(self.promises_due),
            "promise_due_amount": sum(self.promises_due.mapped("amount")),
            "promise_broken_count": len(self.promises_broken),
            "legal_count": len(self.legal_cases),
        }


class WeeklySheet(XlsxReport):
    """One sheet of the weekly report: rows of each company then its totals, no chart.
    ``datas`` are the ``WeeklyData`` of the companies."""

    def __init__(self, env, options, datas):
        super().__init__(env, options)
        self.datas = datas

    def _period(self):
        data = self.datas[0]
        return {
            "start": fields.Date.to_string(data.week_start),
            "end": fields.Date.to_string(data.week_end),
        }

    def _rows(self):
        for data in self.datas:
            for values in self._company_rows(data):
                yield values, data.company

    def _company_rows(self, data):
        raise NotImplementedError

    def render(self, workbook):
        columns = self._translated_columns()
        sheet = workbook.sheet(self._text(self.sheet_name), self._title(), columns)
        row = FIRST_ROW
        for data in self.datas:
            rows = list(self._company_rows(data))
            for values in rows:
                workbook.write_row(sheet, row, columns, values, data.company.currency_id)
                row += 1
            company_rows = range(row - len(rows), row)
            self._write_totals(workbook, sheet, data.company, columns, rows, company_rows)
            row += 2
        workbook.autofilter(sheet, row - 1, columns)


class CollectedSheet(WeeklySheet):
    sheet_name = _lt("Collected")
    columns = (
        Column(_lt("Company"), 22),
        Column(_lt("Customer"), 36),
        Column(_lt("Collected"), 16, MONEY, total=True),
        Column(_lt("Invoices paid"), 12, NUMBER, total=True),
        Column(_lt("Collector"), 18),
    )

    def _title(self):
        return _("Money collected from %(start)s to %(end)s", **self._period())

    def _company_rows(self, data):
        for partner, amount, count in data.collected:
            collector = data.collector_of(partner)
            if self._keep_collector(collector):
                yield [data.company.name, partner.name, amount, count, collector.name]


class NewlyOverdueSheet(WeeklySheet):
    sheet_name = _lt("Newly overdue")
    columns = (
        Column(_lt("Company"), 22),
        Column(_lt("Customer"), 36),
        Column(_lt("Overdue amount"), 16, MONEY, total=True),
        Column(_lt("Collector"), 18),
    )

    def _title(self):
        return _("Customers overdue since %(start)s (until %(end)s)", **self._period())

    def _company_rows(self, data):
        for partner, amount in data.newly_overdue:
            collector = data.collector_of(partner)
            if self._keep_collector(collector):
                yield [data.company.name, partner.name, amount, collector.name]


class PromiseSheet(WeeklySheet):
    columns = (
        Column(_lt("Company"), 22),
        Column(_lt("Customer"), 36),
        Column(_lt("Case"), 14),
        Column(_lt("Promised for"), 12, DATE),
        Column(_lt("Amount promised"), 16, MONEY, total=True),
        Column(_lt("Paid"), 16, MONEY, total=True),
        Column(_lt("Status"), 14),
        Column(_lt("Collector"), 18),
    )

    def _promises(self, data):
        raise NotImplementedError

    def _company_rows(self, data):
        states = self._selection("collection.promise", "state")
        for promise in self._promises(data):
            collector = promise.case_id.collector_id or data.collector_of(promise.partner_id)
            if not self._keep_collector(collector):
                continue
            yield [
                data.company.name,
                promise.partner_id.name,
                promise.case_id.name or "",
                promise.date_promised,
                promise.amount,
                promise.amount_paid,
                states.get(promise.state, ""),
                collector.name,
            ]


class PromisesDueSheet(PromiseSheet):
    sheet_name = _lt("Promises next week")

    def _title(self):
        end = self.datas[0].week_end
        return _(
            "Promises to pay due from %(start)s to %(end)s",
            start=fields.Date.to_string(end + timedelta(days=1)),
            end=fields.Date.to_string(end + timedelta(days=WEEK_DAYS)),
        )

    def _promises(self, data):
        return data.promises_due


class PromisesBrokenSheet(PromiseSheet):
    sheet_name = _lt("Broken promises")

    def _title(self):
        return _("Promises to pay broken from %(start)s to %(end)s", **self._period())

    def _promises(self, data):
        return data.promises_broken


class LegalSheet(WeeklySheet):
    sheet_name = _lt("Escalated to legal")
    columns = (
        Column(_lt("Company"), 22),
        Column(_lt("Case"), 14),
        Column(_lt("Customer"), 36),
        Column(_lt("Escalated on"), 12, DATE),
        Column(_lt("Amount due"), 16, MONEY, total=True),
        Column(_lt("Legal stage"), 20),
        Column(_lt("Legal officer"), 18),
        Column(_lt("Collector"), 18),
    )

    def _title(self):
        return _("Cases escalated to legal action from %(start)s to %(end)s", **self._period())

    def _company_rows(self, data):
        for case in data.legal_cases:
            if not self._keep_collector(case.collector_id):
                continue
            yield [
                data.company.name,
                case.name,
                case.partner_id.name,
                case.legal_date,
                case.amount_due,
                case.legal_stage_id.name or "",
                case.legal_user_id.name or "",
                case.collector_id.name or "",
            ]


SHEETS = (CollectedSheet, NewlyOverdueSheet, PromisesDueSheet, PromisesBrokenSheet, LegalSheet)


class WeeklyReport:
    """The whole workbook of the week ending on ``options.date``: the weekly overdue
    list as of that day, then the sheets of the week's events."""

    def __init__(self, env, options, datas=None):
        self.env = env
        self.options = options
        week_start, week_end = week_of(options.date)
        self.datas = datas or [
            WeeklyData(env, company, week_start, week_end)
            for company in options.companies.sorted("name")
        ]

    def render(self, workbook):
        OverdueListReport(self.env, self.options).render(workbook)
        for sheet in SHEETS:
            sheet(self.env, self.options, self.datas).render(workbook)
