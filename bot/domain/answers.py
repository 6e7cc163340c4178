"""Turning what a PM typed into bullets, and back.

The card's multi-line boxes hold one item per line. The rules, in order:

1. Lines are split on any line break (``\\r\\n`` included); blank lines are ignored.
2. A line's **indent** is the width of its leading spaces and tabs (a tab counts as four). An indent of one
   space is treated as none, so only two or more spaces (or a tab) mean "indented".
3. A **bullet marker** at the start of the text (after the indent) is removed: ``-``, ``*``, ``+`` or ``–``
   followed by a space, ``•`` or ``◦`` with or without a space, or a number followed by ``.`` or ``)`` and a
   space (``1. ``, ``2) ``). Only the first marker goes, so ``- - x`` keeps ``- x``; ``-3`` is a number,
   not a bullet. Everything else is kept verbatim (spaces inside the text too): nothing is read as HTML or
   Markdown here; each renderer escapes for its own format.
4. **Nesting.** Each line is ranked by ``(indent, has marker)``; a line becomes a sub-point of the nearest
   line above it with a lower rank. So:

   - an indented line is a sub-point of the line above it with less indent
     (``"Adoption activity sustained\\n  - Ongoing support"``);
   - an unindented *bulleted* line under an unindented *plain* line is a sub-point of it, which is how
     people write a heading bullet with its points (``"Technical\\n- Monitoring\\n- Redirects"``);
   - a list where every line has a marker (or none does) stays flat;
   - an indented first line has nothing to hang from, so it is a top-level item.

5. Nesting stops at :data:`MAX_DEPTH` levels: anything deeper becomes a sibling at the deepest level (the
   reference uses two; the cap keeps a pasted wall of indented text from building a tower of lists).

:func:`format_items` writes items back in the form the card pre-fills (``- text``, two more spaces per
level), and ``parse_items(format_items(items)) == items`` for any items at most :data:`MAX_DEPTH` deep whose
texts are single non-empty stripped lines.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.domain.models import Template
from bot.domain.weeknote import Item

# The card inputs, per template, in the order they appear on the card (metric values are separate).
TEMPLATE_FIELDS: dict[Template, tuple[str, ...]] = {
    Template.FULL: (
        "status_reason",
        "overview",
        "achievements",
        "in_progress",
        "data_period",
        "workstreams",
        "risks",
        "planned",
    ),
    Template.BRIEF: ("status_reason", "outcomes", "next_activities"),
    Template.SUMMARY: ("summary",),
    Template.TEAM: ("update",),
}

TAB_WIDTH = 4
MAX_DEPTH = 6
_MARKER_RE = re.compile(r"^(?:[-*+\u2013]\s+|[\u2022\u25e6]\s*|\d{1,3}[.)]\s+)")
_INDENT_RE = re.compile(r"^[ \t]*")


def strip_marker(text: str) -> tuple[str, bool]:
    """Removes one leading bullet marker from a line that has no indent.

    Args:
        text: The line, without its indent.

    Returns:
        The text without the marker, and whether there was one.
    """
    match = _MARKER_RE.match(text)
    if match is None:
        return text, False
    return text[match.end() :], True


def indent_width(line: str) -> int:
    """Returns the width of a line's leading spaces and tabs, counting a tab as four and one space as none."""
    leading = _INDENT_RE.match(line)
    width = len(leading.group(0).expandtabs(TAB_WIDTH)) if leading else 0
    return width if width >= 2 else 0


def parse_items(text: str) -> tuple[Item, ...]:
    """Parses a multi-line answer into items with sub-points (rules in the module docstring).

    Args:
        text: What the PM typed.

    Returns:
        The top-level items, each with its sub-points; empty for blank text.

    Example:
        ``parse_items("Adoption activity sustained\\n  - Ongoing support provided")`` is
        ``(Item("Adoption activity sustained", (Item("Ongoing support provided"),)),)``.
    """
    # Each open node: its rank, its text and its children so far (a mutable list, frozen at the end).
    roots: list[_Node] = []
    stack: list[_Node] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        indent = indent_width(line)
        body, bulleted = strip_marker(line.lstrip(" \t"))
        body = body.strip()
        if not body:
            continue
        node = _Node((indent, bulleted), body)
        while stack and (stack[-1].rank >= node.rank or len(stack) >= MAX_DEPTH):
            stack.pop()
        (stack[-1].children if stack else roots).append(node)
        stack.append(node)
    return tuple(root.freeze() for root in roots)


def format_items(items: Sequence[Item], *, level: int = 0) -> str:
    """Writes items as editable text: ``- text`` per line, sub-points indented by two spaces per level.

    Args:
        items: The items to write.
        level: The indent level of ``items`` (0 for top level).

    Returns:
        The text, without a trailing newline; ``""`` for no items.
    """
    lines: list[str] = []
    for item in items:
        lines.append(f"{'  ' * level}- {item.text}")
        if item.children:
            lines.append(format_items(item.children, level=level + 1))
    return "\n".join(lines)


def paragraphs(text: str) -> tuple[str, ...]:
    """Splits free text into paragraphs: one per non-blank line, stripped, kept verbatim otherwise."""
    return tuple(line.strip() for line in text.splitlines() if line.strip())


def workstreams(text: str) -> tuple[tuple[str, str], ...]:
    """Parses workstream lines such as ``Deployment: complete`` into (name, state) pairs.

    One workstream per line; a bullet marker is removed; the name is what comes before the first colon and
    the state what follows it, both stripped. A line without a colon (or with nothing before it) is a name
    with no state.

    Args:
        text: What the PM typed.

    Returns:
        The (name, state) pairs in the order typed.
    """
    pairs: list[tuple[str, str]] = []
    for line in text.splitlines():
        body, _ = strip_marker(line.strip())
        body = body.strip()
        if not body:
            continue
        name, colon, state = body.partition(":")
        if colon and name.strip():
            pairs.append((name.strip(), state.strip()))
        else:
            pairs.append((body, ""))
    return tuple(pairs)


def format_workstreams(pairs: Sequence[tuple[str, str]]) -> str:
    """Writes workstreams back as editable ``Name: state`` lines (the inverse of :func:`workstreams`)."""
    return "\n".join(f"{name}: {state}" if state else name for name, state in pairs)


def workstream_text(name: str, state: str) -> str:
    """The line a workstream shows as: ``Deployment: complete`` (just the name if it has no state)."""
    return f"{name}: {state}" if state else name


class _Node:
    __slots__ = ("children", "rank", "text")

    def __init__(self, rank: tuple[int, bool], text: str) -> None:
        self.rank = rank
        self.text = text
        self.children: list[_Node] = []

    def freeze(self) -> Item:
        return Item(self.text, tuple(child.freeze() for child in self.children))
