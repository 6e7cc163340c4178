"""A personal install: remember the 1:1 chat and greet once; an uninstall forgets the chat."""

from __future__ import annotations

from dataclasses import replace

from botbuilder.core import TurnContext

from bot import messages
from bot.domain.models import ConversationRef
from bot.errors import ConcurrencyError
from bot.ports import Services
from bot.teams.audit import record_audit
from bot.teams.identity import resolve_actor
from bot.teams.references import personal_key, reference_dict, remember_personal


async def install_personal(context: TurnContext, services: Services) -> None:
    """Remember the 1:1 chat and greet once (an unknown person is told how to get added)."""
    actor = await resolve_actor(context, services.store)
    if actor.person is None:
        await context.send_activity(messages.GREETING_UNKNOWN)
        return
    # Teams sends installationUpdate and conversationUpdate together, and they are handled at the same
    # time: creating the reference (which fails if it exists) lets exactly one of them greet.
    reference = ConversationRef(
        key=personal_key(actor.person.email), reference=reference_dict(context), updated_at=services.clock()
    )
    try:
        await services.store.conversations.save(record=reference)
    except ConcurrencyError:
        await remember_personal(context, services, actor.person)  # known: follow the chat if it moved
        return
    await record_audit(services, actor=actor.person.email, action="app.installed.personal")
    await context.send_activity(messages.GREETING_PERSONAL.format(name=actor.person.name))


async def uninstall_personal(context: TurnContext, services: Services) -> None:
    """Forget the 1:1 chat (the bot can no longer write there); prompts then go through the team roster."""
    actor = await resolve_actor(context, services.store)
    if actor.person is None:
        return
    key = personal_key(actor.person.email)
    stored = await services.store.conversations.get(partition=ConversationRef.partition_key, key=key)
    if stored is None:
        return
    await services.store.conversations.delete(record=replace(stored, etag=None))
    await record_audit(services, actor=actor.person.email, action="app.uninstalled.personal")
