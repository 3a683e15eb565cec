"""web.charts: fluid SVG charts (x in percent, text in px, no viewBox) that are valid XML,
accessible, escape their text, and place their labels where nothing covers them."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from itertools import pairwise

from web.chart_scales import NARROWEST, label_span
from web.charts import bar_chart, funnel, line_chart

NS = "{http://www.w3.org/2000/svg}"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def parse(html: str) -> ET.Element:
    root = ET.fromstring(html)
    assert root.tag == "div" and "tg-chart" in root.get("class", "")
    assert root.get("role") == "img" and root.get("aria-label")
    return root


def texts(root: ET.Element, css: str | None = None) -> list[str]:
    found = root.iter(f"{NS}text")
    return ["".join(t.itertext()) for t in found if css is None or t.get("class") == css]


def pct(value: str | None) -> float:
    assert value is not None and value.endswith("%"), value
    return float(value[:-1])


def points(n: int, days: float = 9) -> list[tuple[datetime, float]]:
    return [(T0 + timedelta(days=days * i), 120.0 - 2.4 * i) for i in range(n)]


def energy(**kw: object) -> ET.Element:
    args: dict[str, object] = {
        "baseline": 120.0,
        "target": 102.0,
        "title": "Energy use",
        "unit": "MWh/month",
    } | kw
    return parse(line_chart(points(9), **args))  # type: ignore[arg-type]


def test_no_chart_scales_its_text_every_svg_has_no_viewbox_and_fixed_font_sizes():
    html = "".join(
        [
            line_chart(points(5), baseline=1.0, target=2.0, title="t", unit="ms"),
            bar_chart([("a", 1.0)], title="b"),
            funnel([("a", 3), ("b", 1)], title="f"),
        ]
    )
    assert "viewBox" not in html
    sizes = set(re.findall(r'font-size="(\d+)"', html))
    assert sizes and sizes <= {"11", "12"}


def test_line_chart_draws_a_dot_per_point_joined_left_to_right_inside_the_plot():
    root = energy()
    dots = [pct(c.get("cx")) for c in root.iter(f"{NS}circle") if "%" in c.get("cx", "")]
    assert len(dots) == 9
    assert dots == sorted(dots) and 0 < dots[0] < 5 and 95 < dots[-1] < 100
    segments = [s for s in root.iter(f"{NS}line") if s.get("class") == "tg-series"]
    assert len(segments) == 8


def test_line_chart_has_calendar_date_ticks_that_do_not_touch_on_a_phone():
    root = energy()
    labels = texts(root, "tg-date")
    assert labels == ["15 Mar", "1 Apr", "15 Apr", "1 May"]
    placed = [t for t in root.iter(f"{NS}text") if t.get("class") == "tg-date"]
    spans = [label_span(pct(t.get("x")) / 100, "".join(t.itertext())) for t in placed]
    assert all(a[1] < b[0] for a, b in pairwise(spans))
    assert spans[0][0] >= 0 and spans[-1][1] <= NARROWEST


def test_an_edge_date_label_is_anchored_to_stay_inside_the_chart():
    data = [(T0, 1.0), (T0 + timedelta(days=30), 2.0)]
    root = parse(line_chart(data, baseline=None, target=None, title="t", unit=""))
    for t in root.iter(f"{NS}text"):
        if t.get("class") == "tg-date":
            x = pct(t.get("x")) / 100
            start, end = label_span(x, "".join(t.itertext()))
            assert start >= 0 and end <= NARROWEST, (t.get("x"), t.get("text-anchor"))


def test_the_target_and_baseline_are_dashed_lines_named_in_the_legend_not_on_the_plot():
    root = energy()
    lines = {line.get("class"): line for line in root.iter(f"{NS}line")}
    assert lines["tg-target"].get("stroke-dasharray") != lines["tg-baseline"].get(
        "stroke-dasharray"
    )
    legend = [e for e in root.iter("span") if (e.get("class") or "").endswith("-label")]
    assert ["".join(e.itertext()).strip() for e in legend] == [
        "Baseline 120 MWh/month",
        "Target 102 MWh/month",
    ]
    assert not [t for t in texts(root) if "Target" in t]  # no text drawn on the plot
    assert "target 102 MWh/month" in root.get("aria-label", "")


def test_value_ticks_are_round_and_cover_the_data_and_the_target():
    root = parse(line_chart(points(9), baseline=None, target=90.0, title="t", unit=""))
    ticks = [float(t) for t in texts(root, "tg-tick")]
    assert ticks == [90.0, 100.0, 110.0, 120.0]
    target = next(x for x in root.iter(f"{NS}line") if x.get("class") == "tg-target")
    lowest = max(
        float(t.get("y", "0")) - 4 for t in root.iter(f"{NS}text") if t.get("class") == "tg-tick"
    )
    assert float(target.get("y1", "-1")) == lowest  # on the lowest tick, inside the plot


def test_the_legend_keeps_two_decimals_where_ticks_round():
    data = [(T0, 101.0), (T0 + timedelta(days=3), 102.96)]
    root = parse(line_chart(data, baseline=None, target=None, title="t", unit="MWh/month"))
    assert "latest 102.96 MWh/month" in " ".join(root.itertext())


def test_one_measurement_is_a_centred_dot_with_its_full_date():
    root = parse(line_chart(points(1), baseline=100.0, target=None, title="t", unit=""))
    dots = [c for c in root.iter(f"{NS}circle") if c.get("cx", "").endswith("%")]
    assert [c.get("cx") for c in dots] == ["50%"]
    assert texts(root, "tg-date") == ["2 Mar 2026"]
    assert not [x for x in root.iter(f"{NS}line") if x.get("class") == "tg-series"]


def test_a_long_series_is_thinned_and_drawn_without_dots():
    data = [(T0 + timedelta(hours=h), float(h % 7)) for h in range(10_000)]
    html = line_chart(data, baseline=None, target=None, title="t", unit="")
    root = parse(html)
    segments = [x for x in root.iter(f"{NS}line") if x.get("class") == "tg-series"]
    assert 300 < len(segments) <= 400 and len(html) < 100_000
    assert not [c for c in root.iter(f"{NS}circle") if c.get("cx", "").endswith("%")]


def test_empty_and_non_finite_data():
    assert "No data" in "".join(
        parse(line_chart([], baseline=1, target=2, title="E", unit="")).itertext()
    )
    data = [*points(2), (T0 + timedelta(days=5), float("nan"))]
    root = parse(line_chart(data, baseline=None, target=None, title="t", unit=""))
    assert len([c for c in root.iter(f"{NS}circle") if c.get("cx", "").endswith("%")]) == 2


def test_text_is_escaped():
    evil = '<script>alert("x")</script> & co'
    for html in (
        line_chart(points(2), baseline=None, target=None, title=evil, unit="<u>"),
        bar_chart([(evil, 3.0)], title=evil, unit="&"),
        funnel([(evil, 3)], title=evil),
    ):
        assert "<script>" not in html
        root = parse(html)
        assert evil in "".join(root.itertext())


def bars(root: ET.Element) -> list[ET.Element]:
    return [r for r in root.iter(f"{NS}rect") if r.get("class") == "tg-bar"]


def test_bar_chart_bars_are_proportional_with_label_and_value_above_each_bar():
    root = parse(bar_chart([("ideation", 20.0), ("PoC", 10.0), ("pilot", 5.0)], title="t"))
    assert [pct(r.get("width")) for r in bars(root)] == [100.0, 50.0, 25.0]
    labels = {"".join(t.itertext()): t for t in root.iter(f"{NS}text")}
    for rect, label, value in zip(
        bars(root), ("ideation", "PoC", "pilot"), ("20", "10", "5"), strict=True
    ):
        assert float(labels[label].get("y", "0")) < float(rect.get("y", "0"))
        assert labels[value].get("text-anchor") == "end" and labels[value].get("x") == "100%"


def test_bar_chart_with_a_fixed_scale_and_all_zero():
    root = parse(bar_chart([("a", 50.0), ("b", 100.0)], title="C", unit="%", max_value=100))
    assert [pct(r.get("width")) for r in bars(root)] == [50.0, 100.0]
    assert "50%" in texts(root)
    root = parse(bar_chart([("a", 0.0), ("b", 0.0)], title="Z"))
    assert [pct(r.get("width")) for r in bars(root)] == [0.0, 0.0]
    assert "No data" in "".join(parse(bar_chart([], title="E")).itertext())


def test_bar_chart_truncates_a_long_label_and_keeps_it_whole_in_the_tooltip():
    long = "a very long stage name that cannot fit on a phone"
    root = parse(bar_chart([(long, 1.0)], title="t"))
    shown = texts(root, "tg-label")[0]
    assert shown.endswith("…") and len(shown) <= 28
    assert long in (bars(root)[0].findtext(f"{NS}title") or "")


def test_funnel_labels_stand_above_their_bars_so_they_never_overflow_them():
    root = parse(funnel([("Ideation", 20), ("PoC", 10), ("Production", 0)], title="F"))
    assert texts(root, "tg-label") == [
        "Ideation 20",
        "PoC 10 (50% of previous)",
        "Production 0 (0% of previous)",
    ]
    rects = bars(root)
    assert [pct(r.get("width")) for r in rects] == [100.0, 50.0, 0.0]
    assert pct(rects[1].get("x")) == 25.0  # centred
    for label, rect in zip(root.iter(f"{NS}text"), rects, strict=True):
        assert float(label.get("y", "0")) < float(rect.get("y", "0"))
    assert "No data" in "".join(parse(funnel([], title="E")).itertext())
