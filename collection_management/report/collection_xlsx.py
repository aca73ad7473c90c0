"""Shared writer of the collection Excel reports, written row by row (constant memory).

A report (``report/xlsx_*.py``) declares its columns — label, width and kind of value —
and yields its rows; the workbook formats each value by the kind of its column.

Every text goes into a cell as text: customer, collector, level or court names are typed
by users, and a name such as ``=HYPERLINK(...)`` must never become a live formula, a
link or a number in the manager's spreadsheet. The only formulas are the workbook's own
totals, written by ``write_sum``."""

import datetime
import io
from dataclasses import dataclass
from typing import Any, NamedTuple

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell

from odoo import _
from odoo.tools import groupby

# kinds of values of a column
TEXT = "text"
NUMBER = "number"  # a count or days, in the general number format
DECIMAL = "decimal"  # one decimal: rates in percent, average days
MONEY = "money"  # in the currency of the row
DATE = "date"

TITLE_ROW = 0
HEADER_ROW = 2
FIRST_ROW = HEADER_ROW + 1


class Column(NamedTuple):
    """One column of a report: its header (a lazy translation or a text already in the
    reader's language), its width in characters, the kind of its values and whether
    the totals row of a company sums it."""

    label: Any
    width: int
    kind: str = TEXT
    total: bool = False


class Chart(NamedTuple):
    """A chart of a report, drawn from a small table of its own on the sheet "Chart":
    one row per category (a text) with one number per series."""

    title: str
    category_label: str
    series_labels: list
    points: list  # [(category, [value of each series])]
    kind: str = "column"


@dataclass(frozen=True)
class ReportOptions:
    """What the manager asked for: companies (res.company), the date the report is as
    of (end of the period), the start of the period and the collectors (res.users,
    empty for every collector)."""

    companies: Any
    date: datetime.date
    collectors: Any
    date_from: datetime.date | None = None


class CollectionWorkbook:
    """An ``.xlsx`` file with the house formats: bold frozen header with autofilter,
    money per currency, dates, one-decimal numbers, totals."""

    def __init__(self):
        self.buffer = io.BytesIO()
        self.book = xlsxwriter.Workbook(
            self.buffer,
            {
                "constant_memory": True,
                "in_memory": False,
                "default_date_format": "yyyy-mm-dd",
                # also for any ``sheet.write`` of a text: never a formula, link or number
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
            },
        )
        self.header = self.book.add_format(
            {
                "bold": True,
                "bg_color": "#1F4E78",
                "font_color": "#FFFFFF",
                "text_wrap": True,
                "valign": "vcenter",
                "border": 1,
            }
        )
        self.title = self.book.add_format({"bold": True, "font_size": 14})
        self.date = self.book.add_format({"num_format": "yyyy-mm-dd"})
        self.decimal = self.book.add_format({"num_format": "0.0"})
        self.total_label = self.book.add_format({"bold": True, "top": 1})
        self.total_number = self.book.add_format({"bold": True, "top": 1})
        self.total_decimal = self.book.add_format({"bold": True, "top": 1, "num_format": "0.0"})
        self._money = {}

    def money(self, currency, total=False):
        """Number format of ``currency`` (symbol before or after, its decimals)."""
        key = (currency.id, total)
        if key not in self._money:
            decimals = "0." + "0" * currency.decimal_places if currency.decimal_places else "0"
            symbol = (currency.symbol or currency.name).replace('"', "")
            number = f"#,##0{decimals[1:] if decimals != '0' else ''}"
            pattern = (
                f'"{symbol}" {number}' if currency.position == "before" else f'{number} "{symbol}"'
            )
            fmt = {"num_format": f"{pattern};-{pattern}"}
            if total:
                fmt.update(bold=True, top=1)
            self._money[key] = self.book.add_format(fmt)
        return self._money[key]

    def cell_format(self, kind, currency=None):
        """Format of a value of ``kind`` (money in ``currency``); None: the default."""
        if kind == MONEY:
            return self.money(currency)
        return {DATE: self.date, DECIMAL: self.decimal}.get(kind)

    def sheet(self, name, title, columns):
        """A sheet with a title line and the header of ``columns`` (labels translated)."""
        sheet = self.book.add_worksheet(name)
        sheet.write_string(TITLE_ROW, 0, title, self.title)
        for index, column in enumerate(columns):
            sheet.set_column(index, index, column.width)
            sheet.write_string(HEADER_ROW, index, column.label, self.header)
        sheet.freeze_panes(FIRST_ROW, 0)
        return sheet

    @staticmethod
    def write_cell(sheet, row, column, value, cell_format=None):
        """Write ``value`` by its Python type: text always as text, numbers, dates; an
        empty value (``""``, ``False``, ``None``) leaves the cell blank."""
        if value is None or value is False or value == "":
            sheet.write_blank(row, column, None, cell_format)
        elif isinstance(value, str):
            sheet.write_string(row, column, value, cell_format)
        elif isinstance(value, (datetime.date, datetime.datetime)):
            sheet.write_datetime(row, column, value, cell_format)
        elif isinstance(value, (int, float)):
            sheet.write_number(row, column, value, cell_format)
        else:
            raise TypeError(f"No Excel cell for {type(value).__name__} values")

    def write_row(self, sheet, row, columns, values, currency=None):
        """Write ``values`` from the first column, each in the format of its column."""
        for index, (column, value) in enumerate(zip(columns, values, strict=True)):
            self.write_cell(sheet, row, index, value, self.cell_format(column.kind, currency))

    def write_sum(self, sheet, row, column, rows, value, cell_format):
        """A total of the workbook's own: the sum of ``column`` over ``rows`` (a range
        of row indexes, maybe empty), with ``value`` as its cached result."""
        formula = "=0"
        if rows:
            first = xl_rowcol_to_cell(rows[0], column)
            last = xl_rowcol_to_cell(rows[-1], column)
            formula = f"=SUM({first}:{last})"
        sheet.write_formula(row, column, formula, cell_format, value=value)

    def total_format(self, kind, currency):
        if kind == MONEY:
            return self.money(currency, total=True)
        return self.total_decimal if kind == DECIMAL else self.total_number

    def write_chart(self, chart, name):
        """The sheet ``name`` (the reader's word for "Chart"): the table of ``chart``
        and the chart drawn from it. The series and categories are cells of that
        table: a name given as text that looks like a reference (``Sheet!A1``) would
        be read as a formula by xlsxwriter."""
        sheet = self.book.add_worksheet(name)
        sheet.write_string(TITLE_ROW, 0, chart.title, self.title)
        sheet.set_column(0, 0, 36)
        sheet.set_column(1, len(chart.series_labels), 16)
        sheet.write_string(HEADER_ROW, 0, chart.category_label, self.header)
        for index, label in enumerate(chart.series_labels, start=1):
            sheet.write_string(HEADER_ROW, index, label, self.header)
        for row, (category, values) in enumerate(chart.points, start=FIRST_ROW):
            self.write_cell(sheet, row, 0, category)
            for index, value in enumerate(values, start=1):
                self.write_cell(sheet, row, index, value, self.decimal)
        if not chart.points:
            return  # xlsxwriter cannot save a chart without values: no chart then
        last = FIRST_ROW + len(chart.points) - 1
        drawing = self.book.add_chart({"type": chart.kind})
        for index in range(1, len(chart.series_labels) + 1):
            drawing.add_series(
                {
                    "name": [name, HEADER_ROW, index],
                    "categories": [name, FIRST_ROW, 0, last, 0],
                    "values": [name, FIRST_ROW, index, last, index],
                }
            )
        drawing.set_title({"name": chart.title})
        drawing.set_size({"width": 900, "height": 420})
        sheet.insert_chart(HEADER_ROW, len(chart.series_labels) + 2, drawing)

    @staticmethod
    def autofilter(sheet, last_row, columns):
        sheet.autofilter(HEADER_ROW, 0, max(last_row, FIRST_ROW), len(columns) - 1)

    def close(self):
        self.book.close()
        return self.buffer.getvalue()


class XlsxReport:
    """One Excel report: a sheet named ``sheet_name`` with the declared ``columns``
    and the rows of its data method ``_rows``, rendered into a workbook by ``render``."""

    sheet_name = None
    columns = ()

    def __init__(self, env, options):
        self.env = env
        self.options = options

    # ------------------------------------------------------------------ to declare
    def _title(self):
        raise NotImplementedError

    def _columns(self):
        """The declared columns, plus those that depend on the data (selections)."""
        return list(self.columns)

    def _rows(self):
        """The data method: yields (values in the order of the columns, company), the
        rows of a company together."""
        raise NotImplementedError

    def _total_values(self, rows):
        """Totals of a company that are not sums (rates): {column index: value}."""
        return {}

    def _chart(self, rows):
        """The report's ``Chart`` from its rows [(values, company)]."""
        raise NotImplementedError

    # ------------------------------------------------------------------ writing
    def render(self, workbook):
        """The rows of each company followed by its totals row, then the chart."""
        columns = self._translated_columns()
        sheet = workbook.sheet(self._text(self.sheet_name), self._title(), columns)
        row = FIRST_ROW
        written = []
        for company, group in groupby(self._rows(), key=lambda item: item[1]):
            rows = [values for values, _company in group]
            for values in rows:
                workbook.write_row(sheet, row, columns, values, company.currency_id)
                row += 1
            self._write_totals(workbook, sheet, company, columns, rows, range(row - len(rows), row))
            written += [(values, company) for values in rows]
            row += 2
        workbook.autofilter(sheet, row - 1, columns)
        workbook.write_chart(self._chart(written), self.env._("Chart"))

    def _write_totals(self, workbook, sheet, company, columns, rows, rows_range):
        """A company's totals row under its ``rows``: sums of the columns that add up
        (formulas of the workbook), and the rates of the totals."""
        sheet.write_string(
            rows_range.stop,
            0,
            _("Total %(company)s", company=company.name),
            workbook.total_label,
        )
        others = self._total_values(rows)
        for index, column in enumerate(columns):
            cell_format = workbook.total_format(column.kind, company.currency_id)
            if column.total:
                total = sum(values[index] or 0 for values in rows)
                if column.kind == MONEY:
                    total = company.currency_id.round(total)
                workbook.write_sum(sheet, rows_range.stop, index, rows_range, total, cell_format)
            elif index in others:
                workbook.write_cell(sheet, rows_range.stop, index, others[index], cell_format)

    def _text(self, label):
        """``label`` in the reader's language (declared labels are lazy)."""
        return label if isinstance(label, str) else self.env._(label)

    def _translated_columns(self):
        return [column._replace(label=self._text(column.label)) for column in self._columns()]

    def _selection(self, model, field):
        """Labels of a selection field, in the reader's language."""
        return dict(self.env[model]._fields[field]._description_selection(self.env))

    # ------------------------------------------------------------------ shared data
    def _collectors_of(self, companies):
        """Open case of each customer per company: {(partner id, company id): case}."""
        cases = self.env["collection.case"].search_fetch(
            [("company_id", "in", companies.ids), ("is_closed", "=", False)],
            ["partner_id", "company_id", "collector_id", "stage_id"],
        )
        return {(case.partner_id.id, case.company_id.id): case for case in cases}

    def _own_collectors(self, company, partners):
        """The customers' own collectors in ``company``, read at once: the field is
        company-dependent, and customers without a case are most of a book."""
        return {partner.id: partner.collector_id for partner in partners.with_company(company)}

    def _keep_collector(self, user):
        return not self.options.collectors or user in self.options.collectors
