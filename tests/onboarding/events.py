"""Install, uninstall and roster events as Teams posts them (team scope and personal scope)."""

from __future__ import annotations

import itertools
from typing import Any

from tests.support.teams import BOT_ID, TEAM_ID, TENANT, TeamsUser

TEAM_NAME = "Digital Services"
WEEKNOTES_CHANNEL = "19:weeknotes-channel@thread.tacv2"
PRIVATE_CHANNEL = "19:private-channel@thread.tacv2"

_ids = itertools.count(1)


def _team_base(user: TeamsUser, service_url: str, *, team_id: str = TEAM_ID) -> dict[str, Any]:
    return {
        "id": f"team-event-{next(_ids)}",
        "channelId": "msteams",
        "serviceUrl": service_url,
        "timestamp": "2026-05-14T10:00:00.000Z",
        "from": {"id": user.id, "name": user.name, "aadObjectId": user.aad},
        "recipient": {"id": BOT_ID, "name": "Weeknotes"},
        "conversation": {
            "id": team_id,
            "conversationType": "channel",
            "isGroup": True,
            "tenantId": TENANT,
        },
        "channelData": {
            "team": {"id": team_id, "name": TEAM_NAME, "aadGroupId": "group-1"},
            "tenant": {"id": TENANT},
            "settings": {"selectedChannel": {"id": team_id}},
        },
        "locale": "en-GB",
    }


def team_install(installer: TeamsUser, service_url: str, **kw: Any) -> dict[str, Any]:
    """The app added to a team: ``conversationUpdate`` with the bot in ``membersAdded``."""
    activity = _team_base(installer, service_url, **kw)
    activity["channelData"]["eventType"] = "teamMemberAdded"
    return {**activity, "type": "conversationUpdate", "membersAdded": [{"id": BOT_ID}]}


def team_installation_update(
    installer: TeamsUser, service_url: str, action: str, **kw: Any
) -> dict[str, Any]:
    """The ``installationUpdate`` Teams sends alongside (``add`` or ``remove``)."""
    return {**_team_base(installer, service_url, **kw), "type": "installationUpdate", "action": action}


def team_uninstall(remover: TeamsUser, service_url: str, **kw: Any) -> dict[str, Any]:
    """The app removed from a team: ``conversationUpdate`` with the bot in ``membersRemoved``."""
    activity = _team_base(remover, service_url, **kw)
    activity["channelData"]["eventType"] = "teamMemberRemoved"
    return {**activity, "type": "conversationUpdate", "membersRemoved": [{"id": BOT_ID}]}


def members_removed(actor: TeamsUser, service_url: str, *gone: TeamsUser, **kw: Any) -> dict[str, Any]:
    """People left the team (or were removed from it)."""
    activity = _team_base(actor, service_url, **kw)
    activity["channelData"]["eventType"] = "teamMemberRemoved"
    removed = [{"id": user.id, "aadObjectId": user.aad} for user in gone]
    return {**activity, "type": "conversationUpdate", "membersRemoved": removed}


def members_added(actor: TeamsUser, service_url: str, *joined: TeamsUser, **kw: Any) -> dict[str, Any]:
    """People joined the team."""
    activity = _team_base(actor, service_url, **kw)
    activity["channelData"]["eventType"] = "teamMemberAdded"
    added = [{"id": user.id, "aadObjectId": user.aad} for user in joined]
    return {**activity, "type": "conversationUpdate", "membersAdded": added}


def personal_uninstall(user: TeamsUser, service_url: str) -> dict[str, Any]:
    """The app removed from someone's personal scope."""
    return personal_installation_update(user, service_url, "remove")


def personal_installation_update(user: TeamsUser, service_url: str, action: str) -> dict[str, Any]:
    """``installationUpdate`` in someone's personal scope (``add`` or ``remove``)."""
    return {
        "id": f"personal-event-{next(_ids)}",
        "channelId": "msteams",
        "serviceUrl": service_url,
        "from": {"id": user.id, "name": user.name, "aadObjectId": user.aad},
        "recipient": {"id": BOT_ID, "name": "Weeknotes"},
        "conversation": {"id": user.conversation_id, "conversationType": "personal", "tenantId": TENANT},
        "channelData": {"tenant": {"id": TENANT}},
        "type": "installationUpdate",
        "action": action,
    }


def team_event(actor: TeamsUser, service_url: str, event: str, **channel: str) -> dict[str, Any]:
    """A team event with no members (``channelCreated``, ``channelRenamed``, ``channelDeleted``, ...)."""
    activity = _team_base(actor, service_url)
    activity["channelData"]["eventType"] = event
    if channel:
        activity["channelData"]["channel"] = dict(channel)
    return {**activity, "type": "conversationUpdate"}
