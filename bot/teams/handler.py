"""The activity handler: Teams activities become calls on the dialogs, and their replies activities."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import time, timedelta
from typing import Any

from botbuilder.core import ActivityHandler, InvokeResponse, TurnContext
from botbuilder.schema import Activity, ActivityTypes, Attachment, ChannelAccount

from bot import messages
from bot.domain.models import SeenActivity
from bot.errors import ConcurrencyError, InvalidKeyError, StorageError, StorageUnavailableError
from bot.ports import Card, Services
from bot.teams import engagement, onboarding
from bot.teams.activity import activity_key
from bot.teams.audit import record_audit
from bot.teams.chat_dialogs import ChatDialogs
from bot.teams.identity import resolve_actor
from bot.teams.messenger import DeliveryError
from bot.teams.references import remember_personal
from bot.teams.replies import bound_replies
from dialogs.registry import ACTIONS, command_for
from dialogs.turn import Actor, BeginDialog, CardReply, ErrorReply, Reply, TextReply, Turn

log = logging.getLogger(__name__)

CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
STORAGE_FAILED = "weeknotes.storage_failed"
RESEND_WINDOW = time(0, 15)  # Teams resends within minutes: so soon after midnight, check yesterday too
INBOUND = "weeknotes.inbound"  # set on turns that answer an activity Teams sent (not proactive ones)


def card_activity(card: Card) -> Activity:
    """A message activity carrying one Adaptive Card."""
    return Activity(
        type=ActivityTypes.message,
        attachments=[Attachment(content_type=CARD_CONTENT_TYPE, content=card)],
    )


def invoke_body(reply: Reply) -> dict[str, Any]:
    """The Universal Actions invoke response body for ``reply``."""
    if isinstance(reply, CardReply):
        return {"statusCode": 200, "type": CARD_CONTENT_TYPE, "value": reply.card}
    if isinstance(reply, (TextReply, BeginDialog)):
        text = reply.text if isinstance(reply, TextReply) else "Let's carry on in the chat."
        return {"statusCode": 200, "type": "application/vnd.microsoft.activity.message", "value": text}
    code = "BadRequest" if reply.status < 500 else "InternalError"
    return {
        "statusCode": reply.status,
        "type": "application/vnd.microsoft.error",
        "value": {"code": code, "message": reply.message},
    }


class TeamsTurn:
    """``dialogs.turn.Turn`` over a botbuilder ``TurnContext``."""

    def __init__(self, context: TurnContext, services: Services, actor: Actor) -> None:
        self._context = context
        self.services = services
        self.actor = actor
        activity = context.activity
        self.conversation_id = activity.conversation.id if activity.conversation else ""
        self.is_personal = (
            getattr(activity.conversation, "conversation_type", "") or "personal"
        ) == "personal"

    async def send_card(self, card: Card) -> str:
        sent = await self._context.send_activity(card_activity(card))
        return str(getattr(sent, "id", "") or "")

    async def send_text(self, text: str) -> str:
        sent = await self._context.send_activity(Activity(type=ActivityTypes.message, text=text))
        return str(getattr(sent, "id", "") or "")

    async def audit(self, action: str, *, target: str = "", outcome: str = "ok", detail: str = "") -> None:
        actor = self.actor.person.email if self.actor.person else f"aad:{self.actor.aad_object_id}"
        await record_audit(
            self.services, actor=actor, action=action, target=target, outcome=outcome, detail=detail
        )

    def value(self) -> dict[str, Any]:
        return action_data(self._context.activity)

    def note_storage_failure(self) -> None:
        """Storage failed during this turn and nothing was saved (the duplicate marker is released)."""
        self._context.turn_state[STORAGE_FAILED] = True


def action_data(activity: Activity) -> dict[str, Any]:
    """The data a card action sent: ``value.action.data`` (Action.Execute) or ``value`` (Action.Submit)."""
    value: dict[str, Any] = activity.value if isinstance(activity.value, dict) else {}
    if activity.type == ActivityTypes.invoke:
        action = value.get("action")
        action = action if isinstance(action, dict) else {}
        data = action.get("data")
        data = data if isinstance(data, dict) else {}
        return {**data, "verb": action.get("verb", data.get("verb", ""))}
    return dict(value)


class WeeknotesBot(ActivityHandler):  # type: ignore[misc]
    """Routes each activity; one instance per app."""

    def __init__(self, services: Services, chat: ChatDialogs) -> None:
        self._services = services
        self._chat = chat

    async def on_turn(self, turn_context: TurnContext) -> None:
        turn_context.turn_state[INBOUND] = True
        bound_replies(turn_context)
        try:
            seen = await self._first_delivery(turn_context.activity)
        except StorageUnavailableError:
            # The marker is written first, so an outage usually shows here: same plain answer as in a dialog.
            await self._storage_down(turn_context)
            return
        if seen is None:
            await self._on_duplicate(turn_context)
            return
        try:
            await super().on_turn(turn_context)
        except StorageUnavailableError:
            await self._forget(seen)
            await self._storage_down(turn_context)
        except BaseException:
            await self._forget(seen)
            raise
        else:
            if turn_context.turn_state.get(STORAGE_FAILED):
                # Nothing was saved: a resend of this same activity must be processed, not called a duplicate.
                await self._forget(seen)

    async def _storage_down(self, context: TurnContext) -> None:
        log.warning("storage unavailable during activity %s", context.activity.id)
        reply = ErrorReply(messages.STORAGE_DOWN, status=500)
        if context.activity.type == ActivityTypes.invoke:
            await self._answer_invoke(context, reply)
            return
        try:
            await context.send_activity(messages.STORAGE_DOWN)
        except Exception:  # the connector may be failing too
            log.warning("could not tell the user that storage is down (activity %s)", context.activity.id)

    async def _first_delivery(self, activity: Activity) -> SeenActivity | None:
        """Claim this activity id; ``None`` if it was already processed (Teams resent it)."""
        if not activity.id or activity.type not in (ActivityTypes.message, ActivityTypes.invoke):
            return SeenActivity(day="-", activity_key="-")
        now = self._services.clock()
        key = activity_key(activity)
        if now.time() < RESEND_WINDOW:
            # Markers are bucketed by day: a resend just after midnight must find yesterday's.
            yesterday = (now - timedelta(days=1)).strftime("%Y-%m-%d")
            if await self._services.store.seen.get(partition=yesterday, key=key) is not None:
                return None
        marker = SeenActivity(day=now.strftime("%Y-%m-%d"), activity_key=key, at=now)
        try:
            return await self._services.store.seen.save(record=marker)
        except ConcurrencyError:
            return None

    async def _forget(self, seen: SeenActivity) -> None:
        if seen.activity_key == "-":
            return
        try:
            await self._services.store.seen.delete(record=seen)
        except StorageError:
            log.warning("could not release duplicate marker %s", seen.activity_key)

    async def _on_duplicate(self, context: TurnContext) -> None:
        log.info("duplicate delivery of activity %s ignored", context.activity.id)
        if context.activity.type == ActivityTypes.invoke:
            reply = TextReply("Already done: that was received the first time.")
            await self._answer_invoke(context, reply)

    async def _turn(self, context: TurnContext) -> TeamsTurn:
        actor = await resolve_actor(context, self._services.store, self._services.known_senders)
        if actor.person is not None:
            await remember_personal(context, self._services, actor.person)
        return TeamsTurn(context, self._services, actor)

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        conversation_type = getattr(turn_context.activity.conversation, "conversation_type", "") or "personal"
        is_comment = conversation_type == "channel" and not isinstance(turn_context.activity.value, dict)
        if is_comment and await engagement.on_channel_message(turn_context, self._services):
            return
        turn = await self._turn(turn_context)
        if isinstance(turn_context.activity.value, dict):
            reply = await self._run_action(turn, action_data(turn_context.activity))
            await self._send_reply(turn_context, reply, replace_id=turn_context.activity.reply_to_id)
            return
        if await self._chat.continue_active(turn_context, turn):
            return
        text = TurnContext.remove_recipient_mention(turn_context.activity) or turn_context.activity.text or ""
        handler, rest = command_for(text)
        reply = await self._guarded(turn, handler(turn, rest))
        if isinstance(reply, BeginDialog):
            await self._chat.begin(turn_context, turn, reply.dialog_id, reply.options)
            return
        await self._send_reply(turn_context, reply)

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse:
        if turn_context.activity.name != "adaptiveCard/action":
            return await super().on_invoke_activity(turn_context)
        turn = await self._turn(turn_context)
        reply = await self._run_action(turn, action_data(turn_context.activity))
        return InvokeResponse(status=200, body=invoke_body(reply))

    async def _run_action(self, turn: Turn, data: Mapping[str, Any]) -> Reply:
        verb = data.get("verb")
        handler = ACTIONS.get(verb) if isinstance(verb, str) else None
        if handler is None:
            await turn.audit("card.unknown_verb", detail=str(verb)[:100], outcome="refused")
            return ErrorReply(messages.UNKNOWN_ACTION)
        return await self._guarded(turn, handler(turn, data))

    async def _guarded(self, turn: Turn, work: Any) -> Reply:
        """Run a dialog step; storage outages become a plain answer instead of an error."""
        try:
            reply: Reply = await work
        except StorageUnavailableError:
            log.warning("storage unavailable during a turn")
            if isinstance(turn, TeamsTurn):
                turn.note_storage_failure()
            return ErrorReply(messages.STORAGE_DOWN, status=500)
        except InvalidKeyError as error:
            # Only card data can name a record that cannot even be a storage key (empty, over 1 KiB, lone
            # surrogates): a malformed or forged card, not a fault of ours.
            await turn.audit("card.malformed", outcome="refused", detail=str(error)[:100])
            return ErrorReply(messages.MALFORMED_ACTION)
        return reply

    async def _send_reply(self, context: TurnContext, reply: Reply, *, replace_id: str | None = None) -> None:
        if isinstance(reply, CardReply):
            activity = card_activity(reply.card)
            if replace_id:
                activity.id = replace_id
                await context.update_activity(activity)
            else:
                await context.send_activity(activity)
        elif isinstance(reply, TextReply):
            await context.send_activity(reply.text)
        elif isinstance(reply, ErrorReply):
            await context.send_activity(reply.message)

    async def _answer_invoke(self, context: TurnContext, reply: Reply) -> None:
        await context.send_activity(
            Activity(
                type=ActivityTypes.invoke_response, value=InvokeResponse(status=200, body=invoke_body(reply))
            )
        )

    async def on_message_reaction_activity(self, turn_context: TurnContext) -> None:
        await engagement.on_reactions(turn_context, self._services)

    async def on_members_removed_activity(
        self, members_removed: list[ChannelAccount], turn_context: TurnContext
    ) -> None:
        await onboarding.on_members_removed(turn_context, self._services, members_removed)

    async def on_installation_update(self, turn_context: TurnContext) -> None:
        await onboarding.on_installation_update(turn_context, self._services)

    async def on_conversation_update_activity(self, turn_context: TurnContext) -> None:
        if not await onboarding.on_team_event(turn_context, self._services):  # channel and team events
            await super().on_conversation_update_activity(turn_context)

    async def on_members_added_activity(
        self, members_added: list[ChannelAccount], turn_context: TurnContext
    ) -> None:
        await onboarding.on_members_added(turn_context, self._services, members_added)

    async def on_turn_error(self, context: TurnContext, error: Exception) -> None:
        """The one error handler: log with the activity id, tell the person nothing was lost.

        The adapter calls it for proactive turns too (``continue_conversation``, which the messenger uses),
        where it must not handle anything: nobody asked, so nobody is told, and the error goes back to the
        messenger, whose retry policy (and its caller) would otherwise believe the message was delivered.
        """
        if not context.turn_state.get(INBOUND):
            raise error
        log.error(
            "turn failed for activity %s (%s): %s",
            context.activity.id,
            context.activity.type,
            type(error).__name__,
            exc_info=error,
        )
        reply = ErrorReply(messages.TURN_FAILED, status=500)
        if context.activity.type == ActivityTypes.invoke:
            await self._answer_invoke(context, reply)
        elif isinstance(error, DeliveryError):
            return  # the connector is what failed: another message would fail the same way
        else:
            try:
                await context.send_activity(messages.TURN_FAILED)
            except Exception:  # the connector itself may be what failed
                log.warning("could not tell the user about the failed turn %s", context.activity.id)
