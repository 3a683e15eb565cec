"""The business-case form: every stage's page offers it, and a launched initiative's too
(its running cost and value go on after launch)."""

from __future__ import annotations

from typing import Any, get_args

import msgspec

from api.auth import WORKERS
from api.deps import Deps
from api.dispatch import Accepted
from api.routes.business_case import BusinessCaseBody, refine_case
from events.base import Actor
from events.business_case import Confidence, Currency
from services.projection.value_figures import CaseFigures
from web.forms import Field, FormSpec, Parsed


async def _refine(
    deps: Deps, actor: Actor, iid: str, body: msgspec.Struct, _: dict[str, Any]
) -> Accepted:
    assert isinstance(body, BusinessCaseBody)
    return await refine_case(deps.broker, actor, iid, body)


def _money(name: str, label: str, hint: str, required: bool = False) -> Field:
    return Field(name, label, "number", hint=hint, required=required, step="any")


BUSINESS_CASE = FormSpec(
    key="business-case",
    title="Business case",
    stages=("ideation", "poc", "pilot", "mvp", "production"),
    body=BusinessCaseBody,
    fields=(
        _money("expected_annual_value", "Expected value per year", "in the currency below",
               required=True),
        _money("one_off_cost", "One-off cost", "build, licences, integration"),
        _money("running_cost_per_year", "Running cost per year", "operation, licences, support"),
        Field("currency", "Currency", "select", get_args(Currency), required=False),
        Field("confidence", "Confidence", "select", get_args(Confidence), required=False),
        Field("kpi_id", "KPI that carries the value", "select", required=False,
              hint="from the pilot on, once KPIs are defined"),
        _money("value_per_unit", "Value per unit of KPI improvement", "per year, for one unit"
               " better than the baseline"),
        Field("note", "Note", "textarea", required=False, hint="assumptions, sources"),
    ),
    send=_refine,
    roles=WORKERS,
    intro="States the whole case anew; the case in force and its history are under"
    " Business case above. Amounts are never negative.",
    button="Record the case",
)  # fmt: skip


def prefilled(figures: CaseFigures | None) -> dict[str, Parsed]:
    """The form starts from the case in force: a refinement changes what moved."""
    if figures is None:
        return {}
    c = figures.case
    values = {
        "expected_annual_value": f"{c.expected_annual_value:g}",
        "one_off_cost": f"{c.one_off_cost:g}",
        "running_cost_per_year": f"{c.running_cost_per_year:g}",
        "currency": c.currency,
        "confidence": c.confidence,
        "kpi_id": c.kpi_id or "",
        "value_per_unit": f"{c.value_per_unit:g}" if c.value_per_unit else "",
        "note": c.note,
    }
    return {BUSINESS_CASE.key: Parsed(values=values)}
