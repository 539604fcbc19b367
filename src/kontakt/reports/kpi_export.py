"""The KPI view as CSV and XLSX files.

CSV is long ("tidy") form: one line per value, with its section, row and column, the text
the seed prints and the plain number, so it reads in a spreadsheet and in a script alike.
XLSX has the seed's table on its first sheet and a sheet per breakdown; durations are
spreadsheet times, so they add up and display as 04:28 or 32926:48:42.
"""

from __future__ import annotations

import csv
import io
import math

from kontakt.reports.kpi_view import KpiView, Number, Row

CSV_HEADER = ("section", "label", "column", "value", "number")
_XLSX_FORMATS = {
    "count": "#,##0",
    "percent": "0.00%",
    "mmss": "[mm]:ss",
    "hhmmss": "[h]:mm:ss",
    "decimal": "0.0",
}


def to_csv(view: KpiView) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for section, rows in (("kpi", view.seed), ("more", view.more)):
        for row in rows:
            writer.writerow((section, row.label, "", row.text, _plain(row.number)))
    for table in view.tables:
        for values in table.rows:
            name = table.cell(0, values[0])
            for i, value in enumerate(values[1:], start=1):
                writer.writerow(
                    (table.key, name, table.columns[i].title, table.cell(i, value),
                     _plain(value if not isinstance(value, str) else None))
                )  # fmt: skip
    return buf.getvalue()


def _plain(value: Number) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6f}".rstrip("0").rstrip(".")
    return str(value)


def _cell_value(value: Number, kind: str) -> Number:
    """Durations become spreadsheet days (what time formats display)."""
    if value is not None and kind in ("mmss", "hhmmss"):
        return math.floor(value + 0.5) / 86_400
    return value


def to_xlsx(view: KpiView, title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "KPI"
    sheet.append([title])
    sheet["A1"].font = Font(bold=True)

    def add(row: Row) -> None:
        sheet.append([row.label, _cell_value(row.number, row.kind), row.text])
        cell = sheet.cell(row=sheet.max_row, column=2)
        cell.number_format = _XLSX_FORMATS.get(row.kind, "General")

    for row in view.seed:
        add(row)
    sheet.append([])
    for row in view.more:
        add(row)
    sheet.column_dimensions["A"].width = 60
    sheet.column_dimensions["B"].width = 16
    sheet.column_dimensions["C"].width = 16
    for table in view.tables:
        ws = book.create_sheet(table.key)
        ws.append([c.title for c in table.columns])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for values in table.rows:
            ws.append([_cell_value(v, c.kind) if not isinstance(v, str) else v
                       for v, c in zip(values, table.columns, strict=True)])  # fmt: skip
            for i, c in enumerate(table.columns, start=1):
                ws.cell(row=ws.max_row, column=i).number_format = _XLSX_FORMATS.get(
                    c.kind, "General"
                )
        ws.column_dimensions["A"].width = 40
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()
