"""Compiling a week's records into the weeknote."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from bot.domain.compile import (
    brief_status,
    compile_weeknote,
    section_changes,
    team_parts,
    weeknote_stats,
)
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
from bot.domain.weeknote import Change, Item, Part, Weeknote

WEEK = "2026-W15"
LAST_WEEK = "2026-W14"
ORG = Organisation(name="Digital Services")
PEOPLE = (
    Person("zoe.director@example.org", "Zoe Director", "Second Director", frozenset({Role.DIRECTOR})),
    Person("ada.director@example.org", "Ada Lovelace", "Director of Digital", frozenset({Role.DIRECTOR})),
    Person("pm@example.org", "Priya Mistry", "Project Manager", frozenset({Role.PM})),
    Person("deputy@example.org", "Dan Deputy", "", frozenset({Role.PM})),
)
METRICS = (Metric("Active users", "users"), Metric("Files synced", "files"), Metric("Satisfaction", "%"))
FULL = Project("p-full", "Cloud storage adoption", "pm@example.org", Template.FULL, metrics=METRICS, order=1)
BRIEF = Project("p-brief", "Waste services", "pm@example.org", Template.BRIEF, order=2)
SUMMARY = Project("p-summary", "Data pilot", "deputy@example.org", Template.SUMMARY, order=2)
TEAM = Project("p-team", "Digital team", "pm@example.org", Template.TEAM, order=3)
MISSING = Project("p-missing", "Intranet", "nobody@example.org", order=4)
SKIPPED = Project("p-skipped", "Website", "pm@example.org", order=5)
DRAFTED = Project("p-draft", "Telephony", "deputy@example.org", order=6)
INACTIVE = Project("p-old", "Old project", "pm@example.org", order=0, active=False)
PROJECTS = (SKIPPED, TEAM, BRIEF, SUMMARY, FULL, MISSING, DRAFTED, INACTIVE)

FULL_ANSWERS = {
    "status_reason": "Adoption steady after the migration",
    "overview": "The project is in its adoption phase.\n\nThe next step is handover.",
    "achievements": "Support sustained\n  - Drop-in sessions held\n  - Guidance refreshed\nReporting updated",
    "in_progress": "",
    "data_period": "",
    "workstreams": "- Deployment: complete\n- User adoption: in progress",
    "risks": "- Sharing behaviour: a small dip this week",
    "planned": "- Produce the next usage report",
}


def update(project: Project, **kwargs: object) -> Update:
    fields: dict[str, object] = {
        "week": WEEK,
        "project_id": project.project_id,
        "state": UpdateState.SUBMITTED,
    }
    fields.update(kwargs)
    return Update(**fields)  # type: ignore[arg-type]


def compile_(updates: Sequence[Update], previous: Sequence[Update] = (), **kwargs: object) -> Weeknote:
    return compile_weeknote(
        organisation=ORG,
        edition=Edition(WEEK, director_note="  A busy week.\nMore below.  ", highlights="- One\n- Two"),
        people=PEOPLE,
        projects=PROJECTS,
        updates=updates,
        previous_updates=previous,
        **kwargs,  # type: ignore[arg-type]
    )


THIS_WEEK = (
    update(
        FULL,
        rag=Rag.GREEN,
        answers=FULL_ANSWERS,
        metric_values={"Active users": 2409.0, "Files synced": 1263.0, "Satisfaction": None},
        author="deputy@example.org",
    ),
    update(
        BRIEF,
        rag=Rag.AMBER,
        answers={
            "status_reason": "negotiations are outstanding",
            "outcomes": "- Workshop held",
            "next_activities": "",
        },
        late=True,
    ),
    update(SUMMARY, answers={"summary": "- Pilot nearly complete\n- Procurement being considered"}),
    update(
        TEAM,
        rag=Rag.GREEN,
        answers={"update": "General updates:\n- New starter\n## Looking ahead\n- Planning day"},
    ),
    update(SKIPPED, state=UpdateState.SKIPPED, skip_reason="  Go-live freeze  "),
    update(DRAFTED, state=UpdateState.DRAFT, answers={"summary": "half written"}),
    update(INACTIVE, rag=Rag.RED),
)
PREVIOUS = (
    update(
        FULL, week=LAST_WEEK, rag=Rag.AMBER, metric_values={"Active users": 2562.0, "Files synced": 1000.0}
    ),
    update(FULL, week="2026-W13", rag=Rag.RED, metric_values={"Active users": 1.0}),
    update(BRIEF, week=LAST_WEEK, rag=Rag.GREEN),
)


def test_header_and_director() -> None:
    weeknote = compile_(THIS_WEEK, PREVIOUS)
    assert weeknote.week == WEEK
    assert weeknote.label == "week ending 10 April 2026"
    assert weeknote.organisation == "Digital Services"
    # Two directors: the first by email wins.
    assert (weeknote.director_name, weeknote.director_title) == ("Ada Lovelace", "Director of Digital")
    assert weeknote.director_note == "A busy week.\nMore below."
    assert weeknote.highlights == (Item("One"), Item("Two"))
    assert compile_(THIS_WEEK, label="Easter edition").label == "Easter edition"


def test_no_director() -> None:
    weeknote = compile_weeknote(
        organisation=ORG,
        edition=Edition(WEEK),
        people=PEOPLE[2:],
        projects=(),
        updates=(),
        previous_updates=(),
    )
    assert (weeknote.director_name, weeknote.sections, weeknote.absences) == ("", (), ())


def test_sections_in_order_then_name_active_and_submitted_only() -> None:
    weeknote = compile_(THIS_WEEK, PREVIOUS)
    assert [s.project_id for s in weeknote.sections] == ["p-full", "p-summary", "p-brief", "p-team"]
    assert [(a.project_id, a.kind, a.reason, a.owner_name) for a in weeknote.absences] == [
        ("p-missing", "missing", "", "nobody@example.org"),
        ("p-skipped", "skipped", "Go-live freeze", "Priya Mistry"),
        ("p-draft", "missing", "", "Dan Deputy"),
    ]


def test_full_section() -> None:
    section = compile_(THIS_WEEK, PREVIOUS).sections[0]
    assert section.title == "Cloud storage adoption"
    assert section.author_line == "Dan Deputy"  # the author (no title), not the owner
    assert section.template is Template.FULL
    assert section.rag is Rag.GREEN
    assert section.status_line == "Overall status: 🟢 on track"
    assert not section.late
    assert [(p.key, p.emoji, p.title) for p in section.parts] == [
        ("overview", "📌", "Project overview"),
        ("achievements", "✅", "Key achievements this week"),
        ("metrics", "📈", "Metrics snapshot (week on week)"),
        ("status", "📊", "Current status"),
        ("risks", "⚠️", "Risks and issues"),
        ("planned", "🔜", "Planned activities"),
    ]
    parts = {p.key: p for p in section.parts}
    assert parts["overview"].paragraphs == (
        "The project is in its adoption phase.",
        "The next step is handover.",
    )
    assert parts["achievements"].items == (
        Item("Support sustained", (Item("Drop-in sessions held"), Item("Guidance refreshed"))),
        Item("Reporting updated"),
    )
    assert parts["metrics"] == Part(
        "metrics",
        "📈",
        "Metrics snapshot (week on week)",
        paragraphs=("Based on data from 6 to 12 April 2026",),
        items=(
            Item("Active users decreased by 6.0% (from 2,562 to 2,409 users)"),
            Item("Files synced increased by 26.3% (from 1,000 to 1,263 files)"),
            Item("Satisfaction: not reported"),
        ),
    )
    assert parts["status"].items == (
        Item("Overall status: 🟢 on track", (Item("Adoption steady after the migration"),)),
        Item("Deployment: complete"),
        Item("User adoption: in progress"),
    )
    assert parts["risks"].items == (Item("Sharing behaviour: a small dip this week"),)


def test_full_section_data_period_as_typed() -> None:
    answers = {**FULL_ANSWERS, "data_period": " 30 March to\n5 April 2026 "}
    weeknote = compile_([update(FULL, rag=Rag.GREEN, answers=answers, metric_values={"Active users": 5.0})])
    metrics = next(p for p in weeknote.sections[0].parts if p.key == "metrics")
    assert metrics.paragraphs == ("Based on data from 30 March to 5 April 2026",)
    assert metrics.items == (Item("Active users: 5 users"),)


def test_full_section_without_metrics_or_rag_leaves_those_parts_out() -> None:
    weeknote = compile_([update(FULL, answers={"overview": "Just an overview"})])
    section = weeknote.sections[0]
    assert section.status_line == ""
    assert [p.key for p in section.parts] == ["overview"]
    assert weeknote.rag_overview == ()


def test_brief_section() -> None:
    section = compile_(THIS_WEEK, PREVIOUS).sections[2]
    assert section.author_line == "Priya Mistry, Project Manager"  # no author: the owner
    assert section.status_line == "The project status is amber as negotiations are outstanding."
    assert section.late
    assert section.parts == (
        Part("outcomes", "", "Key outcomes in last period", items=(Item("Workshop held"),)),
    )


@pytest.mark.parametrize(
    ("rag", "reason", "expected"),
    [
        (Rag.AMBER, "final decision made.", "The project status is amber as final decision made."),
        (
            Rag.GREEN,
            "with the tender award in progress.",
            "The project status is green with the tender award in progress.",
        ),
        (Rag.RED, "As  the supplier\nwithdrew", "The project status is red as the supplier withdrew."),
        (Rag.RED, "because funding ended!", "The project status is red because funding ended!"),
        (Rag.GREEN, "now that testing is done", "The project status is green now that testing is done."),
        (Rag.GREEN, "  ", "The project status is green."),
        (Rag.AMBER, "asbestos survey pending", "The project status is amber as asbestos survey pending."),
    ],
)
def test_brief_status(rag: Rag, reason: str, expected: str) -> None:
    assert brief_status(rag, reason) == expected


def test_summary_section() -> None:
    section = compile_(THIS_WEEK, PREVIOUS).sections[1]
    assert section.rag is None
    assert section.status_line == ""
    assert section.parts == (
        Part(
            "summary",
            "",
            "Project summary",
            items=(Item("Pilot nearly complete"), Item("Procurement being considered")),
        ),
    )


def test_team_section() -> None:
    section = compile_(THIS_WEEK, PREVIOUS).sections[3]
    assert section.status_line == "Status: 🟢 on track"
    assert section.parts == (
        Part("team-1", "", "General updates", items=(Item("New starter"),)),
        Part("team-2", "", "Looking ahead", items=(Item("Planning day"),)),
    )


def test_team_parts_rules() -> None:
    text = (
        "Intro line\n"
        "## Product: Drupal\n"
        "not started: 14, in progress: 17, late: 0, completed: 26\n"
        "- A bullet ending with a colon:\n"
        "  indented line ending:\n"
        "Empty heading:\n"
        "##\n"
        ":\n"
        "Looking ahead:\n"
        "- Planning"
    )
    assert team_parts(text) == (
        Part("team-0", "", "", items=(Item("Intro line"),)),
        Part(
            "team-1",
            "",
            "Product: Drupal",
            items=(
                # A bullet under a plain line is its sub-point (the answers rules), not a heading.
                Item(
                    "not started: 14, in progress: 17, late: 0, completed: 26",
                    (Item("A bullet ending with a colon:", (Item("indented line ending:"),)),),
                ),
            ),
        ),
        Part("team-2", "", "Empty heading", items=(Item("##"), Item(":"))),
        Part("team-3", "", "Looking ahead", items=(Item("Planning"),)),
    )


def test_changes_and_rag_overview() -> None:
    weeknote = compile_(THIS_WEEK, PREVIOUS)
    full, _summary, brief, team = weeknote.sections
    assert full.changes == (
        Change("rag", "Amber → Green"),
        Change("metric", "Files synced up 26.3%"),
    )
    assert brief.changes == (Change("rag", "Green → Amber"),)
    assert team.changes == ()
    assert weeknote.rag_overview == (
        ("Cloud storage adoption", Rag.GREEN, "▲ from amber"),
        ("Waste services", Rag.AMBER, "▼ from green"),
        ("Digital team", Rag.GREEN, ""),
    )


def test_new_red() -> None:
    previous = [update(BRIEF, week=LAST_WEEK, rag=Rag.AMBER)]
    current = update(BRIEF, rag=Rag.RED)
    assert section_changes(BRIEF, current, previous[0]) == (Change("new_red", "Amber → Red"),)
    assert section_changes(BRIEF, current, None) == (Change("new_red", "Red (new this week)"),)
    assert section_changes(BRIEF, current, update(BRIEF, week=LAST_WEEK, rag=Rag.RED)) == ()
    overview = compile_([current], previous).rag_overview
    assert overview == (("Waste services", Rag.RED, "▼ from amber"),)


def test_previous_is_the_latest_submitted_week_before_this_one() -> None:
    previous = (
        update(FULL, week="2026-W12", rag=Rag.RED, metric_values={"Active users": 100.0}),
        update(FULL, week="2026-W13", rag=Rag.AMBER, metric_values={"Active users": 200.0}),
        update(FULL, week=LAST_WEEK, state=UpdateState.SKIPPED),
        update(FULL, week="2026-W16", rag=Rag.RED, metric_values={"Active users": 1.0}),
    )
    current = update(FULL, rag=Rag.AMBER, metric_values={"Active users": 210.0})
    section = compile_([current], previous).sections[0]
    metrics = next(p for p in section.parts if p.key == "metrics")
    assert metrics.items == (Item("Active users increased by 5.0% (from 200 to 210 users)"),)
    assert section.changes == ()


def test_updates_for_other_weeks_are_ignored() -> None:
    weeknote = compile_([update(SUMMARY, week=LAST_WEEK, answers={"summary": "old"})])
    assert weeknote.sections == ()
    assert ("p-summary", "missing") in [(a.project_id, a.kind) for a in weeknote.absences]


def test_unknown_author_falls_back_to_owner_then_email() -> None:
    weeknote = compile_([update(SUMMARY, answers={"summary": "x"}, author="stranger@example.org")])
    assert weeknote.sections[0].author_line == "Dan Deputy"
    stray = Project("p-stray", "Stray", "ghost@example.org", Template.SUMMARY)
    weeknote = compile_weeknote(
        organisation=ORG,
        edition=Edition(WEEK),
        people=(),
        projects=(stray,),
        updates=(update(stray, answers={"summary": "x"}),),
        previous_updates=(),
    )
    assert weeknote.sections[0].author_line == "ghost@example.org"


def test_email_lookup_is_case_insensitive() -> None:
    weeknote = compile_([update(SUMMARY, answers={"summary": "x"}, author="PM@Example.org")])
    assert weeknote.sections[0].author_line == "Priya Mistry, Project Manager"


def test_empty_submitted_update_still_has_a_section() -> None:
    weeknote = compile_([update(SUMMARY)])
    assert weeknote.sections[0].parts == ()


def test_stats() -> None:
    stats = weeknote_stats(compile_(THIS_WEEK, PREVIOUS))
    assert (stats.submitted, stats.late, stats.skipped, stats.missing, stats.total) == (4, 1, 1, 2, 7)


def test_compile_is_pure_and_repeatable() -> None:
    assert compile_(THIS_WEEK, PREVIOUS) == compile_(THIS_WEEK, PREVIOUS)
    assert FULL_ANSWERS["in_progress"] == ""
