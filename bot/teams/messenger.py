"""Proactive messages through the Bot Connector: 1:1 prompts, channel posts, in-place updates.

Every call goes through ``_with_retries``: 429, 500, 502, 503 and 504 are retried with exponential backoff and
jitter, honouring ``Retry-After``; 403 ``MessageWritesBlocked`` is final and reported as
``RecipientBlockedError``.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import (
    Activity,
    ActivityTypes,
    ChannelAccount,
    ConversationParameters,
)

from bot.domain.models import ConversationRef, Organisation, Person
from bot.errors import WeeknotesError
from bot.ports import Card, Sent
from bot.storage.protocol import Store
from bot.teams.references import personal_key, reference_from

log = logging.getLogger(__name__)

T = TypeVar("T")
RETRYABLE = {429, 500, 502, 503, 504}


class DeliveryError(WeeknotesError):
    """The connector kept failing (or the recipient cannot be reached)."""


class RecipientBlockedError(DeliveryError):
    """The person blocked the bot (403 MessageWritesBlocked): do not retry."""


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try: attempts, first delay, cap (seconds)."""

    attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 30.0


def _status_and_retry_after(error: BaseException) -> tuple[int | None, float | None, str]:
    response: Any = getattr(error, "response", None)
    status = getattr(response, "status", None) or getattr(response, "status_code", None)
    headers = getattr(response, "headers", None) or {}
    retry_after: float | None = None
    raw = headers.get("Retry-After") if hasattr(headers, "get") else None
    if raw:
        try:
            retry_after = float(raw)
        except ValueError:
            retry_after = None
    code = ""
    inner = getattr(error, "error", None)
    inner_error = getattr(inner, "error", None)
    if inner_error is not None:
        code = str(getattr(inner_error, "code", "") or "")
    return (int(status) if status else None), retry_after, code


def _to_card_activity(card: Card | None, text: str) -> Activity:
    from bot.teams.handler import card_activity

    if card is not None:
        return card_activity(card)
    return Activity(type=ActivityTypes.message, text=text)


class TeamsMessenger:
    """``bot.ports.Messenger`` on botbuilder's ``CloudAdapter``."""

    def __init__(
        self,
        adapter: CloudAdapter,
        store: Store,
        *,
        app_id: str,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._adapter = adapter
        self._store = store
        self._app_id = app_id
        self._retry = retry or RetryPolicy()
        self._sleep = sleep

    async def _with_retries(self, what: str, call: Callable[[], Awaitable[T]]) -> T:
        attempt = 0
        while True:
            attempt += 1
            try:
                return await call()
            except (DeliveryError, asyncio.CancelledError):
                raise
            except Exception as error:
                status, retry_after, code = _status_and_retry_after(error)
                if status == 403:
                    raise RecipientBlockedError(f"{what}: blocked ({code or 'Forbidden'})") from error
                if status not in RETRYABLE or attempt >= self._retry.attempts:
                    raise DeliveryError(f"{what}: failed after {attempt} attempt(s) ({status or error})") from error
                delay = min(self._retry.max_delay, self._retry.base_delay * 2 ** (attempt - 1))
                delay = random.uniform(delay / 2, delay)  # jitter
                if retry_after is not None:
                    delay = max(delay, min(retry_after, self._retry.max_delay))
                log.info("%s: connector said %s, retrying in %.2fs", what, status, delay)
                await self._sleep(delay)

    async def _organisation(self) -> Organisation:
        org = await self._store.organisation.get(partition=Organisation.partition_key, key=Organisation.row_key)
        if org is None:
            raise DeliveryError("the organisation is not set up yet (no team recorded)")
        return org

    async def _send_on_reference(self, reference_data: dict[str, Any], activity: Activity) -> Sent:
        reference = reference_from(reference_data)
        result: dict[str, str] = {}

        async def callback(context: TurnContext) -> None:
            sent = await context.send_activity(activity)
            result["id"] = str(getattr(sent, "id", "") or "")

        await self._adapter.continue_conversation(reference, callback, bot_app_id=self._app_id)
        return Sent(conversation_id=str(reference.conversation.id), activity_id=result.get("id", ""))

    async def _create_personal(self, person: Person) -> dict[str, Any]:
        org = await self._organisation()
        if not (person.teams_user_id or person.aad_object_id) or not org.service_url:
            raise DeliveryError(f"no Teams account known for {person.email} yet")
        member_id = person.teams_user_id or person.aad_object_id
        parameters = ConversationParameters(
            is_group=False,
            bot=ChannelAccount(id=org.bot_id or f"28:{self._app_id}"),
            members=[ChannelAccount(id=member_id)],
            tenant_id=org.tenant_id,
            channel_data={"tenant": {"id": org.tenant_id}},
        )
        captured: dict[str, Any] = {}

        async def callback(context: TurnContext) -> None:
            captured.update(TurnContext.get_conversation_reference(context.activity).serialize())

        await self._adapter.create_conversation(
            self._app_id, callback, parameters, channel_id="msteams", service_url=org.service_url
        )
        captured["user"] = {"id": member_id}
        await self._store.conversations.upsert(record=ConversationRef(key=personal_key(person.email), reference=captured))
        return captured

    async def send_to_person(self, *, email: str, card: Card | None = None, text: str = "") -> Sent:
        """Send to someone's 1:1 chat, creating it from their Teams account if needed."""
        stored = await self._store.conversations.get(partition=ConversationRef.partition_key, key=personal_key(email))
        if stored is not None:
            reference = stored.reference
        else:
            person = await self._store.people.get(partition=Person.partition_key, key=email.lower())
            if person is None:
                raise DeliveryError(f"{email} is not a known person")
            reference = await self._with_retries(f"create chat with {email}", lambda: self._create_personal(person))
        activity = _to_card_activity(card, text)
        return await self._with_retries(f"send to {email}", lambda: self._send_on_reference(reference, activity))

    async def post_to_channel(self, *, card: Card, reply_to: str = "") -> Sent:
        """Post to the organisation's channel, or reply in the thread of ``reply_to`` (a conversation id)."""
        org = await self._organisation()
        if not org.channel_id or not org.service_url:
            raise DeliveryError("no channel chosen for publishing yet")
        activity = _to_card_activity(card, "")
        if reply_to:
            reference = {
                "bot": {"id": org.bot_id or f"28:{self._app_id}"},
                "conversation": {"id": reply_to, "isGroup": True, "tenantId": org.tenant_id},
                "channelId": "msteams",
                "serviceUrl": org.service_url,
            }
            return await self._with_retries("reply in channel thread", lambda: self._send_on_reference(reference, activity))
        return await self._with_retries("post to channel", lambda: self._create_channel_post(org, activity))

    async def _create_channel_post(self, org: Organisation, activity: Activity) -> Sent:
        parameters = ConversationParameters(
            is_group=True,
            bot=ChannelAccount(id=org.bot_id or f"28:{self._app_id}"),
            tenant_id=org.tenant_id,
            channel_data={"channel": {"id": org.channel_id}, "tenant": {"id": org.tenant_id}},
            activity=activity,
        )
        result: dict[str, str] = {}

        async def callback(context: TurnContext) -> None:
            result["conversation"] = str(context.activity.conversation.id)
            result["id"] = str(context.activity.id or "")

        await self._adapter.create_conversation(
            self._app_id, callback, parameters, channel_id="msteams", service_url=org.service_url
        )
        return Sent(conversation_id=result["conversation"], activity_id=result["id"])

    async def update_message(self, *, conversation_id: str, activity_id: str, card: Card) -> None:
        """Replace a message the bot posted earlier."""
        org = await self._organisation()
        reference = reference_from(
            {
                "bot": {"id": org.bot_id or f"28:{self._app_id}"},
                "conversation": {"id": conversation_id, "tenantId": org.tenant_id},
                "channelId": "msteams",
                "serviceUrl": org.service_url,
            }
        )
        activity = _to_card_activity(card, "")
        activity.id = activity_id

        async def callback(context: TurnContext) -> None:
            await context.update_activity(activity)

        await self._with_retries(
            "update message",
            lambda: self._adapter.continue_conversation(reference, callback, bot_app_id=self._app_id),
        )
