"""The director's cards: the weekly digest to review, chase, annotate and publish the weeknote."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.domain.models import Rag
from cards import words
from cards.actions import Verb
from cards.common import MAX_ANSWER_CHARS, Card, escape_card_text, execute, heading, show_card, text_block
from cards.fields import LIST_PLACEHOLDER
from cards.loader import fill_template
from cards.publish import rag_table
from cards.sections import free_text_blocks


def build_digest_card(
    *,
    week: str,
    week_label: str,
    counts: Mapping[str, int],
    rag_overview: Sequence[tuple[str, Rag | None, str]],
    missing: Sequence[tuple[str, str, str]],
    changes: Sequence[str],
    engagement_lines: Sequence[str],
    director_note: str,
    highlights: str,
    published: bool,
    needs_republish: bool,
) -> Card:
    """The director's view of a week: who has answered, what changed, and the buttons to finish the weeknote.

    Args:
        week: The ISO week (``2026-W20``), sent back with every action.
        week_label: The week as people read it.
        counts: How many updates are ``submitted``, ``late``, ``skipped`` and ``missing`` (absent keys are 0).
        rag_overview: (project title, RAG, change marker such as ``▲ from amber``) per project.
        missing: (project id, project title, owner's name) per project not in yet; each gets a Chase button.
        changes: What moved since last week, one sentence each.
        engagement_lines: How last week's weeknote was received, one line each.
        director_note: The note so far (prefills the note form).
        highlights: The highlights so far, one per line (prefills the note form).
        published: Whether this week's weeknote has been published.
        needs_republish: Whether it changed since it was published.

    Returns:
        The card: Publish when not yet published, Republish when published and changed, neither otherwise.
    """
    state: list[Card] = []
    if needs_republish:
        state.append(text_block(words.NEEDS_REPUBLISH, color="Warning", weight="Bolder"))
    elif published:
        state.append(text_block(words.PUBLISHED, color="Good", weight="Bolder"))
    overview: list[Card] = []
    if rag_overview:
        overview = [heading("Status"), rag_table(rag_overview)]
    missing_rows = [_missing_row(week, project_id, title, owner) for project_id, title, owner in missing]
    if not missing_rows:
        missing_rows = [text_block(words.NOTHING_MISSING, isSubtle=True, spacing="Small")]
    note: list[Card] = []
    if director_note or highlights:
        note.append(heading("Your note"))
        note.extend(free_text_blocks(director_note))
        if highlights:
            note.append(text_block("Highlights", weight="Bolder", spacing="Small"))
            note.extend(free_text_blocks(highlights))
    publish: list[Card] = []
    if needs_republish:
        publish.append(execute("Republish", Verb.REVIEW_REPUBLISH, style="positive", week=week))
    elif not published:
        publish.append(execute("Publish", Verb.REVIEW_PUBLISH, style="positive", week=week))
    return fill_template(
        "digest",
        {
            "fallback": words.FALLBACK,
            "week_label": escape_card_text(week_label),
            "week": week,
            "state": state,
            "submitted": str(counts.get("submitted", 0)),
            "late": str(counts.get("late", 0)),
            "skipped": str(counts.get("skipped", 0)),
            "missing": str(counts.get("missing", 0)),
            "overview": overview,
            "missing_rows": missing_rows,
            "changes": _titled_lines("Changes since last week", changes),
            "note": note,
            "engagement": _titled_lines("Last week's weeknote", engagement_lines),
            "note_action": [_note_form(week, director_note, highlights)],
            "publish": publish,
        },
    )


def _missing_row(week: str, project_id: str, title: str, owner: str) -> Card:
    """A project not in yet, with a button that sends its owner a reminder."""
    return {
        "type": "ColumnSet",
        "spacing": "Small",
        "columns": [
            {
                "type": "Column",
                "width": "stretch",
                "verticalContentAlignment": "Center",
                "items": [text_block(escape_card_text(words.MISSING_ROW.format(title=title, owner=owner)))],
            },
            {
                "type": "Column",
                "width": "auto",
                "items": [
                    {
                        "type": "ActionSet",
                        "actions": [execute("Chase", Verb.REVIEW_CHASE, week=week, project=project_id)],
                    }
                ],
            },
        ],
    }


def _note_form(week: str, director_note: str, highlights: str) -> Card:
    """The ShowCard with the director's note and highlights, saved with ``review.note``."""
    note_input: Card = {
        "type": "Input.Text",
        "id": "director_note",
        "label": "Director's note",
        "isMultiline": True,
        "maxLength": MAX_ANSWER_CHARS,
        "placeholder": "What this week felt like, and the key activities.",
    }
    highlights_input: Card = {
        "type": "Input.Text",
        "id": "highlights",
        "label": "Highlights",
        "isMultiline": True,
        "maxLength": MAX_ANSWER_CHARS,
        "placeholder": LIST_PLACEHOLDER,
    }
    if director_note:
        note_input["value"] = director_note
    if highlights:
        highlights_input["value"] = highlights
    title = words.NOTE_EDIT if director_note or highlights else words.NOTE_ADD
    return show_card(
        title,
        [note_input, highlights_input],
        [execute("Save note", Verb.REVIEW_NOTE, style="positive", week=week)],
    )


def _titled_lines(title: str, lines: Sequence[str]) -> list[Card]:
    if not lines:
        return []
    blocks = [heading(title)]
    blocks.extend(text_block("- " + escape_card_text(line), spacing="Small") for line in lines)
    return blocks
