"""Install events: a team install, a personal install, people joining and leaving, and uninstalls.

```mermaid
flowchart LR
    A[bot added to a team] --> B[record team, General channel, service URL, tenant, bot id]
    B --> C[read the roster page by page, link people by email]
    C --> D[store the team's channels]
    D --> E{first install of this team?}
    E -- yes --> F[hello in the channel: what I do, who is set up, who is missing]
    G[bot added personally] --> H[remember the 1:1 chat, greet once]
    I[someone leaves the team] --> J[person inactive: no more prompts]
    K[bot removed / uninstalled] --> L[forget team or chat; audit]
```

Teams may deliver an event twice (and sends both ``conversationUpdate`` and ``installationUpdate`` for one
install), so every step is idempotent: the hello is guarded by creating a ``team:<id>`` record, which only
one delivery can create.
"""

from __future__ import annotations

from botbuilder.core import TurnContext
from botbuilder.schema import ChannelAccount

from bot.domain.models import Organisation
from bot.ports import Services
from bot.teams.channels import forget_channel, store_channel
from bot.teams.event_fields import bot_id_of, channel_data_of, conversation_type_of, team_of
from bot.teams.install_personal import install_personal, uninstall_personal
from bot.teams.install_team import TEAM_PREFIX, hello_text, install_in_team, team_key, uninstall_from_team
from bot.teams.roster import Channel
from bot.teams.team_members import members_joined, members_left

__all__ = [
    "TEAM_PREFIX",
    "hello_text",
    "install_in_team",
    "install_personal",
    "members_joined",
    "members_left",
    "on_installation_update",
    "on_members_added",
    "on_members_removed",
    "on_team_event",
    "team_key",
    "uninstall_from_team",
    "uninstall_personal",
]

_TEAM_EVENTS = frozenset(
    {"channelCreated", "channelRenamed", "channelRestored", "channelDeleted", "teamDeleted"}
)


# ---- entry points (called by the activity handler) ----------------------------------------------------


async def on_members_added(context: TurnContext, services: Services, members: list[ChannelAccount]) -> None:
    """The bot was added to a conversation, or people joined a team the bot is in."""
    bot_id = bot_id_of(context)
    bot_added = any(member.id == bot_id for member in members)
    team = team_of(context)
    if bot_added and team:
        await install_in_team(context, services)
    elif bot_added and conversation_type_of(context) == "personal":
        await install_personal(context, services)
    elif team:
        people = [m for m in members if m.id != bot_id]
        await members_joined(context, services, team["id"], people)


async def on_members_removed(context: TurnContext, services: Services, members: list[ChannelAccount]) -> None:
    """People left a team the bot is in, or the bot itself was removed."""
    bot_id = bot_id_of(context)
    team = team_of(context)
    if any(member.id == bot_id for member in members):
        if team:
            await uninstall_from_team(context, services, team["id"])
        elif conversation_type_of(context) == "personal":
            await uninstall_personal(context, services)
        return
    if team:
        await members_left(context, services, team["id"], members)


async def on_installation_update(context: TurnContext, services: Services) -> None:
    """The app was installed, upgraded or uninstalled (Teams also sends a ``conversationUpdate``)."""
    action = str(context.activity.action or "")
    team = team_of(context)
    if action in ("add", "add-upgrade"):
        if team:
            await install_in_team(context, services)
        elif conversation_type_of(context) == "personal":
            await install_personal(context, services)
    elif action in ("remove", "remove-upgrade"):
        if team:
            await uninstall_from_team(context, services, team["id"])
        elif conversation_type_of(context) == "personal":
            await uninstall_personal(context, services)


async def on_team_event(context: TurnContext, services: Services) -> bool:
    """Channels created, renamed or deleted, or the team deleted, in our team; True if it was one of them.

    Teams sends these as ``conversationUpdate`` with ``channelData.eventType`` and no members.
    """
    data = channel_data_of(context)
    event = str(data.get("eventType") or "")
    team = team_of(context)
    if not team or event not in _TEAM_EVENTS:
        return False
    org = await services.store.organisation.get(
        partition=Organisation.partition_key, key=Organisation.row_key
    )
    if org is None or org.team_id != team["id"]:
        return True
    if event == "teamDeleted":
        await uninstall_from_team(context, services, org.team_id)
        return True
    channel = data.get("channel")
    channel_id = str(channel.get("id") or "") if isinstance(channel, dict) else ""
    if not channel_id:
        return True
    if event == "channelDeleted":
        await forget_channel(context, services, org, channel_id)
    else:
        name = str(channel.get("name") or "") if isinstance(channel, dict) else ""
        await store_channel(services, org, Channel(channel_id, name or channel_id))
    return True
