"""The team's channels, followed as they are created, renamed and deleted.

Each is stored as a conversation reference (``dialogs.setup_channel``), from which setup offers the channel
the weeknote is published in; if that channel is deleted, publishing goes back to General.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from botbuilder.core import TurnContext

from bot.domain.models import ConversationRef, Organisation
from bot.errors import ConcurrencyError
from bot.ports import Services
from bot.teams.audit import record_audit
from bot.teams.event_fields import actor_label
from bot.teams.roster import Channel, read_channels
from dialogs.setup_channel import GENERAL, channel_key, channel_reference

log = logging.getLogger(__name__)


async def forget_channel(
    context: TurnContext, services: Services, org: Organisation, channel_id: str
) -> None:
    """A deleted channel: forgotten; if the weeknote was published there, it goes back to General."""
    store = services.store
    ref = await store.conversations.get(partition=ConversationRef.partition_key, key=channel_key(channel_id))
    if ref is not None:
        await store.conversations.delete(record=replace(ref, etag=None))
    if org.channel_id != channel_id:
        return
    try:
        await store.organisation.save(record=replace(org, channel_id=org.team_id))
    except ConcurrencyError:
        log.info("organisation changed while channel %s was deleted; leaving it", channel_id)
        return
    await record_audit(
        services,
        actor=actor_label(context),
        action="setup.channel",
        target=org.team_id,
        detail="publishing channel deleted; back to General",
    )


async def store_channels(
    context: TurnContext, services: Services, org: Organisation, team_id: str
) -> list[Channel]:
    """Store every channel of the team (General alone if they cannot be listed); the channels stored."""
    try:
        channels = await read_channels(context, team_id)
    except Exception as error:
        log.warning("could not list the team's channels: %s", type(error).__name__)
        channels = [Channel(team_id, GENERAL)]
    for channel in channels:
        await store_channel(services, org, channel)
    return channels


async def store_channel(services: Services, org: Organisation, channel: Channel) -> None:
    """Store (or rename) one channel's conversation reference."""
    reference = channel_reference(
        channel.channel_id,
        channel.name,
        service_url=org.service_url,
        tenant_id=org.tenant_id,
        bot_id=org.bot_id,
        team_id=org.team_id,
    )
    await services.store.conversations.upsert(
        record=ConversationRef(
            key=channel_key(channel.channel_id), reference=reference, updated_at=services.clock()
        )
    )
