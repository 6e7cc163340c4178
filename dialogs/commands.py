"""Chat commands that need no dialog of their own: help and the answer to unknown text."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot import messages
from bot.domain.models import Role
from cards.commands import build_help_card
from dialogs.context import is_reviewer
from dialogs.turn import CardReply, Reply, Turn


def _help(turn: Turn) -> CardReply:
    person = turn.actor.person
    is_admin = person is not None and person.has_role(Role.DIRECTOR, Role.ADMIN)
    return CardReply(build_help_card(is_reviewer=is_reviewer(person), is_admin=is_admin))


async def help_command(turn: Turn, rest: str) -> Reply:
    """``help``: what the bot can do."""
    return _help(turn)


async def help_action(turn: Turn, data: Mapping[str, Any]) -> Reply:
    """The Help button."""
    return _help(turn)


async def unknown_command(turn: Turn, text: str) -> Reply:
    """Anything else typed: say so, then show the help card (never silence)."""
    shown = text if len(text) <= 60 else text[:57] + "..."
    await turn.send_text(messages.UNKNOWN_COMMAND.format(text=shown))
    return _help(turn)
