"""Storage outages while people work: told plainly, nothing lost, nothing doubled, the service stays up.

Azurite keeps its data on disk here and is stopped and started on the same port, as a real outage would
behave: what was stored before is there after.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import pytest

from bot import messages
from bot.domain.models import Update, UpdateState
from bot.errors import StorageUnavailableError
from tests.security.helpers import iso_week
from tests.support.azurite import Azurite
from tests.support.botserver import BotServer, Clock, bot_settings
from tests.support.connector import FakeConnector
from tests.support.oidc import LocalOidc
from tests.support.org import PM_ONE, TEAM, seed
from tests.support.teams import execute, message, submit

WEEK = "2026-W20"
ANSWER = {"project": TEAM.project_id, "week": WEEK, "update": "Product: Drupal\n- 14 done ✅"}


@pytest.fixture
async def outage(
    table_prefix: str, oidc: LocalOidc, connector: FakeConnector
) -> AsyncIterator[tuple[BotServer, Azurite]]:
    """A bot on its own Azurite, which the test can stop and start."""
    storage = Azurite(persistent=True)
    storage.start()
    server = BotServer(bot_settings(storage.connection_string, table_prefix, oidc), connector, oidc, Clock())
    await server.start()
    await seed(server.services.store, connector)
    try:
        yield server, storage
    finally:
        await server.stop()
        storage.close()


async def health(bot: BotServer) -> tuple[int, dict[str, Any]]:
    assert bot.http is not None
    async with bot.http.get(f"{bot.url}/healthz", timeout=aiohttp.ClientTimeout(total=20)) as response:
        return response.status, await response.json()


async def timed(call: Awaitable[tuple[int, Any]]) -> tuple[int, Any, float]:
    started = time.monotonic()
    status, body = await call
    return status, body, time.monotonic() - started


async def submitted(bot: BotServer) -> list[Update]:
    return [
        u for u in await bot.services.store.updates.list(partition=WEEK) if u.project_id == TEAM.project_id
    ]


async def test_submit_during_an_outage_is_refused_plainly_then_succeeds_once(
    outage: tuple[BotServer, Azurite],
) -> None:
    bot, storage = outage
    storage.stop()

    status, body, seconds = await timed(bot.post(execute(PM_ONE, "update.submit", ANSWER, bot.connector.url)))
    assert status == 200, body  # never a 5xx: Teams would show "something went wrong" and may resend
    assert body["type"] == "application/vnd.microsoft.error", body  # an error keeps the card as typed
    assert body["value"]["message"] == messages.STORAGE_DOWN
    assert seconds < 10, "an outage must be reported well within Teams' 15 s"
    assert (await health(bot))[0] == 503 and (await health(bot))[1]["status"] == "degraded"

    # The service is still up: a typed command gets a plain answer too.
    status, _ = await bot.post(message(PM_ONE, "status", bot.connector.url))
    assert status == 200
    assert bot.connector.sent(PM_ONE.conversation_id)[-1].text == messages.STORAGE_DOWN

    storage.start()
    assert (await health(bot))[0] == 200
    # Teams sends a new activity id when the button is pressed again.
    status, body = await bot.post(execute(PM_ONE, "update.submit", ANSWER, bot.connector.url))
    assert status == 200 and body["type"] == "application/vnd.microsoft.card.adaptive", body
    [update] = await submitted(bot)
    assert update.state is UpdateState.SUBMITTED and update.answers["update"] == ANSWER["update"]
    events = await bot.services.store.audit.list(partition=iso_week(bot.clock.now))
    assert [e.action for e in events if e.action == "update.submit"] == ["update.submit"]


async def test_action_submit_fallback_during_an_outage_gets_a_plain_message(
    outage: tuple[BotServer, Azurite],
) -> None:
    bot, storage = outage
    storage.stop()
    status, _ = await bot.post(submit(PM_ONE, {**ANSWER, "verb": "update.submit"}, bot.connector.url))
    assert status == 200
    [reply] = bot.connector.sent(PM_ONE.conversation_id)
    assert reply.text == messages.STORAGE_DOWN
    assert bot.connector.updates() == []  # the card the person typed into is not replaced


async def test_a_refused_tenant_during_an_outage_is_still_403(outage: tuple[BotServer, Azurite]) -> None:
    bot, storage = outage
    storage.stop()
    status, _ = await bot.post(
        message(PM_ONE, "help", bot.connector.url, tenant="99999999-0000-0000-0000-0000")
    )
    assert status == 403


def fail_once(bot: BotServer, repository: str, method: str) -> list[int]:
    """Make ``store.<repository>.<method>`` raise StorageUnavailableError on its next call only."""
    target = getattr(bot.services.store, repository)
    real: Callable[..., Awaitable[Any]] = getattr(target, method)
    calls: list[int] = []

    async def flaky(**kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 1:
            raise StorageUnavailableError("injected: storage went away mid-turn")
        return await real(**kwargs)

    setattr(target, method, flaky)
    return calls


async def test_storage_lost_after_the_duplicate_marker_does_not_swallow_a_resend(
    outage: tuple[BotServer, Azurite],
) -> None:
    """The marker was written, then saving the answer failed. If Teams resends that same activity (it never
    saw our answer), it must be processed, not dismissed as 'already done'."""
    bot, _ = outage
    calls = fail_once(bot, "updates", "save")
    activity = execute(PM_ONE, "update.submit", ANSWER, bot.connector.url)
    status, body = await bot.post(activity)
    assert status == 200 and body["value"]["message"] == messages.STORAGE_DOWN
    assert await submitted(bot) == []
    status, body = await bot.post(activity)  # the same id again
    assert status == 200 and body["type"] == "application/vnd.microsoft.card.adaptive", body
    assert len(calls) == 2
    [update] = await submitted(bot)
    assert update.state is UpdateState.SUBMITTED
    status, body = await bot.post(activity)  # and once done, a third delivery is a duplicate
    assert body["type"] == "application/vnd.microsoft.activity.message"
    assert len(await submitted(bot)) == 1


@pytest.mark.parametrize(("repository", "method"), [("people", "list"), ("seen", "save")])
async def test_storage_lost_before_the_dialog_runs_gets_the_plain_answer(
    outage: tuple[BotServer, Azurite], repository: str, method: str
) -> None:
    """Failures outside the dialog (claiming the activity, finding who sent it) answer the same way."""
    bot, _ = outage
    fail_once(bot, repository, method)
    status, body = await bot.post(execute(PM_ONE, "update.submit", ANSWER, bot.connector.url))
    assert status == 200 and body["value"]["message"] == messages.STORAGE_DOWN, body
    status, body = await bot.post(execute(PM_ONE, "update.submit", ANSWER, bot.connector.url))
    assert body["type"] == "application/vnd.microsoft.card.adaptive", body
    assert len(await submitted(bot)) == 1
