"""One table of card actions and one of chat commands: every verb and command maps to its handler."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dialogs import commands, status, update
from dialogs.registry_types import ActionHandler, CommandHandler
from dialogs.review import REVIEW_ACTIONS, REVIEW_COMMANDS
from dialogs.setup import SETUP_ACTIONS, SETUP_COMMANDS
from dialogs.turn import Reply, Turn


async def _update_command(turn: Turn, rest: str) -> Reply:
    return await update.send_cards(turn)


async def _update_action(turn: Turn, data: Mapping[str, Any]) -> Reply:
    return await update.send_cards(turn)


async def _status_action(turn: Turn, data: Mapping[str, Any]) -> Reply:
    return await status.status(turn)


ACTIONS: Mapping[str, ActionHandler] = {
    "update.submit": update.submit,
    "update.draft": update.save_draft,
    "update.skip": update.skip,
    "update.handover": update.hand_over,
    "update.edit": update.edit,
    "cmd.update": _update_action,
    "cmd.status": _status_action,
    "cmd.help": commands.help_action,
    **REVIEW_ACTIONS,
    **SETUP_ACTIONS,
}

COMMANDS: Mapping[str, CommandHandler] = {
    "update": _update_command,
    "status": status.status,
    "skip": status.skip_command,
    "help": commands.help_command,
    **REVIEW_COMMANDS,
    **SETUP_COMMANDS,
}


def command_for(text: str) -> tuple[CommandHandler, str]:
    """The handler for typed ``text`` (first word, case-insensitive) and the rest of the text."""
    word, _, rest = text.strip().partition(" ")
    handler = COMMANDS.get(word.lower().strip("/!"))
    if handler is None:
        return commands.unknown_command, text.strip()
    return handler, rest.strip()
