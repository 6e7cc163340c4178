"""Conversation references: remembered so that the bot can write to people and channels later."""

from __future__ import annotations

import contextlib
from dataclasses import replace
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.schema import ConversationReference

from bot.domain.models import ConversationRef, Person
from bot.errors import ConcurrencyError
from bot.ports import Services


def personal_key(email: str) -> str:
    """The key of someone's 1:1 conversation reference."""
    return f"personal:{email.lower()}"


def reference_dict(context: TurnContext) -> dict[str, Any]:
    """The activity's conversation reference, as a plain dict."""
    reference: ConversationReference = TurnContext.get_conversation_reference(context.activity)
    data: dict[str, Any] = reference.serialize()
    return data


def reference_from(data: dict[str, Any]) -> ConversationReference:
    """A stored reference back as the SDK's object."""
    return ConversationReference().deserialize(data)


async def remember_personal(context: TurnContext, services: Services, person: Person) -> bool:
    """Store the 1:1 reference for ``person`` if it is new or moved; True if it was new."""
    conversation = context.activity.conversation
    if (getattr(conversation, "conversation_type", "") or "personal") != "personal":
        return False
    if person.blocked:
        # They are writing to us in their 1:1 chat, so they no longer block the bot: the cadence, which
        # stopped writing to them on a 403 (bot.cadence.fanout), may again.
        with contextlib.suppress(ConcurrencyError):
            await services.store.people.save(record=replace(person, blocked=False))
    key = personal_key(person.email)
    data = reference_dict(context)
    stored = await services.store.conversations.get(partition=ConversationRef.partition_key, key=key)
    if stored is not None and stored.reference.get("conversation", {}).get("id") == conversation.id:
        return False
    await services.store.conversations.upsert(
        record=ConversationRef(key=key, reference=data, updated_at=services.clock())
    )
    return stored is None
