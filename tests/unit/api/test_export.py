"""api.export: the portfolio CSV is spreadsheet-safe and sent a page at a time."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest

from api.export import COLUMNS, cell, row, rows_of
from events.people import Person
from services.projection.models import InitiativePage
from services.projection.views.summary import LastDecision, Summary

T = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    "text", ["=1+1", "+49 30", "-2", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("http://x")']
)
def test_a_cell_a_spreadsheet_would_read_as_a_formula_gets_a_leading_apostrophe(text):
    assert cell(text) == "'" + text


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("Invoice triage", "Invoice triage"),
        ("a=b", "a=b"),
        (None, ""),
        (4.3, "4.3"),
        (80, "80"),
        (True, "yes"),
        (T, "2026-03-02T09:30:00Z"),
    ],
)
def test_other_cells_are_kept_as_they_are(value, shown):
    assert cell(value) == shown


def summary(i: int, title: str = "Idea") -> Summary:
    return Summary(
        initiative_id=f"i-{i}",
        title=title,
        owner="olivia",
        owner_account="olivia",
        team=(Person(name="carlos", account="carlos"),),
        sponsor="CFO",
        stage="pilot",
        status="in_review",
        priority=4.3,
        readiness_percent=70,
        time_in_stage_days=12.345,
        tags=("finance", "ocr"),
        proposed_at=T,
        updated_at=T,
        last_decision=LastDecision(gate="G2", decision="go", at=T, rationale="ok"),
    )


def test_a_row_holds_every_column_in_order():
    shown = dict(zip(COLUMNS, row(summary(1, "=cmd|' /C calc'!A0")), strict=True))
    assert shown["title"] == "'=cmd|' /C calc'!A0"
    assert shown["priority"] == "4.3" and shown["readiness_percent"] == "70"
    assert shown["days_in_stage"] == "12.3" and shown["last_decision"] == "G2 go"
    assert shown["tags"] == "finance; ocr" and shown["kpi_breached"] == "no"


async def test_the_export_reads_page_after_page_until_every_initiative_is_sent():
    everything = [summary(i) for i in range(5)]
    asked: list[tuple[int, int]] = []

    async def pages(limit: int, offset: int) -> InitiativePage:
        asked.append((limit, offset))
        items = everything[offset : offset + limit]
        return InitiativePage(items=items, total=len(everything), limit=limit, offset=offset)

    body = b"".join([chunk async for chunk in rows_of(pages, size=2)]).decode()
    table = list(csv.reader(io.StringIO(body)))
    assert table[0] == list(COLUMNS)
    assert [r[0] for r in table[1:]] == [f"i-{i}" for i in range(5)]
    assert asked == [(2, 0), (2, 2), (2, 4)]
