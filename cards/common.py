"""Building blocks every card shares: the card contract, escaping, and small element constructors.

Cards are plain dicts (JSON-ready); nothing here knows of botbuilder. Every piece of user text that goes
into a ``TextBlock`` passes through :func:`escape_card_text` first, so it shows literally whatever Markdown
it holds; user text in an input's ``value`` is never escaped (inputs show their value verbatim).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from bot.domain.models import Rag

Card = dict[str, Any]
"""An Adaptive Card (or any element of one), as a JSON-ready dict."""

SCHEMA_URL = "http://adaptivecards.io/schemas/adaptive-card.json"
CARD_VERSION = "1.5"
CONTRACT_VERSION = 1
"""The ``"v"`` every action's data carries, so the bot can recognise cards sent by an older release."""

MAX_ANSWER_CHARS = 4000
"""The longest answer a text input accepts; the bot checks the same limit on what it receives."""

MAX_CARD_BYTES = 28_000
"""Every message this bot sends stays under this size (Teams allows about 100 KB; Power Automate 28 KB)."""

RAG_EMOJI: Mapping[Rag, str] = {Rag.GREEN: "🟢", Rag.AMBER: "🟠", Rag.RED: "🔴"}
RAG_TITLES: Mapping[Rag, str] = {Rag.GREEN: "Green", Rag.AMBER: "Amber", Rag.RED: "Red"}

# Anywhere in a line: characters that start emphasis, code, links, strikethrough or HTML.
_INLINE_SPECIAL = str.maketrans({char: "\\" + char for char in "\\`*_[]<>~"})
# At the start of a line (after any indent): headings, quotes, list markers, setext underlines.
_LINE_START_SPECIAL = re.compile(r"^([ \t]*)([-+=#>])", re.MULTILINE)
# ``1. `` or ``1) `` at the start of a line would begin a numbered list.
_LINE_START_NUMBER = re.compile(r"^([ \t]*\d+)([.)])", re.MULTILINE)
# ``&amp;`` or ``&#38;`` would be read as an entity and shown as ``&``.
_ENTITY = re.compile(r"&(?=#?\w+;)")
# ``{{DATE(...)}}`` and ``{{TIME(...)}}`` are replaced by a formatted date before Markdown is applied.
_DOUBLE_BRACE = re.compile(r"(?<=\{)\{")


def escape_card_text(text: str) -> str:
    """Escapes user text for a ``TextBlock`` so Teams shows it literally rather than as Markdown.

    Adaptive Cards read a ``TextBlock``'s text as a subset of Markdown (CommonMark in the web renderer); a
    backslash before an ASCII punctuation character makes it literal. Only characters that could change how
    the text looks are escaped, so hosts that show stray backslashes show as few as possible. ``{{`` is
    broken up too, so ``{{DATE(...)}}`` in user text is not turned into a date.

    Args:
        text: Plain text, as a person typed it.

    Returns:
        The text with Markdown-significant characters backslash-escaped.

    Example:
        ``*not bold* [no link](x)`` becomes ``\\*not bold\\* \\[no link\\](x)``.
    """
    escaped = text.translate(_INLINE_SPECIAL)
    escaped = _ENTITY.sub(r"\\&", escaped)
    escaped = _DOUBLE_BRACE.sub(r"\\{", escaped)
    escaped = _LINE_START_SPECIAL.sub(r"\1\\\2", escaped)
    return _LINE_START_NUMBER.sub(r"\1\\\2", escaped)


def card_size(card: Card) -> int:
    """The size in bytes of ``card`` as UTF-8 JSON (default separators, so a little over the compact size)."""
    return len(json.dumps(card, ensure_ascii=False).encode())


def action_data(verb: str, **context: str) -> dict[str, Any]:
    """The ``data`` of an action: its verb, the contract version and the context keys given.

    The bot reads the verb from here (Teams also sends it as ``action.verb``) and never trusts the context
    for authorisation: it looks the project and week up in storage.
    """
    return {"verb": verb, **context, "v": CONTRACT_VERSION}


def execute(title: str, verb: str, *, style: str = "", **context: str) -> Card:
    """An ``Action.Execute`` button that sends ``verb`` with ``context`` in its data."""
    action: Card = {
        "type": "Action.Execute",
        "title": title,
        "verb": verb,
        "data": action_data(verb, **context),
    }
    if style:
        action["style"] = style
    return with_submit_fallback(action)


def with_submit_fallback(action: Card) -> Card:
    """``action`` (an ``Action.Execute``) with an ``Action.Submit`` fallback carrying the same title and data.

    Clients without Universal Actions then send the data as a message, which the bot handles like the invoke.
    """
    if action.get("type") != "Action.Execute" or "fallback" in action:
        return action
    fallback = {
        "type": "Action.Submit",
        "title": action.get("title", ""),
        "data": dict(action.get("data", {})),
    }
    return {**action, "fallback": fallback}


def show_card(title: str, body: Sequence[Card], actions: Sequence[Card]) -> Card:
    """An ``Action.ShowCard`` that opens an inline card with ``body`` and ``actions``."""
    return {
        "type": "Action.ShowCard",
        "title": title,
        "card": {"type": "AdaptiveCard", "body": list(body), "actions": list(actions)},
    }


def text_block(text: str, **props: Any) -> Card:
    """A wrapping ``TextBlock``; ``text`` must already be escaped if it holds user text."""
    return {"type": "TextBlock", "text": text, "wrap": True, **props}


def heading(text: str, **props: Any) -> Card:
    """A bold, medium ``TextBlock`` that starts a part of a card."""
    return text_block(text, weight="Bolder", size="Medium", spacing="Medium", **props)


def error_block(message: str) -> Card:
    """A red line under an input that says what is wrong with it (plain text, escaped here)."""
    return text_block(escape_card_text(message), color="Attention", size="Small", spacing="None")


def fact_set(facts: Sequence[tuple[str, str]]) -> Card:
    """A ``FactSet``; both titles and values must already be escaped if they hold user text."""
    return {"type": "FactSet", "facts": [{"title": title, "value": value} for title, value in facts]}


def rag_label(rag: Rag | None) -> str:
    """``🟢 Green``, or ``Not set`` when there is no RAG."""
    if rag is None:
        return "Not set"
    return f"{RAG_EMOJI[rag]} {RAG_TITLES[rag]}"


def rag_choices() -> list[Card]:
    """The three RAG choices, green first, titled with their emoji."""
    return [{"title": rag_label(rag), "value": rag.value} for rag in Rag]


def format_number(value: float, *, grouped: bool = True) -> str:
    """A metric value as people write it: ``2,562``, ``12.5``; ``grouped=False`` drops the commas.

    Args:
        value: The number.
        grouped: Whether to group thousands with commas (for reading, not for an input's value).

    Returns:
        The number without a trailing ``.0``.
    """
    if value == int(value) and abs(value) < 1e15:
        return f"{int(value):,}" if grouped else str(int(value))
    text = f"{value:,.10f}" if grouped else f"{value:.10f}"
    return text.rstrip("0").rstrip(".")
