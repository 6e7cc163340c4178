"""Install events: greet once in a personal chat and remember the conversation."""

from __future__ import annotations

from botbuilder.core import TurnContext
from botbuilder.schema import ChannelAccount

from bot import messages
from bot.ports import Services
from bot.teams.identity import resolve_actor
from bot.teams.references import remember_personal


async def on_members_added(context: TurnContext, services: Services, members: list[ChannelAccount]) -> None:
    """The bot was added to a conversation (or someone joined one it is in)."""
    bot_id = context.activity.recipient.id if context.activity.recipient else ""
    if not any(member.id == bot_id for member in members):
        return
    conversation_type = getattr(context.activity.conversation, "conversation_type", "") or "personal"
    if conversation_type != "personal":
        return
    actor = await resolve_actor(context, services.store)
    if actor.person is None:
        await context.send_activity(messages.GREETING_UNKNOWN)
        return
    if await remember_personal(context, services, actor.person):
        await context.send_activity(messages.GREETING_PERSONAL.format(name=actor.person.name))


async def on_members_removed(context: TurnContext, services: Services, members: list[ChannelAccount]) -> None:
    """Someone left a team the bot is in, or the bot was removed (filled in by onboarding)."""
    return None


async def on_installation_update(context: TurnContext, services: Services) -> None:
    """The app was installed or uninstalled (filled in by onboarding)."""
    return None
