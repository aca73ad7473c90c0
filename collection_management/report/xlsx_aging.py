"""Aged receivables by customer as of a date, per company with totals, and a chart."""

from odoo import _, fields
from odoo.tools import LazyTranslate

from .collection_xlsx import HEADER_ROW, MONEY, Column, XlsxReport

_lt = LazyTranslate(__name__)

COLUMNS = (
    Column(_lt("Company"), 22),
    Column(_lt("Reference"), 12),
    Column(_lt("Customer"), 36),
    Column(_lt("Collector"), 18),
    Column(_lt("Follow-up level"), 22),
    Column(_lt("Case stage"), 14),
    Column(_lt("Risk"), 10),
)
BUCKET_WIDTH = 14
TOTAL = Column(_lt("Total"), 16, MONEY)


class AgingReport(XlsxReport):
    sheet_name = _lt("Aging")
    columns = COLUMNS

    def _title(self):
        return _("Aged receivables as of %(date)s", date=fields.Date.to_string(self.options.date))

    def _buckets(self):
        """Buckets in their order with their labels: one source, the aging analysis."""
        return self._selection("collection.aging.report", "bucket")

    def _columns(self):
        buckets = [Column(label, BUCKET_WIDTH, MONEY) for label in self._buckets().values()]
        return [*self.columns, *buckets, TOTAL]

    # ------------------------------------------------------------------ data
    def _rows_by_company(self):
        """The data method: yields (company, rows) for each company by name, customers
        owing the most first; a row ends with the buckets and the total."""
        companies = self.options.companies
        aging = self.env["collection.aging.report"]._collection_aging(companies, self.options.date)
        partners = (
            self.env["res.partner"]
            .browse({key[0] for key in aging})
            .with_context(active_test=False)
        )
        partners.fetch(["name", "ref", "collection_risk"])
        data = {
            "aging": aging,
            "partners": partners,
            "cases": self._collectors_of(companies),
            "levels": self._highest_levels(partners, companies),
            "risks": self._selection("res.partner", "collection_risk"),
            "buckets": list(self._buckets()),
        }
        for company in companies.sorted("name"):
            yield company, self._company_rows(company, data)

    def _company_rows(self, company, data):
        aging, partners = data["aging"], data["partners"]
        own_collectors = self._own_collectors(company, partners)
        keys = sorted(
            (key for key in aging if key[1] == company.id),
            key=lambda key: -sum(aging[key].values()),
        )
        rows = []
        for partner_id, company_id in keys:
            partner = partners.browse(partner_id)
            case = data["cases"].get((partner_id, company_id))
            collector = case.collector_id if case else own_collectors[partner_id]
            if not self._keep_collector(collector):
                continue
            level = data["levels"].get((partner, company))
            amounts = [aging[(partner_id, company_id)][key] for key in data["buckets"]]
            rows.append(
                [
                    company.name,
                    partner.ref,
                    partner.name,
                    collector.name,
                    level.name if level else "",
                    case.stage_id.name if case else "",
                    data["risks"].get(partner.collection_risk, ""),
                    *amounts,
                    sum(amounts),
                ]
            )
        return rows

    def _highest_levels(self, partners, companies):
        """Highest follow-up level reached by the open invoices of each customer, per
        company: the level furthest after the due date, not the latest record."""
        groups = self.env["account.move"]._read_group(
            [
                *self.env["account.move"]._collection_open_invoice_domain(),
                ("commercial_partner_id", "in", partners.ids),
                ("company_id", "in", companies.ids),
                ("collection_level_id", "!=", False),
            ],
            ["commercial_partner_id", "company_id"],
            ["collection_level_id:recordset"],
        )
        return {
            (partner, company): levels.sorted(lambda level: (level.delay_days, level.id))[-1]
            for partner, company, levels in groups
        }

    # ------------------------------------------------------------------ writing
    def render(self, workbook):
        columns = self._translated_columns()
        sheet_name = self._text(self.sheet_name)
        sheet = workbook.sheet(sheet_name, self._title(), columns)
        row = HEADER_ROW + 1
        total_rows = []
        for company, rows in self._rows_by_company():
            first = row
            for values in rows:
                workbook.write_row(sheet, row, columns, values, company.currency_id)
                row += 1
            self._write_company_totals(workbook, sheet, company, range(first, row), rows)
            total_rows.append((company, row))
            row += 2
        workbook.autofilter(sheet, row - 1, columns)
        self._write_chart(workbook, sheet_name, total_rows)

    def _write_company_totals(self, workbook, sheet, company, rows_range, rows):
        currency = company.currency_id
        sheet.write_string(
            rows_range.stop,
            0,
            _("Total %(company)s", company=company.name),
            workbook.total_label,
        )
        total_money = workbook.money(currency, total=True)
        for column in range(len(self.columns), len(self.columns) + len(self._buckets()) + 1):
            total = currency.round(sum(values[column] for values in rows))
            workbook.write_sum(sheet, rows_range.stop, column, rows_range, total, total_money)

    def _write_chart(self, workbook, aging_name, total_rows):
        """Totals of each company by bucket; the series are named by cells of company
        names: a name given as text that looks like a reference (``Sheet!A1``) would be
        read as a formula by xlsxwriter."""
        chart_name = _("Chart")
        sheet = workbook.book.add_worksheet(chart_name)
        sheet.write_string(0, 0, _("Aged receivables by bucket"), workbook.title)
        sheet.set_column(0, 0, 30)
        sheet.write_string(HEADER_ROW, 0, _("Company"), workbook.header)
        if not total_rows:
            return  # xlsxwriter cannot save a chart without series: no chart then
        chart = workbook.book.add_chart({"type": "column"})
        first, last = len(self.columns), len(self.columns) + len(self._buckets()) - 1
        for index, (company, total_row) in enumerate(total_rows):
            sheet.write_string(HEADER_ROW + 1 + index, 0, company.name)
            chart.add_series(
                {
                    "name": [chart_name, HEADER_ROW + 1 + index, 0],
                    "categories": [aging_name, HEADER_ROW, first, HEADER_ROW, last],
                    "values": [aging_name, total_row, first, total_row, last],
                }
            )
        chart.set_title({"name": _("Overdue by bucket")})
        chart.set_x_axis({"name": _("Days overdue")})
        chart.set_size({"width": 900, "height": 420})
        sheet.insert_chart(HEADER_ROW, 2, chart)
