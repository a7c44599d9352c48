"""The rules a contribution must satisfy, whatever the input: pure functions of plain values.

Kept apart from the services so that each rule can be read (and tested) on its own, and so the
logging form, the API, the historical import and the load benchmark all meet the same checks.
Each failure is a `lis.errors.ValidationError` naming the field the user must correct.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any

from lis.errors import ValidationError

MAX_TITLE = 500
MAX_NOTE = 10_000
MAX_REASON = 2_000
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_FILE_NAME = 255
MAX_CONTENT_TYPE = 100
MAX_ARTICLES = 500
MAX_ARTICLE_PATH = 200
MAX_IDEMPOTENCY_KEY = 100
MAX_DUE_YEARS = 5
# An act enacted outside LIS has no record of its drafting: advice on it is taken up to this
# many years (one NA term) before its issue; an earlier date is taken for a typo.
MAX_DRAFTING_YEARS = 5
MAX_ID = 2**31 - 1
IDEMPOTENCY_HEADER = "Idempotency-Key"
# Visible ASCII only: a key travels in an HTTP header and is compared byte for byte.
_KEY = re.compile(r"^[\x21-\x7e]{1,100}$")
_CONTENT_TYPE = re.compile(r"^[\w.+-]+/[\w.+-]+$")


@dataclass(frozen=True)
class Upload:
    """A deliverable's file as received: any type, kept whole with its checksum."""

    name: str
    content_type: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


# --- plain values ------------------------------------------------------------------------------
def no_nul(value: str, field: str) -> str:
    """PostgreSQL text cannot hold NUL: refuse it with the field's name, not a driver error."""
    if "\x00" in value:
        raise ValidationError(f"{field} contains a NUL character", {field: "NUL character"})
    return value


def clean_title(value: Any) -> str:
    title = " ".join(str(value or "").split())
    if not title:
        raise ValidationError("the deliverable needs a title", {"title": "required"})
    if len(title) > MAX_TITLE:
        raise ValidationError(
            f"the title is longer than {MAX_TITLE} characters",
            {"title": f"at most {MAX_TITLE} characters"},
        )
    return no_nul(title, "title")


def clean_text(value: Any, field: str, limit: int) -> str:
    text = str(value or "").strip()
    if len(text) > limit:
        raise ValidationError(
            f"{field} is longer than {limit} characters", {field: f"at most {limit} characters"}
        )
    return no_nul(text, field)


def as_date(value: Any, field: str, *, required: bool = False) -> dt.date | None:
    """A date from a date or an ISO string (the form and the import send text)."""
    if value is None or value == "":
        if required:
            raise ValidationError(f"{field} is required", {field: "required"})
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValidationError(
            f"{field} is not a date (YYYY-MM-DD)", {field: "not a date"}
        ) from None


def as_id(value: Any, field: str) -> int | None:
    """A database id or None; anything else (or out of range) is a 422 naming the field."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValidationError(f"{field} must be an id", {field: "not an id"})
    try:
        number = int(str(value).strip()) if not isinstance(value, int) else value
    except ValueError:
        raise ValidationError(f"{field} must be an id", {field: "not an id"}) from None
    if not 0 < number <= MAX_ID:
        raise ValidationError(f"{field} must be an id", {field: "not an id"})
    return number


def idempotency_key(value: str | None) -> str | None:
    if value is None:
        return None
    key = value.strip()
    if not key:
        return None
    if not _KEY.match(key):
        raise ValidationError(
            f"the {IDEMPOTENCY_HEADER} must be 1-{MAX_IDEMPOTENCY_KEY} visible ASCII characters",
            {IDEMPOTENCY_HEADER: "invalid"},
        )
    return key


# --- procedure ---------------------------------------------------------------------------------
def check_stage(
    stage: str, machine_stages: Sequence[str], current: str | None, history: Iterable[str] = ()
) -> None:
    """The stage is one of the draft's procedure and not ahead of it.

    "Ahead" is judged in the machine's declared order of stages: a stage the draft has been
    through (its history) is always fine, as is any stage declared before the current one;
    later stages are not (advice cannot be given on a step the draft has not reached).
    """
    if stage not in machine_stages:
        raise ValidationError(
            f"{stage[:40]} is not a stage of this draft's procedure",
            {"stage": "not a stage of this draft's procedure"},
        )
    if stage == current or stage in set(history) or current not in machine_stages:
        return
    if machine_stages.index(stage) > machine_stages.index(current):
        raise ValidationError(
            f"the draft has not reached {stage} yet (it is at {current})",
            {"stage": f"after the draft's current stage {current}"},
        )


def check_work_kind_stage(code: str, kind_stages: Sequence[str], stage: str) -> None:
    if kind_stages and stage not in kind_stages:
        raise ValidationError(
            f"{code} is work for the stages {', '.join(kind_stages)}",
            {"work_kind": f"not work for stage {stage}"},
        )


# --- dates -------------------------------------------------------------------------------------
def years_after(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def check_delivered(delivered: dt.date, draft_since: dt.date, today: dt.date) -> None:
    if delivered < draft_since:
        raise ValidationError(
            f"the delivery date is before the draft existed ({draft_since.isoformat()})",
            {"delivered_date": f"before the draft existed ({draft_since.isoformat()})"},
        )
    if delivered > today:
        raise ValidationError(
            "the delivery date is in the future", {"delivered_date": "in the future"}
        )


def check_due(due: dt.date | None, draft_since: dt.date, recorded: dt.date | None = None) -> None:
    """Not before the draft existed, and at most MAX_DUE_YEARS after it was recorded in LIS
    (`recorded`, default `draft_since`): a typo'd year (2062) would otherwise make the work
    look on time forever. Historical work has an earlier `draft_since` than its record's date,
    and the upper bound must not shrink with it."""
    if due is None:
        return
    if due < draft_since:
        raise ValidationError(
            f"the due date is before the draft existed ({draft_since.isoformat()})",
            {"due_date": f"before the draft existed ({draft_since.isoformat()})"},
        )
    if due > years_after(recorded or draft_since, MAX_DUE_YEARS):
        raise ValidationError(
            f"the due date is more than {MAX_DUE_YEARS} years after the draft was created",
            {"due_date": f"more than {MAX_DUE_YEARS} years after the draft"},
        )


def is_late(due: dt.date | None, delivered: dt.date | None) -> bool:
    return due is not None and delivered is not None and delivered > due


def tally_years(
    items: Iterable[tuple[dt.date, dt.date | None, str]], states: Sequence[str]
) -> list[dict[str, int]]:
    """Per delivery year, latest first: {"year", "total", "late", and a count per state}, from
    (delivered_date, due_date, state) triples."""
    by_year: dict[int, dict[str, int]] = {}
    for delivered, due, state in items:
        counts = by_year.setdefault(
            delivered.year,
            {"year": delivered.year, "total": 0, "late": 0, **dict.fromkeys(states, 0)},
        )
        counts[state] = counts.get(state, 0) + 1
        counts["total"] += 1
        counts["late"] += int(is_late(due, delivered))
    return [by_year[year] for year in sorted(by_year, reverse=True)]


# --- articles and files ------------------------------------------------------------------------
def clean_articles(value: Any) -> list[str]:
    """A list of article paths ("dieu-5"), in the order given, without repeats."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        value = [part for part in re.split(r"[,\s]+", value) if part]
    if not isinstance(value, list | tuple):
        raise ValidationError("articles must be a list of paths", {"articles": "not a list"})
    out: list[str] = []
    for item in value:
        if not isinstance(item, str) or not item.strip():
            raise ValidationError("articles must be a list of paths", {"articles": "not a path"})
        path = item.strip()
        if len(path) > MAX_ARTICLE_PATH:
            raise ValidationError("an article path is too long", {"articles": "too long"})
        no_nul(path, "articles")
        if path not in out:
            out.append(path)
    if len(out) > MAX_ARTICLES:
        raise ValidationError(
            f"at most {MAX_ARTICLES} articles", {"articles": f"at most {MAX_ARTICLES}"}
        )
    return out


def check_articles(paths: Sequence[str], known: Iterable[str], version_seq: int) -> None:
    missing = [p for p in paths if p not in set(known)]
    if missing:
        raise ValidationError(
            f"version {version_seq} has no article {', '.join(missing[:5])}",
            {"articles": f"not articles of version {version_seq}: {', '.join(missing[:5])}"},
        )


def clean_upload(upload: Upload) -> Upload:
    """Any type is accepted; the size is capped and the name reduced to its last component."""
    if not isinstance(upload.data, bytes | bytearray):
        raise ValidationError("the file could not be read", {"file": "unreadable"})
    if not upload.data:
        raise ValidationError("the file is empty", {"file": "empty"})
    if len(upload.data) > MAX_FILE_BYTES:
        raise ValidationError(
            f"the file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB",
            {"file": f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MB"},
        )
    raw = str(upload.name or "").replace("\x00", "")
    name = PureWindowsPath(PurePosixPath(raw).name).name.strip() or "file"
    if len(name) > MAX_FILE_NAME:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: MAX_FILE_NAME - len(ext) - 1] + dot + ext) if dot and len(ext) < 20 else ""
        name = name or raw[:MAX_FILE_NAME]
    content_type = (upload.content_type or "").split(";")[0].strip().lower()
    if not _CONTENT_TYPE.match(content_type) or len(content_type) > MAX_CONTENT_TYPE:
        content_type = "application/octet-stream"
    return Upload(name=name, content_type=content_type, data=bytes(upload.data))


# --- idempotent replays ------------------------------------------------------------------------
REPLAY_KEYS: tuple[str, ...] = (
    "document",
    "stage",
    "work_kind",
    "title",
    "delivered_date",
    "due_date",
    "assignment_id",
    "version",
    "articles",
    "note",
    "person_id",
    "unit",
)


def _normal(key: str, value: Any) -> Any:
    """One form for a request value and a stored one, so a retried request compares equal."""
    if value is None or value == "":
        return None
    if key in ("delivered_date", "due_date"):
        try:
            return as_date(value, key)
        except ValidationError:
            return str(value)
    if key in ("assignment_id", "version", "person_id"):
        try:
            return as_id(value, key)
        except ValidationError:
            return str(value)
    if key == "articles":
        try:
            return clean_articles(value) or None
        except ValidationError:
            return str(value)
    if key == "title":
        return " ".join(str(value).split())
    return str(value).strip()


def replay_differences(
    data: Mapping[str, Any], stored: Mapping[str, Any], upload_sha256: str | None
) -> list[str]:
    """The keys where a retried request differs from the contribution its key made.

    Keys the request leaves out (or sends empty) took their defaults the first time too, so
    only values it sends are compared (plus the file: sending one, or a different one, is a
    different request)."""
    diffs = [
        key
        for key in REPLAY_KEYS
        if _normal(key, data.get(key)) is not None
        and _normal(key, data.get(key)) != _normal(key, stored.get(key))
    ]
    if upload_sha256 != stored.get("file_sha256"):
        diffs.append("file")
    return diffs
