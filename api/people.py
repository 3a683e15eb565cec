"""People named on an initiative: the owner and team names a request gives, resolved to
accounts before the command goes to its stage service.

A name that is a user's name (exactly, or else ignoring case when only one user fits) is
that account, recorded by its user name, the id every event records for an actor; any
other name stays free text, for a person without an account. An owner is a person: a
name that is an AI agent's account is refused.
"""

from __future__ import annotations

from collections.abc import Iterable

from api.bodies import ProposeIdeaBody, RefineIdeaBody
from api.dispatch import build
from api.names import Names
from api.problems import CommandFailedError
from events.base import Actor, Command
from events.ideation import ProposeIdea, RefineIdea
from events.people import Person
from events.replies import Problem


class Directory:
    """The accounts a name may refer to: user name -> kind (person or agent)."""

    def __init__(self, accounts: Iterable[tuple[str, str]]) -> None:
        self.kinds = dict(accounts)
        folded: dict[str, list[str]] = {}
        for name in self.kinds:
            folded.setdefault(name.lower(), []).append(name)
        self.folded = {k: v[0] for k, v in folded.items() if len(v) == 1}

    def person(self, given: str) -> Person:
        name = given.strip()
        account = name if name in self.kinds else self.folded.get(name.lower())
        return Person(name=account or name, account=account)

    def owner(self, given: str) -> Person:
        found = self.person(given)
        if found.account and self.kinds[found.account] == "agent":
            detail = f"{found.account} is an AI agent's account: an initiative's owner is a person"
            raise CommandFailedError(Problem(code="invalid", detail=detail))
        return found

    def team(self, names: Iterable[str]) -> tuple[Person, ...]:
        return tuple(self.person(n) for n in names)


async def directory(names: Names, given: Iterable[str]) -> Directory:
    """The accounts these names may refer to (api/names.py keeps them for a few seconds)."""
    return Directory(await names.accounts(given))


def default_owner(actor: Actor) -> str:
    """Proposing without an owner makes the proposer the owner, if they hold that role."""
    if "owner" not in actor.roles:
        detail = (
            f"name the owner: {actor.id} does not hold the owner role, so the initiative"
            " cannot be theirs by default"
        )
        raise CommandFailedError(Problem(code="invalid", detail=detail))
    return actor.id


async def proposal(
    names: Names, actor: Actor, initiative_id: str, body: ProposeIdeaBody
) -> Command:
    """The ProposeIdea command with its owner and team resolved to accounts."""
    given = body.owner or default_owner(actor)
    people = await directory(names, [given, *body.team])
    owner = people.owner(given)
    team = people.team(body.team)
    return build(
        ProposeIdea,
        body,
        initiative_id,
        actor,
        owner=owner.name,
        owner_account=owner.account,
        team=tuple(p.name for p in team),
        team_members=team,
    )


async def refinement(
    names: Names, actor: Actor, initiative_id: str, body: RefineIdeaBody
) -> Command:
    """The RefineIdea command with the names resolved: a new team to accounts, and an owner
    to the name it is recorded under (a different owner is refused: it is handed over)."""
    if body.team is None and body.owner is None:
        return build(RefineIdea, body, initiative_id, actor)
    people = await directory(names, [*(body.team or ()), *([body.owner] if body.owner else [])])
    resolved: dict[str, object] = {}
    if body.owner is not None:
        resolved["owner"] = people.person(body.owner).name
    if body.team is not None:
        team = people.team(body.team)
        resolved.update(team=tuple(p.name for p in team), team_members=team)
    return build(RefineIdea, body, initiative_id, actor, **resolved)


async def new_owner(names: Names, given: str) -> Person:
    return (await directory(names, [given])).owner(given)
