"""The weeknote as channel cards: a headline card, then one card per section (more if a section is long).

Each card stays under a byte limit measured the way Teams counts it (compact UTF-8 JSON), so the bot can post
the weeknote message by message; a long section is cut by part, then by bullet, then inside a bullet's text,
and the pieces together hold every character of the original.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.models import Rag
from bot.domain.weeknote import Absence, Item, Section, Weeknote
from cards import words
from cards.common import Card, card_size, escape_card_text, heading, rag_label, text_block
from cards.loader import fill_template
from cards.sections import (
    Unit,
    block_size,
    fit_unit,
    free_text_blocks,
    heading_unit,
    item_lines,
    section_units,
    title_blocks,
)

SECTION_MAX_BYTES = 27_000
"""The default limit for one section card: under Teams' 28 KB with room for the activity around it."""


def build_headline_card(weeknote: Weeknote) -> Card:
    """The first card of a weeknote: title, the director's note and highlights, RAG overview, absences.

    Args:
        weeknote: The compiled weeknote.

    Returns:
        The card.
    """
    director: list[Card] = []
    if weeknote.director_note or weeknote.director_name:
        director.append(heading("Director's weeknote"))
        author = author_line(weeknote.director_name, weeknote.director_title)
        if author:
            director.append(text_block(escape_card_text(author), isSubtle=True, spacing="None"))
        director.extend(free_text_blocks(weeknote.director_note))
    highlights: list[Card] = []
    if weeknote.highlights:
        highlights.append(heading("This week's highlights"))
        highlights.extend(item_block(item) for item in weeknote.highlights)
    overview: list[Card] = []
    if weeknote.rag_overview:
        overview = [heading("Project status"), rag_table(weeknote.rag_overview)]
    absences: list[Card] = []
    if weeknote.absences:
        names = ", ".join(absence_text(absence) for absence in weeknote.absences)
        absences.append(
            text_block(
                escape_card_text(words.NOT_REPORTED.format(names=names)), isSubtle=True, spacing="Large"
            )
        )
    return fill_template(
        "headline",
        {
            "fallback": words.HEADLINE_TITLE.format(label=weeknote.label),
            "title": escape_card_text(words.HEADLINE_TITLE.format(label=weeknote.label)),
            "organisation": escape_card_text(weeknote.organisation),
            "director": director,
            "highlights": highlights,
            "overview": overview,
            "absences": absences,
        },
    )


def author_line(name: str, title: str) -> str:
    """``Name, Title`` (or whichever of the two is known)."""
    if name and title:
        return words.AUTHOR_LINE.format(name=name, title=title)
    return name or title


def absence_text(absence: Absence) -> str:
    """How an absent project is named in the channel: its title, marked if it was skipped.

    The skip reason is not published: people give it to the bot, not to the whole channel.
    """
    if absence.kind == "skipped":
        return words.ABSENCE_SKIPPED_NO_REASON.format(title=absence.title)
    return words.ABSENCE_MISSING.format(title=absence.title)


def item_block(item: Item) -> Card:
    """A bullet and its sub-points as one ``TextBlock``."""
    return Unit(tuple(item_lines(item)), {"spacing": "Small"}).block()


def rag_table(rows: Sequence[tuple[str, Rag | None, str]]) -> Card:
    """A table of project, RAG (emoji and word) and change marker, with a header row."""

    def cell(text: str, **props: object) -> Card:
        return {"type": "TableCell", "items": [text_block(text, **props)]}

    header = {
        "type": "TableRow",
        "cells": [
            cell("Project", weight="Bolder"),
            cell("Status", weight="Bolder"),
            cell("Change", weight="Bolder"),
        ],
    }
    body = [
        {
            "type": "TableRow",
            "cells": [cell(escape_card_text(title)), cell(rag_label(rag)), cell(escape_card_text(marker))],
        }
        for title, rag, marker in rows
    ]
    return {
        "type": "Table",
        "columns": [{"width": 3}, {"width": 2}, {"width": 2}],
        "firstRowAsHeader": True,
        "showGridLines": False,
        "rows": [header, *body],
    }


def build_section_cards(section: Section, *, max_bytes: int = SECTION_MAX_BYTES) -> list[Card]:
    """A section as one card, or as several (titled ``(continued)``) when it would not fit in one.

    Cards are filled in reading order; a part that runs over starts the next card with its heading marked
    ``(continued)``; a bullet too big for a card on its own is cut into pieces (see
    :func:`cards.sections.fit_unit`). Every card is smaller than ``max_bytes`` as compact UTF-8 JSON.

    Args:
        section: The section to show.
        max_bytes: The size every card stays under.

    Returns:
        The cards, at least one.

    Raises:
        ValueError: ``max_bytes`` is too small for even a title and one character.
    """
    limit = max_bytes - 1
    first_header = title_blocks(section.title, section.author_line)
    next_header = title_blocks(words.CONTINUED.format(title=section.title))
    fallback = section.title
    empty_size = card_size(_section_card(fallback, []))

    def size_of(blocks: Sequence[Card]) -> int:
        return empty_size + sum(block_size(block) for block in blocks) + 2 * max(len(blocks) - 1, 0)

    continued_headings = [
        heading_unit(part, index, continued=True).block() for index, part in enumerate(section.parts)
    ]
    widest_heading = max((block_size(block) + 2 for block in continued_headings), default=0)
    budget = limit - size_of(next_header) - widest_heading - 2
    if size_of(first_header) > limit or budget < 1:
        raise ValueError(f"max_bytes={max_bytes} is too small for the section {section.title!r}")

    placed = [(unit, block) for unit in section_units(section) for block in fit_unit(unit, budget)]
    cards: list[list[Card]] = [list(first_header)]
    size = size_of(first_header)
    for position, (unit, block) in enumerate(placed):
        needed = block_size(block) + 2
        if unit.heading and position + 1 < len(placed) and placed[position + 1][0].part == unit.part:
            # Keep a heading with the first block under it rather than leave it alone at the bottom.
            needed += block_size(placed[position + 1][1]) + 2
        if size + needed > limit and len(cards[-1]) > len(next_header):
            body = list(next_header)
            if unit.part is not None and not unit.heading:
                body.append(continued_headings[unit.part])
            cards.append(body)
            size = size_of(body)
        cards[-1].append(block)
        size += block_size(block) + 2
    built = [_section_card(fallback, body) for body in cards]
    for card in built:
        if card_size(card) >= max_bytes:  # pragma: no cover - the sums above are exact
            raise AssertionError(f"section card of {card_size(card)} bytes, over {max_bytes}")
    return built


def _section_card(title: str, body: list[Card]) -> Card:
    return fill_template("section", {"fallback": words.SECTION_FALLBACK.format(title=title), "body": body})


def build_weeknote_preview_cards(weeknote: Weeknote) -> list[Card]:
    """The whole weeknote as it will be posted: the headline card, then every section's cards."""
    cards = [build_headline_card(weeknote)]
    for section in weeknote.sections:
        cards.extend(build_section_cards(section))
    return cards
