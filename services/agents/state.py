"""An agent's state as its decider folds it."""

from __future__ import annotations

from datetime import datetime

import msgspec

from events import agents as a


class AgentState(msgspec.Struct, frozen=True, kw_only=True):
    policy: a.Policy | None = None
    version: int = 0
    sponsor: str | None = None
    attestation_due: datetime | None = None
    suspended: str | None = None  # why, while suspended
    held: dict[str, a.ActionHeld] = msgspec.field(default_factory=dict)
    seen: frozenset[str] = frozenset()  # every screened action's id
    approved: frozenset[str] = frozenset()
    # who could decide each action once held, and its initiative: asked again after it was
    # decided, only they are told it was (anyone else is refused as before)
    approvers: dict[str, tuple[a.Approver, str]] = msgspec.field(default_factory=dict)
    worked_on: tuple[str, ...] = ()  # initiatives of its allowed and held actions

    @property
    def attestation_days(self) -> int:
        return (self.policy or a.Policy()).attestation_days
