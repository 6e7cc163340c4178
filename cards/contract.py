"""A check that a card keeps the contract the bot and Teams rely on; used by the tests of every card.

The official Adaptive Card 1.5 JSON schema is not available offline here (node_modules has none), so this
checks what matters to us structurally, and the browser tests parse every card with the real renderer.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from cards.actions import Verb
from cards.common import (
    CARD_VERSION,
    CONTRACT_VERSION,
    MAX_ANSWER_CHARS,
    MAX_CARD_BYTES,
    SCHEMA_URL,
    card_size,
)

ELEMENT_TYPES = frozenset(
    {
        "TextBlock",
        "FactSet",
        "Container",
        "ColumnSet",
        "Column",
        "ActionSet",
        "Table",
        "TableRow",
        "TableCell",
        "Input.Text",
        "Input.ChoiceSet",
        "Input.Toggle",
    }
)
"""The element types our cards use (all in schema 1.5 and rendered by Teams)."""

ACTION_TYPES = frozenset({"Action.Execute", "Action.ShowCard"})
_VERBS = frozenset(Verb)


def card_problems(card: dict[str, Any], *, max_bytes: int = MAX_CARD_BYTES) -> list[str]:
    """Every way ``card`` breaks the contract; an empty list means it keeps it.

    Checks: the card header (type, ``$schema``, version 1.5, ``fallbackText``); element and action types we
    know; each input has an id and a non-empty label, required ones an ``errorMessage``, text inputs a
    ``maxLength`` no bigger than :data:`MAX_ANSWER_CHARS`; input ids are unique across the card and its
    ShowCards; each ``Action.Execute`` has a title and a known verb, repeated in ``data`` with ``"v"``, and an
    ``Action.Submit`` fallback with the same data (for clients without Universal Actions); no URL
    anywhere; every ``TextBlock`` wraps; the card is under ``max_bytes``.

    Args:
        card: The card to check.
        max_bytes: The size the card must stay under.

    Returns:
        One line per problem.
    """
    problems: list[str] = []
    if card.get("type") != "AdaptiveCard":
        problems.append("type is not AdaptiveCard")
    if card.get("$schema") != SCHEMA_URL:
        problems.append(f"$schema is not {SCHEMA_URL}")
    if card.get("version") != CARD_VERSION:
        problems.append(f"version is {card.get('version')!r}, not {CARD_VERSION}")
    if not card.get("fallbackText"):
        problems.append("no fallbackText")
    if not card.get("body"):
        problems.append("empty body")
    if "actions" in card and not card["actions"]:
        problems.append("empty actions list (leave it out instead)")
    seen_ids: set[str] = set()
    for path, element in _elements(card, "card"):
        kind = element.get("type")
        if isinstance(kind, str) and kind.startswith("Action."):
            problems.extend(_action_problems(path, element))
            continue
        if kind == "AdaptiveCard":
            continue
        if kind not in ELEMENT_TYPES:
            problems.append(f"{path}: unknown element type {kind!r}")
        if "url" in element or "iconUrl" in element:
            problems.append(f"{path}: has a URL")
        if kind == "TextBlock" and element.get("wrap") is not True:
            problems.append(f"{path}: TextBlock does not wrap")
        if isinstance(kind, str) and kind.startswith("Input."):
            problems.extend(_input_problems(path, element, seen_ids))
    size = card_size(card)
    if size >= max_bytes:
        problems.append(f"card is {size} bytes, not under {max_bytes}")
    return problems


def _input_problems(path: str, element: dict[str, Any], seen_ids: set[str]) -> list[str]:
    problems: list[str] = []
    input_id = element.get("id")
    if not isinstance(input_id, str) or not input_id:
        problems.append(f"{path}: input without an id")
    elif input_id in seen_ids:
        problems.append(f"{path}: duplicate input id {input_id!r}")
    else:
        seen_ids.add(input_id)
    label = element.get("label")
    if not isinstance(label, str) or not label.strip():
        problems.append(f"{path}: input {input_id!r} has no label")
    if element.get("isRequired") and not element.get("errorMessage"):
        problems.append(f"{path}: required input {input_id!r} has no errorMessage")
    if element.get("type") == "Input.Text":
        max_length = element.get("maxLength")
        if not isinstance(max_length, int) or not 0 < max_length <= MAX_ANSWER_CHARS:
            problems.append(f"{path}: text input {input_id!r} maxLength {max_length!r}")
    if element.get("type") == "Input.ChoiceSet":
        choices = element.get("choices")
        if not isinstance(choices, list) or not choices:
            problems.append(f"{path}: choice set {input_id!r} has no choices")
    return problems


def _action_problems(path: str, action: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    kind = action.get("type")
    if kind not in ACTION_TYPES:
        problems.append(f"{path}: action type {kind!r} (only Action.Execute and Action.ShowCard)")
    if not action.get("title"):
        problems.append(f"{path}: action without a title")
    if kind == "Action.ShowCard":
        inner = action.get("card")
        if not isinstance(inner, dict) or inner.get("type") != "AdaptiveCard":
            problems.append(f"{path}: ShowCard without a card")
        return problems
    verb = action.get("verb")
    data = action.get("data")
    if verb not in _VERBS:
        problems.append(f"{path}: verb {verb!r} is not a Verb")
    if not isinstance(data, dict):
        problems.append(f"{path}: action without data")
    else:
        if data.get("verb") != verb:
            problems.append(f"{path}: data verb {data.get('verb')!r} differs from verb {verb!r}")
        if data.get("v") != CONTRACT_VERSION:
            problems.append(f"{path}: data v is {data.get('v')!r}, not {CONTRACT_VERSION}")
    fallback = action.get("fallback")
    if (
        not isinstance(fallback, dict)
        or fallback.get("type") != "Action.Submit"
        or fallback.get("data") != data
    ):
        problems.append(f"{path}: no Action.Submit fallback with the same data")
    return problems


def _elements(node: Any, path: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every typed object under ``node`` (elements, actions, inner cards), with a readable path."""
    if isinstance(node, dict):
        if isinstance(node.get("type"), str):
            yield path, node
        for key, value in node.items():
            if key in {"data", "fallback"}:
                continue  # an action's data is ours, not card structure; its fallback is checked with it
            yield from _elements(value, f"{path}.{key}")
    elif isinstance(node, list):
        for index, item in enumerate(node):
            label = item.get("id") or item.get("type") if isinstance(item, dict) else None
            yield from _elements(item, f"{path}[{index}{':' + str(label) if label else ''}]")


def input_ids(card: dict[str, Any]) -> list[str]:
    """The ids of every input in ``card`` (ShowCards included), in document order."""
    return [
        str(element["id"])
        for _, element in _elements(card, "card")
        if str(element.get("type", "")).startswith("Input.") and "id" in element
    ]
