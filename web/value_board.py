"""The portfolio's value on the board: the value-versus-effort chart and the invested cost,
expected and realised value per stage and per sponsor, of the board's filtered initiatives
and at its "as of" moment (GET /portfolio's `value`)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from services.projection.models import Portfolio
from services.projection.value_figures import CaseFigures, ValueGroup
from web.charts import bar_chart
from web.value_chart import STAGE_NAMES, money, value_chart


@dataclass(frozen=True)
class ValueSection:
    chart: str
    currency: str
    per_stage: list[ValueGroup]
    per_sponsor: list[ValueGroup]
    other_currencies: int  # cases in other currencies: in the tables, not on the chart


def value_section(p: Portfolio) -> ValueSection | None:
    v = p.value
    if v is None or not (v.per_stage or v.points):
        return None
    counted = Counter(g.currency for g in v.per_stage for _ in range(g.cases))
    currency = counted.most_common(1)[0][0] if counted else "EUR"
    chart = value_chart(v.points, title="Expected value per year versus effort", currency=currency)
    return ValueSection(
        chart=chart,
        currency=currency,
        per_stage=v.per_stage,
        per_sponsor=v.per_sponsor,
        other_currencies=sum(1 for x in v.points if x.currency != currency),
    )


def case_bars(f: CaseFigures) -> str:
    """Expected value per year beside what was realised and invested so far (a negative
    realised value draws an empty bar; its figure says how much)."""
    c = f.case
    bars = [
        ("Expected value per year", c.expected_annual_value),
        ("Realised so far", f.realised_value),
        ("Invested so far", f.invested_cost),
        ("Effort (invested + planned)", f.effort),
    ]
    return bar_chart(bars, title="Expected, realised and invested", unit=c.currency)


def stage_name(key: str) -> str:
    return STAGE_NAMES.get(key, key)


__all__ = ["ValueSection", "case_bars", "money", "stage_name", "value_section"]
