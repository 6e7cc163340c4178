"""The service over real HTTP: health, /api/messages happy path and every malformed request."""

from __future__ import annotations

import json

import aiohttp

from bot.domain.models import Person, Role
from cards.actions import emitted_verbs
from tests.support.azurite import Azurite
from tests.support.botserver import OUTBOUND_TOKEN, BotServer, Clock, bot_settings
from tests.support.connector import FakeConnector
from tests.support.oidc import LocalOidc
from tests.support.teams import TeamsUser, execute, message

PM = TeamsUser("Priya Shah", "priya.shah@example.org", "aad-priya")


async def _register(bot: BotServer, user: TeamsUser, *roles: Role) -> None:
    bot.connector.add_member(user.member())
    await bot.services.store.people.save(
        record=Person(email=user.email, name=user.name, title="Project Manager", roles=frozenset(roles))
    )


async def test_healthz_reports_storage_ok(bot: BotServer) -> None:
    assert bot.http is not None
    async with bot.http.get(f"{bot.url}/healthz") as response:
        assert response.status == 200
        assert await response.json() == {"status": "ok", "storage": "ok"}


async def test_help_is_answered_through_the_connector_with_our_token(bot: BotServer) -> None:
    await _register(bot, PM, Role.PM)
    status, _ = await bot.post(message(PM, "help", bot.connector.url))
    assert status == 200
    [reply] = bot.connector.sent()
    assert reply.conversation_id == PM.conversation_id
    [card] = reply.cards
    assert {"cmd.update", "cmd.status"} <= emitted_verbs(card)
    assert reply.authorization == f"Bearer {OUTBOUND_TOKEN}"


async def test_unknown_text_gets_help_not_silence(bot: BotServer) -> None:
    await _register(bot, PM, Role.PM)
    await bot.post(message(PM, "what's the weather", bot.connector.url))
    sorry, help_card = bot.connector.sent()
    assert "didn't understand \u201cwhat's the weather\u201d" in sorry.text
    assert {"cmd.update", "cmd.status"} <= emitted_verbs(help_card.cards[0])


async def test_same_message_delivered_twice_is_answered_once(bot: BotServer) -> None:
    await _register(bot, PM, Role.PM)
    activity = message(PM, "help", bot.connector.url)
    assert (await bot.post(activity))[0] == 200
    assert (await bot.post(activity))[0] == 200
    assert len(bot.connector.sent()) == 1


async def test_malformed_json_is_400(bot: BotServer) -> None:
    assert bot.http is not None
    headers = {"Authorization": f"Bearer {bot.token()}", "Content-Type": "application/json"}
    async with bot.http.post(f"{bot.url}/api/messages", data=b"{not json", headers=headers) as response:
        assert response.status == 400


async def test_wrong_content_type_is_415(bot: BotServer) -> None:
    assert bot.http is not None
    headers = {"Authorization": f"Bearer {bot.token()}", "Content-Type": "text/plain"}
    body = json.dumps(message(PM, "help", bot.connector.url))
    async with bot.http.post(f"{bot.url}/api/messages", data=body, headers=headers) as response:
        assert response.status == 415


async def test_oversized_body_is_413(bot: BotServer) -> None:
    activity = message(PM, "x" * (bot.settings.max_body_bytes + 10), bot.connector.url)
    status, _ = await bot.post(activity)
    assert status == 413
    assert bot.connector.calls == []


async def test_json_that_is_not_an_activity_is_400(bot: BotServer) -> None:
    for body in ([1, 2], {"text": "no type"}, "just a string"):
        status, _ = await bot.post(body)  # type: ignore[arg-type]
        assert status == 400


async def test_missing_token_is_401_and_nothing_is_processed(bot: BotServer) -> None:
    await _register(bot, PM, Role.PM)
    assert bot.http is not None
    async with bot.http.post(
        f"{bot.url}/api/messages", json=message(PM, "help", bot.connector.url)
    ) as response:
        assert response.status == 401
    assert bot.connector.calls == []


async def test_invoke_with_malformed_value_is_400_not_500(bot: BotServer) -> None:
    await _register(bot, PM, Role.PM)
    for value in (
        "a string",
        [1, 2],
        {"action": "not an object"},
        {"action": {"verb": 3}},
        {"action": {"verb": "update.submit", "data": "x"}},
    ):
        activity = execute(PM, "update.submit", {}, bot.connector.url)
        activity["value"] = value
        status, body = await bot.post(activity)
        assert status == 400, (value, body)


async def test_unknown_verb_gets_a_plain_error(bot: BotServer) -> None:
    await _register(bot, PM, Role.PM)
    status, body = await bot.post(execute(PM, "no.such.verb", {}, bot.connector.url))
    assert status == 200
    assert body["statusCode"] == 400
    assert "isn't one I know" in body["value"]["message"]


async def test_other_tenant_is_refused_before_any_handler(bot: BotServer) -> None:
    await _register(bot, PM, Role.PM)
    status, _ = await bot.post(
        message(PM, "help", bot.connector.url, tenant="99999999-0000-0000-0000-000000000000")
    )
    assert status == 403
    assert bot.connector.calls == []
    week = f"{bot.clock.now.isocalendar()[0]}-W{bot.clock.now.isocalendar()[1]:02d}"
    events = await bot.services.store.audit.list(partition=week)
    assert [(e.action, e.outcome) for e in events] == [("activity.refused", "refused")]


async def test_healthz_degrades_when_storage_stops(
    table_prefix: str, oidc: LocalOidc, connector: FakeConnector
) -> None:
    own = Azurite(persistent=True)
    own.start()
    server = BotServer(bot_settings(own.connection_string, table_prefix, oidc), connector, oidc, Clock())
    await server.start()
    try:
        own.stop()
        assert server.http is not None
        async with server.http.get(
            f"{server.url}/healthz", timeout=aiohttp.ClientTimeout(total=20)
        ) as response:
            assert response.status == 503
            body = await response.json()
            assert body["status"] == "degraded"
        own.start()
        async with server.http.get(
            f"{server.url}/healthz", timeout=aiohttp.ClientTimeout(total=20)
        ) as response:
            assert response.status == 200, await response.text()
    finally:
        await server.stop()
        own.close()
