"""The weeknote as JSON, for archives and other tools.

The output is stable: keys sorted, two-space indent, UTF-8 text (``ensure_ascii=False``, so emoji stay
readable), one trailing newline; the same weeknote always gives the same bytes. Strings are cleaned of
control characters (:mod:`bot.export.text`), keeping line breaks in the director's note.

Schema (``schema_version`` 1; :data:`JSON_SCHEMA` is the machine-readable form)::

    {
      "schema": "weeknotes/weeknote", "schema_version": 1,
      "week": "2026-W15", "label": "week ending 10 April 2026", "organisation": "...",
      "director": {"name": "...", "title": "...", "note": "...", "highlights": [Item, ...]},
      "rag_overview": [{"title": "...", "rag": "green" | "amber" | "red" | null, "marker": "▲ from amber"}],
      "sections": [{
        "project_id": "...", "title": "...", "author_line": "...",
        "template": "full" | "brief" | "summary" | "team", "rag": "green" | ... | null,
        "status_line": "...", "late": false,
        "parts": [{"key": "...", "emoji": "...", "title": "...", "paragraphs": ["..."], "items": [Item]}],
        "changes": [{"kind": "rag" | "new_red" | "metric", "text": "..."}]
      }],
      "absences": [{"project_id": "...", "title": "...", "owner_name": "...",
                    "kind": "missing" | "skipped", "reason": "..."}]
    }

    Item = {"text": "...", "children": [Item, ...]}

A change that removes or renames a field, or changes its meaning, increments ``schema_version``; adding a
field does not.
"""

from __future__ import annotations

import json
from typing import Any

from bot.domain.weeknote import Absence, Item, Part, Section, Weeknote
from bot.export.text import clean_line, clean_text

SCHEMA_NAME = "weeknotes/weeknote"
SCHEMA_VERSION = 1

_STRING = {"type": "string"}
_RAG = {"enum": ["green", "amber", "red", None]}
_STRINGS = {"type": "array", "items": _STRING}


def _object(properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": sorted(properties),
        "additionalProperties": False,
    }


JSON_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$defs": {
        "item": _object({"text": _STRING, "children": {"type": "array", "items": {"$ref": "#/$defs/item"}}}),
    },
    **_object(
        {
            "schema": {"const": SCHEMA_NAME},
            "schema_version": {"const": SCHEMA_VERSION},
            "week": {"type": "string", "pattern": r"^\d{4}-W\d{2}$"},
            "label": _STRING,
            "organisation": _STRING,
            "director": _object(
                {
                    "name": _STRING,
                    "title": _STRING,
                    "note": _STRING,
                    "highlights": {"type": "array", "items": {"$ref": "#/$defs/item"}},
                }
            ),
            "rag_overview": {
                "type": "array",
                "items": _object({"title": _STRING, "rag": _RAG, "marker": _STRING}),
            },
            "sections": {
                "type": "array",
                "items": _object(
                    {
                        "project_id": _STRING,
                        "title": _STRING,
                        "author_line": _STRING,
                        "template": {"enum": ["full", "brief", "summary", "team"]},
                        "rag": _RAG,
                        "status_line": _STRING,
                        "late": {"type": "boolean"},
                        "parts": {
                            "type": "array",
                            "items": _object(
                                {
                                    "key": _STRING,
                                    "emoji": _STRING,
                                    "title": _STRING,
                                    "paragraphs": _STRINGS,
                                    "items": {"type": "array", "items": {"$ref": "#/$defs/item"}},
                                }
                            ),
                        },
                        "changes": {
                            "type": "array",
                            "items": _object(
                                {"kind": {"enum": ["rag", "new_red", "metric"]}, "text": _STRING}
                            ),
                        },
                    }
                ),
            },
            "absences": {
                "type": "array",
                "items": _object(
                    {
                        "project_id": _STRING,
                        "title": _STRING,
                        "owner_name": _STRING,
                        "kind": {"enum": ["missing", "skipped"]},
                        "reason": _STRING,
                    }
                ),
            },
        }
    ),
}
"""JSON Schema (draft 2020-12) of :func:`render_json`'s output."""


def weeknote_to_dict(weeknote: Weeknote) -> dict[str, Any]:
    """Converts a weeknote to the plain JSON-ready structure described in the module docstring.

    Args:
        weeknote: The compiled weeknote.

    Returns:
        Dicts, lists, strings, booleans and ``None`` only.
    """
    return {
        "schema": SCHEMA_NAME,
        "schema_version": SCHEMA_VERSION,
        "week": clean_line(weeknote.week),
        "label": clean_line(weeknote.label),
        "organisation": clean_line(weeknote.organisation),
        "director": {
            "name": clean_line(weeknote.director_name),
            "title": clean_line(weeknote.director_title),
            "note": clean_text(weeknote.director_note).strip(),
            "highlights": [_item(item) for item in weeknote.highlights],
        },
        "rag_overview": [
            {"title": clean_line(title), "rag": rag.value if rag else None, "marker": clean_line(marker)}
            for title, rag, marker in weeknote.rag_overview
        ],
        "sections": [_section(section) for section in weeknote.sections],
        "absences": [_absence(absence) for absence in weeknote.absences],
    }


def render_json(weeknote: Weeknote) -> str:
    """Renders a weeknote as stable JSON (sorted keys, UTF-8 text, trailing newline).

    Args:
        weeknote: The compiled weeknote.

    Returns:
        The JSON document.
    """
    return json.dumps(weeknote_to_dict(weeknote), sort_keys=True, ensure_ascii=False, indent=2) + "\n"


def _item(item: Item) -> dict[str, Any]:
    return {"text": clean_line(item.text), "children": [_item(child) for child in item.children]}


def _part(part: Part) -> dict[str, Any]:
    return {
        "key": clean_line(part.key),
        "emoji": clean_line(part.emoji),
        "title": clean_line(part.title),
        "paragraphs": [clean_line(paragraph) for paragraph in part.paragraphs],
        "items": [_item(item) for item in part.items],
    }


def _section(section: Section) -> dict[str, Any]:
    return {
        "project_id": clean_line(section.project_id),
        "title": clean_line(section.title),
        "author_line": clean_line(section.author_line),
        "template": section.template.value,
        "rag": section.rag.value if section.rag else None,
        "status_line": clean_line(section.status_line),
        "late": section.late,
        "parts": [_part(part) for part in section.parts],
        "changes": [{"kind": clean_line(c.kind), "text": clean_line(c.text)} for c in section.changes],
    }


def _absence(absence: Absence) -> dict[str, Any]:
    return {
        "project_id": clean_line(absence.project_id),
        "title": clean_line(absence.title),
        "owner_name": clean_line(absence.owner_name),
        "kind": clean_line(absence.kind),
        "reason": clean_line(absence.reason),
    }
