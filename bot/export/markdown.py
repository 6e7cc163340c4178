"""The weeknote as Markdown, reading like the published blog post.

Every piece of text from the weeknote is user text to this module and goes through :func:`escape_markdown`,
so nothing a PM types can become a link, an image, a heading, a list, a table, emphasis or raw HTML:

- control characters are removed and line breaks become spaces (:mod:`bot.export.text`);
- ``\\ ` * _ [ ] < > | ~ { } #`` are backslash-escaped wherever they appear (``[`` and ``]`` gone means no
  link or image can form, so ``(``, ``)`` and ``!`` are left as typed; ``{`` ``}`` stop template engines such
  as Liquid from seeing ``{{ }}``);
- ``&`` is escaped where it would start an entity (``&lt;``, ``&#60;``);
- at the start of a line, ``-``, ``+``, ``=`` and ``1.``/``1)`` are escaped so they cannot start a list, a
  thematic break or a setext heading.

Emoji are kept. Plain URLs stay plain text (CommonMark never links them; GitHub's autolink extension may,
showing the URL itself as the link text, and never for ``javascript:``).

The structure (headings, bullets, emphasis) is this module's own, never taken from user text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from bot.domain.models import Template
from bot.domain.weeknote import Absence, Item, Part, Section, Weeknote
from bot.export.text import clean_line, clean_text
from bot.export.words import (
    ABSENCES_TITLE,
    DIRECTOR_TITLE,
    GLANCE_TITLE,
    HIGHLIGHTS_TITLE,
    absence_text,
    glance_text,
    weeknote_title,
)

_ALWAYS = re.compile(r"([\\`*_\[\]<>|~{}#])")
_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
_LINE_START = re.compile(r"^([-+=])")
_ORDERED = re.compile(r"^(\d+)([.)])")


def escape_markdown(text: str) -> str:
    """Escapes user text so Markdown shows it literally, on one line (rules in the module docstring).

    Args:
        text: Any user text.

    Returns:
        Markdown source that renders as ``text``.
    """
    line = clean_line(text)
    line = _ALWAYS.sub(r"\\\1", line)
    line = _ENTITY.sub(r"\\&", line)
    line = _LINE_START.sub(r"\\\1", line)
    return _ORDERED.sub(r"\1\\\2", line)


def render_markdown(weeknote: Weeknote) -> str:
    """Renders a weeknote as a Markdown document.

    Args:
        weeknote: The compiled weeknote.

    Returns:
        The Markdown, ending with one newline.
    """
    blocks: list[str] = [f"# {escape_markdown(weeknote_title(weeknote))}"]
    blocks.extend(_director(weeknote))
    if weeknote.rag_overview:
        blocks.append(f"## {GLANCE_TITLE}")
        blocks.append(
            _bullets(Item(glance_text(title, rag, marker)) for title, rag, marker in weeknote.rag_overview)
        )
    for section in weeknote.sections:
        blocks.extend(_section(section))
    if weeknote.absences:
        blocks.append(f"## {ABSENCES_TITLE}")
        blocks.append(_absences(weeknote.absences))
    return "\n\n".join(block for block in blocks if block) + "\n"


def _director(weeknote: Weeknote) -> list[str]:
    if not (weeknote.director_name or weeknote.director_note or weeknote.highlights):
        return []
    blocks = [f"## {DIRECTOR_TITLE}"]
    byline = ", ".join(part for part in (weeknote.director_name, weeknote.director_title) if part.strip())
    if byline.strip():
        blocks.append(f"*{escape_markdown(byline)}*")
    blocks.extend(_paragraphs(weeknote.director_note))
    if weeknote.highlights:
        blocks.append(f"### {escape_markdown(HIGHLIGHTS_TITLE)}")
        blocks.append(_bullets(weeknote.highlights))
    return blocks


def _section(section: Section) -> list[str]:
    blocks = [f"## {escape_markdown(section.title)}"]
    if section.author_line.strip():
        blocks.append(f"*{escape_markdown(section.author_line)}*")
    if section.status_line and section.template is not Template.FULL:
        # The full template shows its overall status inside "Current status", as the reference does.
        blocks.append(escape_markdown(section.status_line))
    for part in section.parts:
        blocks.extend(_part(part))
    return blocks


def _part(part: Part) -> list[str]:
    blocks: list[str] = []
    heading = " ".join(text for text in (part.emoji, part.title) if text)
    if heading:
        blocks.append(f"### {escape_markdown(heading)}")
    blocks.extend(escape_markdown(paragraph) for paragraph in part.paragraphs if paragraph.strip())
    if part.items:
        blocks.append(_bullets(part.items))
    return blocks


def _bullets(items: Iterable[Item], level: int = 0) -> str:
    lines: list[str] = []
    for item in items:
        lines.append(f"{'  ' * level}- {escape_markdown(item.text)}")
        if item.children:
            lines.append(_bullets(item.children, level + 1))
    return "\n".join(lines)


def _paragraphs(text: str) -> list[str]:
    return [escape_markdown(line) for line in clean_text(text).split("\n") if line.strip()]


def _absences(absences: Sequence[Absence]) -> str:
    return "\n".join(f"- {escape_markdown(absence_text(absence))}" for absence in absences)
