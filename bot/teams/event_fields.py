"""What an install or team event says: its team, tenant, bot id, conversation type, and who sent it."""

from __future__ import annotations

from typing import Any

from botbuilder.core import TurnContext

from bot.teams.activity import channel_data, tenant_of


def conversation_type_of(context: TurnContext) -> str:
    """``personal``, ``channel`` or ``groupChat`` (``personal`` when Teams leaves it out)."""
    return str(getattr(context.activity.conversation, "conversation_type", "") or "personal")


def channel_data_of(context: TurnContext) -> dict[str, Any]:
    """``channelData`` as a dict (empty when absent)."""
    return channel_data(context.activity)


def team_of(context: TurnContext) -> dict[str, Any]:
    """``channelData.team`` (its ``id``, ``name``, ``aadGroupId``), or empty outside a team."""
    team = channel_data_of(context).get("team")
    return team if isinstance(team, dict) and isinstance(team.get("id"), str) and team["id"] else {}


def tenant_id_of(context: TurnContext) -> str:
    """The tenant id (``channelData.tenant.id``, else the conversation's)."""
    return tenant_of(context.activity)


def bot_id_of(context: TurnContext) -> str:
    """The bot's own id in this conversation (the activity's recipient)."""
    return str(getattr(context.activity.recipient, "id", "") or "")


def actor_label(context: TurnContext) -> str:
    """Who sent the event, for the audit log: ``aad:<object id>``, else ``teams:<id>``."""
    sender = context.activity.from_property
    aad = str(getattr(sender, "aad_object_id", "") or "")
    return f"aad:{aad}" if aad else f"teams:{getattr(sender, 'id', '') or 'unknown'}"
