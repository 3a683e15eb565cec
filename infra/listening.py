"""A LISTEN that stays up: reconnect after a second, and say when it is up and when it is not.

What a process keeps because of notifications (token -> user, read-model rows) is only
right while it hears every notification: `up` runs once the LISTEN is in place (read the
state from then on), `down` whenever the connection is lost or closed (forget it all).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from infra.db import Connection, connect

log = logging.getLogger(__name__)
RETRY = 1.0  # seconds between connection attempts


async def listen(
    dsn: str,
    channel: str,
    heard: Callable[[str], None],
    stop: asyncio.Event,
    *,
    up: Callable[[Connection], Awaitable[None]],
    down: Callable[[], None],
) -> None:
    """Call `heard(payload)` for each notification on `channel` until `stop` is set."""
    while not stop.is_set():
        try:
            conn = await connect(dsn, {"application_name": f"tollgate listen {channel}"})
        except Exception as exc:
            log.warning("listening on %s: %r; asking the database meanwhile", channel, exc)
        else:

            def notified(*args: Any) -> None:
                heard(str(args[3]))

            try:
                await conn.add_listener(channel, notified)
                conn.add_termination_listener(lambda *_: down())
                await up(conn)
                while not stop.is_set() and not conn.is_closed():
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stop.wait(), 1.0)
            except Exception as exc:
                log.warning("listening on %s: %r; reconnecting", channel, exc)
            finally:
                down()
                with contextlib.suppress(Exception):
                    await conn.close()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), RETRY)
