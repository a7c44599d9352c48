"""The SVG charts: valid XML, accessible, escaped, proportional, and sane at the edges."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from emulation.charts import Bar, Series, bar_chart, line_chart

NS = {"s": "http://www.w3.org/2000/svg"}
NASTY = '<script>alert("x")</script> & Ủy ban "Pháp luật"'


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)  # noqa: S314  our own output
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    return root


def texts(root: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")]


def bars_of(root: ET.Element) -> list[ET.Element]:
    return [
        r for r in root.iter("{http://www.w3.org/2000/svg}rect") if r.get("class") == "chart__bar"
    ]


def test_bar_chart_is_accessible_and_labelled() -> None:
    root = parse(
        bar_chart(
            [Bar("UB-KTTC", 91.75), Bar("UB-PLTP", 79.75)],
            chart_id="units",
            title="Units ranked",
            desc="Each unit's total",
        )
    )
    assert root.get("role") == "img"
    title, desc = root.find("s:title", NS), root.find("s:desc", NS)
    assert title is not None and title.text == "Units ranked"
    assert desc is not None and desc.text == "Each unit's total"
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    labels = texts(root)
    assert "UB-KTTC" in labels and "91.75" in labels and "79.75" in labels


def test_bar_lengths_are_proportional_to_values() -> None:
    root = parse(
        bar_chart(
            [Bar("a", 50), Bar("b", 100), Bar("c", 25)],
            chart_id="p",
            title="t",
            desc="d",
            scale_max=100,
        )
    )
    widths = [float(r.get("width", "nan")) for r in bars_of(root)]
    assert widths[1] > 0
    assert widths[0] / widths[1] == pytest.approx(0.5, abs=0.01)
    assert widths[2] / widths[1] == pytest.approx(0.25, abs=0.01)
    assert [r.get("data-value") for r in bars_of(root)] == ["50", "100", "25"]


def test_a_value_above_the_scale_widens_the_scale() -> None:
    root = parse(
        bar_chart([Bar("a", 150), Bar("b", 75)], chart_id="w", title="t", desc="d", scale_max=100)
    )
    widths = [float(r.get("width", "nan")) for r in bars_of(root)]
    assert widths[1] / widths[0] == pytest.approx(0.5, abs=0.01)


def test_labels_are_escaped() -> None:
    svg = bar_chart([Bar(NASTY, 10)], chart_id='x"><script>', title=NASTY, desc=NASTY)
    assert "<script>" not in svg
    root = parse(svg)
    assert root.find(".//s:script", NS) is None
    assert root.find("s:title", NS).text == NASTY  # type: ignore[union-attr]
    assert any(NASTY[:20] in t for t in texts(root))
    assert '"' not in (root.get("id") or "") and "<" not in (root.get("id") or "")


def test_none_draws_no_bar_and_says_so() -> None:
    root = parse(
        bar_chart(
            [Bar("scored", 40), Bar("unscored", None)],
            chart_id="n",
            title="t",
            desc="d",
            none_text="no score",
        )
    )
    assert len(bars_of(root)) == 1
    assert "no score" in texts(root)


def test_all_zero_and_one_item_and_empty() -> None:
    zero = bar_chart([Bar("a", 0), Bar("b", 0)], chart_id="z", title="t", desc="d")
    assert "nan" not in zero.lower() and "inf" not in zero.lower()
    assert [float(r.get("width", "1")) for r in bars_of(parse(zero))] == [0, 0]
    one = parse(bar_chart([Bar("only", 12.5)], chart_id="o", title="t", desc="d"))
    assert len(bars_of(one)) == 1 and "12.50" in texts(one)
    empty = parse(bar_chart([], chart_id="e", title="t", desc="d", empty_text="Nothing"))
    assert "Nothing" in texts(empty) and not bars_of(empty)


def test_long_labels_are_shortened_on_screen_but_kept_whole_in_the_tooltip() -> None:
    label = "Vụ " + "rất dài " * 20
    root = parse(bar_chart([Bar(label, 5)], chart_id="l", title="t", desc="d"))
    shown = [t for t in texts(root) if t.startswith("Vụ")]
    assert shown and shown[0].endswith("…") and len(shown[0]) < len(label)
    tooltips = ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}title")]
    assert any(label in t for t in tooltips)


def _paths(root: ET.Element) -> list[ET.Element]:
    return [
        p for p in root.iter("{http://www.w3.org/2000/svg}path") if p.get("class") == "chart__line"
    ]


def test_line_chart_series_differ_without_colour() -> None:
    root = parse(
        line_chart(
            [Series("UB-PLTP", [70, 79.75]), Series("UB-KTTC", [60, 91.75])],
            ["2024", "2025"],
            chart_id="trend",
            title="Trends",
            desc="Totals per year",
            scale_max=100,
        )
    )
    paths = _paths(root)
    assert len(paths) == 2
    assert paths[0].get("stroke") == paths[1].get("stroke")  # same ink ...
    assert paths[0].get("stroke-dasharray") != paths[1].get("stroke-dasharray")  # other dashes
    labels = texts(root)
    assert "2024" in labels and "2025" in labels
    assert "UB-PLTP: 79.75" in labels and "UB-KTTC: 91.75" in labels
    points = [
        g for g in root.iter("{http://www.w3.org/2000/svg}g") if g.get("class") == "chart__point"
    ]
    assert [g.get("data-value") for g in points] == ["70", "79.75", "60", "91.75"]


def test_line_chart_points_are_placed_by_value() -> None:
    root = parse(
        line_chart(
            [Series("a", [0, 50, 100])],
            ["1", "2", "3"],
            chart_id="y",
            title="t",
            desc="d",
            scale_max=100,
        )
    )
    d = _paths(root)[0].get("d", "")
    ys = [
        float(part.split()[1]) for part in d.replace("M", "|").replace("L", "|").split("|") if part
    ]
    assert ys[0] > ys[1] > ys[2]  # higher value, higher on the page
    assert ys[0] - ys[1] == pytest.approx(ys[1] - ys[2])


def test_line_chart_gaps_none_one_year_and_escaping() -> None:
    gap = parse(
        line_chart(
            [Series("a", [10, None, 30])], ["1", "2", "3"], chart_id="g", title="t", desc="d"
        )
    )
    assert _paths(gap)[0].get("d", "").count("M") == 2  # the line breaks where no score
    one = parse(line_chart([Series(NASTY, [42])], ["2025"], chart_id="one", title=NASTY, desc="d"))
    assert one.find(".//s:script", NS) is None
    assert any("42.00" in t for t in texts(one))
    nothing = parse(
        line_chart(
            [Series("a", [None, None])],
            ["1", "2"],
            chart_id="n",
            title="t",
            desc="d",
            empty_text="Nothing",
        )
    )
    assert "Nothing" in texts(nothing) and not _paths(nothing)
    zero = line_chart([Series("a", [0, 0])], ["1", "2"], chart_id="z", title="t", desc="d")
    assert "nan" not in zero.lower()
    parse(zero)
