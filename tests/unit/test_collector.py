import asyncio
import gc

import pytest

from infra.collector import YOUNG, fewer_young_collections


def test_the_threshold_is_raised_inside_and_restored_after_the_last_use_leaves():
    before = gc.get_threshold()
    with fewer_young_collections():
        assert gc.get_threshold() == (YOUNG, *before[1:])
        with fewer_young_collections():
            assert gc.get_threshold()[0] == YOUNG
        assert gc.get_threshold()[0] == YOUNG  # the outer use is still inside
    assert gc.get_threshold() == before


def test_an_error_inside_restores_it():
    before = gc.get_threshold()
    try:
        with fewer_young_collections():
            raise KeyError
    except KeyError:
        pass
    assert gc.get_threshold() == before


async def inside_until(entered: asyncio.Event, leave: asyncio.Event) -> None:
    with fewer_young_collections():
        entered.set()
        await leave.wait()


@pytest.mark.parametrize("order", ["first in, first out", "first in, last out"])
async def test_two_interleaved_tasks_keep_it_until_both_have_left(order: str):
    """Tasks interleave at their awaits: whichever leaves first, the other is still inside."""
    before = gc.get_threshold()
    entered, leave = [asyncio.Event(), asyncio.Event()], [asyncio.Event(), asyncio.Event()]
    tasks = []
    for n in (0, 1):
        tasks.append(asyncio.create_task(inside_until(entered[n], leave[n])))
        await entered[n].wait()
    first, last = (0, 1) if order == "first in, first out" else (1, 0)
    leave[first].set()
    await tasks[first]
    assert gc.get_threshold()[0] == YOUNG  # the other is still inside
    leave[last].set()
    await tasks[last]
    assert gc.get_threshold() == before
