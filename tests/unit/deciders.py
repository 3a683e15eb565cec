"""given / when / then for deciders: given(decider, events).when(command).then(*events)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import reduce
from types import ModuleType

import pytest

from events.base import Command, Event
from events.errors import DomainError
from services.stage import StageState


@dataclass(frozen=True)
class When:
    decider: ModuleType
    state: StageState
    command: Command

    def decided(self) -> list[Event]:
        return self.decider.decide(self.command, self.state)  # type: ignore[no-any-return]

    def then(self, *expected: Event) -> None:
        assert self.decided() == list(expected)

    def ignored(self) -> None:
        self.then()

    def refused(
        self, error: type[DomainError] = DomainError, match: str | None = None
    ) -> DomainError:
        with pytest.raises(error, match=match) as caught:
            self.decided()
        return caught.value


@dataclass(frozen=True)
class Given:
    decider: ModuleType
    state: StageState

    def when(self, command: Command) -> When:
        return When(self.decider, self.state, command)


def given(decider: ModuleType, *histories: Sequence[Event]) -> Given:
    events = [e for history in histories for e in history]
    state: StageState = reduce(decider.evolve, events, decider.initial_state)
    return Given(decider, state)
