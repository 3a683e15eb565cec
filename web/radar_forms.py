"""The radar's forms: the trend API's bodies (api/trend_bodies.py) as fields, sent the way
the API sends them (api/routes/trends.py)."""

from __future__ import annotations

from typing import Any

import msgspec

from api.deps import Deps
from api.dispatch import Accepted
from api.routes.trends import add_trend, link_trend, move_trend
from api.trend_bodies import AddTrendBody, LinkBody, MoveBody
from events.base import Actor
from events.trends import MATURITIES, QUADRANTS, RINGS
from web.forms import Field, FormSpec


async def _add(deps: Deps, actor: Actor, _: str, body: msgspec.Struct, __: Any) -> Accepted:
    assert isinstance(body, AddTrendBody)
    return await add_trend(deps, actor, body)


async def _move(deps: Deps, actor: Actor, trend_id: str, body: msgspec.Struct, _: Any) -> Accepted:
    assert isinstance(body, MoveBody)
    return await move_trend(deps, actor, trend_id, body)


async def _link(deps: Deps, actor: Actor, trend_id: str, body: msgspec.Struct, _: Any) -> Accepted:
    assert isinstance(body, LinkBody)
    return await link_trend(deps, actor, trend_id, body)


ADD = FormSpec(
    key="add-trend", title="Add a trend", stages=(), body=AddTrendBody, send=_add,
    roles=("contributor", "owner", "committee", "admin"), button="Add to the radar",
    intro="A new model, tool, platform or rule, and what it means for us.",
    fields=(
        Field("name", "Name"),
        Field("description", "What it is and why it matters", "textarea"),
        Field("quadrant", "Quadrant", "select", QUADRANTS),
        Field("ring", "Ring", "select", RINGS,
              hint="adopt: use it; trial: pilot it; assess: look into it; hold: not now"),
        Field("maturity", "Maturity", "select", MATURITIES),
        Field("risks", "Risks", "list", hint="separated by commas", required=False),
        Field("dependencies", "Dependencies", "list", hint="separated by commas",
              required=False),
    ),
)  # fmt: skip
MOVE = FormSpec(
    key="move-trend", title="Move to another ring", stages=(), body=MoveBody, send=_move,
    roles=("contributor", "committee", "admin"), button="Move",
    fields=(
        Field("ring", "New ring", "select", RINGS),
        Field("rationale", "Rationale", "textarea", hint="why it moves: the evidence"),
    ),
)  # fmt: skip
LINK = FormSpec(
    key="link-trend", title="Link an initiative it affects", stages=(), body=LinkBody,
    send=_link, roles=("contributor", "owner", "committee", "admin"), button="Link",
    fields=(Field("initiative_id", "Initiative", "select"),),
)  # fmt: skip
SPECS = {spec.key: spec for spec in (ADD, MOVE, LINK)}
