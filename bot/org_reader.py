"""The validating reader behind :func:`bot.org_file.parse_org_file`: every problem kept, with its line.

Only the raw text of each scalar is used, never YAML's type guessing (see :mod:`bot.org_file`).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable

import yaml

from bot.org_plan import MAX_NAME

# One @, a dot in the domain, and none of the characters Table Storage refuses in a row key.
_EMAIL = re.compile(r"^[^@\s/\\#?]+@[^@\s/\\#?]+\.[^@\s/\\#?.]+$")
_LINE_BREAKING = frozenset({"Cc", "Zl", "Zp"})  # control characters and Unicode line/paragraph separators
_BOOLS = {"true": True, "yes": True, "false": False, "no": False}


class Reader:
    """Reads composed YAML nodes, collecting every problem with its line instead of stopping at the first."""

    def __init__(self) -> None:
        self.problems: list[tuple[int, str]] = []

    def problem(self, node: yaml.Node, field: str, why: str) -> None:
        self.problems.append((node.start_mark.line + 1, f"line {node.start_mark.line + 1}, {field}: {why}"))

    def sorted_problems(self) -> list[str]:
        return [text for _, text in sorted(self.problems, key=lambda item: item[0])]

    def mapping(self, node: yaml.Node, field: str, keys: dict[str, bool]) -> dict[str, yaml.Node] | None:
        """The entries of a mapping node, after reporting unknown, repeated and missing keys."""
        if not isinstance(node, yaml.MappingNode):
            self.problem(node, field, f"must be a mapping of {', '.join(keys)}; found {_kind(node)}.")
            return None
        entries: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else "?"
            where = f"{field}.{key}" if field else key
            if key not in keys:
                self.problem(
                    key_node, where, f"unknown key{suggest(key, keys)}; known keys: {', '.join(keys)}."
                )
            elif key in entries:
                self.problem(key_node, where, "appears twice; give it once.")
            else:
                entries[key] = value_node
        for key, required in keys.items():
            if required and key not in entries:
                self.problem(node, f"{field}.{key}" if field else key, "is missing; it is required.")
        return entries

    def sequence(self, node: yaml.Node, field: str) -> list[yaml.Node] | None:
        if is_null(node):
            return []
        if not isinstance(node, yaml.SequenceNode):
            self.problem(node, field, f"must be a list; found {_kind(node)}.")
            return None
        return list(node.value)

    def text(
        self, node: yaml.Node, field: str, *, max_chars: int = MAX_NAME, empty_ok: bool = False
    ) -> str | None:
        """One line of text: trimmed, without control characters, at most ``max_chars`` long."""
        if is_null(node):
            if empty_ok:
                return ""
            self.problem(node, field, "is empty; give a value.")
            return None
        if not isinstance(node, yaml.ScalarNode):
            self.problem(node, field, f"must be text; found {_kind(node)}.")
            return None
        value = str(node.value).strip()
        if not value and not empty_ok:
            self.problem(node, field, "is empty; give a value.")
            return None
        if any(unicodedata.category(char) in _LINE_BREAKING for char in value):
            self.problem(node, field, "contains a line break or control character; keep it on one line.")
            return None
        if len(value) > max_chars:
            self.problem(node, field, f"is {len(value)} characters long; at most {max_chars}.")
            return None
        return value

    def flag(self, node: yaml.Node, field: str) -> bool | None:
        value = str(node.value).strip().lower() if isinstance(node, yaml.ScalarNode) else None
        if value not in _BOOLS:
            self.problem(node, field, "must be true or false.")
            return None
        return _BOOLS[value]

    def email(self, node: yaml.Node, field: str) -> str | None:
        value = self.text(node, field, max_chars=254)
        if value is None:
            return None
        if not _EMAIL.match(value):
            self.problem(node, field, f"{value!r} is not an email address such as name@example.org.")
            return None
        return value.lower()


def is_null(node: yaml.Node) -> bool:
    """Whether the node is YAML's null (an empty value, ``~`` or ``null``)."""
    return isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null"


def _kind(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    return "nothing" if is_null(node) else f"{node.value!r}"


def suggest(word: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest of ``choices``, or nothing."""
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""
