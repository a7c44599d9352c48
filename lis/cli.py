"""The `lis` command (also `flask --app lis.app`).

Thin wrappers over the services that commit once per unit of work.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
import threading
import time
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from marshmallow import ValidationError as MarshmallowError
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError, OperationalError, ProgrammingError
from tqdm import tqdm

from emulation.seed import seed_emulation
from lis.auth import services as auth_services
from lis.auth.models import ROLES
from lis.db import db, transaction
from lis.documents.import_job import BATCH as IMPORT_BATCH
from lis.documents.import_job import import_file
from lis.documents.models import Document
from lis.documents.schemas import KIND_CODES, SearchArgsSchema
from lis.documents.search import args_from, hit_to_dict, search_documents
from lis.errors import DomainError
from lis.indexing.services import iter_search_documents, pending_count, stale_index_reason
from lis.indexing.worker import Backoff, run_worker
from lis.reference.seed import seed_reference
from lis.search_backend import drain_one, drain_outbox, get_backend, reindex
from lis.settings import SettingsError
from search.interface import SearchUnavailable


def _fail(message: str) -> None:
    raise click.ClickException(message)


# --- import -----------------------------------------------------------------------------------
@click.group("import")
def import_group() -> None:
    """Import data files."""


@import_group.command("documents")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--batch-size", default=IMPORT_BATCH, show_default=True, type=click.IntRange(1, 5000))
@click.option("--no-index", is_flag=True, help="Leave indexing to `lis search sync` / the worker.")
@with_appcontext
def import_documents(file: Path, batch_size: int, no_index: bool) -> None:
    """Import documents from a .jsonl or .jsonl.gz FILE (idempotent by id)."""
    if not (file.name.endswith(".jsonl") or file.name.endswith(".jsonl.gz")):
        _fail(f"{file}: expected a .jsonl or .jsonl.gz file")
    started = time.perf_counter()
    try:
        with tqdm(unit=" docs", desc="Importing", disable=None, file=sys.stderr) as bar:
            total = import_file(
                file,
                None if no_index else get_backend(),
                batch_size=batch_size,
                on_batch=bar.update,
            )
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        _fail(f"{file}: cannot read: {exc}")
    for line_no, reason in total.errors:
        click.echo(f"{file}:{line_no}: skipped: {reason}", err=True)
    if total.index_note:
        click.echo(f"search index: {total.index_note}", err=True)
    elapsed = time.perf_counter() - started
    click.echo(
        f"created {total.created}, updated {total.updated} "
        f"({total.new_versions} new versions), unchanged {total.unchanged}, "
        f"skipped {total.skipped} in {elapsed:.1f} s"
    )
    if total.skipped and not (total.created or total.updated or total.unchanged):
        sys.exit(1)


# --- search -----------------------------------------------------------------------------------
@click.group("search")
def search_group() -> None:
    """Query and maintain the search index."""


@search_group.command("query")
@click.argument("text")
@click.option("--kind", type=click.Choice(KIND_CODES), multiple=True)
@click.option("--origin", multiple=True, help="imported or draft")
@click.option("--stage", multiple=True, help="A stage code, e.g. S_VERIFY")
@click.option("--holder", multiple=True, help="Code of the unit holding it, e.g. UB-PLTP")
@click.option("--committee", multiple=True, help="Code of the lead committee, e.g. UB-PLTP")
@click.option("--term", multiple=True, help="A term code, e.g. XV")
@click.option("--session", multiple=True, help='"XV-9": 9th session of term XV; "XV-B2": irregular')
@click.option("--adviser", multiple=True, help="Code of a unit that advised, e.g. UB-PLTP-V")
@click.option("--year", type=click.IntRange(1800, 2100))
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 100))
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@with_appcontext
def search_query(
    text: str, year: int | None, limit: int, as_json: bool, **filters: tuple[str, ...]
) -> None:
    """Search documents for TEXT (filters repeat: --stage S_VERIFY --stage S_REVISION)."""
    if len(text) > 500:
        _fail("TEXT is longer than 500 characters")
    raw = {"q": text, "per_page": limit, **{k: list(v) for k, v in filters.items() if v}}
    if year is not None:
        raw |= {"year_from": year, "year_to": year}
    try:
        data = SearchArgsSchema().load(raw)
    except MarshmallowError as exc:
        _fail(f"invalid filter: {exc}")
    args = args_from({**data, "facets": ()})
    try:
        page = search_documents(get_backend(), args)
    except SearchUnavailable as exc:
        _fail(f"search is unavailable: {exc}")
    if as_json:
        out = {"total": page.total, "hits": [hit_to_dict(h) for h in page.hits]}
        click.echo(json.dumps(out, ensure_ascii=False))
        return
    click.echo(f"{page.total} documents")
    for i, h in enumerate(page.hits, 1):
        click.echo(f"{i:>3}. {h.number:<24} {h.title[:90]}  [{h.kind}, {h.id}]")


@search_group.command("reindex")
@with_appcontext
def search_reindex() -> None:
    """Rebuild the index from the database into a new generation and swap it in."""
    backend = get_backend()
    session = db.session()
    count = session.scalar(select(func.count()).select_from(Document)) or 0
    started = time.perf_counter()
    with tqdm(total=count, unit=" docs", desc="Reindexing", disable=None, file=sys.stderr) as bar:

        def docs():  # type: ignore[no-untyped-def]
            for doc in iter_search_documents(session):
                bar.update(1)
                yield doc

        try:
            written, caught_up = reindex(backend, docs())
        except SearchUnavailable as exc:
            _fail(
                f"search index unavailable: {exc}; the current index is unchanged, "
                "run `lis search reindex` again when it answers"
            )
    click.echo(
        f"reindexed {written} documents in {time.perf_counter() - started:.1f} s; "
        f"applied {caught_up} changes made meanwhile"
    )


@search_group.command("sync")
@with_appcontext
def search_sync() -> None:
    """Apply the changes waiting in the outbox."""
    try:
        done = drain_outbox(get_backend())
    except SearchUnavailable as exc:
        _fail(f"search index unavailable: {exc}")
    left = pending_count(db.session())
    click.echo(f"applied {done} changes; {left} waiting")
    if left:
        sys.exit(1)


@click.command("worker")
@click.option("--interval", default=1.0, show_default=True, type=click.FloatRange(0.05, 60))
@click.option("--max-backoff", default=60.0, show_default=True, type=click.FloatRange(1, 3600))
@click.option("--once", is_flag=True, help="Drain what is there and exit.")
@with_appcontext
def worker(interval: float, max_backoff: float, once: bool) -> None:
    """Keep draining the outbox into the search index until stopped (SIGTERM or Ctrl-C).

    While the engine is down the changes wait in the outbox and the worker retries with
    backoff; on PostgreSQL several workers can run at once."""
    if not logging.getLogger().handlers:  # one line per outage and recovery on stderr
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    backend = get_backend()
    stop = threading.Event()

    def _stop(signum: int, _frame: object) -> None:
        click.echo(f"worker: {signal.Signals(signum).name}, stopping after the current batch")
        stop.set()

    previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    click.echo(f"worker: draining the outbox (idle every {interval} s)")

    def drain() -> tuple[int, bool]:
        try:
            return drain_one(backend)
        finally:
            db.remove()

    try:
        state = run_worker(
            drain, stop=stop, interval=interval, backoff=Backoff(cap=max_backoff), once=once
        )
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    click.echo(f"worker: stopped; applied {state.applied} changes")


# --- users ------------------------------------------------------------------------------------
@click.group("users")
def users_group() -> None:
    """Manage users and API tokens."""


@users_group.command("create")
@click.option("--email", required=True)
@click.option(
    "--role",
    "roles",
    required=True,
    multiple=True,
    type=click.Choice(ROLES),
    help="Repeat for several roles.",
)
@click.option("--name", default="")
@with_appcontext
def users_create(email: str, roles: tuple[str, ...], name: str) -> None:
    """Create a user; the password comes from LIS_PASSWORD or a prompt."""
    password = os.environ.get("LIS_PASSWORD") or click.prompt(
        "Password", hide_input=True, confirmation_prompt=True
    )
    try:
        with transaction() as session:
            user = auth_services.create_user(
                session, email=email, password=password, roles=list(roles), name=name
            )
    except DomainError as exc:
        details = "; ".join(f"{k}: {v}" for k, v in exc.fields.items())
        _fail(f"{exc.message}" + (f" ({details})" if details else ""))
    click.echo(f"created {user.email} with roles {', '.join(user.roles)}")


@users_group.command("token")
@click.option("--email", required=True)
@with_appcontext
def users_token(email: str) -> None:
    """Print a new API token for the user (shown once; only its hash is kept)."""
    try:
        with transaction() as session:
            token = auth_services.issue_token(session, email)
    except DomainError as exc:
        _fail(exc.message)
    click.echo(token)


# --- demo -------------------------------------------------------------------------------------
@click.group("seed")
def seed_group() -> None:
    """Seed data."""


def _seed_reference() -> None:
    try:
        with transaction() as session:
            report = seed_emulation(session, seed_reference(session))
    except DomainError as exc:
        _fail(exc.message)
    for table, t in report.tallies.items():
        kept = f", kept {t.kept} (edited by an administrator)" if t.kept else ""
        click.echo(
            f"{table}: created {t.created}, updated {t.updated}, unchanged {t.unchanged}{kept}"
        )
    if not report.changed:
        click.echo("reference data unchanged")


@seed_group.command("reference")
@with_appcontext
def seed_reference_command() -> None:
    """Create or update units, terms, sessions, document kinds, kinds of work, the emulation
    criteria and titles (idempotent)."""
    _seed_reference()


@seed_group.command("demo")
@click.option("--corpus", type=click.Path(dir_okay=False, path_type=Path), default=None)
@click.pass_context
@with_appcontext
def seed_demo(ctx: click.Context, corpus: Path | None) -> None:
    """Seed reference data and demo users; import the demo corpus into an empty database."""
    from lis.demo import DEMO_PASSWORD, ensure_demo_users

    _seed_reference()
    with transaction() as session:
        created = ensure_demo_users(session)
    click.echo(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    for email, roles in created:
        click.echo(f"  {email:<28} {', '.join(roles)}")
    settings = current_app.config["LIS_SETTINGS"]
    corpus = corpus or settings.demo_corpus
    # Imported documents only: the demo drafts below must not stop a later import.
    has_docs = db.session().scalar(
        select(func.count()).select_from(Document).where(Document.origin == "imported")
    )
    if has_docs:
        click.echo(f"{has_docs} documents already in the database; no import.")
    elif corpus is None or not corpus.exists():
        click.echo(f"No demo corpus at {corpus}; set LIS_DEMO_CORPUS to import one.")
    else:
        ctx.invoke(import_documents, file=corpus, batch_size=IMPORT_BATCH, no_index=False)
    _seed_demo_drafts()
    _bring_index_up_to_date(ctx)


def _bring_index_up_to_date(ctx: click.Context) -> None:
    """Index what the seeding queued, and rebuild an index that an older LIS wrote (or that is
    out of step with the database): `make run` on an existing checkout then searches at once."""
    backend = get_backend()
    drain_outbox(backend)  # a refusing engine keeps the rows; the check below then rebuilds
    reason = stale_index_reason(db.session(), backend)
    if reason:
        click.echo(f"search index: {reason}; rebuilding it")
        ctx.invoke(search_reindex)


def _seed_demo_drafts() -> None:
    """Demo drafts, then the work assigned on them (which needs the drafts' stages), then the
    emulation demo (which needs the imported laws and the demo people)."""
    from emulation.demo import ensure_demo_emulation
    from lis.assignments.demo import ensure_demo_assignments
    from lis.drafts.demo import ensure_demo_drafts

    with transaction() as session:
        drafts = ensure_demo_drafts(session)
    for external_id, title in drafts:
        click.echo(f"Demo draft {external_id}: {title}")
    with transaction() as session:
        assigned = ensure_demo_assignments(session)
    if assigned:
        click.echo(f"Demo assignments: {assigned}")
    with transaction() as session:
        emulation = ensure_demo_emulation(session)
    if emulation:
        click.echo(f"Demo emulation: {emulation}")


def register_commands(app: Flask) -> None:
    from emulation.cli import emulation_group
    from lis.relations.cli import relations_group

    for command in (
        import_group,
        search_group,
        worker,
        users_group,
        seed_group,
        relations_group,
        emulation_group,
    ):
        app.cli.add_command(command)


def main() -> None:
    from lis.app import create_app

    cli = FlaskGroup(
        create_app=create_app, add_version_option=False, help="LIS: legislative information system."
    )
    try:
        cli.main(prog_name="lis")
    except SettingsError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2)
    except (OperationalError, ProgrammingError) as exc:
        click.echo(f"Error: {database_problem(exc)}", err=True)
        sys.exit(2)


def database_problem(exc: DBAPIError) -> str:
    """One line for a database that cannot answer: most often one not migrated yet."""
    text = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
    missing = ("no such table", "does not exist")
    if (any(m in text for m in missing) and "relation" in text) or "no such table" in text:
        return f"the database has no LIS tables yet ({text}): run `lis db upgrade`"
    return f"the database could not answer: {text}"
