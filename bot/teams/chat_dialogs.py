"""Multi-turn chat conversations (botbuilder-dialogs), with their state in conversation state on storage."""

from __future__ import annotations

from typing import Any

from botbuilder.core import ConversationState, Storage, TurnContext
from botbuilder.dialogs import DialogSet

from dialogs.skip_chat import TURN_KEY, SkipDialog
from dialogs.turn import Turn

CANCEL_WORDS = {"cancel", "stop", "quit"}


class ChatDialogs:
    """Runs the chat dialogs: continues an active one, or begins one a command asked for."""

    def __init__(self, storage: Storage) -> None:
        self._state = ConversationState(storage)
        self._dialogs = DialogSet(self._state.create_property("DialogState"))
        self._dialogs.add(SkipDialog())

    async def continue_active(self, context: TurnContext, turn: Turn) -> bool:
        """If a dialog is waiting for this person's answer, give it the message; True if one was."""
        context.turn_state[TURN_KEY] = turn
        dialog_context = await self._dialogs.create_context(context)
        if dialog_context.active_dialog is None:
            return False
        if (context.activity.text or "").strip().lower() in CANCEL_WORDS:
            await dialog_context.cancel_all_dialogs()
            await context.send_activity("OK, I've stopped. Nothing was changed.")
        else:
            await dialog_context.continue_dialog()
        await self._state.save_changes(context)
        return True

    async def begin(self, context: TurnContext, turn: Turn, dialog_id: str, options: dict[str, Any]) -> None:
        """Start ``dialog_id`` with ``options``."""
        context.turn_state[TURN_KEY] = turn
        dialog_context = await self._dialogs.create_context(context)
        await dialog_context.begin_dialog(dialog_id, options)
        await self._state.save_changes(context)
