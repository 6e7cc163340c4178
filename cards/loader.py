"""Loading the JSON templates under ``cards/templates`` and filling their slots.

A template is an ordinary Adaptive Card with two kinds of placeholder, so it stays readable as a card:

- ``"{{name}}"`` as a whole string is replaced by the value given for ``name`` (any JSON value);
  inside a longer string (``"Update for {{week}}"``) the value, which must be a string, is substituted;
- ``"{{*name}}"`` as an item of a list is replaced by the items of the list given for ``name`` (spliced), so
  an optional element is a list of zero or one.

Values are inserted as given: a builder escapes user text before passing it for a ``TextBlock``. Every
placeholder must be filled and every value used, so a template and its builder cannot drift apart silently.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

from cards.common import Card

_WHOLE = re.compile(r"^\{\{(\w+)\}\}$")
_SPLICE = re.compile(r"^\{\{\*(\w+)\}\}$")
_INNER = re.compile(r"\{\{(\w+)\}\}")


class TemplateError(Exception):
    """A template and the values given for it do not match (a bug in a builder, not a user error)."""


@cache
def _template_text(name: str) -> str:
    return resources.files("cards").joinpath("templates", f"{name}.json").read_text(encoding="utf-8")


def template_names() -> list[str]:
    """The names of every template shipped in the package, sorted."""
    folder = resources.files("cards").joinpath("templates")
    return sorted(
        entry.name.removesuffix(".json") for entry in folder.iterdir() if entry.name.endswith(".json")
    )


def load_template(name: str) -> Card:
    """A fresh copy of template ``name`` (``cards/templates/<name>.json``), placeholders unfilled."""
    loaded: Card = json.loads(_template_text(name))
    return loaded


def fill_template(name: str, values: Mapping[str, Any]) -> Card:
    """Template ``name`` with every placeholder replaced by ``values``.

    Args:
        name: The template's file name without ``.json``.
        values: A value for every placeholder in the template, and nothing else.

    Returns:
        The filled card, which shares no objects with ``values``.

    Raises:
        TemplateError: A placeholder has no value, a value fills no placeholder, a spliced value is not a
            list, or a value substituted inside a string is not a string.
    """
    used: set[str] = set()
    filled = _fill(load_template(name), values, used, name)
    unused = set(values) - used
    if unused:
        raise TemplateError(f"template {name!r} has no placeholder for {sorted(unused)}")
    result: Card = _with_submit_fallbacks(filled)
    return result


def _with_submit_fallbacks(node: Any) -> Any:
    """``node`` with every ``Action.Execute`` given its fallback (``cards.common.with_submit_fallback``)."""
    from cards.common import with_submit_fallback

    if isinstance(node, list):
        return [_with_submit_fallbacks(item) for item in node]
    if not isinstance(node, dict):
        return node
    return with_submit_fallback({key: _with_submit_fallbacks(value) for key, value in node.items()})


def _lookup(key: str, values: Mapping[str, Any], used: set[str], name: str) -> Any:
    if key not in values:
        raise TemplateError(f"template {name!r} needs a value for {key!r}")
    used.add(key)
    return copy.deepcopy(values[key])


def _fill(node: Any, values: Mapping[str, Any], used: set[str], name: str) -> Any:
    if isinstance(node, dict):
        return {key: _fill(value, values, used, name) for key, value in node.items()}
    if isinstance(node, list):
        items: list[Any] = []
        for item in node:
            splice = _SPLICE.match(item) if isinstance(item, str) else None
            if splice is None:
                items.append(_fill(item, values, used, name))
                continue
            spliced = _lookup(splice.group(1), values, used, name)
            if not isinstance(spliced, list):
                raise TemplateError(f"template {name!r}: {splice.group(1)!r} must be a list")
            items.extend(spliced)
        return items
    if isinstance(node, str):
        whole = _WHOLE.match(node)
        if whole is not None:
            return _lookup(whole.group(1), values, used, name)
        return _INNER.sub(lambda match: _substitute(match.group(1), values, used, name), node)
    return node


def _substitute(key: str, values: Mapping[str, Any], used: set[str], name: str) -> str:
    value = _lookup(key, values, used, name)
    if not isinstance(value, str):
        raise TemplateError(f"template {name!r}: {key!r} is inside a string, so it must be a string")
    return value
