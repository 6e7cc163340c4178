"""Proactive messages through the Bot Connector: 1:1 prompts, channel posts, in-place updates.

Every call to the connector goes through ``_with_retries``:

- it first waits for Teams' rate limits (``OutboundLimits``: the conversation's 7 a second and so on, and the
  tenant's 50 a second), counted per attempt, so a retry is a send like any other;
- 429, 412, 500, 502, 503 and 504 are retried with exponential backoff and full jitter, waiting at least
  what ``Retry-After`` asks (seconds or an HTTP date); a ``Retry-After`` longer than the policy allows ends
  the attempts (a later tick tries again) rather than hold a worker;
- 403 (``MessageWritesBlocked``: the person blocked the bot; or the app was removed) is final and raised as
  ``RecipientBlockedError`` with the connector's code: never retried.

A caller can pass a ``SendGuard`` to ``send_to_person``: it is called right before each attempt to post (the
cadence uses it to fence its claim, see ``bot.cadence.claims``) and told when an attempt was refused
without delivery. Clock, sleep and jitter are injectable so that tests see every wait without waiting.
"""

from __future__ import annotations

import asyncio
import copy
import email.utils
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import (
    Activity,
    ActivityTypes,
    ChannelAccount,
    ConversationParameters,
)

from bot.cadence.ratelimit import OutboundLimits
from bot.domain.models import ConversationRef, Organisation, Person
from bot.errors import DeliveryError, RecipientBlockedError
from bot.ports import Card, SendGuard, Sent
from bot.storage.protocol import Store
from bot.teams.references import personal_key, reference_from

log = logging.getLogger(__name__)

T = TypeVar("T")
RETRYABLE = frozenset({412, 429, 500, 502, 503, 504})
NOT_DELIVERED = frozenset({412, 429})
"""Refusals that certainly delivered nothing (a 5xx may have: the gateway can fail after the service)."""

__all__ = ["DeliveryError", "RecipientBlockedError", "RetryPolicy", "TeamsMessenger"]


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try: attempts, first delay and cap (seconds), and the longest ``Retry-After`` honoured."""

    attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 30.0
    max_retry_after: float = 60.0

    def backoff(self, attempt: int, retry_after: float | None, rng: random.Random) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based).

        Full jitter over an exponential ceiling, so that many senders refused together do not come back
        together; never less than ``Retry-After``.
        """
        ceiling = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        delay = rng.uniform(ceiling / 2, ceiling)
        if retry_after is not None:
            delay = max(delay, retry_after + rng.uniform(0, self.base_delay))
        return delay


def parse_retry_after(raw: str | None, now: datetime | None = None) -> float | None:
    """``Retry-After`` as seconds: a number of seconds, or an HTTP date; ``None`` if absent or unreadable."""
    if not raw:
        return None
    text = raw.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def status_and_retry_after(error: BaseException) -> tuple[int | None, float | None, str]:
    """What a connector error says: HTTP status, ``Retry-After`` in seconds, and the error code (or "")."""
    response: Any = getattr(error, "response", None)
    status = getattr(response, "status", None) or getattr(response, "status_code", None)
    headers = getattr(response, "headers", None) or {}
    raw = headers.get("Retry-After") if hasattr(headers, "get") else None
    retry_after = parse_retry_after(str(raw) if raw else None)
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
        limits: OutboundLimits | None = None,
        rng: random.Random | None = None,
    ) -> None:
        """A messenger.

        Args:
            adapter: The bot's adapter.
            store: Where conversation references, people and the organisation are.
            app_id: The bot's app id.
            retry: How hard to try.
            sleep: How to wait between attempts (tests record the waits instead).
            limits: Outbound rate limits (default: Teams' published ones, waiting with ``sleep``).
            rng: The jitter's source (tests fix it).
        """
        self._adapter = adapter
        self._store = store
        self._app_id = app_id
        self._retry = retry or RetryPolicy()
        self._sleep = sleep
        self.limits = limits or OutboundLimits.teams(sleep=sleep)
        self._rng = rng or random.Random()
        self.retries = 0
        """Attempts retried so far (reports and the benchmark read it)."""
        self._connectors: dict[str, Any] = {}

    async def _with_retries(
        self,
        what: str,
        call: Callable[[], Awaitable[T]],
        *,
        conversation: str = "",
        guard: SendGuard | None = None,
    ) -> T:
        attempt = 0
        while True:
            attempt += 1
            await self.limits.acquire(conversation)
            if guard is not None:
                await guard.sending()  # may raise: then nothing is sent
            try:
                return await call()
            except (DeliveryError, asyncio.CancelledError):
                raise
            except Exception as error:
                status, retry_after, code = status_and_retry_after(error)
                if status == 403:
                    raise RecipientBlockedError(
                        f"{what}: blocked ({code or 'Forbidden'})", code=code or "Forbidden"
                    ) from error
                if status not in RETRYABLE or attempt >= self._retry.attempts:
                    raise DeliveryError(
                        f"{what}: failed after {attempt} attempt(s) ({status or error})"
                    ) from error
                if retry_after is not None and retry_after > self._retry.max_retry_after:
                    raise DeliveryError(
                        f"{what}: the connector asked to wait {retry_after:.0f}s; giving up for now"
                    ) from error
                if guard is not None and status in NOT_DELIVERED:
                    await guard.refused()
                delay = self._retry.backoff(attempt, retry_after, self._rng)
                self.retries += 1
                log.info("%s: connector said %s, retrying in %.2fs", what, status, delay)
                await self._sleep(delay)

    async def _organisation(self) -> Organisation:
        org = await self._store.organisation.get(
            partition=Organisation.partition_key, key=Organisation.row_key
        )
        if org is None:
            raise DeliveryError("the organisation is not set up yet (no team recorded)")
        return org

    async def _connector(self, service_url: str) -> Any:
        """The connector client for ``service_url``, made once and kept.

        ``continue_conversation`` builds a connector client and a user-token client for every message, and
        each build costs milliseconds of CPU on the event loop (msrest's retry configuration): at 50 posts a
        second that alone would starve the loop. A client per service URL is what botbuilder's older
        adapter kept too; its credentials fetch and refresh tokens per request.
        """
        client = self._connectors.get(service_url)
        if client is None:
            identity = self._adapter.create_claims_identity(self._app_id)
            factory = self._adapter.bot_framework_authentication.create_connector_factory(identity)
            client = await factory.create(service_url, None)
            self._connectors[service_url] = client
        return client

    async def _send_on_reference(self, reference_data: dict[str, Any], activity: Activity) -> Sent:
        """Post ``activity`` as a new message in the conversation of ``reference_data``."""
        reference = reference_from(reference_data)
        outgoing = TurnContext.apply_conversation_reference(copy.copy(activity), reference)
        outgoing.reply_to_id = None  # a new message in the chat (or thread), not a reply to an old one
        client = await self._connector(str(reference.service_url))
        response = await client.conversations.send_to_conversation(str(reference.conversation.id), outgoing)
        return Sent(
            conversation_id=str(reference.conversation.id), activity_id=str(getattr(response, "id", "") or "")
        )

    def _personal_parameters(self, org: Organisation, person: Person) -> ConversationParameters:
        if not (person.teams_user_id or person.aad_object_id) or not org.service_url:
            raise DeliveryError(f"no Teams account known for {person.email} yet")
        member_id = person.teams_user_id or person.aad_object_id
        return ConversationParameters(
            is_group=False,
            bot=ChannelAccount(id=org.bot_id or f"28:{self._app_id}"),
            members=[ChannelAccount(id=member_id)],
            tenant_id=org.tenant_id,
            channel_data={"tenant": {"id": org.tenant_id}},
        )

    async def _create_personal(
        self, org: Organisation, person: Person, parameters: ConversationParameters
    ) -> dict[str, Any]:
        # Only the call to the connector happens here, once the rate limit let it go: anything slow in
        # between would make the connector see our calls bunched up, and refuse some.
        member_id = str(parameters.members[0].id)
        client = await self._connector(org.service_url)
        created = await client.conversations.create_conversation(parameters)
        captured: dict[str, Any] = {
            "bot": {"id": parameters.bot.id},
            "user": {"id": member_id},
            "conversation": {
                "id": str(created.id),
                "conversationType": "personal",
                "tenantId": org.tenant_id,
            },
            "channelId": "msteams",
            "serviceUrl": str(getattr(created, "service_url", "") or org.service_url),
        }
        await self._store.conversations.upsert(
            record=ConversationRef(key=personal_key(person.email), reference=captured)
        )
        return captured

    async def send_to_person(
        self, *, email: str, card: Card | None = None, text: str = "", guard: SendGuard | None = None
    ) -> Sent:
        """Send to someone's 1:1 chat, creating it from their Teams account if needed.

        Args:
            email: Who (a known person).
            card: The Adaptive Card to send, or ``None`` for ``text``.
            text: Plain text, when there is no card.
            guard: Told right before each attempt to post, and of refusals (see ``SendGuard``).

        Raises:
            RecipientBlockedError: 403 from the connector: the person blocked the bot or removed the app.
            DeliveryError: No Teams account or chat is known for them, or the connector kept failing.
        """
        reference = await self.personal_reference(email)
        activity = _to_card_activity(card, text)
        conversation = str((reference.get("conversation") or {}).get("id") or email.lower())
        await self._connector(str(reference.get("serviceUrl") or ""))  # made before the rate limit, not after
        return await self._with_retries(
            f"send to {email}",
            lambda: self._send_on_reference(reference, activity),
            conversation=conversation,
            guard=guard,
        )

    async def personal_reference(self, email: str) -> dict[str, Any]:
        """The stored 1:1 reference of ``email``, creating the chat (idempotent) if none is stored.

        Raises:
            RecipientBlockedError: 403 while creating the chat.
            DeliveryError: The person or their Teams account is unknown, or the connector kept failing.
        """
        stored = await self._store.conversations.get(
            partition=ConversationRef.partition_key, key=personal_key(email)
        )
        if stored is not None:
            return stored.reference
        person = await self._store.people.get(partition=Person.partition_key, key=email.lower())
        if person is None:
            raise DeliveryError(f"{email} is not a known person")
        org = await self._organisation()
        parameters = self._personal_parameters(org, person)
        await self._connector(org.service_url)
        return await self._with_retries(
            f"create chat with {email}", lambda: self._create_personal(org, person, parameters)
        )

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
            return await self._with_retries(
                "reply in channel thread", lambda: self._send_on_reference(reference, activity)
            )
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
