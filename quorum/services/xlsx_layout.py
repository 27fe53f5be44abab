"""Lay out a register (a title, a header and rows of text) as an .xlsx workbook ready to print.

The sheet is what the secretariat prints and files: a merged title row, a bold header frozen under it and
repeated on every printed page, thin borders, wrapped text, columns as wide as their content (within
bounds), rows tall enough for their wrapped lines, A4 landscape scaled to the page width. The layout
knows nothing of matters or documents: a register hands it plain columns and cell values.
"""

import io
import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

TITLE_ROW, HEADER_ROW, FIRST_ROW = 1, 2, 3
FONT_NAME = "SimSun"        # 宋体: present wherever Office is; LibreOffice substitutes a CJK face by the name
LINE_POINTS = 15            # the height of one wrapped line of 10.5 pt text
MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")


@dataclass(frozen=True)
class Column:
    """One column: its header, the width bounds (in character units; a CJK character counts two) and its kind."""

    header: str
    min_width: int = 6
    max_width: int = 40
    kind: str = "text"          # text | number | money | date (numbers and dates stay numbers and dates)


def display_width(text: str) -> int:
    """How wide a line is in character units: East Asian wide and full-width characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _shown(value: Any, column: Column) -> str:
    if value is None:
        return ""
    if column.kind == "money" and isinstance(value, (int, float, Decimal)):
        return f"{value:,.2f}"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _widths(columns: Sequence[Column], rows: Sequence[Sequence[Any]]) -> list[int]:
    widths = []
    for i, column in enumerate(columns):
        longest = max([display_width(line) for line in column.header.splitlines()] +
                      [display_width(line) for row in rows for line in _shown(row[i], column).splitlines()] + [0])
        widths.append(min(max(longest + 2, column.min_width), column.max_width))
    return widths


def _lines(text: str, width: int) -> int:
    usable = max(width - 1, 1)
    return sum(max(1, math.ceil(display_width(line) / usable)) for line in (text.splitlines() or [""]))


def _cell_value(value: Any, column: Column) -> Any:
    """Amounts are written as numbers (formatted #,##0.00) so a reader can sum them; openpyxl writes floats."""
    if column.kind == "money" and isinstance(value, (str, int, Decimal)) and str(value).strip():
        return float(Decimal(str(value)))
    return value


def _fill_row(sheet: Worksheet, row_no: int, values: Sequence[Any], columns: Sequence[Column],
              widths: Sequence[int], header: bool = False) -> None:
    lines = 1
    for i, (value, column) in enumerate(zip(values, columns, strict=True), start=1):
        cell = sheet.cell(row=row_no, column=i, value=value if header else _cell_value(value, column))
        cell.border = _BORDER
        cell.font = Font(name=FONT_NAME, size=10.5, bold=header)
        centred = header or column.kind in ("number", "date")
        cell.alignment = Alignment(wrap_text=True, vertical="center" if header else "top",
                                   horizontal="center" if centred else ("right" if column.kind == "money" else "left"))
        if header:
            cell.fill = _HEADER_FILL
        elif column.kind == "money":
            cell.number_format = MONEY_FORMAT
        elif column.kind == "date":
            cell.number_format = DATE_FORMAT
        lines = max(lines, _lines(_shown(value, column), widths[i - 1]))
    sheet.row_dimensions[row_no].height = lines * LINE_POINTS + 4


def workbook(title: str, sheet_name: str, columns: Sequence[Column], rows: Sequence[Sequence[Any]],
             note: str = "") -> bytes:
    """Return the .xlsx bytes of one sheet: title (and a note under it), frozen header, rows, print setup."""
    book = Workbook()
    sheet = book.active
    sheet.title = sheet_name[:31]
    widths = _widths(columns, rows)
    last = get_column_letter(len(columns))
    sheet.merge_cells(f"A{TITLE_ROW}:{last}{TITLE_ROW}")
    head = sheet.cell(row=TITLE_ROW, column=1, value=title + (f"\n{note}" if note else ""))
    head.font = Font(name=FONT_NAME, size=16, bold=True)
    head.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    sheet.row_dimensions[TITLE_ROW].height = 30 + (18 if note else 0)
    _fill_row(sheet, HEADER_ROW, [c.header for c in columns], columns, widths, header=True)
    for offset, row in enumerate(rows):
        _fill_row(sheet, FIRST_ROW + offset, row, columns, widths)
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    sheet.freeze_panes = f"A{FIRST_ROW}"
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    sheet.print_area = f"A{TITLE_ROW}:{last}{max(FIRST_ROW + len(rows) - 1, HEADER_ROW)}"
    setup = sheet.page_setup
    setup.paperSize = sheet.PAPERSIZE_A4
    setup.orientation = sheet.ORIENTATION_LANDSCAPE
    setup.fitToWidth, setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.5
    sheet.page_margins.top = sheet.page_margins.bottom = 0.6
    sheet.oddFooter.center.text = "&P / &N"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
