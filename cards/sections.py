"""A weeknote section as card elements, and the cutting of long ones into pieces that fit a message.

A section is shown as it reads in the weeknote: its title and author line, the status sentence with the RAG
emoji, then each part as a heading, its paragraphs, and one ``TextBlock`` per top-level bullet (``- text``,
sub-points on the following lines indented by two spaces per level, which Markdown shows as a nested list).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.domain.weeknote import Item, Part, Section
from cards import words
from cards.common import RAG_EMOJI, Card, escape_card_text, text_block

Line = tuple[str, str]
"""A line of a ``TextBlock``: its Markdown prefix (``"- "``, ``"  - "`` or ``""``) and its plain text."""


@dataclass(frozen=True)
class Unit:
    """One ``TextBlock`` to be: its lines and display properties, and which part it belongs to.

    ``part`` is the index of the section's part (``None`` for the status sentence); ``heading`` marks a
    part's heading, which a continued card repeats.
    """

    lines: tuple[Line, ...]
    props: dict[str, Any] = field(default_factory=dict)
    part: int | None = None
    heading: bool = False

    def block(self) -> Card:
        """The unit as a single ``TextBlock``."""
        return lines_block(self.lines, self.props)


def lines_block(lines: Sequence[Line], props: dict[str, Any]) -> Card:
    """A ``TextBlock`` of ``lines``, each escaped after its Markdown prefix."""
    return text_block("\n".join(prefix + escape_card_text(text) for prefix, text in lines), **props)


def block_size(block: Card) -> int:
    """The bytes ``block`` adds to a card's JSON (without the separator before it)."""
    return len(json.dumps(block, ensure_ascii=False).encode())


def item_lines(item: Item, level: int = 0) -> list[Line]:
    """An item and its sub-points as Markdown list lines, two spaces of indent per level."""
    lines: list[Line] = [("  " * level + "- ", item.text)]
    for child in item.children:
        lines.extend(item_lines(child, level + 1))
    return lines


_BULLET = re.compile(r"^[-*+\u2022\u25e6\u2013]\s+")


def free_text_blocks(text: str) -> list[Card]:
    """Free text as typed: a paragraph per line, and a bullet for each line that starts with one.

    A bulleted line indented by two spaces per level becomes a sub-point (at most three levels deep).
    """
    blocks: list[Card] = []
    for line in text.splitlines():
        body = line.strip()
        if not body:
            continue
        marker = _BULLET.match(body)
        if marker is None:
            blocks.append(lines_block([("", body)], {}))
            continue
        level = min((len(line) - len(line.lstrip(" "))) // 2, 3)
        blocks.append(lines_block([("  " * level + "- ", body[marker.end() :])], {"spacing": "Small"}))
    return blocks


def title_blocks(title: str, author_line: str = "") -> list[Card]:
    """A section's (or card's) title, and its author line under it when there is one."""
    blocks = [
        text_block(escape_card_text(title), style="heading", size="Large", weight="Bolder"),
    ]
    if author_line:
        blocks.append(text_block(escape_card_text(author_line), isSubtle=True, spacing="None"))
    return blocks


def part_title(part: Part, *, continued: bool = False) -> str:
    """A part's heading as plain text: ``✅ Key achievements this week``, with ``(continued)`` if asked."""
    title = words.CONTINUED.format(title=part.title) if continued else part.title
    return f"{part.emoji} {title}" if part.emoji else title


def heading_unit(part: Part, index: int, *, continued: bool = False) -> Unit:
    """The heading of part ``index``."""
    props = {"weight": "Bolder", "size": "Medium", "spacing": "Medium"}
    return Unit(((("", part_title(part, continued=continued))),), props, index, heading=True)


def status_text(section: Section) -> str:
    """The status sentence with the RAG emoji in front (unless the sentence already holds it)."""
    line = section.status_line
    if section.rag is None or not line:
        return line
    emoji = RAG_EMOJI[section.rag]
    return line if emoji in line else f"{emoji} {line}"


def section_units(section: Section) -> list[Unit]:
    """Everything under a section's title, as units in reading order."""
    units: list[Unit] = []
    status = status_text(section)
    if status:
        units.append(Unit((("", status),), {"spacing": "Medium"}))
    for index, part in enumerate(section.parts):
        units.extend(part_units(part, index))
    return units


def part_units(part: Part, index: int) -> list[Unit]:
    """A part's heading, paragraphs and items, as units."""
    units = [heading_unit(part, index)]
    units.extend(Unit((("", paragraph),), {}, index) for paragraph in part.paragraphs)
    units.extend(Unit(tuple(item_lines(item)), {"spacing": "Small"}, index) for item in part.items)
    return units


def fit_unit(unit: Unit, budget: int) -> list[Card]:
    """``unit`` as one ``TextBlock`` if it fits in ``budget`` bytes, otherwise as several that each fit.

    Lines are grouped while they fit; a line that cannot fit alone is cut into pieces at spaces (or anywhere,
    for a long run without spaces). The first piece keeps the line's bullet; the pieces' texts, joined,
    are exactly the line's text, so nothing is lost.

    Raises:
        ValueError: ``budget`` is too small to hold even one character.
    """
    whole = unit.block()
    if block_size(whole) <= budget:
        return [whole]
    blocks: list[Card] = []
    group: list[Line] = []
    for line in unit.lines:
        if block_size(lines_block([*group, line], unit.props)) <= budget:
            group.append(line)
            continue
        if group:
            blocks.append(lines_block(group, unit.props))
            group = []
        if block_size(lines_block([line], unit.props)) <= budget:
            group = [line]
            continue
        prefix, text = line

        def fits(piece: str, prefix: str = prefix) -> bool:
            return block_size(lines_block([(prefix, piece)], unit.props)) <= budget

        pieces = split_text(text, fits)
        blocks.append(lines_block([(prefix, pieces[0])], unit.props))
        blocks.extend(lines_block([("", piece)], unit.props) for piece in pieces[1:])
    if group:
        blocks.append(lines_block(group, unit.props))
    return blocks


def split_text(text: str, fits: Callable[[str], bool]) -> list[str]:
    """Cuts ``text`` into pieces that each ``fits``, preferring to cut just after a space.

    Args:
        text: The text to cut.
        fits: Whether a piece is small enough.

    Returns:
        The pieces, in order; ``"".join(pieces) == text``.

    Raises:
        ValueError: A single character does not fit.
    """
    pieces = _halve(text, fits)
    merged = [pieces[0]]
    for piece in pieces[1:]:
        if fits(merged[-1] + piece):
            merged[-1] += piece
        else:
            merged.append(piece)
    return merged


def _halve(text: str, fits: Callable[[str], bool]) -> list[str]:
    if fits(text):
        return [text]
    if len(text) <= 1:
        raise ValueError("the size limit is too small to hold a single character")
    cut = _cut_point(text)
    return _halve(text[:cut], fits) + _halve(text[cut:], fits)


def _cut_point(text: str) -> int:
    """Just after the space nearest the middle of ``text``, or the middle if there is no usable space."""
    middle = len(text) // 2
    before = text.rfind(" ", 0, middle)
    after = text.find(" ", middle)
    candidates = [index + 1 for index in (before, after) if index != -1 and 0 < index + 1 < len(text)]
    if not candidates:
        return middle
    return min(candidates, key=lambda cut: abs(cut - middle))
