"""The demo portfolio: AI initiatives of a mid-size company, over every stage and outcome."""

from __future__ import annotations

from services.journeys import Outcome, Profile

# (title, problem, goal, category, tags, risk, kpi, unit, baseline, target, direction, outcome)
Row = tuple[str, str, str, str, tuple[str, ...], str, str, str, float, float, str, Outcome]

PORTFOLIO: list[Row] = [
    ("Customer-service assistant", "Agents search five systems for every answer",
     "Cut average handling time by a third", "generative", ("service", "llm"), "limited",
     "Average handling time", "min", 9.0, 6.0, "lower", "launched"),
    ("Invoice extraction", "Invoices are typed in by hand", "Straight-through processing of 80%",
     "vision", ("finance", "ocr"), "minimal", "Straight-through rate", "%", 10, 80, "higher",
     "launched"),
    ("Demand forecasting", "Stock-outs and overstock in 40 stores", "Forecast error below 12%",
     "predictive", ("supply-chain",), "minimal", "Forecast error (MAPE)", "%", 22, 12, "lower",
     "mvp"),
    ("HR candidate screening", "Thousands of applications per opening",
     "Shortlist in two days instead of ten", "classification", ("hr",), "high",
     "Time to shortlist", "days", 10, 2, "lower", "pilot"),
    ("Code assistant", "Developers spend hours on boilerplate", "Raise merged PRs per dev by 15%",
     "generative", ("engineering",), "minimal", "PRs per developer per week", "PRs", 4, 4.6,
     "higher", "launched"),
    ("Contract clause review", "Legal reviews every NDA line by line",
     "Review standard NDAs in minutes", "nlp", ("legal",), "limited", "Review time", "min", 45,
     10, "lower", "recycled_g3"),
    ("Predictive maintenance", "Unplanned downtime of packaging lines",
     "Halve unplanned downtime", "predictive", ("manufacturing", "iot"), "minimal",
     "Unplanned downtime", "h/month", 30, 15, "lower", "breached"),
    ("Sales email drafting", "Reps write the same follow-ups again and again",
     "Save two hours per rep per week", "generative", ("sales",), "minimal",
     "Hours saved per rep", "h/week", 0, 2, "higher", "poc"),
    ("Fraud detection for refunds", "Refund fraud rising 20% a year",
     "Catch 60% of fraudulent refunds", "classification", ("finance", "risk"), "limited",
     "Fraud caught", "%", 15, 60, "higher", "killed_g2"),
    ("Credit scoring for SMEs", "Manual credit checks take a week", "Decisions within a day",
     "predictive", ("finance",), "high", "Decision time", "days", 7, 1, "lower", "conditional"),
    ("Emotion recognition at the help desk", "Managers want to know callers' moods",
     "Flag angry callers", "vision", ("service",), "prohibited", "Flag precision", "%", 0, 80,
     "higher", "killed_g1"),
    ("Meeting minutes", "Nobody writes minutes", "Minutes for every project meeting",
     "generative", ("productivity",), "minimal", "Meetings with minutes", "%", 20, 90, "higher",
     "ideation"),
    ("Knowledge search", "Answers are buried in the wiki", "Find answers in one search",
     "nlp", ("productivity", "llm"), "minimal", "Searches answered", "%", 40, 75, "higher",
     "in_review"),
    ("Route optimisation", "Delivery vans drive half-empty", "Cut kilometres driven by 10%",
     "optimization", ("logistics",), "minimal", "Km per delivery", "km", 12, 10.8, "lower",
     "launched"),
    ("Quality inspection camera", "Defects found only by customers", "Detect 95% of defects",
     "vision", ("manufacturing",), "limited", "Defects detected", "%", 70, 95, "higher", "mvp"),
    ("Churn prediction", "Customers leave without warning", "Cut churn by two points",
     "predictive", ("marketing",), "minimal", "Monthly churn", "%", 6, 4, "lower", "pilot"),
    ("IT ticket routing", "Tickets bounce between teams", "Route 85% right the first time",
     "classification", ("it",), "minimal", "First-time-right routing", "%", 55, 85, "higher",
     "held"),
    ("Translation of product texts", "Agencies take weeks", "Publish in 8 languages in a day",
     "generative", ("marketing", "llm"), "minimal", "Days to publish", "days", 14, 1, "lower",
     "poc"),
    ("Energy optimisation of HVAC", "Buildings heat empty rooms", "Save 15% energy",
     "optimization", ("facilities",), "minimal", "Energy use", "MWh/month", 120, 102, "lower",
     "pilot"),
    ("Procurement agent", "Buyers compare quotes by hand", "Compare quotes automatically",
     "agent", ("procurement",), "limited", "Quotes compared per day", "quotes", 20, 60, "higher",
     "ideation"),
    ("Employee performance prediction", "Managers want early warnings", "Predict low performers",
     "predictive", ("hr",), "high", "Prediction precision", "%", 0, 70, "higher", "killed_g2"),
    ("Document classification for archive", "Scans are filed by hand",
     "Classify 90% of scans automatically", "classification", ("archive",), "minimal",
     "Auto-classified scans", "%", 0, 90, "higher", "launched"),
    ("Chatbot for the intranet", "HR answers the same questions daily",
     "Answer 50% of HR questions", "generative", ("hr", "llm"), "limited", "Questions answered",
     "%", 0, 50, "higher", "conditional"),
    ("Spare-parts image search", "Technicians cannot name the part", "Find the part by photo",
     "vision", ("service",), "minimal", "Parts found", "%", 30, 80, "higher", "in_review"),
    ("Cash-flow forecasting", "Treasury forecasts in spreadsheets", "Forecast error below 5%",
     "predictive", ("finance",), "minimal", "Forecast error", "%", 12, 5, "lower", "mvp"),
    ("Social media monitoring", "Complaints go unnoticed", "React within an hour",
     "nlp", ("marketing",), "minimal", "Response time", "h", 24, 1, "lower", "killed_g1"),
    ("Safety-incident report analysis", "Reports are read months later",
     "Spot patterns every week", "nlp", ("safety",), "limited", "Reports analysed", "%", 10, 100,
     "higher", "recycled_g3"),
]

SPONSORS = ("Sabine Schmidt (COO)", "Thomas Weber (CFO)", "Anna Keller (CHRO)", "Jonas Roth (CTO)")
OWNERS = ("Olivia Owner", "Max Brandt", "Lea Wagner", "Paul Fischer")


def profiles() -> list[Profile]:
    out = []
    for n, row in enumerate(PORTFOLIO):
        title, problem, goal, cat, tags, risk, kpi, unit, base, target, direction, outcome = row
        out.append(Profile(
            initiative_id=f"demo-{n + 1:02d}", title=title, problem=problem, goal=goal,
            sponsor=SPONSORS[n % len(SPONSORS)], owner=OWNERS[n % len(OWNERS)],
            category=cat, tags=tags, risk=risk, kpi=kpi, unit=unit,  # type: ignore[arg-type]
            baseline=base, target=target, direction=direction,  # type: ignore[arg-type]
            outcome=outcome,
        ))  # fmt: skip
    return out
