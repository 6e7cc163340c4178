"""Golden files: a realistic weeknote rendered as Markdown, HTML and JSON.

The sample is compiled from records in the spirit of the reference weeknote (our own text). Regenerate the
golden files after a deliberate change with ``UPDATE_GOLDEN=1 .venv/bin/pytest tests/export``, then read the
diff before committing it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import jsonschema  # type: ignore[import-untyped]
import pytest

from bot.domain.compile import compile_weeknote
from bot.domain.models import (
    Edition,
    Metric,
    Organisation,
    Person,
    Project,
    Rag,
    Role,
    Template,
    Update,
    UpdateState,
)
from bot.domain.weeknote import Weeknote
from bot.export import FORMATS, export_filename, render, write_export
from bot.export.html import render_html
from bot.export.jsonout import JSON_SCHEMA, render_json
from bot.export.markdown import render_markdown

GOLDEN = Path(__file__).resolve().parent / "golden"
WEEK = "2026-W15"

PEOPLE = (
    Person(
        "morgan.reid@northbridge.example",
        "Morgan Reid",
        "Director of Digital and Data",
        frozenset({Role.DIRECTOR}),
    ),
    Person(
        "hannah.okafor@northbridge.example", "Hannah Okafor", "Project Manager, Digital", frozenset({Role.PM})
    ),
    Person("sam.patel@northbridge.example", "Sam Patel", "Project Manager, Digital", frozenset({Role.PM})),
    Person("lee.wong@northbridge.example", "Lee Wong", "Service Desk Lead", frozenset({Role.PM})),
)
HANNAH, SAM, LEE = (p.email for p in PEOPLE[1:])

DRIVES = Project(
    "drives",
    "Shared drive migration",
    HANNAH,
    Template.FULL,
    metrics=(
        Metric("Files opened or edited", "users"),
        Metric("Devices syncing", "users"),
        Metric("Files shared internally", "users"),
    ),
    order=1,
)
LIGHTING = Project("lighting", "Street lighting repairs portal", SAM, Template.BRIEF, order=2)
RECORDS = Project("records", "Records management pilot", SAM, Template.SUMMARY, order=3)
INTRANET = Project("intranet", "Intranet refresh", HANNAH, Template.FULL, order=4)
DESK = Project("desk", "Service desk", LEE, Template.TEAM, order=5)
PERMITS = Project("permits", "Parking permits", SAM, Template.BRIEF, order=6)
BILLING = Project("billing", "Council tax e-billing", HANNAH, Template.SUMMARY, order=7)

UPDATES = (
    Update(
        WEEK,
        "drives",
        UpdateState.SUBMITTED,
        Rag.GREEN,
        answers={
            "status_reason": "Adoption holding steady through the school holidays",
            "overview": (
                "The migration is in its adoption phase. This week focused on keeping momentum, "
                "refreshing the usage report and preparing the handover to the change team."
            ),
            "achievements": (
                "Drop-in support continued\n"
                "  - Three drop-in sessions for teams still using the old drives\n"
                "  - Guidance on personal versus shared storage re-issued\n"
                "Usage reporting refreshed\n"
                "  - Weekly figures reviewed with the service owners"
            ),
            "data_period": "6 to 12 April 2026",
            "workstreams": (
                "Migration: complete\nUser adoption: in progress\n"
                "Handover: in progress (change lead starts May)"
            ),
            "risks": "- Sharing habits: internal sharing dipped this week; targeted tips will follow.",
            "planned": "- Publish the next usage report\n- Agree the handover checklist with the change lead",
        },
        metric_values={
            "Files opened or edited": 3104.0,
            "Devices syncing": 1488.0,
            "Files shared internally": 702.0,
        },
        author=HANNAH,
    ),
    Update(
        WEEK,
        "lighting",
        UpdateState.SUBMITTED,
        Rag.AMBER,
        answers={
            "status_reason": "the supplier contract variation is still being negotiated",
            "outcomes": "- Two design workshops held with the supplier\n- Low-code option costed",
            "next_activities": (
                "- Decide between the supplier portal and the low-code option\n- Plan user testing"
            ),
        },
        author=SAM,
        late=True,
    ),
    Update(
        WEEK,
        "records",
        UpdateState.SUBMITTED,
        answers={
            "summary": (
                "- Pilot testing nearly complete\n"
                "- A records management system is being considered: it would automate retention reviews"
            )
        },
        author=SAM,
    ),
    Update(
        WEEK,
        "intranet",
        UpdateState.SUBMITTED,
        Rag.GREEN,
        answers={
            "overview": "The new intranet has been live for a month and is stable.",
            "achievements": "- Project board confirmed the move to decommissioning",
            "in_progress": (
                "Technical\n- Redirects from old pages monitored\n- Old server decommissioning planned\n"
                "Governance\n- Ownership of news pages agreed"
            ),
            "workstreams": "Build: complete\nDecommissioning: in progress",
            "planned": "- Switch off the old server",
        },
        author=HANNAH,
    ),
    Update(
        WEEK,
        "desk",
        UpdateState.SUBMITTED,
        answers={
            "update": (
                "## Tickets\n"
                "open: 41, in progress: 17, overdue: 2, closed this week: 126\n"
                "General updates:\n"
                "- Two new analysts joined the team\n"
                "- Password reset self-service now covers 90% of staff\n"
                "Looking ahead:\n"
                "- Laptop refresh for the planning team"
            )
        },
        author=LEE,
    ),
    Update(WEEK, "billing", UpdateState.SKIPPED, skip_reason="Supplier testing week: nothing new to report"),
)
PREVIOUS = (
    Update(
        "2026-W14",
        "drives",
        UpdateState.SUBMITTED,
        Rag.AMBER,
        metric_values={
            "Files opened or edited": 3301.0,
            "Devices syncing": 1485.0,
            "Files shared internally": 789.0,
        },
    ),
    Update("2026-W14", "lighting", UpdateState.SUBMITTED, Rag.AMBER),
    Update("2026-W14", "intranet", UpdateState.SUBMITTED, Rag.AMBER),
)


def sample_weeknote() -> Weeknote:
    """A realistic weeknote: every template, metrics week on week, a late, a skipped and a missing project."""
    return compile_weeknote(
        organisation=Organisation(name="Northbridge Digital and Data"),
        edition=Edition(
            WEEK,
            director_note=(
                "A short week with the Easter break, but plenty moved.\n"
                "Good conversations with finance about how we report on data work, and a lively session at "
                "the managers' forum on digital skills."
            ),
            highlights=(
                "- Hearing how the laptop reuse scheme has helped residents get online\n"
                "- The service desk's self-service password resets passing 90% of staff"
            ),
        ),
        people=PEOPLE,
        projects=(DRIVES, LIGHTING, RECORDS, INTRANET, DESK, PERMITS, BILLING),
        updates=UPDATES,
        previous_updates=PREVIOUS,
    )


RENDERERS: dict[str, tuple[Callable[[Weeknote], str], str]] = {
    "sample.md": (render_markdown, "markdown"),
    "sample.html": (render_html, "html"),
    "sample.json": (render_json, "json"),
}


@pytest.mark.parametrize("name", sorted(RENDERERS))
def test_golden(name: str) -> None:
    renderer, _ = RENDERERS[name]
    actual = renderer(sample_weeknote())
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_text(actual, encoding="utf-8", newline="\n")
    assert path.exists(), f"{path} is missing: run with UPDATE_GOLDEN=1 to create it"
    assert actual == path.read_text(encoding="utf-8"), (
        f"{name} changed: if intended, run with UPDATE_GOLDEN=1"
    )


def test_sample_reads_like_the_reference() -> None:
    markdown = render_markdown(sample_weeknote())
    assert "## Director’s weeknote\n\n*Morgan Reid, Director of Digital and Data*" in markdown
    assert "### 📈 Metrics snapshot (week on week)\n\nBased on data from 6 to 12 April 2026" in markdown
    assert "- Files opened or edited decreased by 6.0% (from 3,301 to 3,104 users)" in markdown
    assert "- Devices syncing increased slightly by 0.2% (from 1,485 to 1,488 users)" in markdown
    assert (
        "- Overall status: 🟢 on track\n  - Adoption holding steady through the school holidays" in markdown
    )
    assert (
        "The project status is amber as the supplier contract variation is still being negotiated."
        in markdown
    )
    assert "- Technical\n  - Redirects from old pages monitored" in markdown
    assert "### Tickets\n\n- open: 41, in progress: 17, overdue: 2, closed this week: 126" in markdown
    assert "- Parking permits: no update this week" in markdown
    assert "- Shared drive migration: 🟢 on track (▲ from amber)" in markdown


def test_json_matches_its_schema_and_is_stable() -> None:
    text = render_json(sample_weeknote())
    document = json.loads(text)
    jsonschema.validate(document, JSON_SCHEMA)
    assert document["schema_version"] == 1
    assert text == json.dumps(document, sort_keys=True, ensure_ascii=False, indent=2) + "\n"
    assert "🟢" in text  # ensure_ascii=False keeps emoji readable


def test_render_by_format_name_and_write(tmp_path: Path) -> None:
    weeknote = sample_weeknote()
    for fmt in FORMATS:
        written = write_export(weeknote, tmp_path, fmt)
        assert written.name == export_filename(weeknote, fmt)
        assert written.read_text(encoding="utf-8") == render(weeknote, fmt)
        assert written.stat().st_mode & 0o777 == 0o644
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "weeknote-2026-W15.html",
        "weeknote-2026-W15.json",
        "weeknote-2026-W15.md",
    ]
    explicit = write_export(weeknote, tmp_path / "custom.txt", "MARKDOWN")
    assert explicit.read_text(encoding="utf-8") == render_markdown(weeknote)
    with pytest.raises(ValueError, match="unknown export format 'pdf'"):
        render(weeknote, "pdf")
