"""Sends journey steps to the stage services over NATS, as any other system could.

A step for a stage that is not open yet (its opening travels over JetStream from
the previous stage's gate decision) is retried until the stage opens.
"""

from __future__ import annotations

import msgspec
from nats.aio.client import Client

from events.base import Command
from events.replies import CommandReply
from events.subjects import Subjects
from infra.commands import send

_ENCODE = msgspec.json.Encoder()


class StepFailed(Exception):
    pass


class Driver:
    def __init__(self, nc: Client, subjects: Subjects, *, open_timeout: float = 20.0) -> None:
        self.nc = nc
        self.subjects = subjects
        self.open_timeout = open_timeout

    async def send(self, stage: str, command: Command) -> CommandReply:
        name = str(type(command).__struct_config__.tag)
        body = _ENCODE.encode(command)
        return await send(self.nc, self.subjects, stage, name, body, open_wait=self.open_timeout)

    async def run(self, steps: list[tuple[str, Command]]) -> list[CommandReply]:
        return [await self.step(stage, command) for stage, command in steps]

    async def step(self, stage: str, command: Command) -> CommandReply:
        reply = await self.send(stage, command)
        if reply.error is not None:
            raise StepFailed(f"{stage} {type(command).__name__}: {reply.error.detail}")
        return reply
