"""`replay` in a child process: the same chunks, read from JetStream on the other core.

A rebuild spends about a quarter of its CPU in nats-py reading messages (parsing each
one's reply subject for its sequence). Read in a child, the parent only decodes one
msgpack frame per chunk and folds while the child reads ahead. The child reads with the
protocol reader (infra/stream_reader.py, a sixth of nats-py's CPU, which matters on a
machine whose other core folds), or with `replay` where that reader does not go (TLS,
nkeys). The child reads its
arguments from stdin (the NATS URL may hold credentials) and writes length-prefixed
frames to stdout; the pipe's backpressure keeps it at most about a chunk ahead.

    python -m infra.replay_child   (stdin: one JSON line of Request)
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator

import msgspec
import uvloop

from infra.bus import connect
from infra.consumer import replay
from infra.stream_reader import Unsupported, read_stretch

Chunk = list[tuple[int, bytes]]
FRAME = msgspec.msgpack.Decoder(Chunk)
LENGTH = 4
STDOUT = 1


class ReplayFailed(RuntimeError):
    """The child ended before it had read the whole stretch (its error is on stderr)."""


class Request(msgspec.Struct, frozen=True):
    nats_url: str
    stream: str
    subject: str
    start: int
    end: int
    batch: int


async def replay_apart(request: Request) -> AsyncIterator[Chunk]:
    """What `replay` yields for the same arguments, read by a child process."""
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "infra.replay_child",
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert child.stdin is not None and child.stdout is not None
    child.stdin.write(msgspec.json.encode(request) + b"\n")
    child.stdin.close()
    try:
        while header := await child.stdout.read(LENGTH):
            if len(header) < LENGTH:
                header += await child.stdout.readexactly(LENGTH - len(header))
            yield FRAME.decode(await child.stdout.readexactly(int.from_bytes(header, "little")))
        if await child.wait() != 0:
            status = child.returncode
            raise ReplayFailed(f"the process reading the stream exited with status {status}")
    finally:
        if child.returncode is None:
            child.kill()
            await child.wait()


async def _serve() -> None:
    r = msgspec.json.decode(sys.stdin.buffer.readline(), type=Request)
    chunks = read_stretch(r.nats_url, r.stream, r.subject, start=r.start, end=r.end,
                          batch=r.batch)  # fmt: skip
    try:
        await _send(chunks)
    except Unsupported:  # raised before anything was read
        nc = await connect(r.nats_url, "tollgate-replay")
        try:
            await _send(replay(nc.jetstream(), r.stream, r.subject, start=r.start, end=r.end,
                               batch=r.batch))  # fmt: skip
        finally:
            await nc.close()


async def _send(chunks: AsyncIterator[Chunk]) -> None:
    encoder = msgspec.msgpack.Encoder()
    async for chunk in chunks:
        frame = encoder.encode(chunk)
        # in a thread: while the parent is behind, the next batch still comes in
        await asyncio.to_thread(_write, len(frame).to_bytes(LENGTH, "little") + frame)


def _write(frame: bytes) -> None:
    """To the pipe itself, a part at a time: sys.stdout's buffer lost bytes when a write was
    interrupted (under py-spy, which stops the process for each sample)."""
    rest = memoryview(frame)
    while rest:
        rest = rest[os.write(STDOUT, rest) :]


if __name__ == "__main__":
    try:
        uvloop.run(_serve())
    except Exception as exc:  # one line on stderr; the parent says what it means
        print(f"reading the stream: {exc!r}", file=sys.stderr)
        sys.exit(1)
