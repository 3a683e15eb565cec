"""The EU AI Act forms of the initiative page: the company's role for the system, and an
obligation's status (PRODUCT.md 10). Every stage's page offers them, a launched one's too."""

from __future__ import annotations

from typing import Any, get_args

import msgspec

from api.auth import WORKERS
from api.deps import Deps
from api.dispatch import Accepted, record_at_current_stage
from api.routes.obligations import ObligationStatusBody, RoleBody
from events.base import Actor
from events.compliance import (
    CompanyRole,
    ObligationState,
    RecordAiRole,
    RecordObligationStatus,
    RoleSwitch,
)
from services.projection.views.obligations import Obligations
from web.forms import Field, FormSpec

STAGES = ("ideation", "poc", "pilot", "mvp", "production")


async def _role(deps: Deps, actor: Actor, iid: str, body: msgspec.Struct, _: Any) -> Accepted:
    assert isinstance(body, RoleBody)
    return await record_at_current_stage(
        deps.broker, actor, iid, command_type=RecordAiRole, body=body
    )


async def _status(
    deps: Deps, actor: Actor, iid: str, body: msgspec.Struct, extra: dict[str, Any]
) -> Accepted:
    assert isinstance(body, ObligationStatusBody)
    return await record_at_current_stage(
        deps.broker, actor, iid, command_type=RecordObligationStatus, body=body,
        obligation_id=extra["obligation_id"],
    )  # fmt: skip


AI_ROLE = FormSpec(
    key="ai-role", title="Company role (EU AI Act)", stages=STAGES, body=RoleBody,
    fields=(
        Field("role", "Role", "select", get_args(CompanyRole)),
        Field("reason", "Why", "textarea", hint="e.g. built in-house and used under our name"),
        Field("switch", "Became the provider by (Art. 25)", "select", get_args(RoleSwitch),
              required=False, hint="only for a provider: own name, substantial modification,"
              " new high-risk purpose"),
    ),
    send=_role, roles=WORKERS, button="Record the role",
    intro="A provider bears the duties of Arts 9-20, 43-49 and 72-73; a deployer those of"
    " Arts 26, 27 and 86.",
)  # fmt: skip
OBLIGATION_STATUS = FormSpec(
    key="obligation-status", title="Obligation status (EU AI Act)", stages=STAGES,
    body=ObligationStatusBody,
    fields=(
        Field("obligation_id", "Obligation", "select", extra=True),
        Field("status", "Status", "select", get_args(ObligationState)),
        Field("evidence", "Evidence", "textarea", required=False,
              hint="a link or a sentence; needed to mark it met"),
    ),
    send=_status, roles=WORKERS, button="Record the status",
)  # fmt: skip
FORMS = (AI_ROLE, OBLIGATION_STATUS)


def choices(found: Obligations | None) -> list[tuple[str, str]]:
    """The obligation select: each obligation by article and title, open ones first."""
    if found is None:
        return []
    ranked = sorted(found.obligations, key=lambda d: d.status == "met")
    return [(d.id, f"Art. {d.article}: {d.title} ({d.status.replace('_', ' ')})") for d in ranked]
