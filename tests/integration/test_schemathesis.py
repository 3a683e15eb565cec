"""Schemathesis over the whole OpenAPI document of the API running as a real process, once
with a viewer's token and once with an admin's: no 5xx, and no status code or content type
that the document does not declare for the operation.

It runs Schemathesis' own engine (its examples, coverage and fuzzing phases) rather than its
pytest plugin, whose lazily loaded schemas do not work with pytest 9. Examples are bounded
so both runs take about a minute; TOLLGATE_SCHEMATHESIS_EXAMPLES=100 (and another
TOLLGATE_SCHEMATHESIS_SEED) looks harder.

What the admin may break is pinned: user names and token ids in paths are those of a
`target` user of this test's own (fuzzing would otherwise deactivate the admin itself or
revoke the tokens it tests with), webhook URLs are a loopback address (refused, so no
name is ever looked up), and the webhook worker does not run. Half the initiative ids are
a real one's, so commands reach the stage services too.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
import schemathesis
from schemathesis.engine import events, from_schema

from infra.settings import Settings
from launch.cli import SERVICES
from tests.integration.api_stack import Api, make_users
from tests.integration.test_api_lifecycle import IDEA
from tests.stack import start_stack

pytestmark = pytest.mark.asyncio(loop_scope="session")
EXAMPLES = int(os.environ.get("TOLLGATE_SCHEMATHESIS_EXAMPLES", "8"))
SEED = int(os.environ.get("TOLLGATE_SCHEMATHESIS_SEED", "11"))
CHECKS = ("not_a_server_error", "status_code_conformance", "content_type_conformance")
LOOPBACK_HOOK = "http://127.0.0.1:9/hook"


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def api(settings: Settings) -> AsyncIterator[Api]:
    """Every service but the webhook worker, and one user per role."""
    stack = await start_stack(settings, [name for name in SERVICES if name != "webhooks"])
    client = Api(stack, await make_users(settings))
    try:
        yield client
    finally:
        await client.http.aclose()
        await stack.stop_all()


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def pinned(api: Api) -> dict[str, tuple[Any, float]]:
    """Path parameter values (with how often to use them): a real initiative half the time,
    the `target` user and its token always, and a webhook URL that is refused."""
    created = await api.ok("/initiatives", "owner", IDEA)
    target = await api.post("/users", "admin", {"name": "target", "role": "viewer"})
    assert target.status_code == 201, target.text
    return {
        "path.initiative_id": (created["id"], 0.5),
        "path.name": ("target", 1.0),
        "path.token_id": (target.json()["token_id"], 1.0),
        "body.url": (LOOPBACK_HOOK, 1.0),
    }


def config(token: str, pinned: dict[str, tuple[Any, float]], coverage: bool) -> schemathesis.Config:
    """The three checks only, bounded phases, the pinned values, `min_position` 1 (one
    beyond the stream makes a read wait 5 s), and a short read of the SSE stream."""
    checks: dict[str, Any] = {"enabled": False} | {name: {"enabled": True} for name in CHECKS}
    return schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "suppress-health-check": ["all"],
            "headers": {"Authorization": f"Bearer {token}"},
            "request-timeout": 10,
            "checks": checks,
            "generation": {"max-examples": EXAMPLES},
            "phases": {"stateful": {"enabled": False}, "coverage": {"enabled": coverage}},
            "dictionaries": {key: {"values": [value]} for key, (value, _) in pinned.items()},
            "parameters": {
                "query.min_position": 1,
                **{key: {"dictionary": key, "probability": p} for key, (_, p) in pinned.items()},
            },
            "operations": [{"include-operation-id": "streamEvents", "request-timeout": 0.5}],
        }
    )


def findings(schema: schemathesis.BaseSchema) -> list[str]:
    """Every failed check and every error of one engine run, readable."""
    found: list[str] = []
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            for checks in event.recorder.checks.values():
                found += [
                    f"{event.recorder.label}: {c.failure_info.failure.title}\n"
                    f"{c.failure_info.failure.message}\n{c.failure_info.code_sample}"
                    for c in checks
                    if c.failure_info is not None
                ]
        elif isinstance(event, events.NonFatalError):
            found.append(f"{event.label}: {event.info.format()}")
        elif isinstance(event, events.FatalError):
            found.append(f"the engine stopped: {event.exception!r}")
    return found


# A viewer's writes are refused by role, so its run only fuzzes; the admin's run also goes
# through Schemathesis' coverage phase (boundaries, missing and wrongly typed values).
@pytest.mark.parametrize(("role", "coverage"), [("viewer", False), ("admin", True)])
async def test_every_operation_answers_as_its_document_says(
    api: Api, pinned: dict[str, tuple[Any, float]], role: str, coverage: bool
) -> None:
    settings = config(api.tokens[role], pinned, coverage)
    url = f"{api.url}/schema/openapi.json"
    schema = await asyncio.to_thread(schemathesis.openapi.from_url, url, config=settings)
    found = await asyncio.to_thread(findings, schema)
    assert not found, f"{len(found)} findings:\n\n" + "\n\n".join(sorted(set(found))[:20])
