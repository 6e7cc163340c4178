"""The weeknote as the messages the channel gets, each measured and named by a slot.

A weeknote is posted as a headline card (a new conversation in the channel) and then replies in its thread:
the RAG overview if it did not fit in the headline (``overview:<n>``), and each section's cards
(``section:<project id>:<n>``). Slots name messages across publish, republish and a crash half-way, so that
what is stored can be compared with what should be there.

Every message stays under :data:`MESSAGE_LIMIT` bytes, measured the way the Bot Connector receives it: the
SDK sends JSON with ASCII escapes (an emoji is 12 bytes, a curly quote 6), so a card is measured that way,
with :data:`ENVELOPE_BYTES` for the rest of the activity (ids, service URL, conversation). A section whose
cards come out too big when measured so is cut again, smaller.

Pure: no storage, no SDK.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, replace

from bot.domain.models import Rag
from bot.domain.weeknote import Section, Weeknote
from cards.common import MAX_CARD_BYTES, Card, escape_card_text, heading
from cards.loader import fill_template
from cards.publish import SECTION_MAX_BYTES, build_headline_card, build_section_cards, rag_table

MESSAGE_LIMIT = MAX_CARD_BYTES
"""Every message the bot sends stays under this many bytes (the whole activity, as sent)."""
ENVELOPE_BYTES = 1_500
"""Room kept for the rest of the activity: ids, service URL, conversation, tenant (about 600 in practice)."""
CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
HEADLINE = "headline"
OVERVIEW_TITLE = "Project status"
_RESPLIT_ATTEMPTS = 12
_SMALLEST_SECTION_BUDGET = 2_000


class MessageTooLargeError(ValueError):
    """A message cannot be made to fit (e.g. a headline whose note alone is too big)."""


@dataclass(frozen=True)
class Planned:
    """One message of the weeknote: where it goes (``slot``), what it shows, and its fingerprint."""

    slot: str
    card: Card
    content_hash: str
    size: int
    title: str = ""
    """The section's title (empty for the headline and overview), for messages about it."""


def message_size(card: Card) -> int:
    """The bytes a message carrying ``card`` takes as sent: the card as an attachment, ASCII-escaped, plus
    :data:`ENVELOPE_BYTES`."""
    attachment = {"contentType": CARD_CONTENT_TYPE, "content": card}
    return len(json.dumps(attachment)) + ENVELOPE_BYTES


def content_hash(card: Card) -> str:
    """A fingerprint of a card's content (key order and spacing do not matter)."""
    canonical = json.dumps(card, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


def section_slot(project_id: str, index: int) -> str:
    """The slot of a section's ``index``-th card."""
    return f"section:{project_id}:{index}"


def slot_project(slot: str) -> str | None:
    """The project id of a section slot, or ``None`` for any other slot."""
    if not slot.startswith("section:"):
        return None
    project_id, _, index = slot.removeprefix("section:").rpartition(":")
    return project_id if project_id and index.isdigit() else None


def plan_weeknote(weeknote: Weeknote, *, limit: int = MESSAGE_LIMIT) -> list[Planned]:
    """Every message of the weeknote, in posting order, each under ``limit`` bytes as sent.

    Args:
        weeknote: The compiled weeknote.
        limit: The size every message stays under.

    Returns:
        The headline first, then the overview cards (only if the overview did not fit in the headline),
        then each section's cards.

    Raises:
        MessageTooLargeError: The headline does not fit even without its overview.
    """
    planned = _headline(weeknote, limit)
    for section in weeknote.sections:
        for index, card in enumerate(fit_section(section, limit=limit)):
            planned.append(_planned(section_slot(section.project_id, index), card, section.title))
    return planned


def headline_size(weeknote: Weeknote) -> int:
    """The size of the headline message without its RAG overview (which can move to replies if need be):
    what the director's note and highlights must leave room for."""
    return message_size(build_headline_card(replace(weeknote, rag_overview=())))


def fit_section(section: Section, *, limit: int = MESSAGE_LIMIT) -> list[Card]:
    """A section's cards, each under ``limit`` bytes as sent (cut smaller if its text escapes to more).

    Raises:
        MessageTooLargeError: The section cannot be cut small enough (a title alone too big).
    """
    budget = SECTION_MAX_BYTES
    for _ in range(_RESPLIT_ATTEMPTS):
        try:
            cards = build_section_cards(section, max_bytes=budget)
        except ValueError as error:
            raise MessageTooLargeError(f"the section {section.title!r} cannot fit in a message") from error
        worst = max(message_size(card) for card in cards)
        if worst < limit:
            return cards
        # Shrink in proportion to the overshoot, with a margin: text that escapes to more bytes (emoji,
        # accents) is not spread evenly across the cards.
        budget = int(budget * limit / worst) - 256
        if budget < _SMALLEST_SECTION_BUDGET:
            break
    raise MessageTooLargeError(f"the section {section.title!r} cannot fit in a message")


def _planned(slot: str, card: Card, title: str = "") -> Planned:
    return Planned(slot, card, content_hash(card), message_size(card), title)


def _headline(weeknote: Weeknote, limit: int) -> list[Planned]:
    card = build_headline_card(weeknote)
    if message_size(card) < limit:
        return [_planned(HEADLINE, card)]
    card = build_headline_card(replace(weeknote, rag_overview=()))
    if message_size(card) >= limit:
        raise MessageTooLargeError("the weeknote's first message is too big even without its status table")
    planned = [_planned(HEADLINE, card)]
    for index, rows in enumerate(_overview_chunks(weeknote.rag_overview, limit)):
        planned.append(_planned(f"overview:{index}", _overview_card(rows, continued=index > 0)))
    return planned


def _overview_card(rows: Sequence[tuple[str, Rag | None, str]], *, continued: bool) -> Card:
    title = f"{OVERVIEW_TITLE} (continued)" if continued else OVERVIEW_TITLE
    return fill_template(
        "section", {"fallback": title, "body": [heading(escape_card_text(title)), rag_table(rows)]}
    )


def _overview_chunks(
    rows: Sequence[tuple[str, Rag | None, str]], limit: int
) -> list[list[tuple[str, Rag | None, str]]]:
    """The overview's rows in runs that each fit a message.

    Each row's share of a card is measured once (a card with it, less a card without), so cutting is linear;
    every run is then measured whole, and shortened if the estimate was off.
    """
    empty = message_size(_overview_card([], continued=True))
    shares = [message_size(_overview_card([row], continued=True)) - empty + 2 for row in rows]
    chunks: list[list[tuple[str, Rag | None, str]]] = []
    index = 0
    while index < len(rows):
        size, end = empty, index
        while end < len(rows) and (end == index or size + shares[end] < limit):
            size += shares[end]
            end += 1
        chunk = list(rows[index:end])
        while len(chunk) > 1 and message_size(_overview_card(chunk, continued=True)) >= limit:
            chunk.pop()
        if message_size(_overview_card(chunk, continued=True)) >= limit:
            raise MessageTooLargeError("a project's status row is too big for a message")
        chunks.append(chunk)
        index += len(chunk)
    return chunks
