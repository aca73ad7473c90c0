"""Excel workbooks of the collection reports, written row by row (constant memory).

Every text goes into a cell as text: customer, collector, level or court names are typed
by users, and a name such as ``=HYPERLINK(...)`` must never become a live formula, a
link or a number in the manager's spreadsheet. The only formulas are the workbook's own
totals, written with ``write_formula``."""

import datetime
import io

import xlsxwriter


class CollectionWorkbook:
    """An ``.xlsx`` file with the house formats: bold frozen header with autofilter,
    money per currency, dates, percentages, totals."""

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
        self.text = self.book.add_format({})
        self.date = self.book.add_format({"num_format": "yyyy-mm-dd"})
        self.integer = self.book.add_format({"num_format": "#,##0"})
        self.percent = self.book.add_format({"num_format": "0.0"})
        self.total_label = self.book.add_format({"bold": True, "top": 1})
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

    def sheet(self, name, title, columns, header_row=2):
        """A sheet with a title line and the header of ``columns`` [(label, width)]."""
        sheet = self.book.add_worksheet(name)
        sheet.write_string(0, 0, title, self.title)
        for index, (label, width) in enumerate(columns):
            sheet.set_column(index, index, width)
            sheet.write_string(header_row, index, label, self.header)
        sheet.freeze_panes(header_row + 1, 0)
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

    def write_row(self, sheet, row, values):
        """Write ``values`` from the first column; a value may be a pair (value, format)."""
        for column, cell in enumerate(values):
            value, cell_format = cell if isinstance(cell, tuple) else (cell, None)
            self.write_cell(sheet, row, column, value, cell_format)

    def close(self):
        self.book.close()
        return self.buffer.getvalue()
