"""The protocol reader yields what nats-py's `replay` yields, on the real server."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import nats
import pytest

from infra.bus import ensure_stream
from infra.consumer import replay
from infra.settings import Settings
from infra.stream_reader import StreamReadError, Unsupported, connect_options, read_stretch
from tests.integration.bus import own_bus, own_stream
from tests.integration.chaos_faults import PrivateNats
from tests.integration.test_projection_support import portfolio, publish


async def test_the_same_chunks_as_replay_with_gaps_and_messages_without_headers(
    settings: Settings,
):
    async with own_stream(settings) as (bus, js):
        await publish(js, bus, list(portfolio(4)))
        for i in range(3):  # no Nats-Msg-Id: delivered as MSG, not HMSG
            await js.publish(f"{bus.subject_root}.events.x.y.z", b'{"plain": %d}' % i)
        await js.delete_msg(bus.stream, 5)  # a gap in the sequences
        last = int((await js.stream_info(bus.stream)).state.last_seq)
        cases = ((1, last, 7), (4, last - 3, 10), (last, last, 5), (3, 2, 5), (2, last + 50, 4),
                 (5, 5, 3), (1, last, 2000))  # fmt: skip
        for start, end, batch in cases:
            here = [c async for c in replay(js, bus.stream, bus.subjects.events, start=start,
                                            end=end, batch=batch)]  # fmt: skip
            consumers = (await js.stream_info(bus.stream)).state.consumer_count
            read = [c async for c in read_stretch(bus.nats_url, bus.stream, bus.subjects.events,
                                                  start=start, end=end, batch=batch)]  # fmt: skip
            assert read == [c for c in here if c], (start, end, batch)  # replay may yield []
            assert all(0 < len(c) <= batch for c in read)
            # its consumer is deleted at the end (replay's lingers until it is inactive)
            assert (await js.stream_info(bus.stream)).state.consumer_count == consumers
        sequences = [s for c in read for s, _ in c]
        assert 5 not in sequences and sequences == sorted(sequences)
        assert read[-1][-1][1] == b'{"plain": 2}'


async def test_a_stretch_with_nothing_stored_ends_at_once(settings: Settings):
    async with own_stream(settings) as (bus, js):
        last = await publish(js, bus, list(portfolio(1)))
        began = time.monotonic()
        read = [c async for c in read_stretch(bus.nats_url, bus.stream, bus.subjects.events,
                                              start=last + 1, end=last + 50)]  # fmt: skip
        assert read == [] and time.monotonic() - began < 5  # no pull left to expire


async def test_a_missing_stream_is_an_error_not_an_empty_read(settings: Settings):
    bus = own_bus(settings)
    with pytest.raises(StreamReadError, match="stream not found"):
        [c async for c in read_stretch(bus.nats_url, bus.stream, bus.subjects.events, start=1,
                                       end=10)]  # fmt: skip


@pytest.mark.parametrize(
    ("flags", "good", "bad"),
    [
        (("--user", "reader", "--pass", "s3cret"), "reader:s3cret", "reader:wrong"),
        (("--auth", "t0ken"), "t0ken", "other"),
    ],
)
async def test_credentials_in_the_url(
    settings: Settings, tmp_path: Path, flags: tuple[str, ...], good: str, bad: str
):
    server = PrivateNats(tmp_path, *flags)
    await server.start()
    try:
        url = f"nats://{good}@127.0.0.1:{server.port}"
        bus = own_bus(Settings(database_url=settings.database_url, nats_url=url))
        nc = await nats.connect(url)
        js = nc.jetstream()
        await ensure_stream(js, bus.subjects)
        await publish(js, bus, list(portfolio(2)))
        last = int((await js.stream_info(bus.stream)).state.last_seq)
        here = [c async for c in replay(js, bus.stream, bus.subjects.events, start=1, end=last)]
        # the first URL of a list that refuses connections is passed over
        urls = f"nats://127.0.0.1:1,{url}"
        read = [c async for c in read_stretch(urls, bus.stream, bus.subjects.events, start=1,
                                              end=last)]  # fmt: skip
        assert read == here and sum(map(len, read)) == last
        await nc.close()
        refused = f"nats://{bad}@127.0.0.1:{server.port}"
        with pytest.raises(StreamReadError, match=r"[Aa]uthorization"):
            [c async for c in read_stretch(refused, bus.stream, bus.subjects.events, start=1,
                                           end=last)]  # fmt: skip
        # a server refusing the credentials is passed over like one refusing connections
        read = [c async for c in read_stretch(f"{refused},{url}", bus.stream,
                                              bus.subjects.events, start=1, end=last)]  # fmt: skip
        assert read == here
    finally:
        await server.stop()


def test_connect_options_send_credentials_as_nats_py_does():
    host, port, options = connect_options("nats://ana:k%41z9@db.example:4333")
    assert (host, port, options["user"], options["pass"]) == ("db.example", 4333, "ana", "k%41z9")
    assert connect_options("nats://tok@h")[2]["auth_token"] == "tok"
    assert connect_options("nats://:pw@h")[2].items() >= {"user": "", "pass": "pw"}.items()
    assert connect_options("h2")[:2] == ("h2", 4222)
    assert "user" not in connect_options("nats://h")[2]
    for url in ("tls://h:4222", "ws://h:80"):
        with pytest.raises(Unsupported):
            connect_options(url)


async def test_info_lines_before_the_pong_are_passed_over():
    """A cluster's server may send an INFO update before answering the PING: a scripted
    server answers CONNECT with two, then PONG, then a JetStream error for the consumer."""
    got: list[bytes] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b'INFO {"server_id":"x","max_payload":1048576}\r\n')
        got.append(await reader.readline())  # CONNECT
        got.append(await reader.readline())  # PING
        writer.write(b'INFO {"connect_urls":["10.0.0.2:4222"]}\r\n+OK\r\nPONG\r\n')
        await writer.drain()
        await reader.readline()  # SUB of the inbox
        pub = (await reader.readline()).split()
        await reader.readexactly(int(pub[-1]) + 2)
        body = b'{"error":{"code":404,"description":"stream not found"}}'
        writer.write(b"MSG %s 1 %d\r\n%s\r\n" % (pub[2], len(body), body))
        await writer.drain()
        await reader.read()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        with pytest.raises(StreamReadError, match="stream not found"):
            [c async for c in read_stretch(f"nats://127.0.0.1:{port}", "S", "s.>", start=1,
                                           end=5)]  # fmt: skip
    finally:
        server.close()
    assert got[0].startswith(b"CONNECT ") and got[1] == b"PING\r\n"


async def test_a_pull_answered_503_is_sent_again():
    """A cluster's new consumer may answer its first pull 503 (no leader yet): a scripted
    server does so once, then delivers the stretch."""
    pulls: list[bytes] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b'INFO {"server_id":"x"}\r\n')
        while line := await reader.readline():
            if line.startswith(b"PING"):
                writer.write(b"PONG\r\n")
            elif line.startswith(b"PUB "):
                _, subject, reply, size = line.split()
                await reader.readexactly(int(size) + 2)
                if b"CONSUMER.CREATE" in subject:
                    answer = b'{"name":"c1","num_pending":2}'
                    writer.write(b"MSG %s 1 %d\r\n%s\r\n" % (reply, len(answer), answer))
                elif b"MSG.NEXT" in subject:
                    pulls.append(subject)
                    if len(pulls) == 1:
                        writer.write(b"HMSG %s 1 16 16\r\nNATS/1.0 503\r\n\r\n\r\n" % reply)
                    else:
                        for seq, pending, data in ((1, 1, b"hello"), (2, 0, b"world")):
                            ack = b"$JS.ACK.S.c1.1.%d.%d.0.%d" % (seq, seq, pending)
                            writer.write(b"MSG s.x 1 %s 5\r\n%s\r\n" % (ack, data))
                else:  # the consumer's deletion
                    writer.write(b"MSG %s 1 2\r\n{}\r\n" % reply)
            await writer.drain()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        read = [c async for c in read_stretch(f"nats://127.0.0.1:{port}", "S", "s.>", start=1,
                                              end=2)]  # fmt: skip
    finally:
        server.close()
    assert read == [[(1, b"hello"), (2, b"world")]]
    assert pulls == [b"$JS.API.CONSUMER.MSG.NEXT.S.c1"] * 2
