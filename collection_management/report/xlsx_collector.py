"""Collector performance over a period: cases, money recovered against assigned and
target, promises kept and broken, contacts per channel."""

from collections import Counter, defaultdict

from dateutil.relativedelta import relativedelta

from odoo import _, fields
from odoo.tools import LazyTranslate

from .collection_xlsx import DECIMAL, MONEY, NUMBER, Chart, Column, XlsxReport

_lt = LazyTranslate(__name__)

COLUMNS = (
    Column(_lt("Company"), 22),
    Column(_lt("Collector"), 20),
    Column(_lt("Open cases"), 10, NUMBER, total=True),
    Column(_lt("Closed in period"), 10, NUMBER, total=True),
    Column(_lt("Assigned"), 16, MONEY, total=True),
    Column(_lt("Recovered in period"), 16, MONEY, total=True),
    Column(_lt("Recovery rate (%)"), 10, DECIMAL),
    Column(_lt("Promises made"), 10, NUMBER, total=True),
    Column(_lt("Kept"), 8, NUMBER, total=True),
    Column(_lt("Broken"), 8, NUMBER, total=True),
)
ASSIGNED, RECOVERED, RATE = 4, 5, 6
CHANNEL_WIDTH = 9
CLOSING_COLUMNS = (
    Column(_lt("Avg. days to recover"), 10, DECIMAL),
    Column(_lt("Target"), 16, MONEY, total=True),
    Column(_lt("Achievement (%)"), 10, DECIMAL),
)


class CollectorReport(XlsxReport):
    sheet_name = _lt("Collectors")
    columns = COLUMNS

    def _title(self):
        return _(
            "Collector performance from %(start)s to %(end)s",
            start=fields.Date.to_string(self.options.date_from),
            end=fields.Date.to_string(self.options.date),
        )

    def _channels(self):
        return self._selection("collection.interaction", "channel")

    def _columns(self):
        channels = [
            Column(label, CHANNEL_WIDTH, NUMBER, total=True) for label in self._channels().values()
        ]
        return [*self.columns, *channels, *CLOSING_COLUMNS]

    # ------------------------------------------------------------------ data
    def _rows(self):
        """One row per company and collector of its cases, by company and name."""
        companies = self.options.companies
        date_from, date_to = self.options.date_from, self.options.date
        data = {
            "cases": self.env["collection.case"]
            .with_context(active_test=False)
            .search([("company_id", "in", companies.ids), ("collector_id", "!=", False)]),
            "promises": self.env["collection.promise"].search(
                [("company_id", "in", companies.ids), ("case_id.collector_id", "!=", False)]
            ),
            "interactions": self.env["collection.interaction"].search(
                [
                    ("company_id", "in", companies.ids),
                    ("date", ">=", fields.Datetime.to_datetime(date_from)),
                    ("date", "<", fields.Datetime.to_datetime(date_to + relativedelta(days=1))),
                ]
            ),
            "channels": list(self._channels()),
        }
        snapshot = self.env["collection.snapshot"]
        for company in companies.sorted("name"):
            data["recovered"] = snapshot._collection_recovered_details(company, date_from, date_to)
            data["targets"] = self._targets(company)
            company_cases = data["cases"].filtered(
                lambda c, company=company: c.company_id == company
            )
            for collector in company_cases.collector_id.sorted("name"):
                if self._keep_collector(collector):
                    mine = company_cases.filtered(lambda c, u=collector: c.collector_id == u)
                    values = self._collector_values(company, collector, mine, data)
                    yield values, company

    def _targets(self, company):
        """Targets of the collectors of ``company`` over the months of the period."""
        targets = defaultdict(float)
        for target in self.env["collection.target"].search(
            [
                ("company_id", "=", company.id),
                ("month", ">=", self.options.date_from.replace(day=1)),
                ("month", "<=", self.options.date),
            ]
        ):
            targets[target.collector_id] += target.amount
        return targets

    def _collector_values(self, company, collector, cases, data):
        date_from, date_to = self.options.date_from, self.options.date
        closed = cases.filtered(
            lambda c: c.is_closed and c.date_closed and date_from <= c.date_closed <= date_to
        )
        made = data["promises"].filtered(
            lambda p: (
                p.case_id.collector_id == collector
                and p.company_id == company
                and date_from <= p.date <= date_to
            )
        )
        states = Counter(made.mapped("state"))
        contacts = Counter(
            data["interactions"]
            .filtered(lambda i: i.user_id == collector and i.company_id == company)
            .mapped("channel")
        )
        assigned = sum(cases.mapped("amount_assigned"))
        # recovered in the period, and its days from the opening of the case weighted
        # by the amounts: how long the collector's money takes to come in
        amount, amount_days = data["recovered"].get(collector.id, (0.0, 0.0))
        target = data["targets"].get(collector, 0.0)
        return [
            company.name,
            collector.name,
            len(cases.filtered(lambda c: not c.is_closed)),
            len(closed),
            assigned,
            amount,
            round(100.0 * amount / assigned, 1) if assigned else 0.0,
            len(made),
            states.get("kept", 0),
            states.get("broken", 0) + states.get("partial", 0),
            *(contacts.get(key, 0) for key in data["channels"]),
            round(amount_days / amount, 1) if amount else "",
            target,
            round(100.0 * amount / target, 1) if target else "",
        ]

    # ------------------------------------------------------------------ totals, chart
    def _total_values(self, rows):
        """Rates of the company's totals: recovered over assigned and over target, and
        the average days of all the money recovered."""
        days, target, achievement = len(rows[0]) - 3, len(rows[0]) - 2, len(rows[0]) - 1
        assigned = sum(values[ASSIGNED] for values in rows)
        recovered = sum(values[RECOVERED] for values in rows)
        targets = sum(values[target] for values in rows)
        amount_days = sum(values[days] * values[RECOVERED] for values in rows if values[days])
        return {
            RATE: round(100.0 * recovered / assigned, 1) if assigned else 0.0,
            days: round(amount_days / recovered, 1) if recovered else "",
            achievement: round(100.0 * recovered / targets, 1) if targets else "",
        }

    def _chart(self, rows):
        """Recovered in the period against target, per collector."""
        several = len({company for _values, company in rows}) > 1
        return Chart(
            title=_("Recovered against target"),
            category_label=_("Collector"),
            series_labels=[_("Recovered in period"), _("Target")],
            points=[
                (
                    f"{values[1]} ({company.name})" if several else values[1],
                    [values[RECOVERED], values[-2]],
                )
                for values, company in rows
            ],
        )
