"""The board's columns: per stage its first cards in the chosen order, and how many match.

A column reads only the cards it shows (one LIMIT per stage, in one statement), and a card
only the summary and the stage visits of its row, never the KPI series, so the columns
cost the same with 30 initiatives or 1,000. The figures are in board_figures.py.
"""

from __future__ import annotations

from datetime import datetime

import msgspec
from msgspec.structs import replace

from events.base import STAGES
from infra.db import Pool
from services.projection import portfolio as figures
from services.projection.ordering import ORDER_BY, Sort, ordered
from services.projection.queries import I, _filters, _matches, _member, _now, _summary
from services.projection.store import SUMMARY
from services.projection.time_travel import rows_as_of
from services.projection.views.initiative import Initiative
from services.projection.views.obligations import marks
from services.projection.views.summary import Summary
from services.projection.views.visits import Visits

VISITS = msgspec.json.Decoder(Visits)
# what a card needs: the whole row (`doc`) only for rows stored before the summary column kept
# the readiness (a readiness is missing only where the initiative has no gate ahead)
CARD = (
    "summary, doc->'visits' AS visits, CASE WHEN summary->>'readiness_percent' IS NULL AND "
    "status NOT IN ('killed', 'launched') AND stage <> 'production' THEN doc END AS doc"
)


class Filters(msgspec.Struct, frozen=True, kw_only=True):
    """What the board (and the list) filter by; `member`: an account owning the initiative
    or on its team (the "Mine" filter)."""

    owner: str | None = None
    status: str | None = None
    risk_class: str | None = None
    q: str | None = None
    member: str | None = None

    def sql(self) -> tuple[str, list[object]]:
        return _filters(
            self.owner, self.member, status=self.status, risk_class=self.risk_class, search=self.q
        )

    def keeps(self, s: Summary) -> bool:
        wanted = (None, self.status, self.owner, self.risk_class, self.q)
        return _matches(s, *wanted) and (self.member is None or _member(s, self.member))


class Column(msgspec.Struct, frozen=True, kw_only=True):
    stage: str
    cards: list[Summary]  # the first `shown` in the chosen order
    total: int  # every matching initiative in this stage


async def columns(
    pool: Pool, f: Filters, shown: dict[str, int], sort: Sort, as_of: datetime | None = None
) -> list[Column]:
    """Per stage the first `shown[stage]` matching initiatives in `sort` order, and the count."""
    if as_of is not None:
        return await _columns_as_of(pool, f, shown, sort, as_of)
    where, args = f.sql()
    n = len(args)
    grouped = await pool.fetch(f"SELECT stage, count(*) FROM {I}{where} GROUP BY stage", *args)
    counts = {r["stage"]: int(r["count"]) for r in grouped}
    inner = f"{where} AND stage = s.stage" if where else " WHERE stage = s.stage"
    records = await pool.fetch(
        f"SELECT s.stage, c.summary, c.visits, c.doc FROM unnest(${n + 1}::text[], "
        f"${n + 2}::int[]) WITH ORDINALITY AS s(stage, shown, k) CROSS JOIN LATERAL (SELECT "
        f"{CARD} FROM {I}{inner} ORDER BY {ORDER_BY[sort]} LIMIT s.shown) c ORDER BY s.k",
        *args,
        list(STAGES),
        [shown.get(stage, 0) for stage in STAGES],
    )
    now = _now()
    cards: dict[str, list[Summary]] = {stage: [] for stage in STAGES}
    for r in records:
        cards[r["stage"]].append(_card(r["summary"], r["visits"], r["doc"], now))
    return [Column(stage=s, cards=cards[s], total=counts.get(s, 0)) for s in STAGES]


def _card(summary: bytes, visits: bytes, doc: bytes | None, now: datetime) -> Summary:
    """A card from the summary column (which keeps the readiness) and the stage visits;
    the whole row only where it was stored before the summary kept the readiness."""
    if doc is not None:
        return _summary(summary, doc, now)
    s = SUMMARY.decode(summary)
    row = Initiative(initiative_id=s.initiative_id, summary=s, visits=VISITS.decode(visits))
    return replace(s, time_in_stage_days=figures.time_in_stage(row, now))


async def _columns_as_of(
    pool: Pool, f: Filters, shown: dict[str, int], sort: Sort, as_of: datetime
) -> list[Column]:
    rows = [r for r in (await rows_as_of(pool, as_of)).values() if r.summary.proposed_at]
    found = ordered(
        [s for s in (figures.summary_at(marks(r), r, as_of) for r in rows) if f.keeps(s)], sort
    )
    out = []
    for stage in STAGES:
        here = [s for s in found if s.stage == stage]
        out.append(Column(stage=stage, cards=here[: shown.get(stage, 0)], total=len(here)))
    return out
