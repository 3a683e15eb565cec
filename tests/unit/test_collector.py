import asyncio
import gc

from infra.collector import YOUNG, fewer_young_collections


def test_the_threshold_is_raised_inside_and_restored_after_the_last_use_leaves():
    before = gc.get_threshold()
    with fewer_young_collections():
        assert gc.get_threshold() == (YOUNG, *before[1:])
        with fewer_young_collections():
            assert gc.get_threshold()[0] == YOUNG
        assert gc.get_threshold()[0] == YOUNG  # the outer use is still inside
    assert gc.get_threshold() == before


async def test_interleaved_tasks_restore_it_once_both_have_left():
    before = gc.get_threshold()
    first_in, second_out = asyncio.Event(), asyncio.Event()

    async def first() -> None:
        with fewer_young_collections():
            first_in.set()
            await second_out.wait()  # the second leaves while the first is still inside
            assert gc.get_threshold()[0] == YOUNG

    async def second() -> None:
        await first_in.wait()
        with fewer_young_collections():
            await asyncio.sleep(0)
        second_out.set()

    await asyncio.gather(first(), second())
    assert gc.get_threshold() == before


def test_an_error_inside_restores_it():
    before = gc.get_threshold()
    try:
        with fewer_young_collections():
            raise KeyError
    except KeyError:
        pass
    assert gc.get_threshold() == before


async def test_the_first_leaving_before_the_second_keeps_it_until_the_second_leaves():
    before = gc.get_threshold()
    second_in, first_out = asyncio.Event(), asyncio.Event()

    async def first() -> None:
        with fewer_young_collections():
            await second_in.wait()
        first_out.set()

    async def second() -> None:
        with fewer_young_collections():
            second_in.set()
            await first_out.wait()  # the first left while this one is inside
            assert gc.get_threshold()[0] == YOUNG

    await asyncio.gather(first(), second())
    assert gc.get_threshold() == before
