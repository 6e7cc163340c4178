"""Tenancy: only the allow-listed tenant gets a turn; everything else is refused before any handler, audited.

The tenant is read from the activity (Bot Framework tokens do not carry it). Teams puts it in two places,
``channelData.tenant.id`` and ``conversation.tenantId``, always equal; an activity where they disagree (or one
is malformed) is refused too, so no handler can read a different tenant from the one that was checked.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.security.helpers import added, iso_week, snapshot
from tests.support.botserver import BotServer
from tests.support.org import PM_ONE, TEAM, seed
from tests.support.teams import TENANT, execute, message

OTHER = "99999999-0000-0000-0000-000000000000"


@pytest.fixture
async def org(bot: BotServer) -> BotServer:
    await seed(bot.services.store, bot.connector)
    return bot


def with_tenants(activity: dict[str, Any], channel_data: Any, conversation: Any) -> dict[str, Any]:
    """``activity`` with its two tenant fields set (``...`` removes the field)."""
    activity = {**activity, "conversation": dict(activity["conversation"])}
    if channel_data is ...:
        activity.pop("channelData", None)
    else:
        activity["channelData"] = {"tenant": channel_data}
    if conversation is ...:
        activity["conversation"].pop("tenantId", None)
    else:
        activity["conversation"]["tenantId"] = conversation
    return activity


REFUSED = {
    "another tenant": ({"id": OTHER}, OTHER),
    "channelData names another tenant": ({"id": OTHER}, TENANT),
    "conversation names another tenant": ({"id": TENANT}, OTHER),
    "no tenant at all": (..., ...),
    "channelData tenant only, another": ({"id": OTHER}, ...),
    "conversation tenant only, another": (..., OTHER),
    "tenant id is a number": ({"id": 42}, TENANT),
    "tenant is a list": ([TENANT], TENANT),
    "tenant id empty, conversation another": ({"id": ""}, OTHER),
    "tenant id 50,000 characters": ({"id": "x" * 50_000}, TENANT),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
@pytest.mark.parametrize("kind", ["message", "invoke"])
async def test_refused_before_any_handler_with_an_audit_event(org: BotServer, case: str, kind: str) -> None:
    channel_data, conversation = REFUSED[case]
    if kind == "message":
        base = message(PM_ONE, "update", org.connector.url)
    else:
        base = execute(
            PM_ONE,
            "update.submit",
            {"project": TEAM.project_id, "week": "2026-W20", "update": "x"},
            org.connector.url,
        )
    before = await snapshot(org)
    status, body = await org.post(with_tenants(base, channel_data, conversation))
    assert status == 403, body
    assert org.connector.calls == []
    changes = added(before, await snapshot(org))
    assert list(changes) == ["audit"], changes  # no duplicate marker, no update, no linked identity
    [event] = await org.services.store.audit.list(partition=iso_week(org.clock.now))
    assert (event.action, event.outcome) == ("activity.refused", "refused")
    assert event.actor.startswith("tenant:") and len(event.actor) <= 200
    assert event.at == org.clock.now


@pytest.mark.parametrize(
    "variant",
    [TENANT.upper(), TENANT],
)
async def test_the_allowed_tenant_is_served_whatever_its_case(org: BotServer, variant: str) -> None:
    status, _ = await org.post(
        with_tenants(message(PM_ONE, "help", org.connector.url), {"id": variant}, variant)
    )
    assert status == 200
    assert org.connector.sent(PM_ONE.conversation_id)


async def test_channel_data_alone_naming_the_allowed_tenant_is_served(org: BotServer) -> None:
    """Some activities (installation updates in older clients) carry only channelData's tenant."""
    status, _ = await org.post(with_tenants(message(PM_ONE, "help", org.connector.url), {"id": TENANT}, ...))
    assert status == 200
