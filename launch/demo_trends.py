"""The demo's trend radar: fourteen trends over the four quadrants and rings, linked to the
demo initiatives they affect, some moved this quarter (so "as of last quarter" differs)
and some added only this quarter. Sent to the trends service as its real commands.

A trend the store holds already is left as it is: its add is refused (another `at`), and
its moves and links are not sent again.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from events import trends
from events.base import Actor
from events.trends import Maturity, Quadrant, Ring
from infra.driver import Driver

AI_MANAGER = Actor(id="carlos", name="carlos", roles=("contributor",))
CHAIR = Actor(id="clara", name="clara", roles=("committee",))
# (id, name, quadrant, first ring, maturity, description, risks, dependencies, initiatives)
Texts = tuple[str, ...]
Spec = tuple[str, str, Quadrant, Ring, Maturity, str, Texts, Texts, Texts]
TRENDS: list[Spec] = [
    ("small-open-models", "Small open-weight models", "models", "trial", "growing",
     "7-14B models with open weights that run on our own GPUs: no data leaves the house.",
     ("licence terms vary",), ("GPU capacity",), ("demo-12", "demo-18", "demo-05")),
    ("reasoning-models", "Reasoning models", "models", "assess", "emerging",
     "Models that plan in long chains of thought: stronger on multi-step tasks, slower, dearer.",
     ("cost per answer", "latency"), ("LLM gateway",), ("demo-13", "demo-20")),
    ("document-vlms", "Vision-language models for documents", "models", "trial", "mature",
     "Read invoices, forms and scans end to end instead of OCR plus rules.",
     ("hallucinated fields",), ("labelled samples",), ("demo-02", "demo-22")),
    ("rag-tooling", "Retrieval-augmented generation tooling", "tools", "trial", "mature",
     "Ground answers in our own documents, with sources, instead of the model's memory.",
     ("stale indexes", "access rights leaking"), ("document store",),
     ("demo-13", "demo-01", "demo-23")),
    ("agent-frameworks", "Agent frameworks", "tools", "assess", "emerging",
     "Libraries that let a model call tools and act in several steps under a policy.",
     ("unbounded actions", "prompt injection"), ("human oversight design",), ("demo-20",)),
    ("llm-evals", "LLM evaluation and red-teaming", "tools", "trial", "growing",
     "Test sets, judges and adversarial prompts run before every model or prompt change.",
     (), ("test data",), ("demo-01", "demo-05")),
    ("vector-databases", "Vector databases", "platforms", "trial", "mature",
     "Dedicated stores for embeddings and similarity search.",
     ("another system to run",), (), ("demo-13", "demo-24")),
    ("llm-gateway", "LLM gateway", "platforms", "assess", "growing",
     "One internal API in front of every model: routing, cost limits, logging, redaction.",
     ("single point of failure",), (), ("demo-01", "demo-08")),
    ("eu-gpu-cloud", "EU-sovereign GPU cloud", "platforms", "assess", "emerging",
     "GPU capacity from providers under EU jurisdiction for training and hosting.",
     ("capacity shortages",), (), ()),
    ("model-registry", "Model registry and monitoring", "platforms", "adopt", "mature",
     "Every model version, its data and its drift monitored in one place.",
     (), (), ("demo-03", "demo-25", "demo-16")),
    ("ai-act-omnibus", "EU AI Act Digital Omnibus: high-risk dates moved", "regulation",
     "adopt", "mature",
     "Reg. (EU) 2026/1744, in force 27 Jul 2026: Annex III high-risk duties apply from "
     "2 Dec 2027 (was 2 Aug 2026), Annex I from 2 Aug 2028. Plan conformity work to it.",
     ("treating the delay as a pause",), ("AI register",), ("demo-04", "demo-10")),
    ("ai-act-transparency", "AI Act Art. 50 transparency duties", "regulation", "trial",
     "growing",
     "Tell people they talk to an AI and mark synthetic content, from 2 Aug 2026 (generative "
     "systems on the market before then: 2 Dec 2026).",
     (), ("content marking",), ("demo-01", "demo-23", "demo-08")),
    ("gpai-duties", "GPAI provider duties of our suppliers", "regulation", "assess", "growing",
     "Art. 53 documentation and copyright duties of general-purpose model providers (from "
     "2 Aug 2025): what we must ask our model suppliers for.",
     (), ("supplier contracts",), ("demo-05",)),
    ("emotion-ban", "Ban on emotion recognition at work", "regulation", "hold", "mature",
     "Art. 5(1)(f) prohibits emotion recognition in the workplace since 2 Feb 2025.",
     ("fines up to 7% of turnover",), (), ("demo-11",)),
]  # fmt: skip
NEW_THIS_QUARTER = ("ai-act-omnibus", "eu-gpu-cloud")
# (trend, to ring, rationale, this quarter?): earlier moves happened before last quarter ended
MOVES: list[tuple[str, Ring, str, bool]] = [
    ("rag-tooling", "adopt", "Knowledge search and the service assistant run on it in "
     "production; citations cut wrong answers by half.", False),
    ("document-vlms", "adopt", "Invoice extraction reached 84% straight-through with it.", False),
    ("small-open-models", "adopt", "Meeting minutes and translation run on a 12B model in our "
     "data centre at a tenth of the API cost.", True),
    ("agent-frameworks", "trial", "The procurement agent's PoC kept within its policy in 200 "
     "test orders; trial it under human approval.", True),
    ("vector-databases", "hold", "pgvector in our PostgreSQL covers our scale; a separate "
     "vector database adds operations for no gain.", True),
    ("llm-gateway", "trial", "Three teams pay for models separately; pilot one gateway with "
     "cost limits.", True),
    ("reasoning-models", "trial", "Multi-step procurement checks need planning.", False),
]  # fmt: skip


def quarter_end(today: date) -> datetime:
    first = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    return datetime.combine(first - timedelta(days=1), time.max, tzinfo=UTC)


def commands(now: datetime) -> list[tuple[str, trends.TrendCommand]]:
    """Every trend's commands in order, with business times around last quarter's end."""
    edge = quarter_end(now.date())
    late = edge + (now - edge) / 3  # this quarter, before now
    steps: list[tuple[str, trends.TrendCommand]] = []
    for n, (tid, name, quad, ring, maturity, text, risks, deps, linked) in enumerate(TRENDS):
        added = late if tid in NEW_THIS_QUARTER else edge - timedelta(days=200 - 9 * n)
        steps.append((tid, trends.AddTrend(
            trend_id=tid, at=added, actor=AI_MANAGER, name=name, quadrant=quad,
            ring=ring, maturity=maturity, description=text, risks=risks,
            dependencies=deps,
        )))  # fmt: skip
        steps += [(tid, trends.LinkTrend(trend_id=tid, at=added + timedelta(hours=1 + i),
                                         actor=AI_MANAGER, initiative_id=iid))
                  for i, iid in enumerate(linked)]  # fmt: skip
    for n, (tid, ring, why, recent) in enumerate(MOVES):
        earlier = edge - timedelta(days=40 - 5 * n)
        at = edge + (now - edge) * (0.4 + 0.08 * n) if recent else earlier
        move = trends.MoveTrend(trend_id=tid, at=at, actor=CHAIR, ring=ring, rationale=why)
        steps.append((tid, move))
    return steps


async def seed(driver: Driver, now: datetime) -> int:
    """Send the radar's commands; returns the last position (0 when nothing was new)."""
    last, existing = 0, set()
    for tid, command in commands(now):
        if tid in existing:
            continue
        reply = await driver.send("trends", command)  # type: ignore[arg-type]
        if isinstance(command, trends.AddTrend) and reply.error is not None:
            existing.add(tid)  # there already (or refused): leave it as it is
            continue
        last = max(last, reply.position or 0)
    return last
