"""Reading the stream in a child process yields what reading it here yields."""

from __future__ import annotations

import pytest

from infra.consumer import replay
from infra.replay_child import ReplayFailed, Request, replay_apart
from infra.settings import Settings
from services.projection import rebuild
from tests.integration.bus import own_bus, own_stream
from tests.integration.test_projection_support import portfolio, publish


async def test_the_child_yields_the_same_chunks_as_replay(settings: Settings):
    async with own_stream(settings) as (bus, js):
        await publish(js, bus, list(portfolio(5)))
        last = int((await js.stream_info(bus.stream)).state.last_seq)
        for start, end, batch in ((1, last, 7), (4, last - 3, 10), (last, last, 5), (3, 2, 5)):
            here = [c async for c in replay(js, bus.stream, bus.subjects.events, start=start,
                                            end=end, batch=batch)]  # fmt: skip
            request = Request(bus.nats_url, bus.stream, bus.subjects.events, start, end, batch)
            apart = [c async for c in replay_apart(request)]
            assert apart == here
            assert sum(map(len, here)) == max(end - start + 1, 0)


async def test_a_child_that_cannot_read_is_one_line_and_status_3(
    settings: Settings, capsys: pytest.CaptureFixture[str]
):
    bus = own_bus(settings)
    request = Request(bus.nats_url, bus.stream, bus.subjects.events, 1, 10, 5)
    with pytest.raises(ReplayFailed, match="exited with status"):
        [c async for c in replay_apart(request)]  # a stream that does not exist

    async def failing(*_: object, **__: object) -> None:
        raise ReplayFailed("the process reading the stream exited with status 1")

    with pytest.MonkeyPatch.context() as patch:  # the CLI's answer to the child's failure
        patch.setattr(rebuild, "rebuild", failing)
        assert await rebuild.rebuild_cli(bus) == 3
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert err.startswith("tollgate projection rebuild: the process reading the stream exited")
    assert "not switched" in err and "resumes" in err
