"""Importing the corpus format: validation, idempotency, versions, batches and the CLI."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from lis.audit.models import AuditEvent
from lis.db import db
from lis.documents import importer
from lis.documents.models import Document, Version, VersionPart
from lis.indexing.models import OutboxEntry

TEXT = (
    "Điều 1. Phạm vi điều chỉnh\n1. Luật này quy định về hòa giải.\n\nĐiều 2. Đối tượng\nCơ quan."
)


def record(**over: Any) -> dict[str, Any]:
    base = {
        "id": "t-import-1",
        "number": "99/2099/QH99",
        "title": "Luật Hòa giải thử",
        "doc_type": "Luật",
        "issuer": "Uỷ ban thường vụ Quốc hội",
        "issued_date": "2020-01-02",
        "effective_date": None,
        "status": "unknown",
        "metadata_complete": True,
        "text_kind": "codified_articles",
        "topics": ["Hòa giải"],
        "text": TEXT,
    }
    base.update(over)
    return base


def write(path: Path, rows: list[Any], gz: bool = False) -> Path:
    lines = [r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in rows]
    data = "\n".join(lines) + "\n"
    if gz:
        with gzip.open(path, "wt", encoding="utf-8") as fh:
            fh.write(data)
    else:
        path.write_text(data, encoding="utf-8")
    return path


def lines_of(rows: list[Any]) -> list[importer.Line]:
    return list(
        importer.read_lines(
            r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in rows
        )
    )


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "expected a JSON object"),
        (record(id=None), "id is null"),
        ({k: v for k, v in record().items() if k != "title"}, "missing field 'title'"),
        (record(text=5), "text must be a string"),
        (record(issued_date="2021-02-30"), "issued_date is not a valid date"),
        (record(issued_date=20210101), "issued_date must be a date string"),
        (record(doc_type="Công văn"), "unknown doc_type"),
        (record(topics="x"), "topics must be a list"),
        (record(title="   "), "title is empty"),
    ],
)
def test_bad_lines_are_reported_with_reason(raw: Any, reason: str) -> None:
    (line,) = lines_of([raw])
    assert line.record is None
    assert reason in (line.error or "")


def test_record_is_normalised() -> None:
    (line,) = lines_of([record(number=None)])
    assert line.record is not None
    assert line.record.kind == "law"
    assert line.record.number == ""  # a few 1957 laws have no number in the source


def test_create_then_idempotent(db_session: Any) -> None:
    stats = importer.import_batch(db_session, lines_of([record()]))
    assert (stats.created, stats.updated, stats.unchanged) == (1, 0, 0)
    doc = db_session.scalar(select(Document).where(Document.external_id == "t-import-1"))
    assert doc.issuer_normalized == "Ủy ban Thường vụ Quốc hội"
    assert doc.number_key == "99/2099/qh99"
    assert [v.seq for v in doc.versions] == [1]
    parts = db_session.scalars(
        select(VersionPart)
        .where(VersionPart.version_id == doc.versions[0].id)
        .order_by(VersionPart.ordinal)
    ).all()
    assert [p.path for p in parts] == ["dieu-1", "dieu-1/khoan-1", "dieu-2"]
    assert doc.versions[0].text[parts[2].start :].startswith("Điều 2.")

    again = importer.import_batch(db_session, lines_of([record()]))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)


def test_changed_text_makes_a_new_version(db_session: Any) -> None:
    importer.import_batch(db_session, lines_of([record()]))
    stats = importer.import_batch(db_session, lines_of([record(text=TEXT + "\n\nĐiều 3. Mới\nA.")]))
    assert (stats.updated, stats.new_versions) == (1, 1)
    doc = db_session.scalar(select(Document).where(Document.external_id == "t-import-1"))
    assert [v.seq for v in doc.versions] == [1, 2]
    assert doc.versions[0].text == TEXT  # the old version is kept as it was


def test_an_id_twice_in_one_batch_is_applied_in_file_order(db_session: Any) -> None:
    """The same as two batches (or a re-run): the second line updates the first."""
    second_text = TEXT + "\n\nĐiều 3. Mới\nA."
    stats = importer.import_batch(
        db_session, lines_of([record(), record(id="t-import-2"), record(text=second_text)])
    )
    assert (stats.created, stats.updated, stats.new_versions) == (2, 1, 1)
    assert len(stats.changed) == 2
    doc = db_session.scalar(select(Document).where(Document.external_id == "t-import-1"))
    assert [v.text for v in doc.versions] == [TEXT, second_text]


def test_the_import_is_audited_per_document(db_session: Any) -> None:
    def events() -> list[AuditEvent]:
        return db_session.scalars(
            select(AuditEvent)
            .where(AuditEvent.entity == "document", AuditEvent.entity_id == "t-import-1")
            .order_by(AuditEvent.id)
        ).all()

    importer.import_batch(db_session, lines_of([record()]))
    importer.import_batch(db_session, lines_of([record()]))  # unchanged: nothing to audit
    importer.import_batch(
        db_session, lines_of([record(title="Luật Hòa giải (sửa)", text=TEXT + " ")])
    )
    db_session.flush()
    created, updated = events()
    assert (created.action, created.actor_email) == ("create", "system")
    assert (
        created.after["number"] == "99/2099/QH99" and created.after["issued_date"] == "2020-01-02"
    )
    assert updated.action == "update"
    assert updated.before == {"title": "Luật Hòa giải thử", "version": 1}
    assert updated.after == {"title": "Luật Hòa giải (sửa)", "version": 2}


@pytest.mark.parametrize(
    ("number", "term"),
    [
        ("52/2014/QH13", "XIII"),
        ("1023/2015/UBTVQH13", "XIII"),
        ("15/2023/QH15", "XV"),
        ("98/2021/NĐ-CP", None),
    ],
)
def test_an_na_act_takes_its_term_from_its_number(
    db_session: Any, number: str, term: str | None
) -> None:
    importer.import_batch(db_session, lines_of([record(number=number)]))
    doc = db_session.scalar(select(Document).where(Document.external_id == "t-import-1"))
    assert (doc.term.code if doc.term else None) == term


def test_changed_metadata_updates_the_document(db_session: Any) -> None:
    importer.import_batch(db_session, lines_of([record()]))
    stats = importer.import_batch(db_session, lines_of([record(title="Luật Hòa giải (sửa)")]))
    assert (stats.updated, stats.new_versions) == (1, 0)
    doc = db_session.scalar(select(Document).where(Document.external_id == "t-import-1"))
    assert doc.title == "Luật Hòa giải (sửa)" and len(doc.versions) == 1


def test_each_change_writes_an_outbox_row_in_the_same_transaction(db_session: Any) -> None:
    before = db_session.scalar(select(func.count()).select_from(OutboxEntry))
    importer.import_batch(db_session, lines_of([record(), record(id="t-import-2")]))
    db_session.flush()
    rows = db_session.scalars(select(OutboxEntry).order_by(OutboxEntry.id.desc()).limit(2)).all()
    assert db_session.scalar(select(func.count()).select_from(OutboxEntry)) == before + 2
    assert {r.external_id for r in rows} == {"t-import-1", "t-import-2"}


def _count(session: Any, model: Any) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_cli_reports_bad_lines_and_summary(app: Flask, db_session: Any, tmp_path: Path) -> None:
    path = write(
        tmp_path / "docs.jsonl",
        [
            record(id="t-cli-1"),
            "{oops",
            record(id="t-cli-2", issued_date="2020-13-01"),
            record(id="t-cli-3"),
        ],
    )
    result = app.test_cli_runner().invoke(args=["import", "documents", str(path)])
    assert result.exit_code == 0, result.output
    assert f"{path}:2: skipped: not valid JSON" in result.output
    assert f"{path}:3: skipped: issued_date is not a valid date" in result.output
    assert "created 2, updated 0 (0 new versions), unchanged 0, skipped 2" in result.output

    again = app.test_cli_runner().invoke(args=["import", "documents", str(path)])
    assert "created 0, updated 0 (0 new versions), unchanged 2, skipped 2" in again.output
    assert _count(db.session(), Document) >= 2


def test_cli_reads_gzip_and_makes_it_searchable(
    app: Flask, db_session: Any, tmp_path: Path, api: Any
) -> None:
    path = write(
        tmp_path / "docs.jsonl.gz",
        [record(id="t-gz-1", title="Luật Khinh khí cầu Zephyrơ")],
        gz=True,
    )
    result = app.test_cli_runner().invoke(args=["import", "documents", str(path)])
    assert "created 1" in result.output, result.output
    hits = api("/api/v1/search", q="zephyro").get_json()["hits"]
    assert [h["id"] for h in hits] == ["t-gz-1"]


def test_interrupted_import_rerun_finishes_without_duplicates(
    app: Flask, db_session: Any, tmp_path: Path
) -> None:
    rows = [record(id=f"t-batch-{i}", number=f"{i}/2099/QH99") for i in range(7)]
    path = write(tmp_path / "docs.jsonl", rows)
    # An earlier run that stopped after its first committed batch of 3:
    partial = write(tmp_path / "partial.jsonl", rows[:3])
    runner = app.test_cli_runner()
    runner.invoke(args=["import", "documents", str(partial), "--batch-size", "3"])
    result = runner.invoke(args=["import", "documents", str(path), "--batch-size", "3"])
    assert "created 4, updated 0 (0 new versions), unchanged 3" in result.output
    ids = (
        db.session()
        .scalars(select(Document.external_id).where(Document.external_id.like("t-batch-%")))
        .all()
    )
    assert sorted(ids) == sorted(r["id"] for r in rows)
    versions = db.session().scalar(
        select(func.count())
        .select_from(Version)
        .join(Document)
        .where(Document.external_id.like("t-batch-%"))
    )
    assert versions == 7


def test_cli_refuses_wrong_file(app: Flask, db_session: Any, tmp_path: Path) -> None:
    runner = app.test_cli_runner()
    missing = runner.invoke(args=["import", "documents", str(tmp_path / "nope.jsonl")])
    assert missing.exit_code != 0 and "does not exist" in missing.output
    other = tmp_path / "docs.csv"
    other.write_text("a,b\n")
    wrong = runner.invoke(args=["import", "documents", str(other)])
    assert wrong.exit_code != 0 and "expected a .jsonl or .jsonl.gz file" in wrong.output
    broken = tmp_path / "broken.jsonl.gz"
    broken.write_bytes(b"not gzip at all")
    bad = runner.invoke(args=["import", "documents", str(broken)])
    assert bad.exit_code != 0 and "cannot read" in bad.output
    all_bad = write(tmp_path / "bad.jsonl", ["{", "[]"])
    res = runner.invoke(args=["import", "documents", str(all_bad)])
    assert res.exit_code == 1 and "skipped 2" in res.output
