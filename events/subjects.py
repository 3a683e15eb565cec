"""NATS names: the contract subscribers rely on.

`root` is "tollgate" in every deployment; tests give it another value so that
they can share a broker without touching anyone's data.
"""

from __future__ import annotations

import msgspec

STREAM = "TOLLGATE"
ROOT = "tollgate"


class Subjects(msgspec.Struct, frozen=True, kw_only=True):
    root: str = ROOT
    stream: str = STREAM

    @property
    def events(self) -> str:
        """Every lifecycle event: the stream's subjects."""
        return f"{self.root}.events.>"

    def event(self, stage: str, event_name: str, initiative_id: str) -> str:
        return f"{self.root}.events.{stage}.{event_name}.{initiative_id}"

    def stage_events(self, stage: str, event_name: str = "*") -> str:
        return f"{self.root}.events.{stage}.{event_name}.*"

    def command_group(self, stage: str) -> str:
        return f"{self.root}.cmd.{stage}"

    def command(self, stage: str, command: str) -> str:
        return f"{self.root}.cmd.{stage}.{command}"

    def service(self, stage: str) -> str:
        return f"{self.root}-{stage}"


DEFAULT = Subjects()
