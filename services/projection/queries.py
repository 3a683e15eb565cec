"""The read API: what the HTTP layer asks of the read models. Reads only the projection schema.

Time travel (`as_of`) is in time_travel.py.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from typing import Any, Protocol

from events.base import STAGES
from infra.db import Pool
from services.projection import kept_rows
from services.projection import portfolio as figures
from services.projection.decisions import DecisionReplay, RecentDecision, recent, replay_of
from services.projection.models import (
    InitiativeDetail,
    InitiativePage,
    InitiativeSummary,
    Lag,
    Portfolio,
    ReadinessView,
    ReviewItem,
)
from services.projection.ordering import ORDER_BY, Sort, ordered
from services.projection.store import ROW, SCHEMA, SUMMARY
from services.projection.time_travel import rows_as_of
from services.projection.views.initiative import Initiative
from services.projection.views.obligations import marks
from services.projection.watch import watching

T = f"{SCHEMA}.timeline"
I = f"{SCHEMA}.initiatives"  # noqa: E741
_OF_STAGES = "stage IN (" + ", ".join(f"'{s}'" for s in STAGES) + ")"  # an initiative's events


class JetStream(Protocol):
    async def stream_info(self, name: str) -> Any: ...
    async def get_msg(self, stream_name: str, seq: int) -> Any: ...


def _now() -> datetime:
    return datetime.now(UTC)


def _clock(as_of: datetime | None) -> datetime:
    """The time the figures that run with the clock (days in stage, invested cost) are
    computed at: `as_of`, but never after now (nothing is known of the future)."""
    now = _now()
    return now if as_of is None else min(as_of, now)


async def _row(pool: Pool, initiative_id: str) -> Initiative | None:
    return await kept_rows.row(pool, initiative_id)  # decoded once per version


async def get_initiative(
    pool: Pool, initiative_id: str, as_of: datetime | None = None
) -> InitiativeDetail | None:
    if as_of is None:
        row = await _row(pool, initiative_id)
        return _detail_now(row) if row else None
    row = (await rows_as_of(pool, as_of, initiative_id)).get(initiative_id)
    return figures.detail(row, _clock(as_of), as_of) if row else None


_details: dict[str, tuple[Initiative, int, InitiativeDetail]] = {}
DETAILS_KEPT = 2_000


def _detail_now(row: Initiative) -> InitiativeDetail:
    """The detail of a kept row at most a second old: what it adds runs with the clock (days
    in stage, invested cost) and took a fifth of a read's time under load."""
    second = int(time.time())
    kept = _details.get(row.initiative_id)
    if kept is not None and kept[0] is row and kept[1] == second:
        return kept[2]
    detail = figures.detail(row, _now())
    if len(_details) >= DETAILS_KEPT:
        _details.clear()
    _details[row.initiative_id] = (row, second, detail)
    return detail


OWNED_BY = "(summary->>'owner_account' = {0} OR lower(owner) = lower({0}))"
MEMBER = (
    "(summary->>'owner_account' = {0} OR "
    "summary->'team' @> jsonb_build_array(jsonb_build_object('account', {0}::text)))"
)


def _filters(
    owner: str | None, member: str | None, **given: str | None
) -> tuple[str, list[object]]:
    """`owner`: the owner's account or (free-text) name, any case; `member`: an account
    that owns the initiative or is on its team."""
    clauses: list[str] = []
    args: list[object] = []
    for column, value in given.items():
        if value is None:
            continue
        args.append(f"%{value.lower()}%" if column == "search" else value)
        op = "LIKE" if column == "search" else "="
        clauses.append(f"{column} {op} ${len(args)}")
    for template, value in ((OWNED_BY, owner), (MEMBER, member)):
        if value is not None:
            args.append(value)
            clauses.append(template.format(f"${len(args)}"))
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), args


async def list_initiatives(
    pool: Pool, *, stage: str | None = None, status: str | None = None, owner: str | None = None,
    risk_class: str | None = None, q: str | None = None, limit: int = 50, offset: int = 0,
    as_of: datetime | None = None, member: str | None = None, sort: Sort = "updated",
) -> InitiativePage:  # fmt: skip
    """Newest activity first, or in another order (ordering.py); `q` searches title, owner,
    sponsor, id and tags; `member` keeps the initiatives that account owns or is on the team
    of. With `as_of` the initiatives as they were then (folded from the timeline), filtered
    by that state. Without `as_of`, a page is kept while the read models stay at the position
    heard (watch.py) and the clock in the same second."""
    if as_of is not None:
        rows = [r for r in await _rows(pool, as_of) if r.summary.proposed_at]
        found = [figures.summary_at(marks(r), r, _clock(as_of)) for r in rows]
        found = [s for s in found if _matches(s, stage, status, owner, risk_class, q)]
        found = [s for s in found if member is None or _member(s, member)]
        found = ordered(found, sort)
        return InitiativePage(
            items=found[offset : offset + limit], total=len(found), limit=limit, offset=offset
        )
    heard = watching(pool)
    key = (id(pool), heard.position if heard else -1, int(time.time()), stage, status, owner,
           risk_class, q, limit, offset, member, sort)  # fmt: skip
    if heard is not None and (kept := _pages.get(key)) is not None:
        return kept
    page = await _page(pool, stage=stage, status=status, owner=owner, risk_class=risk_class,
                       q=q, limit=limit, offset=offset, member=member, sort=sort)  # fmt: skip
    if heard is not None:  # read at or after that position: kept for the rest of the second
        if len(_pages) >= PAGES_KEPT:
            _pages.clear()
        _pages[key] = page
    return page


_pages: dict[tuple[object, ...], InitiativePage] = {}
PAGES_KEPT = 256


async def _page(
    pool: Pool, *, stage: str | None, status: str | None, owner: str | None,
    risk_class: str | None, q: str | None, limit: int, offset: int, member: str | None,
    sort: Sort,
) -> InitiativePage:  # fmt: skip
    """A page of the list now: the board's cards, counted and ordered in SQL."""
    where, args = _filters(
        owner, member, stage=stage, status=status, risk_class=risk_class, search=q
    )
    total = await pool.fetchval(f"SELECT count(*) FROM {I}{where}", *args)
    n = len(args)
    from services.projection.board import CARD, _card  # the board's cards: no whole rows

    records = await pool.fetch(
        f"SELECT {CARD} FROM {I}{where} ORDER BY {ORDER_BY[sort]} "
        f"LIMIT ${n + 1} OFFSET ${n + 2}", *args, limit, offset,
    )  # fmt: skip
    now = _now()
    items = [_card(r["summary"], r["visits"], r["doc"], now) for r in records]
    return InitiativePage(items=items, total=total, limit=limit, offset=offset)


def _matches(s: InitiativeSummary, *wanted: str | None) -> bool:
    stage, status, owner, risk_class, q = wanted
    text = " ".join((s.title, s.owner, s.sponsor, s.initiative_id, *s.tags)).lower()
    owned = owner is None or owner == s.owner_account or owner.lower() == s.owner.lower()
    return (
        stage in (None, s.stage) and status in (None, s.status) and owned
        and risk_class in (None, s.risk_class) and (not q or q.lower() in text)
    )  # fmt: skip


def _member(s: InitiativeSummary, account: str) -> bool:
    return account == s.owner_account or any(p.account == account for p in s.team)


def _summary(summary: bytes, doc: bytes, now: datetime) -> InitiativeSummary:
    row = ROW.decode(doc)
    return figures.summary_at(SUMMARY.decode(summary), row, now)


async def timeline(
    pool: Pool, initiative_id: str, *, stage: str | None = None, kind: str | None = None,
    actor: str | None = None,
) -> list[bytes]:  # fmt: skip
    """Oldest first; `kind` is an event's name (kpi_measured) or its whole CloudEvents type.
    Only the stages' events: a trend's or an agent's stream (also in the timeline, keyed by
    its own id, which may equal an initiative's) is no initiative's timeline."""
    where, args = ["initiative_id = $1", _OF_STAGES], [initiative_id]
    for clause, value in (("stage = ${}", stage), ("actor = ${}", actor),
                          ("(type = ${0} OR split_part(type, '.', 4) = ${0})", kind)):  # fmt: skip
        if value is not None:
            args.append(value)
            where.append(clause.format(len(args)))
    records = await pool.fetch(
        f"SELECT body FROM {T} WHERE {' AND '.join(where)} ORDER BY seq", *args
    )
    return [bytes(r["body"]) for r in records]


async def exists(pool: Pool, initiative_id: str) -> bool:
    found = await pool.fetchval(
        f"SELECT 1 FROM {T} WHERE initiative_id = $1 AND {_OF_STAGES} LIMIT 1", initiative_id
    )
    return found is not None


async def decision_replay(pool: Pool, initiative_id: str, n: int) -> DecisionReplay | None:
    """Decision `n` (1 = the first taken) replayed; None for an unknown initiative or n."""
    row = await _row(pool, initiative_id)
    return replay_of(row, n) if row else None


async def recent_decisions(pool: Pool, voter: str, since: datetime) -> list[RecentDecision]:
    """Gate decisions taken since `since` on which `voter` voted, oldest request first."""
    voted = "doc->'gates'->'reviews' @> $2 OR doc->'gates'->'reviews' @> $3"
    records = await pool.fetch(
        f"SELECT doc FROM {I} WHERE updated_at >= $1 AND ({voted})",
        since,
        [{"votes": [{"voter": voter}]}],
        [{"earlier": [{"voter": voter}]}],
    )
    rows = (ROW.decode(r["doc"]) for r in records)
    found = [d for d in (recent(r, voter, since) for r in rows) if d is not None]
    return sorted(found, key=lambda d: (d.requested_at or d.at, d.initiative_id))


async def readiness(pool: Pool, initiative_id: str) -> ReadinessView | None:
    row = await _row(pool, initiative_id)
    return figures.readiness_of(row) if row else None


async def _rows(pool: Pool, as_of: datetime | None, where: str = "") -> list[Initiative]:
    if as_of is not None:
        return list((await rows_as_of(pool, as_of)).values())
    return [ROW.decode(r["doc"]) for r in await pool.fetch(f"SELECT doc FROM {I}{where}")]


async def portfolio(pool: Pool, *, stale_days: int, as_of: datetime | None = None) -> Portfolio:
    return figures.portfolio(await _rows(pool, as_of), _clock(as_of), stale_days)


async def review_queue(pool: Pool) -> list[ReviewItem]:
    """Gate reviews awaiting a decision and re-reviews of launched initiatives whose KPI
    breached, oldest request first, each with its readiness."""
    now = _now()
    re_review = "status = 'launched' AND summary->>'re_review' IS NOT NULL"
    rows = await _rows(pool, None, f" WHERE status = 'in_review' OR ({re_review})")
    items = [i for i in (figures.review_item(r, now) for r in rows) if i is not None]
    return sorted(items, key=lambda i: (i.requested_at or now, i.initiative_id))


async def applied_position(pool: Pool) -> int:
    """The stream sequence the read models applied: heard (services/projection/watch.py),
    else asked."""
    heard = watching(pool)
    if heard is not None:
        return heard.position
    return int(await pool.fetchval(f"SELECT sequence FROM {SCHEMA}.position") or 0)


async def wait_for_position(pool: Pool, position: int, timeout: float) -> bool:
    """Wait until the read models include stream sequence `position`; False on timeout."""
    deadline = time.monotonic() + timeout
    heard = watching(pool)
    if heard is not None and await heard.reached(position, timeout):
        return True
    pause = 0.002  # short first: the read model is usually a few milliseconds behind
    while await applied_position(pool) < position:
        if time.monotonic() >= deadline:
            return False
        await asyncio.sleep(pause)
        pause = min(pause * 2, 0.05)
    return True


async def lag(pool: Pool, js: JetStream, stream: str) -> Lag:
    info = await js.stream_info(stream)
    last = int(info.state.last_seq)
    applied = await applied_position(pool)
    behind = max(last - applied, 0)
    seconds = 0.0
    if behind:
        try:
            oldest = await js.get_msg(stream, seq=applied + 1)
            seconds = max((_now() - _aware(oldest.time)).total_seconds(), 0.0)
        except Exception:  # a deleted message: the age is unknown, the count is not
            seconds = 0.0
    return Lag(stream_last=last, applied=applied, events_behind=behind, seconds_behind=seconds)


def _aware(value: datetime | str) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=UTC)
