"""Importing past contributions from an XLSX sheet, all or nothing, with a row-by-row report.

Heads bring in the work their units did before LIS existed, from the spreadsheets they kept.
Every row goes through :func:`lis.contributions.services.log_contribution` (with source
"imported"), so an imported contribution meets the rules a logged one does: the head may only
import for people of their unit and sub-units, the person must belong to the unit, dates must
be sane for the document, and so on. Being past work, a row may concern an act enacted before
LIS (found by its id or number like a draft), and its dates are judged against the document's
own dates rather than the day its LIS record was made (see ``services._since``). Imported rows
are "submitted": heads verify them as usual.

Why it works the way it does:

* **All or nothing.** A half-imported sheet is worse than none: the head cannot tell which rows
  went in. Each row is tried inside its own SAVEPOINT (so one bad row does not spoil the
  session for the next) and the whole sheet inside an outer one; if any row fails, the outer
  savepoint is rolled back and :class:`ImportRefused` carries the report of every refused row
  (row number, field, reason). Only a sheet whose every row passes stays in the caller's
  transaction, which the view commits.
* **Idempotent.** A row's idempotency key is the hash of its content, and keys are scoped to the
  user who logs (the importer), so uploading the same sheet again finds the rows it made and
  creates nothing (a row repeated within a sheet is likewise imported once).
* **Bounded.** At most MAX_BYTES and MAX_ROWS; openpyxl reads in read-only mode (streaming) and
  only the first MAX_COLUMNS columns, so a large or hostile file costs little before it is
  refused. Anything that is not an XLSX workbook is a 422 naming ``file``.
* **Columns by name.** Header cells are matched folded (no case, no diacritics) against the
  Vietnamese and English names of the columns and their keys, so a sheet whose columns were
  reordered or whose headers were retyped still imports.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from lis import clock
from lis.audit.services import record
from lis.documents.models import Document
from lis.drafts.machine import STAGES
from lis.errors import DomainError, ValidationError
from lis.people.models import Person
from lis.reference.models import Unit, WorkKind
from search.analysis import fold, number_key

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
MAX_COLUMNS = 30
MAX_CELL = 10_000
ENTITY = "contribution_import"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_XLSX_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls


@dataclass(frozen=True)
class Column:
    """A column of the sheet; ``key`` is also the field name the logging service reports."""

    key: str
    label_vi: str
    label_en: str
    required: bool = False
    example: Any = ""

    def label(self, lang: str = "vi") -> str:
        return self.label_en if lang.startswith("en") else self.label_vi


COLUMNS: tuple[Column, ...] = (
    Column("document", "Dự thảo (mã hoặc số)", "Draft (id or number)", True, "du-thao-2024-001"),
    Column("stage", "Giai đoạn", "Stage", True, "Thẩm tra"),
    Column("work_kind", "Loại công việc (mã)", "Work kind (code)", True, "VERIFY_REPORT"),
    Column("person", "Email người thực hiện", "Person e-mail", True, "nguyen.van.a@quochoi.vn"),
    Column("unit", "Đơn vị (mã)", "Unit (code)", False, "UB-PLTP-V"),
    Column("title", "Tên sản phẩm", "Deliverable title", True, "Báo cáo thẩm tra dự án Luật"),
    Column("due_date", "Hạn hoàn thành", "Due date", False, dt.date(2024, 3, 15)),
    Column("delivered_date", "Ngày hoàn thành", "Delivered date", True, dt.date(2024, 3, 14)),
    Column("version", "Phiên bản (số thứ tự)", "Version (seq)", False, 1),
    Column("articles", "Các điều", "Articles", False, "Điều 5, Điều 7"),
    Column("note", "Ghi chú", "Note", False, ""),
)
BY_KEY: dict[str, Column] = {c.key: c for c in COLUMNS}
# Fields the logging service may name that are not columns, mapped to the column to correct.
_FIELD_COLUMN = {"person_id": "person", "assignment_id": "document", "Idempotency-Key": "row"}
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y")
_ARTICLE = re.compile(r"^(?:dieu)?[\s\-]*(\d{1,4}[a-z]?)$")
_PATH = re.compile(r"^dieu-\d{1,4}[a-z]?(?:/[a-z0-9\-~]+)*$")


@dataclass(frozen=True)
class RowError:
    """Why one row was refused: the sheet row number (the header is row 1) and the field."""

    row: int
    field: str
    reason: str
    message: str = ""

    @property
    def column(self) -> Column | None:
        return BY_KEY.get(self.field)

    def to_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "field": self.field,
            "reason": self.reason,
            "message": self.message,
        }


@dataclass(frozen=True)
class RowDone:
    row: int
    contribution_id: int
    created: bool  # False: the same row was imported before (or earlier in this sheet)

    def to_dict(self) -> dict[str, Any]:
        return {"row": self.row, "contribution_id": self.contribution_id, "created": self.created}


@dataclass
class ImportReport:
    filename: str
    sha256: str
    rows: int = 0
    done: list[RowDone] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def created(self) -> int:
        return sum(1 for d in self.done if d.created)

    @property
    def already_imported(self) -> int:
        return sum(1 for d in self.done if not d.created)

    @property
    def refused_rows(self) -> int:
        return len({e.row for e in self.errors})

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.filename,
            "sha256": self.sha256,
            "rows": self.rows,
            "created": self.created if self.ok else 0,
            "already_imported": self.already_imported if self.ok else 0,
            "refused": self.refused_rows,
            "imported": self.ok,
            "results": [d.to_dict() for d in self.done] if self.ok else [],
            "errors": [e.to_dict() for e in self.errors],
        }


class ImportRefused(ValidationError):
    """Some rows were refused, so nothing was imported; ``report`` says which and why."""

    def __init__(self, report: ImportReport) -> None:
        rows = report.refused_rows
        super().__init__(
            f"{rows} of {report.rows} rows were refused; nothing was imported",
            {"rows": [e.to_dict() for e in report.errors]},
        )
        self.report = report


# --- reading the workbook ----------------------------------------------------------------------
def _file_error(message: str, problem: str) -> ValidationError:
    return ValidationError(message, {"file": problem})


def _header_names(column: Column) -> set[str]:
    names = {column.key, column.label_vi, column.label_en}
    out = set()
    for name in names:
        folded = " ".join(fold(name).replace("_", " ").split())
        out.add(folded)
        out.add(folded.split("(")[0].strip())
    if column.key == "person":
        out |= {"email", "e-mail", "e mail"}
    return out


_HEADERS = {name: column.key for column in COLUMNS for name in _header_names(column)}


def _map_header(cells: tuple[Any, ...]) -> dict[str, int]:
    """Column key → index, from the header row; a missing required column refuses the file."""
    found: dict[str, int] = {}
    for index, cell in enumerate(cells):
        if cell is None:
            continue
        text = " ".join(fold(str(cell)[:200]).replace("_", " ").split())
        key = _HEADERS.get(text) or _HEADERS.get(text.split("(")[0].strip())
        if key and key not in found:
            found[key] = index
    missing = [c.key for c in COLUMNS if c.required and c.key not in found]
    if missing:
        raise _file_error(
            "the first row must name the columns; missing: " + ", ".join(missing),
            "missing columns: " + ", ".join(missing),
        )
    return found


def _blank(cells: tuple[Any, ...]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def read_sheet(data: bytes) -> list[tuple[int, dict[str, Any]]]:
    """(sheet row number, {column key: cell value}) for each non-blank data row.

    Raises ValidationError naming ``file`` for anything that is not a usable XLSX sheet.
    """
    from openpyxl import load_workbook

    if not data:
        raise _file_error("the file is empty", "empty")
    if len(data) > MAX_BYTES:
        raise _file_error(
            f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB",
            f"larger than {MAX_BYTES // (1024 * 1024)} MB",
        )
    if data.startswith(_OLE_MAGIC):
        raise _file_error("save the sheet as .xlsx (Excel 2007 or later)", "not an XLSX workbook")
    if not data.startswith(_XLSX_MAGIC):
        raise _file_error("the file is not an XLSX workbook", "not an XLSX workbook")
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError, IndexError) as exc:
        raise _file_error("the file is not an XLSX workbook", "not an XLSX workbook") from exc
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        raise _file_error("the workbook cannot be read", "unreadable workbook") from exc
    try:
        return list(_rows(book))
    except ValidationError:
        raise
    except Exception as exc:
        raise _file_error("the workbook cannot be read", "unreadable workbook") from exc
    finally:
        book.close()


def _rows(book: Any) -> Iterator[tuple[int, dict[str, Any]]]:
    if not book.worksheets:
        raise _file_error("the workbook has no sheet", "no sheet")
    sheet = book.worksheets[0]
    rows = sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True)
    header: dict[str, int] | None = None
    count = 0
    for number, cells in enumerate(rows, start=1):
        cells = tuple(cells)
        if _blank(cells):
            continue
        if header is None:
            header = _map_header(cells)
            continue
        count += 1
        if count > MAX_ROWS:
            raise _file_error(
                f"the sheet has more than {MAX_ROWS} rows", f"more than {MAX_ROWS} rows"
            )
        yield number, {key: cells[i] if i < len(cells) else None for key, i in header.items()}
    if header is None or count == 0:
        raise _file_error("the sheet has no rows to import", "no rows")


# --- one row -----------------------------------------------------------------------------------
def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()[:MAX_CELL]


def parse_date(value: Any, name: str) -> dt.date | None:
    """A date cell, or text in ISO or Vietnamese (dd/mm/yyyy) order."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        from openpyxl.utils.datetime import from_excel

        try:
            day = from_excel(value)
        except (ValueError, OverflowError, TypeError):
            day = None
        if isinstance(day, dt.datetime):
            return day.date()
        raise ValidationError(f"{name} is not a date", {name: "not a date"})
    text = _text(value)
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValidationError(f"{name} is not a date (dd/mm/yyyy)", {name: "not a date"})


def parse_articles(value: Any) -> list[str]:
    """ "Điều 5, Điều 7a" or "dieu-5; dieu-7a" → ["dieu-5", "dieu-7a"]."""
    out: list[str] = []
    for item in re.split(r"[,;\n]+", _text(value)):
        raw = item.strip()
        if not raw:
            continue
        folded = fold(raw).strip().rstrip(".")
        if _PATH.match(folded):
            path = folded
        else:
            match = _ARTICLE.match(folded)
            if match is None:
                raise ValidationError(
                    f"{raw[:40]!r} is not an article (write Điều 5 or dieu-5)",
                    {"articles": f"not an article: {raw[:40]}"},
                )
            path = f"dieu-{match.group(1)}"
        if path not in out:
            out.append(path)
    return out


def parse_version(value: Any) -> int | None:
    text = _text(value)
    if not text:
        return None
    if not text.isdigit() or not 0 < int(text) < 100_000:
        raise ValidationError(
            "the version is a version's number (1, 2…)", {"version": "not a number"}
        )
    return int(text)


class _Lookups:
    """Drafts, people and stage labels found once per import (a sheet repeats them)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.documents: dict[str, str] = {}
        self.people: dict[str, int] = {}
        self.stage_labels = {fold(s.label_vi): code for code, s in STAGES.items()} | {
            fold(s.label_en): code for code, s in STAGES.items()
        }

    def document(self, value: Any) -> str:
        text = _text(value)
        if not text:
            raise ValidationError("name the draft (its id or number)", {"document": "required"})
        if text in self.documents:
            return self.documents[text]
        found = self.session.scalar(
            select(Document.external_id).where(Document.external_id == text)
        )
        key = number_key(text)[:120]
        if found is None and key:
            # Drafts and enacted acts alike: past advice was often on a law since passed.
            ids = list(
                self.session.scalars(
                    select(Document.external_id).where(Document.number_key == key).limit(2)
                )
            )
            if len(ids) > 1:
                raise ValidationError(
                    f"several documents have the number {text[:60]}; use the document's id",
                    {"document": "ambiguous number"},
                )
            found = ids[0] if ids else None
        if found is None:
            raise ValidationError(f"no draft or act {text[:60]!r}", {"document": "unknown"})
        self.documents[text] = found
        return found

    def stage(self, value: Any) -> str:
        text = _text(value)
        if not text:
            raise ValidationError("name the stage", {"stage": "required"})
        if text.upper() in STAGES:
            return text.upper()
        code = self.stage_labels.get(fold(text))
        if code is None:
            raise ValidationError(f"no stage {text[:60]!r}", {"stage": "unknown"})
        return code

    def person(self, value: Any) -> int:
        email = _text(value).lower()
        if not email:
            raise ValidationError("give the person's e-mail", {"person": "required"})
        if email not in self.people:
            found = self.session.scalar(select(Person.id).where(func.lower(Person.email) == email))
            if found is None:
                raise ValidationError(f"nobody has the e-mail {email[:80]}", {"person": "unknown"})
            self.people[email] = found
        return self.people[email]


def row_data(
    lookups: _Lookups, cells: dict[str, Any]
) -> tuple[dict[str, Any], list[tuple[str, str, str]]]:
    """The logging service's `data` for a row, and the (field, reason, message) found wrong
    before it (every field is checked, so one pass shows all of a row's mistakes)."""
    data: dict[str, Any] = {"note": _text(cells.get("note"))}
    problems: list[tuple[str, str, str]] = []
    steps = (
        ("document", lambda: lookups.document(cells.get("document"))),
        ("stage", lambda: lookups.stage(cells.get("stage"))),
        ("work_kind", lambda: _text(cells.get("work_kind")).upper()),
        ("person_id", lambda: lookups.person(cells.get("person"))),
        ("unit", lambda: _text(cells.get("unit")).upper() or None),
        ("title", lambda: _text(cells.get("title"))),
        ("due_date", lambda: parse_date(cells.get("due_date"), "due_date")),
        ("delivered_date", lambda: parse_date(cells.get("delivered_date"), "delivered_date")),
        ("version", lambda: parse_version(cells.get("version"))),
        ("articles", lambda: parse_articles(cells.get("articles"))),
    )
    for key, step in steps:
        try:
            data[key] = step()
        except ValidationError as exc:
            for name, reason in (exc.fields or {key: "invalid"}).items():
                problems.append((name, str(reason), exc.message))
    if not problems and data["delivered_date"] is None:
        problems.append(("delivered_date", "required", "the delivery date is required"))
    # Empty optional cells take the service's defaults (the person's unit, no due date…).
    return {k: v for k, v in data.items() if v not in (None, "", [])}, problems


def row_key(data: dict[str, Any]) -> str:
    """The row's idempotency key: a hash of what it says (the importer scopes it)."""
    canonical = json.dumps(data, sort_keys=True, default=str, ensure_ascii=False)
    return "xlsx-" + hashlib.sha256(canonical.encode()).hexdigest()


def _column_of(name: str) -> str:
    return _FIELD_COLUMN.get(name, name)


def _errors_of(row: int, exc: DomainError, default: str) -> list[RowError]:
    fields = exc.fields or {default: exc.code}
    return [
        RowError(row, _column_of(str(name)), str(reason)[:300], exc.message[:500])
        for name, reason in fields.items()
    ]


# --- the import --------------------------------------------------------------------------------
def import_sheet(
    session: Session,
    actor: Any,
    data: bytes,
    filename: str = "",
    *,
    today: dt.date | None = None,
) -> ImportReport:
    """Import every row of the sheet as `actor`, or none of them (see the module docstring).

    Returns the report of a sheet that went in whole; raises ImportRefused with the report
    when any row was refused, and ValidationError naming ``file`` for an unusable file.
    """
    from lis.contributions.services import log_contribution

    report = ImportReport(filename=(filename or "")[:255], sha256=hashlib.sha256(data).hexdigest())
    rows = read_sheet(data)
    report.rows = len(rows)
    lookups = _Lookups(session)
    outer = session.begin_nested()
    try:
        for number, cells in rows:
            values, problems = row_data(lookups, cells)
            if problems:
                report.errors.extend(
                    RowError(number, _column_of(f), r[:300], m[:500]) for f, r, m in problems
                )
                continue
            try:
                with session.begin_nested():
                    row, created = log_contribution(
                        session,
                        actor,
                        values,
                        idempotency_key=row_key(values),
                        today=today,
                        source="imported",
                    )
            except DomainError as exc:
                report.errors.extend(_errors_of(number, exc, "row"))
                continue
            except SQLAlchemyError as exc:  # a constraint the rules did not foresee
                report.errors.append(
                    RowError(number, "row", "refused by the database", str(exc)[:200])
                )
                continue
            report.done.append(RowDone(number, row.id, created))
    except BaseException:
        outer.rollback()
        raise
    if not report.ok:
        outer.rollback()
        raise ImportRefused(report)
    outer.commit()
    record(
        session,
        actor=actor,
        action="import",
        entity=ENTITY,
        entity_id=report.sha256[:16],
        summary=(
            f"imported {report.filename or 'a sheet'}: {report.created} new, "
            f"{report.already_imported} already imported, of {report.rows} rows"
        ),
        after={
            "file": report.filename,
            "sha256": report.sha256,
            "rows": report.rows,
            "created": report.created,
            "already_imported": report.already_imported,
            "contributions": [d.contribution_id for d in report.done if d.created][:MAX_ROWS],
        },
    )
    return report


# --- the template ------------------------------------------------------------------------------
def template_xlsx(session: Session, lang: str = "vi") -> bytes:
    """A workbook to fill in: the header row, an example row, and a sheet of the valid codes."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    en = lang.startswith("en")
    book = Workbook()
    sheet = book.active
    sheet.title = "Contributions" if en else "Dong gop"
    sheet.append([c.label(lang) for c in COLUMNS])
    sheet.append([c.example for c in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for cell in sheet[2]:
        cell.font = Font(italic=True, color="666666")
        if isinstance(cell.value, dt.date):
            cell.number_format = "dd/mm/yyyy"
    for index, column in enumerate(COLUMNS):
        sheet.column_dimensions[chr(ord("A") + index)].width = max(14, len(column.label(lang)) + 4)
    sheet.freeze_panes = "A2"

    codes = book.create_sheet("Codes" if en else "Ma")
    bold = Font(bold=True)
    codes.append(["Stages" if en else "Giai đoạn"])
    codes.append(["code", "label (vi)", "label (en)"] if en else ["mã", "tên", "tên tiếng Anh"])
    for code, info in STAGES.items():
        codes.append([code, info.label_vi, info.label_en])
    codes.append([])
    codes.append(["Work kinds" if en else "Loại công việc"])
    codes.append(["code", "name", "stages"] if en else ["mã", "tên", "giai đoạn"])
    for kind in session.scalars(select(WorkKind).order_by(WorkKind.code)):
        codes.append([kind.code, kind.name_en if en else kind.name, ", ".join(kind.stages or [])])
    codes.append([])
    codes.append(["Units" if en else "Đơn vị"])
    codes.append(["code", "name"] if en else ["mã", "tên"])
    day = clock.today()
    for unit in session.scalars(select(Unit).order_by(Unit.code)):
        if unit.valid_to is None or day < unit.valid_to:
            codes.append([unit.code, unit.name_en if en and unit.name_en else unit.name])
    for row in codes.iter_rows():
        if row and row[0].value in (
            "Stages",
            "Giai đoạn",
            "Work kinds",
            "Loại công việc",
            "Units",
            "Đơn vị",
        ):
            row[0].font = bold
    codes.column_dimensions["A"].width = 24
    codes.column_dimensions["B"].width = 60
    codes.column_dimensions["C"].width = 40
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
