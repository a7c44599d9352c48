"""`lis relations suggest`: scan documents' latest versions for cited numbers.

Each document is scanned and committed on its own, so an interrupted run keeps what it found
and a re-run only adds what is new (suggestions are never duplicated).
"""

from __future__ import annotations

import sys
from collections import Counter

import click
from flask.cli import with_appcontext
from sqlalchemy import select
from tqdm import tqdm

from lis.db import db, transaction
from lis.documents.models import Document
from lis.relations import services


@click.group("relations")
def relations_group() -> None:
    """Relations between documents."""


@relations_group.command("suggest")
@click.option("--all", "all_documents", is_flag=True, help="Scan every document.")
@click.option("--doc", "doc_ids", multiple=True, help="Scan this document (its id; repeatable).")
@with_appcontext
def suggest(all_documents: bool, doc_ids: tuple[str, ...]) -> None:
    """Suggest relations from the numbers each document's latest version cites."""
    if all_documents == bool(doc_ids):
        raise click.UsageError("give either --all or --doc ID")
    session = db.session()
    stmt = select(Document.id).order_by(Document.id)
    if doc_ids:
        stmt = stmt.where(Document.external_id.in_(doc_ids))
    ids = list(session.scalars(stmt))
    missing = set(doc_ids) - set(
        session.scalars(select(Document.external_id).where(Document.id.in_(ids)))
    )
    if missing:
        raise click.ClickException(f"no document with id {', '.join(sorted(missing))}")
    kinds: Counter[str] = Counter()
    linked = 0
    with tqdm(total=len(ids), unit=" docs", desc="Scanning", disable=None, file=sys.stderr) as bar:
        for doc_id in ids:
            with transaction(session):
                document = session.get(Document, doc_id)
                assert document is not None
                created = services.suggest_for_document(session, document)
                kinds.update(r.kind for r in created)
                linked += sum(r.target_id is not None for r in created)
            session.expunge_all()
            bar.update(1)
    total = sum(kinds.values())
    detail = ", ".join(f"{kind} {count}" for kind, count in sorted(kinds.items()))
    click.echo(
        f"scanned {len(ids)} documents: {total} new suggestions"
        f"{f' ({detail})' if detail else ''}, {linked} of them to documents in the database"
    )
