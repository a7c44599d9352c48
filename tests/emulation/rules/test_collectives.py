"""Tập thể lao động tiên tiến / xuất sắc, from the members' year."""

from __future__ import annotations

import datetime as dt

from emulation import title_rules
from emulation.subject_facts import MemberFacts
from tests.emulation.rules.builders import SEASON, SETTLED, YEAR, members, result, unit

SOLID = [(YEAR, "solidarity")]
BOTH = [(YEAR, "solidarity"), (YEAR, "outstanding")]
SHARE = "C1.ttldtt.ldtt_share"


def team(good: int, completed: int, *, cstdcs: int = 0) -> list[MemberFacts]:
    specs = [("excellent", ("CSTDCS",))] * cstdcs
    specs += [("good", ())] * (good - cstdcs) + [("completed", ())] * completed
    return members(*specs)


def test_ttldtt_passes_at_seventy_percent() -> None:
    report = title_rules.evaluate("TTLDTT", unit(team(7, 3), attested=SOLID), YEAR, SEASON)
    assert report.outcome == "pass"
    share = result(report, SHARE)
    assert (share.params["count"], share.params["total"], share.params["need"]) == (7, 10, 0.7)
    assert len(share.facts) == 10 and share.facts[0] == "person:1"


def test_ttldtt_fails_below_seventy_percent() -> None:
    report = title_rules.evaluate("TTLDTT", unit(team(6, 4), attested=SOLID), YEAR, SEASON)
    assert result(report, SHARE).reason == "share_short"


def test_a_member_titled_ldtt_counts_even_before_the_rating_is_entered() -> None:
    crew = [*team(6, 3), MemberFacts(99, None, ("LDTT",))]
    report = title_rules.evaluate("TTLDTT", unit(crew, attested=SOLID), YEAR, SEASON)
    assert result(report, SHARE).outcome == "pass"


def test_unrated_members_make_the_share_unknown_only_if_they_could_tip_it() -> None:
    crew = [*team(6, 2), MemberFacts(98, None), MemberFacts(99, None)]
    report = title_rules.evaluate("TTLDTT", unit(crew, attested=SOLID), YEAR, SEASON)
    share = result(report, SHARE)
    assert (share.outcome, share.params["unrated"]) == ("unknown", [98, 99])
    crew = [*team(4, 4), MemberFacts(98, None), MemberFacts(99, None)]
    report = title_rules.evaluate("TTLDTT", unit(crew, attested=SOLID), YEAR, SEASON)
    assert result(report, SHARE).outcome == "fail"


def test_the_share_rule_in_force_depends_on_the_day() -> None:
    """Six of ten: enough under the old law (more than 50 %), not under the 70 % in force
    from 2024. The same facts, two evaluation days, two outcomes."""
    facts = unit(team(6, 4), attested=[(2023, "solidarity")])
    before = title_rules.evaluate("TTLDTT", facts, 2023, dt.date(2023, 12, 31))
    after = title_rules.evaluate("TTLDTT", facts, 2023, dt.date(2024, 1, 1))
    assert (before.outcome, after.outcome) == ("pass", "fail")
    assert before.params["ttldtt_share_ldtt"] == 0.5
    assert after.params["ttldtt_share_ldtt"] == 0.7


def test_exactly_half_is_not_more_than_half_under_the_old_law() -> None:
    facts = unit(team(5, 5), attested=[(2023, "solidarity")])
    report = title_rules.evaluate("TTLDTT", facts, 2023, dt.date(2023, 12, 31))
    share = result(report, SHARE)
    assert (share.outcome, share.params["strict"]) == ("fail", True)


def test_a_member_disciplined_at_warning_fails_the_unit_but_a_reprimand_does_not() -> None:
    crew = [*team(9, 0), MemberFacts(50, "good", (), "reprimand")]
    report = title_rules.evaluate("TTLDTT", unit(crew, attested=SOLID), YEAR, SEASON)
    assert report.outcome == "pass"
    crew = [*team(9, 0), MemberFacts(50, "good", (), "warning")]
    report = title_rules.evaluate("TTLDTT", unit(crew, attested=SOLID), YEAR, SEASON)
    rule = result(report, "C1.ttldtt.no_member_discipline")
    assert (rule.outcome, rule.params["people"], rule.facts) == ("fail", [50], ("person:50",))


def test_a_unit_with_no_members_cannot_be_told() -> None:
    report = title_rules.evaluate("TTLDTT", unit([], attested=SOLID), YEAR, SEASON)
    assert result(report, SHARE).reason == "no_members"


def test_ttldxs_passes_with_a_grassroots_fighter_and_everyone_completing() -> None:
    report = title_rules.evaluate("TTLDXS", unit(team(8, 2, cstdcs=1), attested=BOTH), YEAR, SEASON)
    assert report.outcome == "pass"
    assert result(report, "C2.ttldxs.has_cstdcs").params["count"] == 1


def test_ttldxs_fails_when_a_member_did_not_complete() -> None:
    crew = [*team(8, 1, cstdcs=1), MemberFacts(77, "not_completed")]
    report = title_rules.evaluate("TTLDXS", unit(crew, attested=BOTH), YEAR, SEASON)
    below = result(report, "C2.ttldxs.all_completed")
    assert (below.outcome, below.params["people"]) == ("fail", [77])


def test_ttldxs_without_a_grassroots_fighter_waits_then_fails() -> None:
    facts = unit(team(8, 2), attested=BOTH)
    season = result(title_rules.evaluate("TTLDXS", facts, YEAR, SEASON), "C2.ttldxs.has_cstdcs")
    settled = result(title_rules.evaluate("TTLDXS", facts, YEAR, SETTLED), "C2.ttldxs.has_cstdcs")
    assert (season.outcome, settled.outcome) == ("unknown", "fail")


def test_ttldxs_before_2024_has_no_parameters_and_cannot_tell() -> None:
    facts = unit(team(8, 2, cstdcs=1), attested=[(2023, "solidarity"), (2023, "outstanding")])
    report = title_rules.evaluate("TTLDXS", facts, 2023, dt.date(2023, 12, 31))
    rule = result(report, "C2.ttldxs.ldtt_share")
    assert (rule.outcome, rule.reason) == ("unknown", "param_not_in_force")
    assert "ttldxs_share_ldtt" in rule.params["names"]
    assert "ttldxs_share_ldtt" not in report.params
