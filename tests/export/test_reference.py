"""The real weeknote we reproduce: answers shaped like its sections give the same headings and sentences.

The reference is read at run time from ``../shared/reference/`` beside the repository (its text is not
copied into the repository). The blog it was copied from flattened the nesting of bullets, and the
commentary paragraphs after the metric sentences have no field on the card, so the checks are on what the
bot must reproduce: the section title and author line, the part headings in order, the metric sentences
word for word, the data period, the current-status bullets, and the brief template's status sentence.

One documented difference: the reference's PM titled the metrics part "Adoption snapshot (week on week)";
the bot's fixed title is "Metrics snapshot (week on week)".
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from bot.domain.compile import brief_status, compile_weeknote
from bot.domain.metrics import parse_metric_value
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
from bot.domain.weeks import previous_week, week_of, week_range_text
from bot.export.markdown import render_markdown

REFERENCE = Path(__file__).resolve().parents[3] / "shared/reference/weeknote-2026-04-13.txt"
PUBLISHED = date(2026, 4, 13)
HEADING_EMOJI = ("📌", "✅", "🔄", "📈", "📊", "⚠️", "🔜", "🏗️", "📅")
METRIC_LINE = re.compile(
    r"^- (?P<name>.+?) (?:increased|decreased)(?: slightly)? by [\d.]+% "
    r"\(from (?P<previous>[\d,.]+) to (?P<current>[\d,.]+) (?P<unit>\w+)\)$"
)
RAG_WORDS = {"🟢 on track": Rag.GREEN, "🟠 at risk": Rag.AMBER, "🔴 off track": Rag.RED}


@pytest.fixture(scope="module")
def reference() -> list[str]:
    if not REFERENCE.is_file():
        pytest.fail(
            f"The reference weeknote is missing: expected {REFERENCE}. These tests read the real published "
            "weeknote from shared/reference/ beside the repository checkout; restore it there.",
            pytrace=False,
        )
    return [line.rstrip() for line in REFERENCE.read_text(encoding="utf-8").splitlines()]


def section_lines(lines: list[str], title: str, next_title: str) -> list[str]:
    start, end = lines.index(title), lines.index(next_title)
    return lines[start:end]


def parts_of(section: list[str]) -> dict[str, list[str]]:
    """The section's lines under each emoji heading, keyed by the heading line."""
    parts: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in section[2:]:
        if line.startswith(HEADING_EMOJI):
            current = parts.setdefault(line, [])
        elif current is not None and line.strip():
            current.append(line)
    return parts


def test_onedrive_section_compiles_to_the_same_headings_and_sentences(reference: list[str]) -> None:
    section = section_lines(reference, "OneDrive user adoption", "Frontline services")
    title, author = section[0], section[1]
    name, person_title = author.split(", ", 1)
    parts = parts_of(section)
    by_emoji = {heading.split(" ", 1)[0]: lines for heading, lines in parts.items()}

    metric_lines = [line for line in by_emoji["📈"] if METRIC_LINE.match(line)]
    assert len(metric_lines) == 3, "expected three metric sentences in the reference's snapshot"
    matches = [METRIC_LINE.match(line) for line in metric_lines]
    metrics = tuple(Metric(m["name"], m["unit"]) for m in matches if m)
    current = {m["name"]: parse_metric_value(m["current"]) for m in matches if m}
    previous = {m["name"]: parse_metric_value(m["previous"]) for m in matches if m}
    period_line = next(line for line in by_emoji["📈"] if line.startswith("Based on"))
    data_period = period_line.split(" from ", 1)[1]

    status = by_emoji["📊"]
    overall = next(line for line in status if line.startswith("- Overall status: "))
    rag = RAG_WORDS[overall.removeprefix("- Overall status: ")]
    answers = {
        "overview": "\n".join(by_emoji["📌"]),
        "achievements": "\n".join(by_emoji["✅"]),
        "data_period": data_period,
        "workstreams": "\n".join(line for line in status if line != overall),
        "risks": "\n".join(by_emoji["⚠️"]),
        "planned": "\n".join(by_emoji["🔜"]),
    }

    # Published on Monday 13 April 2026, when the previous week's edition closed.
    week = previous_week(week_of(PUBLISHED))
    pm = Person("pm@example.org", name, person_title, frozenset({Role.PM}))
    project = Project("onedrive", title, pm.email, Template.FULL, metrics=metrics)
    weeknote = compile_weeknote(
        organisation=Organisation(name="Reference"),
        edition=Edition(week),
        people=[pm],
        projects=[project],
        updates=[
            Update(week, "onedrive", UpdateState.SUBMITTED, rag, answers=answers, metric_values=current)
        ],
        previous_updates=[
            Update(previous_week(week), "onedrive", UpdateState.SUBMITTED, rag, metric_values=previous)
        ],
    )
    markdown = render_markdown(weeknote)
    lines = markdown.split("\n")

    # Title and author line.
    assert f"## {title}" in lines
    assert f"*{author}*" in lines

    # The same part headings, in the same order.
    ours = [line.removeprefix("### ") for line in lines if line.startswith("### ")]
    theirs = [heading.replace("Adoption snapshot", "Metrics snapshot") for heading in parts]
    assert ours == theirs

    # The metric sentences, word for word, and the data period.
    for line in metric_lines:
        assert line in lines, f"metric sentence differs from the reference: {line}"
    assert f"Based on data from {data_period}" in lines
    assert data_period == week_range_text(week)  # also what the bot writes when the PM leaves it blank

    # Current status: the overall RAG with its emoji, then each workstream, exactly as published.
    for line in status:
        assert line in lines, f"status line differs from the reference: {line}"

    # Planned activities and risks come through verbatim.
    for line in by_emoji["🔜"] + by_emoji["⚠️"]:
        assert line in lines


def test_brief_sections_status_sentence(reference: list[str]) -> None:
    pairs = (
        ("Frontline services", "Regulatory services"),
        ("Regulatory services", "Data governance purview pilot"),
    )
    for title, next_title in pairs:
        section = section_lines(reference, title, next_title)
        sentence = next(line for line in section if line.startswith("The project status is "))
        rag_word, reason = sentence.removeprefix("The project status is ").split(" ", 1)
        if reason.startswith("as "):
            reason = reason.removeprefix("as ")  # as a PM would type it on the card
        assert brief_status(Rag(rag_word), reason) == sentence

    frontline = section_lines(reference, "Frontline services", "Regulatory services")
    assert "Key outcomes in last period" in frontline
    assert "Key activities in next period" in frontline
