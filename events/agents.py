"""AI agents (PRODUCT.md section 9): one stream per agent, keyed by its account name.

An admin sets the agent's policy (versioned data: a delegation-of-authority matrix); every
stage command the agent sends is screened against it first and is allowed, held as a draft
for a named approver, or refused and escalated. A named sponsor re-attests the agent
periodically; a lapsed attestation or the kill switch suspends it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from events.base import Addressed, Fact, Id, Role, Stage, Text, event_type, storable
from events.gates import Note, RiskClass

# the stage commands an agent's token may send (their command names, events/<stage>.py)
ActionKind = Literal[
    "propose-idea", "refine-idea", "hold-workshop", "score-idea", "decide-sourcing",
    "preclassify-risk", "add-hypothesis", "record-result", "confirm-data-source",
    "choose-model", "confirm-risk-class", "define-scope", "define-kpi", "record-measurement",
    "design-oversight", "report-incident", "change-incident-status", "acknowledge-incident",
    "record-feedback", "record-document", "configure-monitoring", "update-release-checklist",
    "refine-business-case", "request-gate-review", "hand-over-ownership", "resume",
    "decide-gate", "decide-re-review", "fulfil-condition", "record-ai-role",
    "record-obligation-status",
]  # fmt: skip
# whatever a policy says: agents never vote, decide a gate or fulfil a condition
NEVER: tuple[ActionKind, ...] = ("decide-gate", "decide-re-review", "fulfil-condition")
# a person's acts, which the stages refuse an agent: refused (and recorded) when screened,
# never shown as allowed
PEOPLE_ONLY: tuple[ActionKind, ...] = ("acknowledge-incident", "hand-over-ownership")
Mode = Literal["direct", "draft", "refused"]
CommandJson = Annotated[str, storable(2, 16000)]  # the stage command as sent, JSON
Hours = Annotated[int, msgspec.Meta(ge=1, le=8760)]
Share = Annotated[float, msgspec.Meta(gt=0, le=100)]


def _t(name: str) -> str:
    return event_type("agents", name)


class Approver(msgspec.Struct, frozen=True, kw_only=True):
    """Who approves a held action: one named account, or anyone holding a role."""

    account: Id | None = None
    role: Role | None = None

    def label(self) -> str:
        return self.account or f"any {self.role}"


class Rule(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One row of the matrix: for `action` ("*": any) in `stages` and `risk_classes` (empty:
    any), the `mode`. `max_deviation` (a share: 0.2 is 20%) holds a measurement that deviates
    more from the KPI's last one. `approver` and `hold_hours` override the policy's."""

    action: ActionKind | Literal["*"]
    mode: Mode
    stages: Annotated[tuple[Stage, ...], msgspec.Meta(max_length=5)] = ()
    risk_classes: Annotated[tuple[RiskClass, ...], msgspec.Meta(max_length=4)] = ()
    approver: Approver | None = None
    max_deviation: Share | None = None
    hold_hours: Hours | None = None


class Policy(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The first rule that matches an action decides; no rule: `otherwise`."""

    rules: Annotated[tuple[Rule, ...], msgspec.Meta(max_length=100)] = ()
    otherwise: Mode = "refused"
    approver: Approver | None = None
    hold_hours: Hours = 72
    attestation_days: Annotated[int, msgspec.Meta(ge=1, le=730)] = 90


class AgentFact(Fact, frozen=True, kw_only=True):
    agent_id: Id


class PolicySet(AgentFact, tag=_t("policy_set"), frozen=True, kw_only=True):
    version: Annotated[int, msgspec.Meta(ge=1)]
    policy: Policy
    set_by: Id


class Screened(AgentFact, frozen=True, kw_only=True):
    """What every outcome of a screened action names: the action and the rule applied."""

    action_id: Id
    action: ActionKind
    initiative_id: Id
    stage: Stage | None = None
    rule: Text


class ActionAllowed(Screened, tag=_t("action_allowed"), frozen=True, kw_only=True): ...


class ActionHeld(Screened, tag=_t("action_held"), frozen=True, kw_only=True):
    """A draft: it reaches its stage only once `approver` approves it before `deadline`."""

    approver: Approver
    deadline: datetime
    command: CommandJson


class ActionRefused(Screened, tag=_t("action_refused"), frozen=True, kw_only=True):
    reason: Text


class ActionEscalated(AgentFact, tag=_t("action_escalated"), frozen=True, kw_only=True):
    """A refusal told to the agent's supervisor (its sponsor), then the admins."""

    action_id: Id
    initiative_id: Id
    to: Id | None = None  # the sponsor; None: no sponsor, the admins
    then: Role = "admin"
    reason: Text


class ActionApproved(AgentFact, tag=_t("action_approved"), frozen=True, kw_only=True):
    """The held command now goes to its stage, with the agent as actor."""

    action_id: Id
    initiative_id: Id
    stage: Stage
    approved_by: Id
    held_at: datetime
    command: CommandJson


class ActionRejected(AgentFact, tag=_t("action_rejected"), frozen=True, kw_only=True):
    action_id: Id
    initiative_id: Id
    rejected_by: Id
    held_at: datetime
    reason: Note = ""


class SponsorAssigned(AgentFact, tag=_t("sponsor_assigned"), frozen=True, kw_only=True):
    sponsor: Id
    assigned_by: Id


class AgentAttested(AgentFact, tag=_t("agent_attested"), frozen=True, kw_only=True):
    attested_by: Id
    valid_until: datetime


class AgentSuspended(AgentFact, tag=_t("agent_suspended"), frozen=True, kw_only=True):
    """The kill switch (or a lapsed attestation): `initiatives` it worked on get an incident
    and the committee a re-entry review."""

    reason: Text
    suspended_by: Id
    initiatives: Annotated[tuple[Id, ...], msgspec.Meta(max_length=1000)] = ()


class AgentReinstated(AgentFact, tag=_t("agent_reinstated"), frozen=True, kw_only=True):
    reinstated_by: Id
    reason: Note = ""


class AgentCommand(Addressed, frozen=True, kw_only=True):
    agent_id: Id

    @property
    def stream_id(self) -> str:
        return self.agent_id


class SetPolicy(AgentCommand, tag="set-policy", frozen=True, kw_only=True):
    policy: Policy


class Screen(AgentCommand, tag="screen", frozen=True, kw_only=True):
    """Sent by the API before an agent's stage command; `last_value`: the KPI's last
    measurement, for a `max_deviation` limit."""

    action_id: Id
    action: ActionKind
    initiative_id: Id
    stage: Stage | None = None
    risk_class: RiskClass | None = None
    body: CommandJson = "{}"  # the stage command as it would be sent
    last_value: float | None = None


# the initiatives the deciding person owns or is on the team of (the API looks them up): an
# owner decides a draft for the owner role only on those (PRODUCT.md section 4)
MemberOf = Annotated[tuple[Id, ...], msgspec.Meta(max_length=1000)]


class Approve(AgentCommand, tag="approve", frozen=True, kw_only=True):
    action_id: Id
    member_of: MemberOf = ()


class Reject(AgentCommand, tag="reject", frozen=True, kw_only=True):
    action_id: Id
    reason: Note = ""
    member_of: MemberOf = ()


class ExpireHeld(AgentCommand, tag="expire-held", frozen=True, kw_only=True):
    """Tollgate's sweeper, with the clock's time as `at`."""


class CheckAttestation(AgentCommand, tag="check-attestation", frozen=True, kw_only=True):
    """Tollgate's sweeper: suspend the agent once its attestation lapsed."""


class AssignSponsor(AgentCommand, tag="assign-sponsor", frozen=True, kw_only=True):
    sponsor: Id


class Attest(AgentCommand, tag="attest", frozen=True, kw_only=True): ...


class Suspend(AgentCommand, tag="suspend", frozen=True, kw_only=True):
    """`accountable_for`: the initiatives the actor is accountable for (the API looks them
    up); one the agent worked on lets a non-admin pull the switch."""

    reason: Text
    accountable_for: Annotated[tuple[Id, ...], msgspec.Meta(max_length=1000)] = ()


class Reinstate(AgentCommand, tag="reinstate", frozen=True, kw_only=True):
    reason: Note = ""


AnyAgentEvent = (
    PolicySet | ActionAllowed | ActionHeld | ActionRefused | ActionEscalated | ActionApproved
    | ActionRejected | SponsorAssigned | AgentAttested | AgentSuspended | AgentReinstated
)  # fmt: skip
AgentCommandUnion = (
    SetPolicy | Screen | Approve | Reject | ExpireHeld | CheckAttestation | AssignSponsor
    | Attest | Suspend | Reinstate
)  # fmt: skip
EVENT_DECODER = msgspec.json.Decoder(AnyAgentEvent)
COMMAND_DECODER = msgspec.json.Decoder(AgentCommandUnion)
