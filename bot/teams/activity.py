"""Small readers of Teams activity fields that botbuilder leaves as loose dicts."""

from __future__ import annotations

from typing import Any

from botbuilder.schema import Activity


def tenant_of(activity: Activity) -> str:
    """The tenant id Teams put on the activity (``channelData.tenant.id``, else the conversation's)."""
    channel_data: Any = activity.channel_data or {}
    if isinstance(channel_data, dict):
        tenant = channel_data.get("tenant")
        if isinstance(tenant, dict) and isinstance(tenant.get("id"), str):
            return str(tenant["id"])
    conversation = activity.conversation
    return str(getattr(conversation, "tenant_id", "") or "")


def channel_data(activity: Activity) -> dict[str, Any]:
    """``channelData`` as a dict (empty when absent)."""
    data = activity.channel_data
    return data if isinstance(data, dict) else {}


def activity_key(activity: Activity) -> str:
    """A key that names one delivery of one activity (Teams resends the same id)."""
    conversation = activity.conversation.id if activity.conversation else ""
    return f"{conversation}|{activity.id or ''}|{activity.type or ''}"
