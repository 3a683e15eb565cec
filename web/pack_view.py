"""The committee pack's content: the dossier as a committee member needs it for the gate
under review (pure: from the initiative's detail and the time of printing).

Bounded, so that a long history still makes a short pack: each KPI's table lists its
newest MOST_ROWS measurements (its chart shows them all, thinned), and the gate history,
incidents and conditions list at most MOST of each, newest first.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

import msgspec

from events.criteria import QUORUM
from events.gates import Gate
from services.projection.models import InitiativeDetail
from services.projection.views.dossier_records import IncidentRecord, Risk
from services.projection.views.gate_history import ConditionView, Review, Vote
from services.projection.views.stages import NEXT_STAGE, STAGE_OF_GATE
from web.kpi_view import KpiFigure, figures

MOST = 30
RE_REVIEW = "One committee vote decides: go keeps it running, kill retires it."
MOST_ROWS = 12
STAGE_NAMES = {
    "ideation": "Ideation",
    "poc": "PoC",
    "pilot": "Pilot",
    "mvp": "MVP",
    "production": "Production",
}


class Purpose(msgspec.Struct, frozen=True, kw_only=True):
    gate: Gate | None  # the gate under review (or the next one); None: no gate ahead
    heading: str  # "G2 review: PoC to Pilot"
    state: str  # what the committee is asked, or why nothing is
    re_review: bool = False  # a launched initiative's KPI breached: one vote keeps or retires it


class Pack(msgspec.Struct, frozen=True, kw_only=True):
    detail: InitiativeDetail
    purpose: Purpose
    votes: list[Vote]  # each member's current vote on the open review
    tally: str  # "go 1, hold 1: 2 agreeing votes needed"
    past: list[Review]  # decided reviews, newest first
    risk: Risk | None  # the confirmed risk class, else the pre-classification
    incidents: list[IncidentRecord]  # open ones (not resolved), newest first
    conditions: list[ConditionView]  # open conditions
    kpis: list[KpiFigure]
    printed_at: datetime


def purpose(d: InitiativeDetail) -> Purpose:
    s = d.summary
    if s.status == "launched" and s.re_review:
        return Purpose(
            gate="G4",
            re_review=True,
            heading="Re-review in production",
            state=f"A KPI breached: {s.re_review} Go keeps it running, kill retires it.",
        )
    if d.readiness is None:
        return Purpose(gate=None, heading="No gate ahead", state=f"The initiative is {s.status}.")
    gate = d.readiness.gate
    path = f"{STAGE_NAMES[STAGE_OF_GATE[gate]]} to {STAGE_NAMES[NEXT_STAGE[gate]]}"
    if s.status == "in_review":
        state = f"The owner requested the {gate} review; the committee decides."
    elif s.status == "on_hold":
        state = f"On hold after a {gate} decision; the owner may resume it."
    else:
        state = f"Preparing for {gate}: no review requested yet."
    return Purpose(gate=gate, heading=f"{gate} review: {path}", state=state)


def open_review(d: InitiativeDetail, gate: Gate | None) -> Review | None:
    found = [r for r in d.gates.reviews if r.gate == gate and r.decision is None]
    return found[-1] if found else None


def tally(votes: list[Vote], gate: Gate | None) -> str:
    if gate is None:
        return ""
    quorum = QUORUM[gate]
    needed = (
        f"{quorum} agreeing vote{'s' if quorum != 1 else ''} decide{'s' if quorum == 1 else ''}"
    )
    if not votes:
        return f"No votes yet; {needed}."
    counts = Counter(v.decision.replace("_", " ") for v in votes)
    return ", ".join(f"{name} {n}" for name, n in counts.most_common()) + f"; {needed}."


def pack(d: InitiativeDetail, printed_at: datetime) -> Pack:
    p = purpose(d)
    review = open_review(d, p.gate) if d.summary.status == "in_review" else None
    votes = list(review.votes) if review else []
    past = [r for r in reversed(d.gates.reviews) if r.decision is not None][:MOST]
    dossier = d.dossier
    incidents = [i for i in reversed(dossier.incidents) if i.status != "resolved"][:MOST]
    return Pack(
        detail=d,
        purpose=p,
        votes=votes,
        tally=RE_REVIEW if p.re_review else tally(votes, p.gate),
        past=past,
        risk=dossier.risk_confirmed or dossier.risk_preclass,
        incidents=incidents,
        conditions=[c for c in d.conditions if not c.fulfilled][:MOST],
        kpis=figures(d.metrics, MOST_ROWS),
        printed_at=printed_at,
    )
