"""Every verb a card can send, and a walker that finds the verbs in any card.

The dialogs' registry maps each :class:`Verb` to a handler; a test builds every card and checks that the verbs
they emit are exactly these, so a button can never send something the bot does not handle.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class Verb(StrEnum):
    """The verb of every ``Action.Execute`` a card can carry (also sent as ``data["verb"]``)."""

    UPDATE_SUBMIT = "update.submit"
    UPDATE_DRAFT = "update.draft"
    UPDATE_SKIP = "update.skip"
    UPDATE_HANDOVER = "update.handover"
    UPDATE_EDIT = "update.edit"
    REVIEW_CHASE = "review.chase"
    REVIEW_NOTE = "review.note"
    REVIEW_PREVIEW = "review.preview"
    REVIEW_PUBLISH = "review.publish"
    REVIEW_REPUBLISH = "review.republish"
    SETUP_PROJECT = "setup.project"
    SETUP_SCHEDULE = "setup.schedule"
    SETUP_CHANNEL = "setup.channel"
    SETUP_ROLE = "setup.role"
    CMD_UPDATE = "cmd.update"
    CMD_STATUS = "cmd.status"
    CMD_HELP = "cmd.help"


def iter_actions(node: Any) -> list[dict[str, Any]]:
    """Every action in ``node``, however deeply nested.

    Finds actions in a card's ``actions``, in ``ActionSet`` elements, in ``selectAction``, in an
    ``Action.ShowCard``'s inner card and in ``fallback`` elements, in document order.

    Args:
        node: A card, an element, or any JSON value.

    Returns:
        The action dicts (those whose ``type`` starts with ``Action.``).
    """
    found: list[dict[str, Any]] = []
    stack: list[Any] = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            kind = current.get("type")
            if isinstance(kind, str) and kind.startswith("Action."):
                found.append(current)
            stack.extend(reversed(list(current.values())))
        elif isinstance(current, list):
            stack.extend(reversed(current))
    return found


def emitted_verbs(card: dict[str, Any]) -> set[str]:
    """The verbs ``card`` can send: each ``Action.Execute``'s ``verb`` and each action's ``data["verb"]``.

    Args:
        card: Any card (nested actions, ShowCards, ActionSets and selectActions included).

    Returns:
        The verbs found; an ``Action.Execute`` without a verb counts as ``""`` so it never passes a check.
    """
    verbs: set[str] = set()
    for action in iter_actions(card):
        if action.get("type") == "Action.Execute":
            verbs.add(str(action.get("verb", "")))
        data = action.get("data")
        if isinstance(data, dict) and "verb" in data:
            verbs.add(str(data["verb"]))
    return verbs
