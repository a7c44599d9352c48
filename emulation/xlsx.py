"""Dashboard tables as XLSX workbooks (pure: no Flask, no database).

A `Table` describes what a dashboard shows (title, columns, rows); the page renders it as HTML
and `workbook` writes the same table to a sheet, so the export always holds exactly the numbers
on screen. Each sheet starts with its title in bold, then a bold header row frozen in place;
numbers are stored as numbers (not text) so that councils can sort and sum them in a
spreadsheet, and a missing value ("cannot score") is an empty cell, never a zero.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

Kind = Literal["text", "int", "number"]
Cell = str | int | float | None

SHEET_NAME_MAX = 31  # Excel's limit
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
NUMBER_FORMAT = "0.00"
HEADER_ROW = 2  # row 1 holds the title


@dataclass(frozen=True)
class Column:
    header: str
    kind: Kind = "text"
    width: float | None = None  # in characters; guessed from the contents when None


@dataclass(frozen=True)
class Table:
    key: str  # what the table is (used in ids and file names)
    title: str
    columns: Sequence[Column]
    rows: Sequence[Sequence[Cell]]
    sheet: str = ""  # the sheet's name; the title's start when empty
    note: str = ""  # a line under the title (which snapshot, which unit)
    # For the HTML page only: a link per row, placed on the cells of `link_column`.
    links: Sequence[str | None] = field(default_factory=tuple)
    link_column: int = 1


def sheet_name(text: str, taken: set[str] | None = None) -> str:
    """A name Excel accepts: no []:*?/\\, at most 31 characters, not blank, unique."""
    name = _SHEET_FORBIDDEN.sub(" ", text).strip().strip("'")[:SHEET_NAME_MAX].strip() or "Sheet"
    taken = taken if taken is not None else set()
    candidate, n = name, 2
    while candidate.lower() in taken:
        suffix = f" ({n})"
        candidate = name[: SHEET_NAME_MAX - len(suffix)] + suffix
        n += 1
    taken.add(candidate.lower())
    return candidate


def _width(column: Column, rows: Sequence[Sequence[Cell]], index: int) -> float:
    if column.width is not None:
        return column.width
    longest = len(column.header)
    for row in rows[:500]:
        value = row[index] if index < len(row) else None
        if value is not None:
            longest = max(longest, len(f"{value:.2f}" if isinstance(value, float) else str(value)))
    return float(min(60, max(8, longest + 2)))


def _value(kind: Kind, value: Cell) -> Cell:
    if value is None or value == "":
        return None
    if kind == "int":
        return int(value)
    if kind == "number":
        return float(value)
    return str(value)


def _write(ws: object, table: Table) -> None:
    from openpyxl.worksheet.worksheet import Worksheet

    assert isinstance(ws, Worksheet)
    bold = Font(bold=True)
    heading = f"{table.title} — {table.note}" if table.note else table.title
    ws.cell(row=1, column=1, value=heading).font = Font(bold=True, size=13)
    for col, column in enumerate(table.columns, start=1):
        cell = ws.cell(row=HEADER_ROW, column=col, value=column.header)
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.column_dimensions[get_column_letter(col)].width = _width(column, table.rows, col - 1)
    for r, row in enumerate(table.rows, start=HEADER_ROW + 1):
        for col, column in enumerate(table.columns, start=1):
            value = _value(column.kind, row[col - 1] if col - 1 < len(row) else None)
            cell = ws.cell(row=r, column=col, value=value)
            if column.kind == "number" and value is not None:
                cell.number_format = NUMBER_FORMAT
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=1)
    if table.rows:
        last = get_column_letter(max(1, len(table.columns)))
        ws.auto_filter.ref = f"A{HEADER_ROW}:{last}{HEADER_ROW + len(table.rows)}"
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"


def workbook(tables: Sequence[Table], *, title: str = "") -> bytes:
    """One sheet per table, in order; the workbook as the bytes of an .xlsx file."""
    wb = Workbook()
    wb.remove(wb.active)
    taken: set[str] = set()
    for table in tables or [Table(key="empty", title=title or "—", columns=[], rows=[])]:
        ws = wb.create_sheet(sheet_name(table.sheet or table.title, taken))
        _write(ws, table)
    wb.properties.title = title or (tables[0].title if tables else "")
    wb.properties.creator = "LIS"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
