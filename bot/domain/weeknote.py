"""The compiled weeknote: what the channel, the previews and the exports all render.

``bot.domain.compile.compile_weeknote`` builds it from stored records; cards and exports only render it.
Text here is plain (never HTML or Markdown); each renderer escapes it for its own format.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.domain.models import Rag, Template


@dataclass(frozen=True)
class Item:
    """A bullet, with sub-points (one level deep is what the reference uses; deeper is allowed)."""

    text: str
    children: tuple[Item, ...] = ()


@dataclass(frozen=True)
class Part:
    """A titled part of a section, e.g. ``("✅", "Key achievements this week", items)``.

    ``paragraphs`` is free text shown before ``items``.
    """

    key: str
    emoji: str
    title: str
    paragraphs: tuple[str, ...] = ()
    items: tuple[Item, ...] = ()


@dataclass(frozen=True)
class Change:
    """Something that moved since last week (``kind``: rag, new_red, metric)."""

    kind: str
    text: str


@dataclass(frozen=True)
class Section:
    """One project's (or team's) section."""

    project_id: str
    title: str
    author_line: str
    template: Template
    rag: Rag | None = None
    status_line: str = ""
    parts: tuple[Part, ...] = ()
    changes: tuple[Change, ...] = ()
    late: bool = False


@dataclass(frozen=True)
class Absence:
    """A project with no section this week: ``missing`` or ``skipped`` (with the reason given)."""

    project_id: str
    title: str
    owner_name: str
    kind: str
    reason: str = ""


@dataclass(frozen=True)
class Weeknote:
    """A whole week's weeknote, in publishing order."""

    week: str
    label: str
    organisation: str
    director_name: str = ""
    director_title: str = ""
    director_note: str = ""
    highlights: tuple[Item, ...] = ()
    sections: tuple[Section, ...] = ()
    absences: tuple[Absence, ...] = ()
    rag_overview: tuple[tuple[str, Rag | None, str], ...] = field(default=())
    """(project title, RAG, change marker such as ``"▲ from amber"`` or ``""``) per project with a RAG."""
