"""The business case: stated anew in whichever stage holds the initiative (PRODUCT.md 12).

Reading it is part of `GET /initiatives/{id}` (`business_case`: the case in force, its
history by stage, realised value, invested cost and payback) and of `GET /portfolio`
(`value`)."""

from __future__ import annotations

from datetime import UTC, datetime

from litestar import Controller, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from api.auth import WORKERS, requires
from api.bodies import Body
from api.broker import Broker
from api.deps import Deps, checked_id
from api.dispatch import Accepted, send, whereabouts
from events.base import Actor, Id
from events.business_case import BusinessCase, Confidence, Currency, Money, Note, RefineBusinessCase


class BusinessCaseBody(Body, kw_only=True, forbid_unknown_fields=True):
    """Every field of the case (the latest case replaces the earlier one). Amounts are in
    `currency` and never negative; `value_per_unit` is the yearly value of one unit of
    improvement of the KPI `kpi_id` over its baseline (it needs the KPI; before KPIs are
    defined in the pilot, a planned KPI id may be given)."""

    expected_annual_value: Money
    one_off_cost: Money = 0.0
    running_cost_per_year: Money = 0.0
    confidence: Confidence = "medium"
    currency: Currency = "EUR"
    kpi_id: Id | None = None
    value_per_unit: Money = 0.0
    note: Note = ""

    def case(self) -> BusinessCase:
        return BusinessCase(
            expected_annual_value=self.expected_annual_value,
            one_off_cost=self.one_off_cost,
            running_cost_per_year=self.running_cost_per_year,
            confidence=self.confidence,
            currency=self.currency,
            kpi_id=self.kpi_id,
            value_per_unit=self.value_per_unit,
            note=self.note,
        )


async def refine_case(
    broker: Broker, actor: Actor, initiative_id: str, data: BusinessCaseBody
) -> Accepted:
    """To the stage service that holds the initiative now (also after launch: the MVP's)."""
    current = await whereabouts(broker, checked_id(initiative_id))
    command = RefineBusinessCase(
        initiative_id=initiative_id, at=datetime.now(UTC), actor=actor, case=data.case()
    )
    return await send(
        broker, current.stage, command, data.expected_version, open_wait=current.open_wait
    )


class BusinessCaseController(Controller):
    path = "/initiatives/{initiative_id:str}/business-case"
    tags = ["initiatives"]

    @post("/", operation_id="refineBusinessCase", status_code=201, guards=[requires(*WORKERS)])
    async def refine(
        self,
        deps: NamedDependency[Deps],
        actor: NamedDependency[Actor],
        initiative_id: FromPath[str],
        data: JSONBody[BusinessCaseBody],
    ) -> Accepted:
        """State the business case anew: expected annual value, one-off and running cost,
        confidence, currency, and the KPI that carries the value with the value per unit of
        its improvement. Recorded by the stage that holds the initiative (a contributor, or
        an owner on their own initiatives); a case identical to the current one changes
        nothing; a negative or absurd amount is a 422, a killed or held initiative a 409."""
        return await refine_case(deps.broker, actor, initiative_id, data)
