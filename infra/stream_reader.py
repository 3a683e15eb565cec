"""A stretch of a JetStream stream read at the protocol: what `replay` yields, for a fifth of
its CPU.

A rebuild reads every message once, in order, and needs only (stream sequence, data).
nats-py spends about 40 µs on each message of a fetch (a `Msg`, its metadata parsed from the
reply subject, a future per message): as much CPU as the fold's own share of a core. This
reader speaks the NATS client protocol itself on one socket: CONNECT, SUB to an inbox, create
an ephemeral pull consumer (no acks), then one pull request per batch, each sent before the
batch before it is handed on; frames are cut out of the bytes as they arrive.

It reads plain `nats://` servers, with no credentials or with a user and password or a token
in the URL. For anything else (TLS, nkeys, credential files) `Unsupported` is raised before
anything is read, and the caller reads with `replay`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

Chunk = list[tuple[int, bytes]]
CRLF = b"\r\n"
READ = 1 << 20
BUFFERED = 64 << 20  # read ahead while the caller folds: the server never waits on us
PULL_EXPIRES_NS = 30 * 10**9
QUIET = 45.0  # seconds without a byte from the server (longer than a pull waits): it is gone
UNAVAILABLE_TRIES = 40  # a cluster's new consumer answers 503 until it has a leader: 20 s


class Unsupported(Exception):
    """This server or URL needs what the protocol reader does not speak: read with `replay`."""


class StreamReadError(RuntimeError):
    """The server refused or ended the read."""


def connect_options(url: str) -> tuple[str, int, dict[str, object]]:
    """Host, port and the CONNECT options of one server URL; `Unsupported` unless plain NATS."""
    parts = urlsplit(url if "://" in url else f"nats://{url}")
    if parts.scheme != "nats":
        raise Unsupported(f"{parts.scheme}:// is read with nats-py")
    options: dict[str, object] = {
        "verbose": False, "pedantic": False, "headers": True, "no_responders": True,
        "protocol": 1, "lang": "python", "version": "tollgate-stream-reader",
        "name": "tollgate-replay",
    }  # fmt: skip
    # as nats-py sends them (nats/aio/client.py): as written in the URL, not percent-decoded
    if parts.username is not None and parts.password is None:
        options["auth_token"] = parts.username
    elif parts.username is not None:
        options |= {"user": parts.username, "pass": parts.password}
    return parts.hostname or "127.0.0.1", parts.port or 4222, options


def stream_sequence(reply: bytes) -> tuple[int, int]:
    """(stream sequence, messages pending) from a JetStream reply subject, in either format:
    $JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<cseq>.<ts>.<pending> or the one with a
    domain and an account hash after ACK."""
    tokens = reply.split(b".")
    if len(tokens) == 9:
        return int(tokens[5]), int(tokens[8])
    if len(tokens) >= 11 and tokens[0] == b"$JS" and tokens[1] == b"ACK":
        return int(tokens[7]), int(tokens[10])
    raise StreamReadError(f"not a JetStream message: {reply!r}")


class _Connection:
    """One client connection: frames in, protocol lines out."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.buf, self.at = b"", 0

    @classmethod
    async def open(cls, url: str) -> _Connection:
        host, port, options = connect_options(url)
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(host, port, limit=BUFFERED), timeout=2
        )
        conn = cls(reader, writer)
        try:
            info = await asyncio.wait_for(reader.readline(), timeout=2)
            if not info.startswith(b"INFO "):
                raise StreamReadError(f"not a NATS server: {info[:80]!r}")
            if json.loads(info[5:]).get("tls_required"):
                raise Unsupported("the server requires TLS")
            writer.write(b"CONNECT " + json.dumps(options).encode() + CRLF + b"PING" + CRLF)
            answer = await asyncio.wait_for(reader.readline(), timeout=2)
            while answer.startswith((b"INFO ", b"+OK")):  # a cluster's update, an ack: not yet
                answer = await asyncio.wait_for(reader.readline(), timeout=2)
            if not answer.startswith(b"PONG"):
                raise StreamReadError(f"the server refused the connection: {answer.strip()!r}")
        except BaseException:
            conn.close()
            raise
        return conn

    def publish(self, subject: bytes, reply: bytes, payload: bytes) -> None:
        self.writer.write(b"PUB %s %s %d\r\n%s\r\n" % (subject, reply, len(payload), payload))

    async def frame(self) -> tuple[list[bytes], int, bytes]:
        """The next message: its control line's tokens, its header length and its bytes
        (headers and payload). PINGs are answered on the way."""
        while True:
            end = self.buf.find(CRLF, self.at)
            if end >= 0:
                head = self.buf[self.at : end].split()
                kind = head[0]
                if kind in (b"MSG", b"HMSG"):
                    size = int(head[-1])
                    if len(self.buf) >= end + 4 + size:
                        body = self.buf[end + 2 : end + 2 + size]
                        self.at = end + 4 + size
                        return head, int(head[-2]) if kind == b"HMSG" else 0, body
                else:
                    self.at = end + 2
                    if kind == b"PING":
                        self.writer.write(b"PONG" + CRLF)
                    elif kind == b"-ERR":
                        raise StreamReadError(b" ".join(head).decode(errors="replace"))
                    continue  # PONG, +OK, INFO
            data = await asyncio.wait_for(self.reader.read(READ), timeout=QUIET)
            if not data:
                raise StreamReadError("the server closed the connection")
            self.buf, self.at = self.buf[self.at :] + data, 0

    async def reply(self, subject: bytes) -> dict[str, object]:
        """The JSON answer on `subject` (messages before it, left from a read, are passed)."""
        head, headers, body = await self.frame()
        while head[1] != subject:
            head, headers, body = await self.frame()
        if headers and not body[headers:]:  # a status alone (503: no responders)
            raise StreamReadError(f"JetStream: {body[:headers].strip()!r}")
        answer = json.loads(body[headers:] or b"{}")
        error = answer.get("error")
        if error:
            raise StreamReadError(f"JetStream: {error}")
        return answer  # type: ignore[no-any-return]

    def close(self) -> None:
        self.writer.close()


async def _open_any(urls: str) -> _Connection:
    """The first server of a comma-separated list that answers and accepts the connection
    (otherwise what the last one did)."""
    failure: Exception = StreamReadError("no server URL")
    for url in (u.strip() for u in urls.split(",")):
        try:
            return await _Connection.open(url)
        except (OSError, TimeoutError, StreamReadError) as exc:
            failure = exc
    raise failure


async def read_stretch(
    urls: str, stream: str, subject: str, *, start: int, end: int, batch: int = 2000
) -> AsyncIterator[Chunk]:
    """(sequence, data) of the messages on `subject` from `start` to `end`, in chunks of at
    most `batch`, as `infra.consumer.replay` yields them."""
    if start > end:
        return
    conn = await _open_any(urls)
    inbox = b"_INBOX.%s" % secrets.token_hex(11).encode()
    try:
        conn.writer.write(b"SUB %s.* 1\r\n" % inbox)
        config = {"stream_name": stream, "config": {
            "deliver_policy": "by_start_sequence", "opt_start_seq": start, "ack_policy": "none",
            "filter_subject": subject, "inactive_threshold": 60 * 10**9,
        }}  # fmt: skip
        conn.publish(b"$JS.API.CONSUMER.CREATE.%s" % stream.encode(), inbox + b".c",
                     json.dumps(config).encode())  # fmt: skip
        created = await conn.reply(inbox + b".c")
        name = str(created["name"]).encode()
        try:
            if not created.get("num_pending"):  # nothing stored from `start` on
                return
            consumer = b"%s.%s" % (stream.encode(), name)
            async for chunk in _pull(conn, inbox, consumer, start=start, end=end, batch=batch):
                yield chunk
        finally:
            with contextlib.suppress(Exception):  # its inactivity removes it otherwise
                conn.publish(b"$JS.API.CONSUMER.DELETE.%s.%s" % (stream.encode(), name),
                             inbox + b".d", b"")  # fmt: skip
                await asyncio.wait_for(conn.reply(inbox + b".d"), timeout=2)
    finally:
        conn.close()


async def _pull(
    conn: _Connection, inbox: bytes, consumer: bytes, *, start: int, end: int, batch: int
) -> AsyncIterator[Chunk]:
    """Pull requests of at most `batch` messages, the next sent before a chunk is handed on.
    A request never asks for more than the stretch still holds, so none waits to expire;
    messages past `end` (the filter skips sequences) end the stretch. A request answered
    503 (a cluster's consumer without a leader yet) is sent again, as `replay` fetches again;
    one that ends with nothing while messages are pending is an error, never a short read."""
    pull = b"$JS.API.CONSUMER.MSG.NEXT.%s" % consumer

    def request(n: int) -> None:
        conn.publish(pull, inbox + b".n", b'{"batch":%d,"expires":%d}' % (n, PULL_EXPIRES_NS))

    last, wanted, unavailable = start - 1, min(batch, end - start + 1), 0
    request(wanted)
    while True:
        chunk: Chunk = []
        pending, ended, past = 1, False, False
        while len(chunk) < wanted:
            head, headers, body = await conn.frame()
            if len(head) < 5 or (head[0] == b"HMSG" and len(head) < 6):  # a status, no reply
                status = body[9:12]
                if status == b"503" and not chunk and unavailable < UNAVAILABLE_TRIES:
                    unavailable += 1
                    await asyncio.sleep(0.5)
                    request(wanted)
                    continue
                if status not in (b"404", b"408"):  # no messages, or the request expired
                    raise StreamReadError(f"JetStream: {body[:headers].strip()!r}")
                ended = True
                break
            sequence, pending = stream_sequence(head[3])
            if sequence > end:
                past = True
                break
            chunk.append((sequence, body[headers:]))
            last = sequence
            if pending == 0:  # the stream holds no more: the request would only expire
                break
        if ended and not chunk and last < end and pending:
            waited = PULL_EXPIRES_NS // 10**9
            raise StreamReadError(f"nothing came after sequence {last} in {waited} s, though "
                                  "messages were pending")  # fmt: skip
        done = past or last >= end or pending == 0
        if not done:
            wanted = min(batch, end - last)
            request(wanted)
        if chunk:
            yield chunk
        if done:
            return
