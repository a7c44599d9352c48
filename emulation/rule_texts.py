"""The title rules' results as sentences in the reader's language (Vietnamese by default,
English with ?lang=en), and provisions as citations a lawyer recognises.

The rules (emulation/title_rules.py) return reason codes with their numbers so that the same
stored result reads in either language; every code in `title_rules.REASONS` has a sentence here
that names the numbers (years, counts, thresholds) and the facts.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from typing import Any

from flask_babel import format_decimal, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from emulation import legal, title_rules
from emulation.title_rules import RuleResult
from lis.web.labels import format_day

OUTCOME_NAMES = {
    "pass": _l("Meets"),
    "fail": _l("Does not meet"),
    "unknown": _l("Cannot tell yet"),
}
BAND_WORDS = {
    "excellent": _l("completed tasks excellently"),
    "good": _l("completed tasks well"),
    "completed": _l("completed tasks"),
    "not_completed": _l("did not complete tasks"),
}
SCOPE_WORDS = {
    "grassroots": _l("grassroots"),
    "na_agencies": _l("NA agencies"),
    "ministry": _l("ministry"),
    "national": _l("national"),
}
FORM_WORDS = {
    "reprimand": _l("reprimand"),
    "warning": _l("warning"),
    "demotion": _l("demotion"),
    "dismissal": _l("dismissal"),
    "discharge": _l("discharge"),
}
CASE_WORDS = {
    "discipline_review": _l("discipline review"),
    "investigation": _l("investigation"),
    "inspection": _l("inspection"),
    "complaint": _l("complaint or denunciation"),
    "press_report": _l("press report"),
}
CRITERION_WORDS = {
    "solidarity": _l("self-reliance, solidarity and active emulation"),
    "exemplary": _l("exemplary compliance with the Party's lines and the State's laws"),
    "outstanding": _l("outstanding, selected among the candidates"),
}
DOCUMENT_WORDS = {
    "law": _l("Law"),
    "decree": _l("Decree"),
    "resolution": _l("Resolution"),
    "circular": _l("Circular"),
}


def _english() -> bool:
    locale = get_locale()
    return locale is not None and locale.language == "en"


def _word(table: Mapping[str, Any], code: Any) -> str:
    return str(table[code]) if code in table else str(code)


def _num(value: Any) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(format_decimal(value, format="#,##0.##"))
    return "—" if value is None else str(value)


def _percent(share: Any) -> str:
    if isinstance(share, int | float) and not isinstance(share, bool):
        return str(format_decimal(share * 100, format="#,##0.#")) + "%"
    return "—"


def _ids(values: Iterable[Any] | None) -> str:
    return ", ".join(f"#{v}" for v in values or ()) or "—"


def _day(text: Any) -> str:
    try:
        return format_day(dt.date.fromisoformat(str(text)))
    except ValueError:
        return str(text)


def title_name(code: str) -> str:
    """A title's official name in the reader's language (titles.json)."""
    names = _title_names()
    if code not in names:
        return code
    vi, en = names[code]
    return en if _english() else vi


@lru_cache(maxsize=1)
def _title_names() -> dict[str, tuple[str, str]]:
    with (legal.DATA / "titles.json").open(encoding="utf-8") as fh:
        rows = json.load(fh)["titles"]
    return {row["code"]: (row["name"], row["name_en"]) for row in rows}


def outcome_label(outcome: str) -> str:
    return _word(OUTCOME_NAMES, outcome)


def provision_label(pid: str) -> str:
    """E.g. "Luật 06/2022/QH15, Điều 23, khoản 1, điểm b (chưa xác minh)"."""
    try:
        item = legal.provision(pid)
    except KeyError:
        return pid
    parts = [f"{_word(DOCUMENT_WORDS, item.kind)} {item.document}"]
    if item.article is not None:
        parts.append(_("Art. %(n)s", n=item.article))
    if item.clause is not None:
        parts.append(_("cl. %(n)s", n=item.clause))
    if item.point is not None:
        parts.append(_("pt. %(p)s", p=item.point))
    label = ", ".join(parts)
    if item.verified:
        return label
    unverified = _("(not verified)")
    return f"{label} {unverified}"


def provision_summary(pid: str) -> str:
    try:
        item = legal.provision(pid)
    except KeyError:
        return ""
    return item.summary_en if _english() else item.summary


# ---------------------------------------------------------------- one sentence per reason


def _common(p: Mapping[str, Any]) -> dict[str, str]:
    """The numbers and words most sentences use, formatted for the reader."""
    return {
        "year": str(p.get("year", "—")),
        "first": str(p.get("first", "—")),
        "last": str(p.get("last", "—")),
        "count": _num(p.get("count")),
        "need": _num(p.get("need")),
        "title": title_name(str(p.get("title", ""))),
        "band": _word(BAND_WORDS, p.get("band")),
        "min_band": _word(BAND_WORDS, p.get("min_band")),
        "scope": _word(SCOPE_WORDS, p.get("scope")),
        "form": _word(FORM_WORDS, p.get("form")),
        "initiatives": _ids(p.get("initiatives")),
        "people": _ids(p.get("people")),
    }


def _cases(p: Mapping[str, Any]) -> str:
    items = []
    for case in p.get("cases") or ():
        items.append(
            _(
                "%(kind)s #%(id)s since %(opened)s",
                kind=_word(CASE_WORDS, case.get("kind")),
                id=case.get("id"),
                opened=_day(case.get("opened_on")),
            )
        )
    return "; ".join(items) or "—"


def _gates(p: Mapping[str, Any], c: dict[str, str]) -> dict[str, Callable[[], str]]:
    return {
        "param_not_in_force": lambda: _(
            "No rule parameter is in force on %(date)s for %(names)s: cannot tell.",
            date=_day(p.get("date")),
            names=", ".join(p.get("names") or ()),
        ),
        "no_open_case": lambda: _(
            "No case about the subject is open on %(date)s (discipline review, investigation, "
            "inspection, complaint or press report).",
            date=_day(p.get("date")),
        ),
        "open_case": lambda: _(
            "Open on %(date)s: %(cases)s. No commendation may be proposed while a case is "
            "being considered.",
            date=_day(p.get("date")),
            cases=_cases(p),
        ),
        "no_discipline": lambda: _(
            "No discipline at %(form)s or heavier in %(year)s.", form=c["form"], year=c["year"]
        ),
        "disciplined": lambda: _(
            "Disciplined in %(year)s (%(forms)s), at %(form)s or heavier: no title for that year.",
            year=c["year"],
            forms=", ".join(_word(FORM_WORDS, f) for f in p.get("forms") or ()),
            form=c["form"],
        ),
    }


def _individual(p: Mapping[str, Any], c: dict[str, str]) -> dict[str, Callable[[], str]]:
    criterion = _word(CRITERION_WORDS, p.get("criterion"))
    by = str(p.get("by", ""))
    return {
        "rating_missing": lambda: _(
            "The quality rating of %(year)s is not decided yet (“%(min_band)s” or better is "
            "needed): cannot tell.",
            **c,
        ),
        "rating_meets": lambda: _(
            "Rated “%(band)s” in %(year)s; “%(min_band)s” or better is needed.", **c
        ),
        "rating_below": lambda: _(
            "Rated “%(band)s” in %(year)s, below the “%(min_band)s” needed.", **c
        ),
        "attestation_missing": lambda: _(
            "No one has attested “%(criterion)s” for %(year)s yet: cannot tell.",
            criterion=criterion,
            year=c["year"],
        ),
        "attestation_holds": lambda: _(
            "%(by)s attested “%(criterion)s” for %(year)s.",
            by=by,
            criterion=criterion,
            year=c["year"],
        ),
        "attestation_denied": lambda: _(
            "%(by)s attested that “%(criterion)s” does not hold for %(year)s.",
            by=by,
            criterion=criterion,
            year=c["year"],
        ),
        "cstdcs_excellent": lambda: _(
            "Rated “%(band)s” in %(year)s: enough on its own (basis: the excellent rating).", **c
        ),
        "cstdcs_initiative": lambda: _(
            "Initiative %(initiatives)s was recognised in %(year)s at %(scope)s scope or wider "
            "(basis: the initiative).",
            **c,
        ),
        "cstdcs_both": lambda: _(
            "Rated “%(band)s” in %(year)s and initiative %(initiatives)s recognised at "
            "%(scope)s scope or wider: the parameter in use requires both.",
            **c,
        ),
        "cstdcs_neither": lambda: _(
            "Not rated “%(excellent)s” in %(year)s, and no initiative not used before was "
            "recognised in %(year)s at %(scope)s scope or wider.",
            excellent=str(BAND_WORDS["excellent"]),
            **c,
        ),
        "cstdcs_needs_initiative": lambda: _(
            "The parameter in use requires both an excellent rating and an initiative, and no "
            "initiative not used before was recognised in %(year)s at %(scope)s scope or wider.",
            **c,
        ),
        "cstdcs_needs_excellent": lambda: _(
            "The parameter in use requires both an excellent rating and an initiative: "
            "initiative %(initiatives)s is there, but %(year)s was rated “%(band)s”.",
            **c,
        ),
        "initiative_found": lambda: _(
            "Initiative %(initiatives)s at %(scope)s scope or wider, recognised in "
            "%(first)s–%(last)s and applied effectively.",
            **c,
        ),
        "initiative_missing": lambda: _(
            "No initiative at %(scope)s scope or wider recognised in %(first)s–%(last)s, applied "
            "effectively and not used before.",
            **c,
        ),
    }


def _runs(p: Mapping[str, Any], c: dict[str, str]) -> dict[str, Callable[[], str]]:
    return {
        "run_met": lambda: _(
            "%(title)s %(count)s years in a row (%(first)s–%(last)s); %(need)s needed.", **c
        ),
        "run_short": lambda: _(
            "%(title)s only %(count)s year(s) in a row up to %(last)s; %(need)s needed.", **c
        ),
        "run_pending": lambda: _(
            "%(title)s %(count)s year(s) in a row up to %(last)s; %(need)s needed, so it "
            "depends on the title for %(year)s, not decided yet: cannot tell.",
            **c,
        ),
        "holds_award": lambda: _(
            "Holds the %(title)s of %(award_year)s (award #%(award)s).",
            title=c["title"],
            award_year=p.get("award_year", "—"),
            award=p.get("award", "—"),
        ),
        "no_award": lambda: _(
            "Holds no %(title)s for a year before %(year)s (revoked, thematic and extraordinary "
            "awards do not count).",
            **c,
        ),
        "band_run_met": lambda: _(
            "Rated “%(min_band)s” or better %(count)s years in a row (%(first)s–%(last)s); "
            "%(need)s needed.",
            **c,
        ),
        "band_run_short": lambda: _(
            "Rated “%(min_band)s” or better only %(count)s year(s) in a row up to %(last)s; "
            "%(need)s needed.",
            **c,
        ),
        "band_run_pending": lambda: _(
            "Rated “%(min_band)s” or better %(count)s year(s) in a row up to %(last)s; %(need)s "
            "needed, so it depends on the rating of %(year)s, not decided yet: cannot tell.",
            **c,
        ),
        "count_met": lambda: _(
            "%(title)s %(count)s times in %(first)s–%(last)s; %(need)s needed.", **c
        ),
        "count_short": lambda: _(
            "%(title)s only %(count)s time(s) in %(first)s–%(last)s; %(need)s needed.", **c
        ),
        "count_pending": lambda: _(
            "%(title)s %(count)s time(s) in %(first)s–%(last)s; %(need)s needed, so it depends "
            "on %(year)s, not decided yet: cannot tell.",
            **c,
        ),
    }


def _bk(p: Mapping[str, Any], c: dict[str, str]) -> dict[str, Callable[[], str]]:
    bk = {
        **c,
        "title": title_name("CSTDCS"),
        "cstdcs": _num(p.get("cstdcs")),
        "cstdcs_first": str(p.get("cstdcs_first", "—")),
        "cstdcs_last": str(p.get("cstdcs_last", "—")),
        "need_cstdcs": _num(p.get("need_cstdcs")),
        "excellent_years": _num(p.get("excellent_years")),
        "need_years": _num(p.get("need_years")),
        "need_initiatives": _num(p.get("need_initiatives")),
        "count": _num(len(p.get("initiatives") or ())),
    }
    return {
        "bk_cstdcs_run": lambda: _(
            "%(title)s %(cstdcs)s years in a row (%(cstdcs_first)s–%(cstdcs_last)s); "
            "%(need_cstdcs)s needed (Art. 74.1.d, first option).",
            **bk,
        ),
        "bk_excellent_initiatives": lambda: _(
            "Rated excellent %(excellent_years)s years in a row up to %(year)s (%(need_years)s "
            "needed), with %(count)s initiatives not used before at %(scope)s scope or wider "
            "recognised in %(first)s–%(last)s: %(initiatives)s (%(need_initiatives)s needed; "
            "Art. 74.1.d, second option).",
            **bk,
        ),
        "bk_neither": lambda: _(
            "Neither %(title)s %(need_cstdcs)s years in a row (%(cstdcs)s up to %(year)s) nor "
            "%(need_years)s consecutive excellent years (%(excellent_years)s) with "
            "%(need_initiatives)s initiatives not used before (%(count)s found in "
            "%(first)s–%(last)s).",
            **bk,
        ),
        "bk_pending": lambda: _(
            "The rating or the %(title)s title of %(year)s is not decided yet, and it decides "
            "whether there are %(need_cstdcs)s consecutive %(title)s titles (%(cstdcs)s so far) "
            "or %(need_years)s consecutive excellent years (%(excellent_years)s so far, with "
            "%(count)s initiatives not used before): cannot tell.",
            **bk,
        ),
    }


def _units(p: Mapping[str, Any], c: dict[str, str]) -> dict[str, Callable[[], str]]:
    def u() -> dict[str, str]:
        need = _percent(p.get("need"))
        return {
            **c,
            "need": _("more than %(share)s", share=need)
            if p.get("strict")
            else _("at least %(share)s", share=need),
            "total": _num(p.get("total")),
            "share": _percent(p.get("share")),
            "unrated": _num(len(p.get("unrated") or ())),
        }

    return {
        "no_members": lambda: _(
            "The unit has no members on record for %(year)s: cannot tell.", **c
        ),
        "share_met": lambda: _(
            "%(count)s of %(total)s members (%(share)s) meet the Advanced Worker standard in "
            "%(year)s; %(need)s needed.",
            **u(),
        ),
        "share_short": lambda: _(
            "Only %(count)s of %(total)s members (%(share)s) meet the Advanced Worker standard "
            "in %(year)s; %(need)s needed.",
            **u(),
        ),
        "share_pending": lambda: _(
            "%(count)s of %(total)s members (%(share)s) meet the Advanced Worker standard in "
            "%(year)s; %(need)s needed, and %(unrated)s member(s) are not rated yet: cannot "
            "tell.",
            **u(),
        ),
        "members_clean": lambda: _(
            "No member was disciplined at %(form)s or heavier in %(year)s.", **c
        ),
        "member_disciplined": lambda: _(
            "Member(s) %(people)s disciplined at %(form)s or heavier in %(year)s.", **c
        ),
        "members_rated_enough": lambda: _(
            "All %(total)s members were rated “%(min_band)s” or better in %(year)s.", **u()
        ),
        "member_below": lambda: _(
            "Member(s) %(people)s rated below “%(min_band)s” in %(year)s.", **c
        ),
        "members_unrated": lambda: _(
            "Member(s) %(people)s not rated for %(year)s yet: cannot tell.", **c
        ),
        "members_titled": lambda: _(
            "%(count)s member(s) hold the %(title)s title for %(year)s; %(need)s needed.", **c
        ),
        "members_titled_short": lambda: _(
            "Only %(count)s member(s) hold the %(title)s title for %(year)s; %(need)s needed.",
            **c,
        ),
        "members_titled_pending": lambda: _(
            "%(count)s member(s) hold the %(title)s title for %(year)s so far; %(need)s needed, "
            "and the titles of %(year)s may still be decided: cannot tell.",
            **c,
        ),
    }


_GROUPS = (_gates, _individual, _runs, _bk, _units)


def _sentences(p: Mapping[str, Any]) -> dict[str, Callable[[], str]]:
    c = _common(p)
    out: dict[str, Callable[[], str]] = {}
    for group in _GROUPS:
        out.update(group(p, c))
    return out


def reason_codes() -> frozenset[str]:
    """The codes this module has a sentence for (a test holds it equal to REASONS)."""
    return frozenset(_sentences({}))


def _notes(p: Mapping[str, Any]) -> list[str]:
    """What was read but not counted, said after the main sentence."""
    notes = []
    reused = p.get("reused") or ()
    if reused and isinstance(next(iter(reused)), Mapping):
        items = [
            _("initiative #%(i)s (award #%(a)s)", i=r.get("initiative"), a=r.get("award"))
            for r in reused
        ]
        notes.append(
            _("Not counted, already used by another award: %(items)s.", items=", ".join(items))
        )
    elif reused:
        notes.append(
            _("Not counted, already used by another award: initiative %(ids)s.", ids=_ids(reused))
        )
    if p.get("ignored"):
        notes.append(
            _(
                "Not counted: award %(ids)s (revoked, thematic or extraordinary).",
                ids=_ids(p.get("ignored")),
            )
        )
    return notes


def explain(result: RuleResult | Mapping[str, Any]) -> str:
    """The result as a sentence (or two) in the reader's language."""
    if not isinstance(result, RuleResult):
        result = title_rules.result_from_dict(result)
    params = result.params or {}
    sentence = _sentences(params).get(result.reason)
    text = sentence() if sentence else result.reason
    return " ".join([text, *_notes(params)])
