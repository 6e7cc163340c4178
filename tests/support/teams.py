"""Teams-shaped activities, as the Teams channel posts them to /api/messages."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

TENANT = "11111111-2222-3333-4444-555555555555"
APP_ID = "00000000-aaaa-bbbb-cccc-000000000001"
BOT_ID = f"28:{APP_ID}"
TEAM_ID = "19:team-general@thread.tacv2"
CHANNEL_ID = "19:team-general@thread.tacv2"

_ids = itertools.count(1)


@dataclass(frozen=True)
class TeamsUser:
    """A Teams account (what the roster says about a person)."""

    name: str
    email: str
    aad: str

    @property
    def id(self) -> str:
        return f"29:{self.aad}"

    @property
    def conversation_id(self) -> str:
        return f"a:personal-{self.aad}"

    def member(self) -> dict[str, Any]:
        """As the connector's members API returns it."""
        return {
            "id": self.id,
            "name": self.name,
            "aadObjectId": self.aad,
            "email": self.email,
            "userPrincipalName": self.email,
            "tenantId": TENANT,
        }


def _base(
    user: TeamsUser, service_url: str, *, tenant: str = TENANT, activity_id: str | None = None
) -> dict[str, Any]:
    return {
        "id": activity_id or f"in-{next(_ids)}",
        "channelId": "msteams",
        "serviceUrl": service_url,
        "timestamp": "2026-05-14T10:00:00.000Z",
        "from": {"id": user.id, "name": user.name, "aadObjectId": user.aad},
        "recipient": {"id": BOT_ID, "name": "Weeknotes"},
        "conversation": {"id": user.conversation_id, "conversationType": "personal", "tenantId": tenant},
        "channelData": {"tenant": {"id": tenant}},
        "locale": "en-GB",
    }


def message(user: TeamsUser, text: str, service_url: str, **kw: Any) -> dict[str, Any]:
    """A 1:1 chat message."""
    return {**_base(user, service_url, **kw), "type": "message", "text": text, "textFormat": "plain"}


def execute(user: TeamsUser, verb: str, data: dict[str, Any], service_url: str, **kw: Any) -> dict[str, Any]:
    """An ``adaptiveCard/action`` invoke (Action.Execute), inputs merged into data as Teams does."""
    return {
        **_base(user, service_url, **kw),
        "type": "invoke",
        "name": "adaptiveCard/action",
        "value": {
            "action": {"type": "Action.Execute", "verb": verb, "data": {**data, "verb": verb}},
            "trigger": "manual",
        },
    }


def submit(
    user: TeamsUser, data: dict[str, Any], service_url: str, *, reply_to: str = "", **kw: Any
) -> dict[str, Any]:
    """An Action.Submit (the fallback): a message whose value is the card's data."""
    activity = {**_base(user, service_url, **kw), "type": "message", "value": data}
    if reply_to:
        activity["replyToId"] = reply_to
    return activity


def install_personal(user: TeamsUser, service_url: str, **kw: Any) -> dict[str, Any]:
    """The app installed in someone's personal scope."""
    return {
        **_base(user, service_url, **kw),
        "type": "conversationUpdate",
        "membersAdded": [{"id": BOT_ID}],
    }
