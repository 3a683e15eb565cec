"""The value-versus-effort chart as markup: one ranked circle per case in the chart's
currency, sized by realised value, titles escaped, and "No data" without a case."""

from __future__ import annotations

import re

from services.projection.value_figures import ValuePoint
from web.value_chart import money, value_chart


def point(n: int, title: str, realised: float, currency: str = "EUR") -> ValuePoint:
    return ValuePoint(
        initiative_id=f"i-{n}", title=title, stage="pilot", status="active", sponsor="cfo",
        currency=currency, confidence="medium", effort=100_000.0 * n, invested_cost=50_000.0,
        expected_annual_value=300_000.0 / n, realised_value=realised,
    )  # fmt: skip


def test_each_case_in_the_currency_is_a_ranked_circle_and_a_list_item() -> None:
    html = value_chart(
        [point(1, "Chatbot", 90_000), point(2, "Routing <v2>", 0), point(3, "Tariffs", 0, "USD")],
        title="Value versus effort", currency="EUR",
    )  # fmt: skip
    assert html.count('<g class="tg-case"') == 2 and html.count("<li>") == 2
    assert "Routing &lt;v2&gt;" in html and "Routing <v2>" not in html
    assert "Tariffs" not in html  # another currency is never drawn on the same axes
    radii = [float(r) for r in re.findall(r'<circle cx="[^"]+" cy="[^"]+" r="([\d.]+)"', html)]
    assert radii[:2] == [17, 9]  # the most realised value draws the largest circle


def test_a_portfolio_without_cases_says_no_data() -> None:
    assert "No data" in value_chart([], title="Value versus effort", currency="EUR")


def test_amounts_are_short() -> None:
    assert [money(950), money(1_250), money(2_400_000, "EUR")] == ["950", "1.2k", "2.4M EUR"]


def test_a_case_below_its_baseline_says_so() -> None:
    html = value_chart([point(1, "Tariffs", -4_000)], title="Value", currency="EUR")
    assert "realised -4k (its KPI is worse than baseline)" in html
