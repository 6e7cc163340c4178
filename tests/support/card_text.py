"""What a person could read on a card: its TextBlocks' texts, in document order."""

from __future__ import annotations

from typing import Any


def texts(card: Any) -> list[str]:
    """Every ``TextBlock`` text in ``card``, in document order."""
    found: list[str] = []
    stack: list[Any] = [card]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if node.get("type") == "TextBlock":
                found.append(node["text"])
            stack.extend(reversed(list(node.values())))
        elif isinstance(node, list):
            stack.extend(reversed(node))
    return found
