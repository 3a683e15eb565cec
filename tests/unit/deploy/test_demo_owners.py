"""Every demo journey passes the deciders' rules, the owner rules included, run in memory
stage by stage with the policies that open the next stage."""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec
import pytest

from events.base import Command
from events.errors import Forbidden
from events.people import Person
from launch.demo import USERS, planned
from launch.demo_portfolio import profiles
from services.ideation import decider as ideation
from services.journeys import Profile
from services.mvp import decider as mvp
from services.mvp import policy as mvp_policy
from services.pilot import decider as pilot
from services.pilot import policy as pilot_policy
from services.poc import decider as poc
from services.poc import policy as poc_policy
from services.stage import StageState

DECIDERS = {"ideation": ideation, "poc": poc, "pilot": pilot, "mvp": mvp}
OPENS = {"ideation": ("poc", poc_policy), "poc": ("pilot", pilot_policy),
         "pilot": ("mvp", mvp_policy)}  # fmt: skip


def run(steps: list[tuple[str, Command]]) -> None:
    """Decide and fold each step; a passing gate opens the next stage before the next step."""
    states: dict[str, StageState] = {s: d.initial_state for s, d in DECIDERS.items()}
    queue = list(steps)
    while queue:
        stage, command = queue.pop(0)
        for event in DECIDERS[stage].decide(command, states[stage]):
            states[stage] = DECIDERS[stage].evolve(states[stage], event)
            if stage in OPENS:
                nxt, policy = OPENS[stage]
                queue[:0] = [(nxt, c) for c in policy.react(event)]


@pytest.mark.parametrize("index", range(len(profiles())))
def test_every_demo_journey_is_accepted_under_the_owner_rules(index: int):
    p: Profile = profiles()[index]
    run(planned(p, index, datetime.now(UTC)))  # type: ignore[arg-type]


def test_a_journey_whose_owner_has_no_account_and_no_stand_in_is_refused():
    p = msgspec.structs.replace(profiles()[3], team=(Person(name="carlos", account="carlos"),))
    assert p.owner_account is None
    with pytest.raises(Forbidden, match="owned by Lea Wagner \\(no account\\)"):
        run(planned(p, 3, datetime.now(UTC)))  # type: ignore[arg-type]


def test_the_demo_owners_are_accounts_of_people_with_the_owner_role_but_one_without():
    roles = {name: role for name, role, _ in USERS}
    owners = {(p.owner, p.owner_account) for p in profiles()}
    assert {a for _, a in owners if a} == {"olivia", "oskar"}
    assert all(roles[a] == "owner" for _, a in owners if a)
    assert ("Lea Wagner", None) in owners
