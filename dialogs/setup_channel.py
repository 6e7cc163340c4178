"""Setup from chat: the publishing channel (``setup.channel``), chosen among the team's stored channels.

The Teams layer stores the team's channels, at install and as they change, as conversation references keyed
``channel:<id>``; the helpers here name, build and read them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from bot import messages
from bot.domain.models import ConversationRef, Organisation
from bot.errors import ConcurrencyError
from cards.setup import build_channel_form
from dialogs.context import load_organisation
from dialogs.setup_common import form_text, require_admin
from dialogs.turn import CardReply, ErrorReply, Reply, TextReply, Turn

# ---- the team's channels, as stored at install ------------------------------------------------------

CHANNEL_PREFIX = "channel:"
GENERAL = "General"


def channel_key(channel_id: str) -> str:
    """The key of a channel's stored conversation reference."""
    return f"{CHANNEL_PREFIX}{channel_id}"


def channel_reference(
    channel_id: str, name: str, *, service_url: str, tenant_id: str, bot_id: str, team_id: str
) -> dict[str, Any]:
    """A conversation reference to a team's channel (botbuilder's shape), with its name and team id."""
    return {
        "bot": {"id": bot_id},
        "conversation": {
            "id": channel_id,
            "name": name,
            "isGroup": True,
            "conversationType": "channel",
            "tenantId": tenant_id,
        },
        "channelId": "msteams",
        "serviceUrl": service_url,
        "team": team_id,
    }


def stored_channels(refs: Iterable[ConversationRef], team_id: str = "") -> list[tuple[str, str]]:
    """(channel id, name) of every stored channel reference (of ``team_id``, if given), General first."""
    channels: list[tuple[str, str]] = []
    for ref in refs:
        if not ref.key.startswith(CHANNEL_PREFIX):
            continue
        if team_id and ref.reference.get("team") not in (team_id, None):
            continue
        conversation = ref.reference.get("conversation") or {}
        channel_id = str(conversation.get("id") or ref.key.removeprefix(CHANNEL_PREFIX))
        channels.append((channel_id, str(conversation.get("name") or channel_id)))
    return sorted(channels, key=lambda pair: (pair[1] != GENERAL, pair[1].lower()))


# ---- setup.channel ------------------------------------------------------------------------------------


async def _known_channels(turn: Turn, org: Organisation) -> list[tuple[str, str]]:
    refs = await turn.services.store.conversations.list(partition=ConversationRef.partition_key)
    return stored_channels(refs, org.team_id) if org.team_id else []


async def channel_form(turn: Turn) -> Reply:
    """The channel form, or a note that no channel of the team is known yet."""
    org = await load_organisation(turn.services)
    channels = await _known_channels(turn, org)
    if not channels:
        return TextReply(messages.SETUP_NO_CHANNELS)
    return CardReply(build_channel_form(channels, org.channel_id))


async def channel_action(turn: Turn, data: Mapping[str, Any]) -> Reply:
    """``setup.channel``: publish the weeknote in one of the team's channels."""
    chosen = form_text(data, "channel")[:300]
    refused = await require_admin(turn, "setup.channel", target=chosen)
    if isinstance(refused, ErrorReply):
        return refused
    org = await load_organisation(turn.services)
    names = dict(await _known_channels(turn, org))
    if chosen not in names:
        await turn.audit("setup.channel", target=chosen, outcome="refused", detail="unknown channel")
        return ErrorReply(messages.SETUP_UNKNOWN_CHANNEL)
    try:
        await turn.services.store.organisation.save(record=replace(org, channel_id=chosen))
    except ConcurrencyError:
        return ErrorReply(messages.SETUP_CHANGED_MEANWHILE, status=409)
    await turn.audit("setup.channel", target=chosen, detail=names[chosen][:100])
    return TextReply(messages.SETUP_CHANNEL_SAVED.format(channel=names[chosen]))
