"""`tollgate agents policy set AGENT --file policy.json`: set an agent's policy from a JSON
file (the body of PUT /api/v1/agents/{id}/policy), as an admin named with `--by`, or as
Tollgate itself."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime
from pathlib import Path

import msgspec

from api.users import account
from events import agents
from events.base import SYSTEM, Actor
from infra import bus, commands
from infra.db import create_pool
from infra.settings import Settings


class PolicyRefused(Exception):
    """The file, the agent or the admin is not right; the message says why."""


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The `agents` subcommands."""
    actions = sub.add_parser("agents", help="AI agents' policies").add_subparsers(
        dest="action", required=True
    )
    policy = actions.add_parser("policy", help="an agent's policy").add_subparsers(
        dest="what", required=True
    )
    cmd = policy.add_parser("set", help="set an agent's policy from a JSON file")
    cmd.add_argument("agent", help="the agent's account name")
    cmd.add_argument("--file", type=Path, required=True, help="the policy, as JSON")
    cmd.add_argument("--by", help="the admin setting it (default: Tollgate itself)")
    cmd.set_defaults(func=policy_set)


def policy_set(args: argparse.Namespace, settings: Settings) -> int:
    try:
        version = asyncio.run(set_policy(settings, args.agent, args.file, args.by))
    except (PolicyRefused, OSError) as exc:
        print(f"tollgate agents policy set: {exc}", file=sys.stderr)
        return 1
    print(f"{args.agent}: policy version {version}" if version else f"{args.agent}: unchanged")
    return 0


def read_policy(path: Path) -> agents.Policy:
    try:
        return msgspec.json.decode(path.read_bytes(), type=agents.Policy)
    except msgspec.DecodeError as exc:
        raise PolicyRefused(f"{path}: {exc}") from None


async def set_policy(settings: Settings, agent: str, path: Path, by: str | None) -> int | None:
    """The new version, or None when the policy is the one in force."""
    policy = read_policy(path)
    actor = await _checked(settings, agent, by)
    command = agents.SetPolicy(agent_id=agent, at=datetime.now(UTC), actor=actor, policy=policy)
    nc = await bus.connect(settings.nats_url, name="tollgate-cli")
    try:
        reply = await commands.send(nc, settings.subjects, "agents", "set-policy",
                                    msgspec.json.encode(command), timeout=10)  # fmt: skip
    finally:
        await nc.drain()
    if reply.error is not None:
        raise PolicyRefused(reply.error.detail)
    events = [agents.EVENT_DECODER.decode(e) for e in reply.events]
    return next((e.version for e in events if isinstance(e, agents.PolicySet)), None)


async def _checked(settings: Settings, agent: str, by: str | None) -> Actor:
    pool = await create_pool(settings.database_url_for("api"), max_size=1)
    try:
        found = await account(pool, agent)
        if found is None or found.kind != "agent":
            raise PolicyRefused(f"no agent account named {agent!r}")
        if by is None:
            return SYSTEM
        admin = await account(pool, by)
        if admin is None or admin.role != "admin" or admin.kind != "person" or not admin.active:
            raise PolicyRefused(f"{by!r} is not an active admin")
        return Actor(id=admin.name, name=admin.name, roles=("admin",))
    finally:
        await pool.close()
