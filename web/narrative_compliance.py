"""The EU AI Act events in words: the company's role and an obligation's status."""

from __future__ import annotations

from collections.abc import Callable

from events.ai_act import CURRENT_VERSION, VERSIONS
from events.wording import quoted
from web.narrative import Data, Names, joined

SWITCHES = {
    "own_name": "its own name or trademark on the system (Art. 25(1)(a))",
    "substantial_modification": "a substantial modification (Art. 25(1)(b))",
    "high_risk_purpose": "a new, high-risk purpose (Art. 25(1)(c))",
}


def obligation_title(obligation_id: str, names: Names | None = None) -> str:
    if obligation_id.startswith("serious_incident."):
        title = (names.incidents if names else {}).get(obligation_id.partition(".")[2])
        return (
            f"the Art. 73 report of the serious incident {quoted(title)}"
            if title
            else ("the Art. 73 report of a serious incident")
        )
    known = VERSIONS[CURRENT_VERSION].get(obligation_id)
    return f"{known.title} (Art. {known.article})" if known else obligation_id


def _role(d: Data, _: Names) -> tuple[str, str]:
    switch = SWITCHES.get(d.get("switch") or "")
    return f"Recorded as the system's {d.get('role', '')}", joined(
        quoted(str(d.get("reason", "")), 160), f"became the provider by {switch}" if switch else ""
    )


def _status(d: Data, n: Names) -> tuple[str, str]:
    status = str(d.get("status", "")).replace("_", " ")
    return f"Obligation {status}: {obligation_title(str(d.get('obligation_id', '')), n)}", (
        quoted(str(d["evidence"]), 160) if d.get("evidence") else ""
    )


COMPLIANCE_SAY: dict[str, Callable[[Data, Names], tuple[str, str]]] = {
    "ai_role_recorded": _role,
    "obligation_status_recorded": _status,
}
