"""`tollgate users ...` and `tollgate tokens ...`: accounts and API tokens from the shell.

The first admin of a real instance is made here (`tollgate users add NAME --role admin
--password ...`); afterwards admins can do the same over /api/v1/users.
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import sys
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import get_args

from api.tokens import Issued, Token, list_tokens, revoke
from api.users import (
    ROLES,
    AccountError,
    add_user,
    issue_token,
    list_users,
    set_password,
    update_user,
)
from events.base import UserKind
from infra.db import Pool, connect, create_pool
from infra.migrations import migrate
from infra.settings import Settings

Action = Callable[[Pool, argparse.Namespace, Settings], Awaitable[str]]


def command(action: Action) -> Callable[[argparse.Namespace, Settings], int]:
    """An argparse `func`: runs `action` on a pool of the configured database, prints what it
    returns, or the refusal (exit status 2)."""

    def run(args: argparse.Namespace, settings: Settings) -> int:
        return asyncio.run(_run(action, args, settings))

    return run


async def _run(action: Action, args: argparse.Namespace, settings: Settings) -> int:
    database_url = settings.database_url_for("api")  # users and tokens are the API's tables
    conn = await connect(database_url)
    try:
        await migrate(conn, "api", "api")
    finally:
        await conn.close()
    pool = await create_pool(database_url, max_size=2)
    try:
        print(await action(pool, args, settings))
    except ValueError as exc:  # AccountError, or a token's name or lifetime
        print(f"tollgate {args.cmd} {args.action}: {exc}", file=sys.stderr)
        return 2
    finally:
        await pool.close()
    return 0


def _day(at: datetime | None) -> str:
    return at.strftime("%Y-%m-%d %H:%M") if at else "never"


def shown_once(issued: Issued) -> str:
    t = issued.info
    return (
        f'API token "{t.name}" of {t.user} (id {t.token_id}, expires {_day(t.expires_at)});'
        f" shown once:\n{issued.token}"
    )


async def users_list(pool: Pool, _: argparse.Namespace, __: Settings) -> str:
    rows = [f"{'name':<20} {'role':<12} {'kind':<7} {'state':<12} created"]
    for a in await list_users(pool):
        state = "active" if a.active else "deactivated"
        rows.append(f"{a.name:<20} {a.role:<12} {a.kind:<7} {state:<12} {_day(a.created_at)}")
    return "\n".join(rows) if len(rows) > 1 else "no users yet"


async def users_add(pool: Pool, args: argparse.Namespace, settings: Settings) -> str:
    user, issued = await add_user(
        pool, args.name, args.role, args.kind, args.password, token_days=settings.token_days
    )
    return f"user {user.name} ({user.role}, {user.kind}); " + shown_once(issued)


async def users_set_role(pool: Pool, args: argparse.Namespace, _: Settings) -> str:
    account = await update_user(pool, args.name, role=args.role)
    return f"{account.name} now has the {account.role} role"


async def users_deactivate(pool: Pool, args: argparse.Namespace, _: Settings) -> str:
    await update_user(pool, args.name, active=False)
    return f"{args.name} is deactivated: their tokens and sessions stop at the next request"


async def users_activate(pool: Pool, args: argparse.Namespace, _: Settings) -> str:
    await update_user(pool, args.name, active=True)
    return f"{args.name} is active again (revoked tokens stay revoked)"


async def users_reset_password(pool: Pool, args: argparse.Namespace, _: Settings) -> str:
    password = args.password or secrets.token_urlsafe(12)
    await set_password(pool, args.name, password)
    if args.password:
        return f"the password of {args.name} is changed"
    return f"new password of {args.name} (shown once): {password}"


async def tokens_list(pool: Pool, args: argparse.Namespace, _: Settings) -> str:
    rows = [f"{'id':<36} {'user':<16} {'name':<20} {'state':<8} {'expires':<16} last used"]
    rows += [_token_row(t) for t in await list_tokens(pool, args.name)]
    return "\n".join(rows) if len(rows) > 1 else "no tokens"


def _token_row(t: Token) -> str:
    return (
        f"{t.token_id:<36} {t.user:<16} {t.name[:20]:<20} {t.state:<8}"
        f" {_day(t.expires_at):<16} {_day(t.last_used_at)}"
    )


async def tokens_create(pool: Pool, args: argparse.Namespace, settings: Settings) -> str:
    days = settings.token_days if args.days is None else args.days
    return shown_once(await issue_token(pool, args.user, args.name, days))


async def tokens_revoke(pool: Pool, args: argparse.Namespace, _: Settings) -> str:
    token = await revoke(pool, args.token_id)
    if token is None:
        raise AccountError(f"no token with id {args.token_id!r} (see `tollgate tokens list`)")
    return f'revoked token "{token.name}" of {token.user}: it gets a 401 from now on'


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The `users` and `tokens` subcommands."""
    users = sub.add_parser("users", help="manage users").add_subparsers(
        dest="action", required=True
    )
    cmd = users.add_parser("list", help="every user with role, kind and state")
    cmd.set_defaults(func=command(users_list))
    cmd = users.add_parser("add", help="create a user; prints a first API token")
    cmd.add_argument("name")
    cmd.add_argument("--role", required=True, choices=ROLES)
    cmd.add_argument("--kind", default="person", choices=get_args(UserKind))
    cmd.add_argument("--password", help="password for signing in to the pages")
    cmd.set_defaults(func=command(users_add))
    cmd = users.add_parser("set-role", help="give a user another role")
    cmd.add_argument("name")
    cmd.add_argument("role", choices=ROLES)
    cmd.set_defaults(func=command(users_set_role))
    for action, doc, run in (
        ("deactivate", "stop a user's tokens and sessions", users_deactivate),
        ("activate", "let a deactivated user back in", users_activate),
    ):
        cmd = users.add_parser(action, help=doc)
        cmd.add_argument("name")
        cmd.set_defaults(func=command(run))
    cmd = users.add_parser("reset-password", help="set a password (or print a generated one)")
    cmd.add_argument("name")
    cmd.add_argument("--password")
    cmd.set_defaults(func=command(users_reset_password))
    tokens = sub.add_parser("tokens", help="manage API tokens")
    actions = tokens.add_subparsers(dest="action", required=True)
    cmd = actions.add_parser("list", help="every token (or one user's), newest first")
    cmd.add_argument("name", nargs="?")
    cmd.set_defaults(func=command(tokens_list))
    cmd = actions.add_parser("create", help="a new API token for a user (shown once)")
    cmd.add_argument("user")
    cmd.add_argument("--name", default="cli", help="what the token is for")
    cmd.add_argument("--days", type=int, help="days it stays valid (TOLLGATE_TOKEN_DAYS)")
    cmd.set_defaults(func=command(tokens_create))
    cmd = actions.add_parser("revoke", help="revoke a token by its id")
    cmd.add_argument("token_id")
    cmd.set_defaults(func=command(tokens_revoke))
