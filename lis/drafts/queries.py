"""Read side of drafts: the full legislative record of a document, shaped once for the API and
the pages (stage and labels, holder, the moves this user may make, timeline, versions)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lis.documents.models import Document, Version
from lis.drafts import services
from lis.drafts.machine import ACTORS, MACHINES, STAGES, Machine, stage_label
from lis.drafts.models import StageEvent


def _unit(unit: Any) -> dict[str, Any] | None:
    return {"code": unit.code, "name": unit.name, "name_en": unit.name_en} if unit else None


def _actor_label(code: str, lang: str) -> str:
    actor = ACTORS.get(code)
    return actor.label(lang) if actor else code


def stage_events(session: Session, doc: Document) -> list[StageEvent]:
    return list(
        session.scalars(
            select(StageEvent).where(StageEvent.document_id == doc.id).order_by(StageEvent.seq)
        )
    )


def versions(session: Session, doc: Document) -> list[Version]:
    """Versions without their text (it can be megabytes)."""
    from sqlalchemy.orm import defer

    return list(
        session.scalars(
            select(Version)
            .where(Version.document_id == doc.id)
            .options(defer(Version.text))
            .order_by(Version.seq)
        )
    )


def draft_record(session: Session, user: Any, doc: Document, lang: str = "vi") -> dict[str, Any]:
    """Everything known about a document's passage, in the API's shape."""
    machine = services.machine_of(doc)
    allowed = services.allowed_transitions(session, user, doc)
    holder = doc.holder_unit
    return {
        "id": doc.external_id,
        "origin": doc.origin,
        "kind": doc.kind,
        "number": doc.number,
        "title": doc.title,
        "summary": doc.summary,
        "issuer": doc.issuer,
        "drafting_agency": doc.drafting_agency,
        "drafting_unit": _unit(doc.drafting_unit),
        "lead_unit": _unit(doc.lead_unit),
        "holder": _unit(holder),
        "term": doc.term.code if doc.term else None,
        "planned_sessions": [services.session_key(s) for s in doc.planned_sessions],
        "subjects": list(doc.topics or []),
        "procedure": doc.procedure,
        "machine": machine.code if machine else None,
        "stage": doc.stage,
        "stage_label": stage_label(doc.stage, lang),
        "allowed_transitions": [
            {
                "to": tr.to_stage,
                "to_label": stage_label(tr.to_stage, lang),
                "acting_as": tr.acting_as,
                "acting_as_label": _actor_label(tr.acting_as, lang),
                "holder": tr.holder,
                "note": tr.note,
            }
            for tr in allowed
        ],
        "timeline": [
            {
                "seq": e.seq,
                "from": e.from_stage,
                "from_label": stage_label(e.from_stage, lang),
                "to": e.to_stage,
                "to_label": stage_label(e.to_stage, lang),
                "event_date": e.event_date,
                "at": e.at,
                "actor": e.actor_email,
                "acting_as": e.acting_as,
                "acting_as_label": _actor_label(e.acting_as, lang),
                "holder": _unit(e.holder_unit),
                "note": e.note,
            }
            for e in stage_events(session, doc)
        ],
        "versions": [
            {
                "seq": v.seq,
                "label": v.label,
                "version_date": v.version_date,
                "source": v.source,
                "text_sha256": v.text_sha256,
                "created_at": v.created_at,
            }
            for v in versions(session, doc)
        ],
        "created_at": doc.created_at,
        "updated_at": doc.updated_at,
    }


def summary(doc: Document, lang: str = "vi") -> dict[str, Any]:
    return {
        "id": doc.external_id,
        "kind": doc.kind,
        "title": doc.title,
        "stage": doc.stage,
        "stage_label": stage_label(doc.stage, lang),
        "lead_unit": doc.lead_unit.code if doc.lead_unit else None,
        "holder": doc.holder_unit.code if doc.holder_unit else None,
        "term": doc.term.code if doc.term else None,
        "updated_at": doc.updated_at,
    }


def machine_dict(machine: Machine, lang: str = "vi") -> dict[str, Any]:
    return {
        "code": machine.code,
        "label": machine.label(lang),
        "initial": machine.initial,
        "final": machine.final,
        "terminal": list(machine.terminal),
        "stages": list(machine.stages),
        "source": machine.source,
        "transitions": [
            {
                "from": t.from_stage,
                "to": t.to_stage,
                "acting_as": t.acting_as,
                "holder": t.holder,
                "note": t.note,
            }
            for t in machine.transitions
        ],
    }


def declaration_dict(lang: str = "vi") -> dict[str, Any]:
    """The declared machines for clients: stages with both labels, actors and their rules."""
    return {
        "stages": [
            {"code": s.code, "label_vi": s.label_vi, "label_en": s.label_en, "source": s.source}
            for s in STAGES.values()
        ],
        "actors": [
            {
                "code": a.code,
                "label_vi": a.label_vi,
                "label_en": a.label_en,
                "rule": a.rule,
                "units": list(a.units),
                "note": a.note,
            }
            for a in ACTORS.values()
        ],
        "machines": [machine_dict(m, lang) for m in MACHINES.values()],
    }
