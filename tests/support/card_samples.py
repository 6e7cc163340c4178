"""Realistic (invented) projects, updates and a compiled weeknote, and every card built from them.

The shapes follow the reference weeknote (full, brief, summary and team sections; grouped bullets; metrics
week on week; RAG moving between weeks); the words are made up. Some answers hold Markdown characters on
purpose, so the golden files and the browser show that they are escaped.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from bot.domain.models import Metric, Person, Project, Rag, Role, Schedule, Template, Update, UpdateState
from bot.domain.weeknote import Absence, Change, Item, Part, Section, Weeknote
from cards.commands import build_help_card, build_notice_card, build_status_card
from cards.publish import build_headline_card, build_section_cards, build_weeknote_preview_cards
from cards.review import build_digest_card
from cards.setup import (
    build_channel_form,
    build_project_form,
    build_projects_card,
    build_roles_form,
    build_schedule_form,
)
from cards.update import build_update_card, build_update_summary_card

Card = dict[str, Any]

WEEK = "2026-W20"
WEEK_LABEL = "w/c 11 May 2026"
LAST_WEEK = "2026-W19"

PRIYA = Person("priya.shah@example.org", "Priya Shah", "Project Manager", frozenset({Role.PM}))
TOM = Person("tom.ellis@example.org", "Tom Ellis", "Business Analyst", frozenset({Role.PM}))
DAN = Person("dan.okafor@example.org", "Dan Okafor", "Project Manager", frozenset({Role.PM}))
GRACE = Person(
    "grace.holt@example.org", "Grace Holt", "Director of Digital", frozenset({Role.DIRECTOR, Role.ADMIN})
)
MEI = Person("mei.lin@example.org", "Mei Lin", "Service Desk Lead", frozenset({Role.PM, Role.EDITOR}))
PEOPLE = (PRIYA, TOM, DAN, GRACE, MEI)

LAPTOPS = Project(
    "laptops",
    "Laptop refresh",
    PRIYA.email,
    Template.FULL,
    deputy=TOM.email,
    metrics=(Metric("Devices deployed", "devices"), Metric("Open support tickets", "tickets")),
    order=1,
)
REPAIRS = Project("repairs", "Housing repairs portal", DAN.email, Template.BRIEF, order=2)
RECORDS = Project("records", "Records retention pilot", DAN.email, Template.SUMMARY, order=3)
DESK = Project("desk", "Service desk", MEI.email, Template.TEAM, order=4)
PROJECTS = (LAPTOPS, REPAIRS, RECORDS, DESK)

AT = datetime(2026, 5, 14, 10, 42, tzinfo=UTC)

LAPTOPS_LAST_WEEK = Update(
    LAST_WEEK,
    LAPTOPS.project_id,
    UpdateState.SUBMITTED,
    Rag.AMBER,
    answers={
        "status_reason": "supplier delivery slipped by a week",
        "overview": "The refresh is in its third wave: libraries and the contact centre.",
        "achievements": "Wave two complete\n  - 120 devices swapped at the depot",
        "planned": "Start wave three in the libraries\n- Agree the *collection* route for old devices\n"
        "Publish the self-service guide",
        "workstreams": "Procurement: complete\nDeployment: in progress\nDisposal: not started",
        "risks": "Supplier capacity in June",
    },
    metric_values={"Devices deployed": 1180.0, "Open support tickets": 64.0},
    author=PRIYA.email,
    submitted_at=AT,
)

LAPTOPS_THIS_WEEK = Update(
    WEEK,
    LAPTOPS.project_id,
    UpdateState.SUBMITTED,
    Rag.GREEN,
    answers={
        "status_reason": "on track",
        "overview": "Wave three is under way now that the delivery has arrived.",
        "achievements": "Wave three started\n  - 45 devices swapped in two libraries\n"
        "Self-service guide published",
        "in_progress": "Collection route for old devices",
        "data_period": "4 to 10 May 2026",
        "workstreams": "Procurement: complete\nDeployment: in progress",
        "risks": "Supplier capacity in June",
        "planned": "Finish the libraries\nStart the contact centre",
    },
    metric_values={"Devices deployed": 1225.0, "Open support tickets": None},
    author=PRIYA.email,
    submitted_at=AT,
)

REPAIRS_LAST_WEEK = Update(
    LAST_WEEK,
    REPAIRS.project_id,
    UpdateState.SUBMITTED,
    Rag.AMBER,
    answers={
        "status_reason": "the contractor's API is still not live",
        "outcomes": "Test plan agreed",
        "next_activities": "Run the first end-to-end test\nConfirm go-live date with the contractor",
    },
)

RECORDS_SKIPPED = Update(
    WEEK, RECORDS.project_id, UpdateState.SKIPPED, skip_reason="Annual leave", author=DAN.email
)
DESK_DRAFT = Update(
    WEEK,
    DESK.project_id,
    UpdateState.DRAFT,
    answers={"update": "Product: intranet\n- not started: 4, in progress: 9, completed: 21\nLooking ahead"},
    author=MEI.email,
)


def full_section() -> Section:
    """The laptop refresh as compile would shape it (full template)."""
    return Section(
        LAPTOPS.project_id,
        LAPTOPS.name,
        "Priya Shah, Project Manager",
        Template.FULL,
        Rag.GREEN,
        parts=(
            Part("overview", "📌", "Project overview", paragraphs=(LAPTOPS_THIS_WEEK.answers["overview"],)),
            Part(
                "achievements",
                "✅",
                "Key achievements this week",
                items=(
                    Item("Wave three started", (Item("45 devices swapped in two libraries"),)),
                    Item("Self-service guide published (see *Guides* > [IT] _how-to_)"),
                ),
            ),
            Part("in_progress", "🔄", "Work in progress", items=(Item("Collection route for old devices"),)),
            Part(
                "metrics",
                "📈",
                "Snapshot (week on week)",
                paragraphs=("Based on data from 4 to 10 May 2026",),
                items=(Item("Devices deployed increased by 3.8% (from 1,180 to 1,225 devices)"),),
            ),
            Part(
                "status",
                "📊",
                "Current status",
                items=(
                    Item("Overall status: 🟢 on track"),
                    Item("Procurement: complete"),
                    Item("Deployment: in progress"),
                ),
            ),
            Part("risks", "⚠️", "Risks and issues", items=(Item("Supplier capacity in June"),)),
            Part(
                "planned",
                "🔜",
                "Planned activities",
                items=(Item("Finish the libraries"), Item("Start the contact centre")),
            ),
        ),
        changes=(Change("rag", "Laptop refresh: amber to green"),),
    )


def brief_section() -> Section:
    """The repairs portal (brief template)."""
    return Section(
        REPAIRS.project_id,
        REPAIRS.name,
        "Dan Okafor, Project Manager",
        Template.BRIEF,
        Rag.AMBER,
        status_line="The project status is amber as the contractor's API is still not live.",
        parts=(
            Part(
                "outcomes",
                "",
                "Key outcomes in last period",
                items=(Item("First end-to-end test run – two defects found"), Item("Go-live date proposed")),
            ),
            Part(
                "next_activities",
                "",
                "Key activities in next period",
                items=(Item("Retest the two defects"), Item("1. Confirm go-live with the board")),
            ),
        ),
    )


def summary_section() -> Section:
    """A summary-only section."""
    return Section(
        RECORDS.project_id,
        RECORDS.name,
        "Dan Okafor, Project Manager",
        Template.SUMMARY,
        parts=(
            Part(
                "summary",
                "",
                "Project summary",
                items=(
                    Item("Pilot paused until June while storage options are compared"),
                    Item("Two services volunteered for the first rollout"),
                ),
            ),
        ),
    )


def team_section() -> Section:
    """A team's free update, with sub-headings and counts."""
    return Section(
        DESK.project_id,
        DESK.name,
        "Mei Lin, Service Desk Lead",
        Template.TEAM,
        parts=(
            Part(
                "update",
                "",
                "Update",
                items=(
                    Item(
                        "Product: intranet", (Item("not started: 4, in progress: 9, late: 0, completed: 21"),)
                    ),
                    Item("Looking ahead", (Item("Password reset self-service goes live on 1 June"),)),
                ),
            ),
        ),
    )


def weeknote() -> Weeknote:
    """A whole compiled weeknote."""
    return Weeknote(
        WEEK,
        WEEK_LABEL,
        "Northfield Borough Council",
        director_name=GRACE.name,
        director_title=GRACE.title,
        director_note="A busy week with two go-live decisions.\n\n"
        "- Met the housing board about the repairs portal\n- Agreed the 2026/27 device budget",
        highlights=(
            Item("Hearing how the libraries team used the new laptops"),
            Item("The *new* intranet search"),
        ),
        sections=(full_section(), brief_section(), summary_section(), team_section()),
        absences=(
            Absence("records", RECORDS.name, DAN.name, "skipped", "Annual leave"),
            Absence("website", "Website replacement", "Sam Reed", "missing"),
        ),
        rag_overview=(
            (LAPTOPS.name, Rag.GREEN, "▲ from amber"),
            (REPAIRS.name, Rag.AMBER, ""),
            ("Website replacement", Rag.RED, "▼ from amber"),
        ),
    )


def huge_section(parts: int = 3, items: int = 400, item_words: int = 12) -> Section:
    """A section far too big for one card, with one bullet bigger than a card on its own."""
    word = "adoption"
    big_parts = tuple(
        Part(
            f"part{p}",
            "✅",
            f"Part {p}",
            paragraphs=(f"Paragraph for part {p}.",),
            items=tuple(
                Item(f"p{p}i{i} " + " ".join([word] * item_words), (Item(f"p{p}i{i} child"),))
                for i in range(items)
            ),
        )
        for p in range(parts)
    )
    giant = Part(
        "giant",
        "⚠️",
        "One giant item",
        items=(Item("giant-start " + "*risk* [x] " * 6000 + "giant-end"),),
    )
    return Section(
        "huge", "A very long project", "Someone, Project Manager", Template.FULL, parts=(*big_parts, giant)
    )


def _cards() -> dict[str, Callable[[], Card | list[Card]]]:
    note = weeknote()
    return {
        "update_full_first_card": lambda: build_update_card(
            project=LAPTOPS, week=WEEK, week_label=WEEK_LABEL, update=None, previous=LAPTOPS_LAST_WEEK
        ),
        "update_full_errors": lambda: build_update_card(
            project=LAPTOPS,
            week=WEEK,
            week_label=WEEK_LABEL,
            update=None,
            previous=LAPTOPS_LAST_WEEK,
            errors={"metric_0": "'about 40' is not a number.", "rag": "Choose an overall status."},
            values={
                "rag": "",
                "overview": "Typed *before* the error",
                "metric_0": "about 40",
                "metric_1": "61",
            },
            notice="Draft saved at 10:42",
        ),
        "update_full_edit_by_deputy": lambda: build_update_card(
            project=LAPTOPS,
            week=WEEK,
            week_label=WEEK_LABEL,
            update=LAPTOPS_THIS_WEEK,
            previous=LAPTOPS_LAST_WEEK,
            viewer_is_owner=False,
        ),
        "update_brief": lambda: build_update_card(
            project=REPAIRS, week=WEEK, week_label=WEEK_LABEL, update=None, previous=REPAIRS_LAST_WEEK
        ),
        "update_summary_template": lambda: build_update_card(
            project=RECORDS, week=WEEK, week_label=WEEK_LABEL, update=None, previous=None
        ),
        "update_team": lambda: build_update_card(
            project=DESK, week=WEEK, week_label=WEEK_LABEL, update=DESK_DRAFT, previous=None
        ),
        "view_submitted": lambda: build_update_summary_card(
            project=LAPTOPS,
            week_label=WEEK_LABEL,
            section=full_section(),
            update=LAPTOPS_THIS_WEEK,
            can_edit=True,
        ),
        "view_brief_late_with_metrics": lambda: build_update_summary_card(
            project=REPAIRS,
            week_label=WEEK_LABEL,
            section=brief_section(),
            update=Update(WEEK, REPAIRS.project_id, UpdateState.SUBMITTED, Rag.AMBER, late=True),
            can_edit=False,
            metric_lines=("Open defects decreased by 50.0% (from 4 to 2 defects)",),
        ),
        "view_skipped": lambda: build_update_summary_card(
            project=RECORDS, week_label=WEEK_LABEL, section=None, update=RECORDS_SKIPPED, can_edit=True
        ),
        "view_draft_raw": lambda: build_update_summary_card(
            project=DESK, week_label=WEEK_LABEL, section=None, update=DESK_DRAFT, can_edit=True
        ),
        "help_pm": lambda: build_help_card(is_reviewer=False),
        "help_reviewer": lambda: build_help_card(is_reviewer=True),
        "help_director": lambda: build_help_card(is_reviewer=True, is_admin=True),
        "status": lambda: build_status_card(
            week_label=WEEK_LABEL,
            rows=[
                (LAPTOPS.name, "submitted"),
                (REPAIRS.name, "draft"),
                (RECORDS.name, "skipped"),
                (DESK.name, "missing"),
            ],
        ),
        "status_no_projects": lambda: build_status_card(week_label=WEEK_LABEL, rows=[]),
        "digest_open": lambda: build_digest_card(
            week=WEEK,
            week_label=WEEK_LABEL,
            counts={"submitted": 2, "late": 1, "skipped": 1, "missing": 1},
            rag_overview=note.rag_overview,
            missing=[("website", "Website replacement", "Sam Reed")],
            changes=["Laptop refresh moved from amber to green", "Website replacement is newly red"],
            engagement_lines=["Last week's weeknote: 14 reactions, 3 comments", "Most liked: Laptop refresh"],
            director_note="",
            highlights="",
            published=False,
            needs_republish=False,
        ),
        "digest_republish": lambda: build_digest_card(
            week=WEEK,
            week_label=WEEK_LABEL,
            counts={"submitted": 4},
            rag_overview=(),
            missing=[],
            changes=[],
            engagement_lines=[],
            director_note=note.director_note,
            highlights="- Hearing how the libraries team used the new laptops\n- The *new* intranet search",
            published=True,
            needs_republish=True,
        ),
        "digest_published": lambda: build_digest_card(
            week=WEEK,
            week_label=WEEK_LABEL,
            counts={"submitted": 4},
            rag_overview=(),
            missing=[],
            changes=[],
            engagement_lines=[],
            director_note="Short and sweet.",
            highlights="",
            published=True,
            needs_republish=False,
        ),
        "headline": lambda: build_headline_card(note),
        "section_full": lambda: build_section_cards(full_section()),
        "section_brief": lambda: build_section_cards(brief_section()),
        "section_summary": lambda: build_section_cards(summary_section()),
        "section_team": lambda: build_section_cards(team_section()),
        "preview": lambda: build_weeknote_preview_cards(note),
        "notice": lambda: build_notice_card(
            "Update saved", "Thanks: your update for **Laptop refresh** is in."
        ),
        "projects": lambda: build_projects_card(PROJECTS, {person.email: person.name for person in PEOPLE}),
        "project_form_new": lambda: build_project_form(None, PEOPLE),
        "project_form_edit_errors": lambda: build_project_form(
            LAPTOPS,
            PEOPLE,
            errors={"project_name": "Another project is already called that."},
            typed={"project_name": "Intranet", "metrics": "Devices deployed (devices)"},
            show_active=True,
        ),
        "schedule_form": lambda: build_schedule_form(Schedule(), "Europe/London"),
        "schedule_form_errors": lambda: build_schedule_form(
            Schedule(prompt="thursday 10"),
            "Europe/Londn",
            {"prompt": "Write a day and a time, e.g. thu 10:00."},
        ),
        "roles_form": lambda: build_roles_form(PEOPLE),
        "channel_form": lambda: build_channel_form(
            [("19:general@thread.tacv2", "General"), ("19:weeknotes@thread.tacv2", "Weeknotes")],
            "19:weeknotes@thread.tacv2",
        ),
    }


def sample_builders() -> dict[str, Callable[[], Card | list[Card]]]:
    """Each sample's name and a function that builds it (a card, or a list of cards for a weeknote)."""
    return _cards()


def all_cards() -> dict[str, Card]:
    """Every sample card by name; a list of cards is named ``<sample>_<n>``."""
    cards: dict[str, Card] = {}
    for name, build in _cards().items():
        built = build()
        if isinstance(built, list):
            for index, card in enumerate(built):
                cards[f"{name}_{index}"] = card
        else:
            cards[name] = built
    return cards


SAMPLE_NAMES = tuple(_cards())
