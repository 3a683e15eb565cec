"""Form parsing: strings from a form become the API's bodies, every error at once."""

from __future__ import annotations

from events.mvp import ChecklistItem
from web.forms import parse
from web.stage_forms import BY_KEY


def test_a_checklist_form_marks_the_items_with_x_done():
    parsed = parse(BY_KEY["checklist"], {"items": "[x] Runbook reviewed\n[ ] Pen test\nOn-call"})
    assert parsed.errors == {}
    assert parsed.body is not None
    assert parsed.body.items == (  # type: ignore[attr-defined]
        ChecklistItem(item="Runbook reviewed", done=True),
        ChecklistItem(item="Pen test", done=False),
        ChecklistItem(item="On-call", done=False),
    )


def test_an_empty_checklist_is_refused_with_the_field_named():
    parsed = parse(BY_KEY["checklist"], {"items": "  "})
    assert parsed.body is None and parsed.errors == {"items": "Enter the checklist"}


def test_a_refinement_changes_only_the_fields_filled_in():
    parsed = parse(BY_KEY["refine"], {"title": "Sharper title", "tags": "ops, finance"})
    assert parsed.errors == {}
    body = parsed.body
    assert body is not None
    assert (body.title, body.tags, body.owner) == (  # type: ignore[attr-defined]
        "Sharper title",
        ("ops", "finance"),
        None,
    )


def test_a_score_out_of_range_says_so_next_to_the_field():
    parsed = parse(BY_KEY["score"], {"value": "9", "feasibility": "x", "risk": "3",
                                     "strategic_fit": "3"})  # fmt: skip
    assert parsed.errors == {
        "value": "Enter a number at most 5",
        "feasibility": "Enter a whole number",
    }
