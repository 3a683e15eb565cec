# ruff: noqa: E501  (the table below keeps one obligation a line, like AI_ACT.md)
"""The EU AI Act's obligations as versioned data (PRODUCT.md section 10; facts checked in
AI_ACT.md). Not legal advice.

A change of the law is a new version, never an edit: "2024.1" is Regulation (EU) 2024/1689
as published, "2026.1" as amended by the Digital Omnibus on AI (Reg. (EU) 2026/1744, in
force 2026-07-27), which moved the high-risk dates. `confirmed` keeps AI_ACT.md's flag on
the row's application date: ✔ confirmed, ◐ secondary sources only, ✖ not confirmed (for
Arts 43, 47-49, 72-73 the effective date is the high-risk date, an interpretation).
`before_launch`: the law's time limit says before placing on the market or before use, so
the duty is due at G4 (launch).
"""

from __future__ import annotations

from datetime import date
from typing import Literal

import msgspec

Who = Literal["provider", "deployer", "both"]
Scope = Literal["all", "prohibited", "high", "limited", "minimal", "gpai"]
Confirmed = Literal["confirmed", "secondary", "unconfirmed"]
FLAGS: dict[str, Confirmed | None] = {
    "✔": "confirmed", "◐": "secondary", "✖": "unconfirmed", "": None,
}  # fmt: skip


class Obligation(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    article: str
    who: Who
    scope: Scope  # the risk class it follows from ("all": every class)
    title: str
    time_limit: str  # the law's words; "" where it sets none
    applies_from: date | None
    applies_note: str = ""
    confirmed: Confirmed | None = None  # AI_ACT.md's flag on the date
    before_launch: bool = False
    where: str = ""  # to whom it applies, where narrower than the class


class Version(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    law: str
    in_force_from: date
    obligations: tuple[Obligation, ...]

    def get(self, obligation_id: str) -> Obligation | None:
        return next((o for o in self.obligations if o.id == obligation_id), None)


# id | article | who | scope | title | time limit | applies (HR = the high-risk date) | flag
# | before launch ("y") | where
_ROWS = """
ai_literacy|4|both|all|Support the AI literacy of staff and operators||2025-02-02|✔||
prohibited_check|5(1)(a)-(h)|both|prohibited|Not a banned practice: manipulation, exploiting vulnerabilities, social scoring, profiling-only crime prediction, untargeted face scraping, emotion recognition at work or school, sensitive biometric categorisation, real-time remote biometric identification for police||2025-02-02|✔||
prohibited_new|5(1)(ba),(bb)|both|prohibited|Not a new banned practice: generating non-consensual intimate images or child sexual abuse material||2026-12-02|✔||
classify|6 + Annex III|provider|high|Classify the system under Annex III (biometrics, critical infrastructure, education, employment, essential services, police, migration, justice)||HR|✔||
not_high_risk_doc|6(3),(4), 49(2)|provider|high|Document and register the narrow-task derogation (never with profiling)|before market|HR|✔|y|where an Annex III system is claimed not to be high-risk
risk_mgmt|9|provider|high|Continuous risk management over the lifecycle||HR|✔||
data_gov|10 (+4a)|provider|high|Data governance, including bias examination||HR|✔||
tech_doc|11 + Annex IV|provider|high|Technical documentation, kept current|before market|HR|✔|y|
logging|12|provider|high|Automatic event logs over the system's lifetime||HR|✔||
info_to_deployers|13|provider|high|Instructions for use (limits, accuracy, oversight, logs)||HR|✔||
human_oversight|14; 26(2)|both|high|Human oversight: understand, resist automation bias, override, stop; competent overseers with authority||HR|✔||
accuracy_robust_cyber|15|provider|high|Accuracy, robustness and cybersecurity||HR|✔||
provider_duties|16|provider|high|Provider duties: name, QMS, documentation, logs, conformity, declaration, CE, registration, corrective action, accessibility||HR|✔||
qms|17|provider|high|Written quality management system, proportionate to size||HR|✔||
doc_retention|18, 47(1)|provider|high|Keep technical documentation, QMS, notified-body decisions and declaration|10 years after placing on the market|HR|✔||
provider_logs|19|provider|high|Keep the logs under your control|at least 6 months|HR|✔||
corrective|20|provider|high|Correct, withdraw or recall; inform the chain and the authorities|immediately|HR|✔||
value_chain|25|deployer|high|Watch for becoming the provider: own name, substantial modification, new high-risk purpose||HR|✔||
deployer_use|26(1),(2),(4)|deployer|high|Use per the instructions; competent overseers; relevant input data||HR|✔||
deployer_monitor|26(5)|deployer|high|Monitor; a risk: inform provider and authority and suspend; a serious incident: provider first, then the authorities|risk without undue delay; incident immediately|HR|✔||
deployer_logs|26(6)|deployer|high|Keep the logs under your control|at least 6 months|HR|✔||
inform_workers|26(7)|deployer|high|Inform worker representatives and affected workers|before use at work|HR|✔|y|employers using it at work
public_deployer_reg|26(8), 49(3)|deployer|high|Register the use in the EU database; never use an unregistered system|before use|HR|✔|y|public authorities
inform_subjects|26(11)|deployer|high|Tell the persons subject to its decisions||HR|✔||Annex III systems
fria|27|deployer|high|Fundamental rights impact assessment, notified to the authority (may cross-reference the DPIA)|before first use|HR|✔|y|public bodies, providers of public services, credit scoring and life or health insurance (Annex III 5(b),(c)); not critical infrastructure
conformity|43|provider|high|Conformity assessment (internal control, or a notified body for biometrics); again after a substantial modification|before market|HR|✖|y|
eu_doc|47|provider|high|EU declaration of conformity (Annex V)|keep 10 years|HR|✖||
ce_mark|48|provider|high|CE marking (digital for digital-only systems)|before market|HR|✖|y|
register|49(1) + Annex VIII|provider|high|Register in the EU database (Art. 71)|before market|HR|✖|y|
tr_interact|50(1)|provider|limited|Disclose that people interact with an AI system, unless obvious|at first interaction|2026-08-02|✔||
tr_marking|50(2)|provider|limited|Machine-readable marking of synthetic content||2026-08-02|✔||generative systems
tr_emotion|50(3)|deployer|limited|Inform persons exposed to emotion recognition or biometric categorisation|at first exposure|2026-08-02|✔||
tr_deepfake|50(4)|deployer|limited|Disclose deep fakes, and AI text on public-interest matters without human editorial responsibility|at first exposure|2026-08-02|✔||
pmm|72|provider|high|Post-market monitoring system and plan (part of Annex IV)||HR|✖||
serious_incident|73|provider|high|Report serious incidents to the market surveillance authority where they occurred|see the Art. 73 clock|HR|✖||the deployer where the provider cannot be reached
explanation|86|deployer|high|Explain decisions with legal or similarly significant effects on request||HR|◐||Annex III systems except point 2
minimal|95|both|minimal|Nothing beyond AI literacy; voluntary codes of conduct|||||
gpai_base|53|provider|gpai|Documentation, downstream information, copyright policy, training summary||2025-08-02|✔||
gpai_notify|52(1)|provider|gpai|Notify the Commission when the systemic-risk threshold is met|within 2 weeks|2025-08-02|◐||models with systemic risk
gpai_sys|55(1)|provider|gpai|Evaluations, adversarial tests, mitigation, serious incidents to the AI Office, cybersecurity|without undue delay|2025-08-02|◐||models with systemic risk
"""


def _parse(high_risk: date, rows: str = _ROWS) -> tuple[Obligation, ...]:
    out = []
    for line in rows.strip().splitlines():
        oid, art, who, scope, title, limit, applies, flag, before, where = line.split("|")
        day = high_risk if applies == "HR" else date.fromisoformat(applies) if applies else None
        out.append(Obligation(
            id=oid, article=art, who=who, scope=scope, title=title,  # type: ignore[arg-type]
            time_limit=limit, applies_from=day, confirmed=FLAGS[flag],
            before_launch=before == "y", where=where,
            applies_note="2028-08-02 for Annex I products" if applies == "HR" else "",
        ))  # fmt: skip
    return tuple(out)


def _pre_omnibus() -> tuple[Obligation, ...]:
    """The 2024 text: high-risk duties from 2026-08-02 (Annex I 2027-08-02), Art. 4 asked
    for a sufficient level of literacy, no NCII/CSAM bans, no grace period for marking."""
    rows = _parse(date(2026, 8, 2))
    literacy = "Ensure a sufficient level of AI literacy"
    annex_i = "2027-08-02 for Annex I products"
    return tuple(
        msgspec.structs.replace(
            o,
            title=literacy if o.id == "ai_literacy" else o.title,
            applies_note=annex_i if o.applies_note else "",
        )
        for o in rows
        if o.id != "prohibited_new"
    )


def _omnibus() -> tuple[Obligation, ...]:
    rows = _parse(date(2027, 12, 2))
    note = "2026-12-02 for generative systems placed on the market before 2026-08-02"
    return tuple(
        msgspec.structs.replace(o, applies_note=note) if o.id == "tr_marking" else o for o in rows
    )


VERSIONS: dict[str, Version] = {
    "2024.1": Version(
        id="2024.1",
        law="Regulation (EU) 2024/1689 as published",
        in_force_from=date(2024, 8, 1),
        obligations=_pre_omnibus(),
    ),
    "2026.1": Version(
        id="2026.1",
        law="Regulation (EU) 2024/1689 as amended by Regulation (EU) 2026/1744 (Omnibus)",
        in_force_from=date(2026, 7, 27),
        obligations=_omnibus(),
    ),
}
CURRENT_VERSION = "2026.1"


def version_on(day: date) -> Version:
    """The version of the law in force on `day` (the oldest one before any)."""
    known = sorted(VERSIONS.values(), key=lambda v: v.in_force_from)
    return next((v for v in reversed(known) if v.in_force_from <= day), known[0])
