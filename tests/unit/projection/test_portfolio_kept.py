"""The portfolio figures kept per read-model position (board_figures): one computation at a
time shared by every request, and with `stale_ok` the last figures at once while newer ones
are computed. The read models are faked: a position and a computation we release."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest

from services.projection import board_figures
from services.projection.board import Filters
from services.projection.models import Portfolio


def figures(total: int) -> Portfolio:
    return Portfolio(as_of=datetime(2026, 1, 1, tzinfo=UTC), total=total, per_stage={},
                     per_status={}, conversion=[], cycle_times=[], kill_rate=0.0,
                     stale_days=30, stale=[])  # fmt: skip


class FakeReadModels:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.position = 1
        self.computations = 0
        self.release = asyncio.Event()
        monkeypatch.setattr(board_figures, "applied_position", self.applied)
        monkeypatch.setattr(board_figures, "computed", self.compute)
        monkeypatch.setattr(board_figures, "_kept", board_figures.OrderedDict())
        monkeypatch.setattr(board_figures, "_computing", {})

    async def applied(self, _pool: Any) -> int:
        return self.position

    async def compute(self, _pool: Any, _f: Filters, _stale_days: int) -> Portfolio:
        self.computations += 1
        at = self.position
        await self.release.wait()
        return figures(at)


async def ask(stale_ok: bool = False) -> Portfolio:
    return await board_figures.portfolio(None, Filters(), stale_days=30, stale_ok=stale_ok)  # type: ignore[arg-type]


async def test_concurrent_requests_share_one_computation(monkeypatch: pytest.MonkeyPatch):
    fake = FakeReadModels(monkeypatch)
    waiting = [asyncio.ensure_future(ask()) for _ in range(20)]
    await asyncio.sleep(0)
    fake.release.set()
    answers = await asyncio.gather(*waiting)

    assert fake.computations == 1
    assert {a.total for a in answers} == {1}


async def test_a_newer_position_is_waited_for_unless_stale_is_ok(monkeypatch: pytest.MonkeyPatch):
    fake = FakeReadModels(monkeypatch)
    fake.release.set()
    assert (await ask()).total == 1
    fake.release.clear()
    fake.position = 2

    assert (await ask(stale_ok=True)).total == 1  # at once, while position 2 is computed
    exact = asyncio.ensure_future(ask())
    await asyncio.sleep(0.01)
    assert not exact.done()
    fake.release.set()

    assert (await exact).total == 2
    assert fake.computations == 2
    assert (await ask(stale_ok=True)).total == 2
