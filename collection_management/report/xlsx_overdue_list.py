"""Weekly overdue list: overdue customers with their last action, next step and
promised date, the largest debts first."""

from odoo import _, fields
from odoo.tools import LazyTranslate

from .collection_xlsx import DATE, MONEY, NUMBER, Chart, Column, XlsxReport

_lt = LazyTranslate(__name__)

COLUMNS = (
    Column(_lt("Company"), 22),
    Column(_lt("Customer"), 36),
    Column(_lt("Overdue amount"), 16, MONEY, total=True),
    Column(_lt("Days overdue"), 10, NUMBER),
    Column(_lt("Last action"), 30),
    Column(_lt("Next step"), 30),
    Column(_lt("Promised for"), 12, DATE),
    Column(_lt("Collector"), 18),
)
# customers in the chart of the largest overdue amounts
CHART_CUSTOMERS = 10


class OverdueListReport(XlsxReport):
    sheet_name = _lt("Overdue")
    columns = COLUMNS

    def _title(self):
        return _("Overdue customers as of %(date)s", date=fields.Date.to_string(self.options.date))

    def _rows(self):
        channels = self._selection("collection.interaction", "channel")
        for company in self.options.companies.sorted("name"):
            yield from self._company_rows(company, channels)

    def _company_rows(self, company, channels):
        date = self.options.date
        overdue = self.env["collection.case"]._collection_thresholds(company, date)
        cases = self._collectors_of(company)
        partners = self.env["res.partner"].browse(p.id for p in overdue)
        own_collectors = self._own_collectors(company, partners)
        last_contacts = {
            partner: (last_date, channel)
            for partner, last_date, channel in self._last_contacts(company, partners)
        }
        last_followups = self._grouped(
            "collection.followup", company, partners, [("state", "=", "done")], "date:max"
        )
        promised = self._grouped(
            "collection.promise", company, partners, [("state", "=", "open")], "date_promised:min"
        )
        for partner, (amount, oldest) in sorted(overdue.items(), key=lambda item: -item[1][0]):
            case = cases.get((partner.id, company.id))
            collector = case.collector_id if case else own_collectors[partner.id]
            if not self._keep_collector(collector):
                continue
            last = []
            if partner in last_contacts:
                contact_date, channel = last_contacts[partner]
                last.append(f"{fields.Date.to_string(contact_date)} {channels.get(channel, '')}")
            if partner in last_followups:
                last.append(
                    _("%(date)s reminder", date=fields.Date.to_string(last_followups[partner]))
                )
            values = [
                company.name,
                partner.name,
                amount,
                (date - oldest).days,
                " / ".join(last),
                self._next_step(case),
                promised.get(partner),
                collector.name,
            ]
            yield values, company

    def _chart(self, rows):
        """The customers owing the most, largest first."""
        several = len({company for _values, company in rows}) > 1
        largest = sorted(rows, key=lambda row: -row[0][2])[:CHART_CUSTOMERS]
        return Chart(
            title=_("Largest overdue amounts"),
            category_label=_("Customer"),
            series_labels=[_("Overdue amount")],
            points=[
                (f"{values[1]} ({company.name})" if several else values[1], [values[2]])
                for values, company in largest
            ],
            kind="bar",
        )

    @staticmethod
    def _next_step(case):
        if not (case and case.next_action_date):
            return ""
        # an activity's summary is written in its assignee's language: shown to a
        # reader of that language, else its type, which Odoo translates for the reader
        activity = case.activity_ids[:1]
        if activity and activity.summary and activity.user_id.lang == case.env.lang:
            summary = activity.summary
        else:
            summary = activity.activity_type_id.name or case.stage_id.name
        return f"{fields.Date.to_string(case.next_action_date)} {summary or ''}".strip()

    def _grouped(self, model, company, partners, domain, aggregate):
        """{partner: ``aggregate``} of the records of ``model`` of the customers."""
        return dict(
            self.env[model]._read_group(
                [("company_id", "=", company.id), ("partner_id", "in", partners.ids), *domain],
                ["partner_id"],
                [aggregate],
            )
        )

    def _last_contacts(self, company, partners):
        groups = self.env["collection.interaction"]._read_group(
            [("company_id", "=", company.id), ("partner_id", "in", partners.ids)],
            ["partner_id"],
            ["date:max"],
        )
        if not groups:
            return []
        latest = self.env["collection.interaction"].search_fetch(
            [
                ("company_id", "=", company.id),
                ("partner_id", "in", partners.ids),
                ("date", "in", [last for _partner, last in groups]),
            ],
            ["partner_id", "date", "channel"],
        )
        return [(i.partner_id, i.date.date(), i.channel) for i in latest]
