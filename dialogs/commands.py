"""Chat commands that need no dialog of their own: help and the answer to unknown text."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot import messages
from dialogs.turn import Reply, TextReply, Turn

HELP_TEXT = (
    "Here's what I can do:\n\n"
    "- **update**: get this week's card for each of your projects\n"
    "- **status**: see which of your projects are submitted, drafted or missing\n"
    "- **skip**: skip this week for a project (for example when you're on leave)\n"
    "- **help**: show this message"
)


async def help_command(turn: Turn, rest: str) -> Reply:
    """``help``: what the bot can do."""
    return TextReply(HELP_TEXT)


async def help_action(turn: Turn, data: Mapping[str, Any]) -> Reply:
    """The Help button."""
    return TextReply(HELP_TEXT)


async def unknown_command(turn: Turn, text: str) -> Reply:
    """Anything else typed: say so, then show help (never silence)."""
    shown = text if len(text) <= 60 else text[:57] + "..."
    return TextReply(messages.UNKNOWN_COMMAND.format(text=shown) + "\n\n" + HELP_TEXT)
