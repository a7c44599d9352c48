"""A person's own record as a spreadsheet: CSV (UTF-8 with a BOM, so Excel reads Vietnamese
right) and XLSX (a sheet of contributions with real dates, and a sheet of totals by year and
state). Built in memory: a person has at most a few thousand rows.

Column headings are translated with Flask-Babel when called in a request (Vietnamese by
default); outside one they are the English msgids.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Sequence
from typing import Any

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from lis.contributions import rules
from lis.contributions.models import STATES, Contribution
from lis.drafts.machine import stage_label

CSV_MIMETYPE = "text/csv; charset=utf-8"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_FORMAT = "DD/MM/YYYY"

STATE_LABELS: dict[str, Any] = {
    "submitted": _l("Submitted"),
    "verified": _l("Verified"),
    "rejected": _l("Rejected"),
    "withdrawn": _l("Withdrawn"),
}


def _lang() -> str:
    """The request's language ("vi" outside a request)."""
    try:
        return str(get_locale() or "vi")
    except RuntimeError:  # no application or request context
        return "vi"


def _seq(version: Any) -> int | None:
    return version.seq if version is not None else None


# (heading, value of a row, column width in characters)
COLUMNS: tuple[tuple[Any, Callable[[Contribution], Any], int], ...] = (
    (_l("ID"), lambda c: c.id, 8),
    (_l("Draft number"), lambda c: c.document.number, 16),
    (_l("Draft"), lambda c: c.document.title, 50),
    (_l("Stage"), lambda c: stage_label(c.stage, _lang()), 28),
    (_l("Kind of work"), lambda c: c.work_kind.name, 36),
    (_l("Deliverable"), lambda c: c.title, 50),
    (_l("Unit"), lambda c: c.unit.code, 14),
    (_l("Due date"), lambda c: c.due_date, 12),
    (_l("Delivered"), lambda c: c.delivered_date, 12),
    (_l("Late"), lambda c: rules.is_late(c.due_date, c.delivered_date), 8),
    (_l("State"), lambda c: str(STATE_LABELS.get(c.state, c.state)), 14),
    (_l("Quality"), lambda c: c.quality or "", 14),
    (_l("Outcome"), lambda c: c.outcome or "", 16),
    (_l("Version"), lambda c: _seq(c.version), 9),
    (_l("Articles"), lambda c: ", ".join(c.articles or []), 20),
    (_l("Note"), lambda c: c.note, 40),
    (_l("File"), lambda c: c.file.name if c.file else "", 24),
)


def headings() -> list[str]:
    return [str(heading) for heading, _value, _width in COLUMNS]


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    # A cell starting with = + - @ is a formula to Excel: keep it text (CSV injection).
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def to_csv(rows: Sequence[Contribution]) -> bytes:
    """UTF-8 with a BOM, dates as ISO text, booleans as 1/0."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headings())
    for row in rows:
        writer.writerow([_csv_value(value(row)) for _h, value, _w in COLUMNS])
    return out.getvalue().encode("utf-8-sig")


def _xlsx_value(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("=",):
        return "'" + value  # openpyxl writes any string starting with = as a formula
    return value


def to_xlsx(rows: Sequence[Contribution]) -> bytes:
    """Two sheets: the contributions (bold frozen header, widths, dates as dates, a filter) and
    the totals of those rows by delivery year and state."""
    from openpyxl import Workbook  # imported here: only exports need it
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = str(_l("Contributions"))[:31]
    sheet.append(headings())
    for row in rows:
        sheet.append([_xlsx_value(value(row)) for _h, value, _w in COLUMNS])
    bold = Font(bold=True)
    for index, (_heading, _value, width) in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = width
        sheet.cell(row=1, column=index).font = bold
        for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
            if isinstance(cell.value, dt.date):
                cell.number_format = DATE_FORMAT
    sheet.freeze_panes = "A2"
    if rows:
        sheet.auto_filter.ref = sheet.dimensions

    totals = rules.tally_years(((c.delivered_date, c.due_date, c.state) for c in rows), STATES)
    summary = book.create_sheet(str(_l("Totals"))[:31])
    header = [str(_l("Delivery year")), *[str(STATE_LABELS[s]) for s in STATES]]
    header += [str(_l("Late")), str(_l("Total"))]
    summary.append(header)
    for line in totals:
        summary.append([line["year"], *[line[s] for s in STATES], line["late"], line["total"]])
    if totals:
        summary.append(
            [
                str(_l("All years")),
                *[sum(line[s] for line in totals) for s in STATES],
                sum(line["late"] for line in totals),
                sum(line["total"] for line in totals),
            ]
        )
    for index in range(1, len(header) + 1):
        summary.cell(row=1, column=index).font = bold
        summary.column_dimensions[get_column_letter(index)].width = 14
    summary.freeze_panes = "A2"

    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def filename(year: int | None, ext: str, state: str | None = None) -> str:
    """An ASCII file name (browsers still mangle others): contributions-2026-verified.xlsx."""
    parts = ["contributions", *([str(year)] if year else []), *([state] if state else [])]
    return f"{'-'.join(parts)}.{ext}"
