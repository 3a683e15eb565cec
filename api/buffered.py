"""ASGI plumbing for replaying requests: a request body read once and handed on again, and
a response held back until it has been stored (so a quick retry always finds it)."""

from __future__ import annotations

from litestar.exceptions import ClientException
from litestar.types import HTTPReceiveMessage, Message, Receive, ReceiveMessage, Send

Headers = list[tuple[str, str]]
UNSTORED = frozenset({"content-length", "date", "server", "set-cookie", "transfer-encoding"})


class TooLarge(ClientException):
    status_code = 413


async def read_body(
    receive: Receive, limit: int, what: str = "a request with an Idempotency-Key"
) -> bytes:
    """The whole body; more than `limit` bytes is a 413."""
    chunks: list[bytes] = []
    size, more = 0, True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            raise ClientException("the client disconnected before sending the whole body")
        chunks.append(message.get("body", b""))
        size += len(chunks[-1])
        if size > limit:
            raise TooLarge(f"{what} may have at most {limit} bytes")
        more = message.get("more_body", False)
    return b"".join(chunks)


def replaying(body: bytes, receive: Receive) -> Receive:
    """The body once more for the handler; later calls reach the client (disconnects)."""
    pending = [body]

    async def replay() -> ReceiveMessage:
        if pending:
            message: HTTPReceiveMessage = {
                "type": "http.request", "body": pending.pop(), "more_body": False
            }  # fmt: skip
            return message
        return await receive()

    return replay


class HeldResponse:
    """A `send` that keeps the response's messages until `release_to` passes them on."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.status = 500
        self.raw_headers: list[tuple[bytes, bytes]] = []
        self.chunks: list[bytes] = []

    async def __call__(self, message: Message) -> None:
        self.messages.append(message)
        if message["type"] == "http.response.start":
            self.status, self.raw_headers = message["status"], list(message.get("headers", ()))
        elif message["type"] == "http.response.body":
            self.chunks.append(message.get("body", b""))

    @property
    def body(self) -> bytes:
        return b"".join(self.chunks)

    @property
    def headers(self) -> Headers:
        """The headers worth storing: not the length, date or cookies of this one answer."""
        pairs = [(n.decode("latin-1").lower(), v.decode("latin-1")) for n, v in self.raw_headers]
        return [(name, value) for name, value in pairs if name not in UNSTORED]

    async def release_to(self, send: Send) -> None:
        for message in self.messages:
            await send(message)


async def send_response(send: Send, status: int, headers: Headers, body: bytes) -> None:
    raw = [(n.encode("latin-1"), v.encode("latin-1")) for n, v in headers]
    raw.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body, "more_body": False})
