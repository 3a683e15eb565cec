"""web.charts: server-side SVG charts must be valid XML, accessible, and escape their text."""

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

from web.charts import bar_chart, funnel, line_chart

NS = "{http://www.w3.org/2000/svg}"
T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{NS}svg"
    assert root.get("role") == "img"
    assert root.get("aria-label")
    assert root.find(f"{NS}title") is not None
    return root


def texts(root: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter(f"{NS}text")]


def points(n: int) -> list[tuple[datetime, float]]:
    return [(T0 + timedelta(days=i), 100.0 - 5 * i) for i in range(n)]


def test_line_chart_draws_one_dot_per_point_and_a_polyline() -> None:
    root = parse(line_chart(points(6), baseline=None, target=None, title="Latency", unit="ms"))
    assert len(list(root.iter(f"{NS}circle"))) == 6
    polyline = root.find(f".//{NS}polyline")
    assert polyline is not None
    assert len(polyline.get("points", "").split()) == 6
    assert "2026-11-01" in texts(root)
    assert "2026-11-06" in texts(root)


def test_line_chart_sorts_points_by_time() -> None:
    data = list(reversed(points(3)))
    root = parse(line_chart(data, baseline=None, target=None, title="t", unit=""))
    xs = [float(c.get("cx", "0")) for c in root.iter(f"{NS}circle")]
    assert xs == sorted(xs)


def test_line_chart_baseline_and_target_lines_are_dashed_and_labelled() -> None:
    svg = line_chart(points(4), baseline=120.0, target=50.0, title="Latency", unit="ms")
    root = parse(svg)
    for css in ("tg-target", "tg-baseline"):
        line = root.find(f".//{NS}line[@class='{css}']")
        assert line is not None
        assert line.get("stroke-dasharray")
        assert root.find(f".//{NS}text[@class='{css}-label']") is not None
    assert "Target 50 ms" in texts(root)
    assert "Baseline 120 ms" in texts(root)
    assert "target 50 ms" in root.get("aria-label", "")


def test_line_chart_without_target_has_no_target_line() -> None:
    root = parse(line_chart(points(3), baseline=None, target=None, title="t", unit="%"))
    assert root.find(f".//{NS}line[@class='tg-target']") is None
    assert root.find(f".//{NS}line[@class='tg-baseline']") is None
    assert "Target" not in " ".join(texts(root))


def test_line_chart_target_outside_data_range_stays_inside_the_plot() -> None:
    svg = line_chart(points(3), baseline=None, target=1000.0, title="t", unit="", height=200)
    root = parse(svg)
    line = root.find(f".//{NS}line[@class='tg-target']")
    assert line is not None
    assert 0 <= float(line.get("y1", "-1")) <= 200


def test_line_chart_single_point_renders_a_dot_without_polyline() -> None:
    root = parse(line_chart(points(1), baseline=100.0, target=None, title="t", unit=""))
    assert len(list(root.iter(f"{NS}circle"))) == 1
    assert root.find(f".//{NS}polyline") is None


def test_line_chart_empty_renders_no_data() -> None:
    root = parse(line_chart([], baseline=1.0, target=2.0, title="Empty", unit="ms"))
    assert "No data" in texts(root)
    assert not list(root.iter(f"{NS}circle"))


def test_line_chart_drops_non_finite_values() -> None:
    data = [*points(2), (T0 + timedelta(days=5), float("nan"))]
    root = parse(line_chart(data, baseline=None, target=None, title="t", unit=""))
    assert len(list(root.iter(f"{NS}circle"))) == 2


def test_text_is_escaped() -> None:
    evil = '<script>alert("x")</script> & co'
    svg = line_chart(points(2), baseline=None, target=None, title=evil, unit="<u>")
    assert "<script>" not in svg
    root = parse(svg)
    title = root.find(f"{NS}title")
    assert title is not None
    assert title.text == evil
    svg = bar_chart([(evil, 3.0)], title=evil, unit="&")
    assert "<script>" not in svg
    assert evil in texts(parse(svg))[0]
    svg = funnel([(evil, 3)], title=evil)
    assert "<script>" not in svg
    parse(svg)


def test_bar_chart_one_rect_per_bar_with_labels_and_values() -> None:
    bars = [("ideation", 20.0), ("PoC", 12.0), ("pilot", 5.0)]
    root = parse(bar_chart(bars, title="Funnel"))
    rects = list(root.iter(f"{NS}rect"))
    assert len(rects) == 3
    heights = [float(r.get("height", "0")) for r in rects]
    assert heights[0] > heights[1] > heights[2] > 0
    shown = texts(root)
    for label, value in bars:
        assert label in shown
        assert f"{value:.0f}" in shown


def test_bar_chart_percentages_with_fixed_scale() -> None:
    root = parse(bar_chart([("a", 50.0), ("b", 100.0)], title="Conv", unit="%", max_value=100))
    heights = [float(r.get("height", "0")) for r in root.iter(f"{NS}rect")]
    assert abs(heights[1] - 2 * heights[0]) < 0.5
    assert "50%" in texts(root)


def test_bar_chart_all_zero_and_empty() -> None:
    root = parse(bar_chart([("a", 0.0), ("b", 0.0)], title="Zero"))
    assert all(float(r.get("height", "1")) == 0 for r in root.iter(f"{NS}rect"))
    root = parse(bar_chart([], title="Empty"))
    assert "No data" in texts(root)


def test_bar_chart_truncates_long_labels_but_keeps_full_label_in_tooltip() -> None:
    long = "a very long stage name that cannot fit"
    root = parse(bar_chart([(long, 1.0)] * 8, title="t"))
    label = next(t for t in texts(root) if t.startswith("a very"))
    assert label.endswith("…")
    rect_title = root.find(f".//{NS}rect/{NS}title")
    assert rect_title is not None
    assert long in (rect_title.text or "")


def test_funnel_shows_conversion_from_previous_stage() -> None:
    root = parse(funnel([("ideation", 20), ("PoC", 10), ("pilot", 0)], title="Funnel"))
    assert len(list(root.iter(f"{NS}rect"))) == 3
    shown = texts(root)
    assert "PoC 10 (50% of previous)" in shown
    assert "pilot 0 (0% of previous)" in shown
    assert "No data" in texts(parse(funnel([], title="Empty")))
