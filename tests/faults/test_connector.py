"""The Bot Connector failing while the bot replies or posts: 429, 5xx, slowness.

Two policies, both checked here against the recording fake connector:

- proactive sends (``TeamsMessenger``: prompts, channel posts, hand-overs) retry 429/5xx up to 5 times with
  exponential backoff and jitter, honouring ``Retry-After``; 403 ``MessageWritesBlocked`` is final;
- in-turn replies (``bot.teams.replies``) retry 429/5xx up to 3 times within about 2 s, give up at
  once on a longer ``Retry-After``, never retry a call that timed out (it may have been delivered), and
  report the failure in the log with the activity id: the turn still answers well within Teams' 15 s.
"""

from __future__ import annotations

import logging
import time

import pytest

from bot.domain.models import ConversationRef
from bot.teams.adapter import create_adapter
from bot.teams.messenger import DeliveryError, RecipientBlockedError, RetryPolicy, TeamsMessenger
from bot.teams.replies import REPLY_TIMEOUT
from tests.support.botserver import BotServer, StaticCredentialsFactory
from tests.support.org import PM_ONE, seed
from tests.support.teams import message

SEND = r"^POST /v3/conversations/[^/]+/activities"


@pytest.fixture
async def org(bot: BotServer) -> BotServer:
    await seed(bot.services.store, bot.connector)
    # PM_ONE talks to the bot once while the connector is healthy: linked, with a stored 1:1 reference.
    assert (await bot.post(message(PM_ONE, "help", bot.connector.url)))[0] == 200
    bot.connector.calls.clear()
    return bot


def attempts(bot: BotServer) -> int:
    """Calls that reached the connector's send endpoint, failed or not."""
    failed = int(getattr(bot.connector, "failed", 0))
    return len([c for c in bot.connector.calls if c.method in {"SEND", "REPLY"}]) + failed


@pytest.fixture(autouse=True)
def count_faults(connector: object, monkeypatch: pytest.MonkeyPatch) -> None:
    """Count injected failures on the fake connector (it only records calls that succeed)."""
    from tests.support.connector import FakeConnector

    assert isinstance(connector, FakeConnector)
    connector.failed = 0  # type: ignore[attr-defined]
    real = connector._fault_for

    def counting(key: str) -> object:
        fault = real(key)
        if fault is not None:
            connector.failed += 1  # type: ignore[attr-defined]
        return fault

    monkeypatch.setattr(connector, "_fault_for", counting)


# ---- in-turn replies ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "headers"),
    [(429, {"Retry-After": "1"}), (500, {}), (502, {}), (503, {}), (504, {})],
)
async def test_a_reply_is_retried_and_delivered_once(
    org: BotServer, status: int, headers: dict[str, str]
) -> None:
    org.connector.fail(SEND, status, times=1, headers=headers)
    started = time.monotonic()
    assert (await org.post(message(PM_ONE, "help", org.connector.url)))[0] == 200
    seconds = time.monotonic() - started
    assert len(org.connector.sent(PM_ONE.conversation_id)) == 1
    assert attempts(org) == 2
    if "Retry-After" in headers:
        assert seconds >= 1.0, "Retry-After is honoured"
    assert seconds < 5


async def test_a_reply_that_keeps_failing_is_reported_not_retried_forever(
    org: BotServer, caplog: pytest.LogCaptureFixture
) -> None:
    org.connector.fail(SEND, 500, times=100)
    started = time.monotonic()
    activity = message(PM_ONE, "help", org.connector.url)
    status, _ = await org.post(activity)
    assert status == 200  # Teams must not see a 5xx (nor resend): the failure is ours to report
    assert time.monotonic() - started < 5
    assert attempts(org) == 3
    reported = [r for r in caplog.records if r.levelno >= logging.ERROR and activity["id"] in r.getMessage()]
    assert reported and "DeliveryError" in reported[0].getMessage()


async def test_a_long_retry_after_gives_up_at_once(org: BotServer) -> None:
    org.connector.fail(SEND, 429, times=100, headers={"Retry-After": "30"})
    started = time.monotonic()
    assert (await org.post(message(PM_ONE, "help", org.connector.url)))[0] == 200
    assert time.monotonic() - started < 3
    assert attempts(org) == 1


async def test_a_client_error_is_not_retried(org: BotServer) -> None:
    org.connector.fail(SEND, 400, times=100)
    assert (await org.post(message(PM_ONE, "help", org.connector.url)))[0] == 200
    assert attempts(org) == 1


@pytest.mark.slow
async def test_a_silent_connector_is_given_up_on_within_the_turn(org: BotServer) -> None:
    org.connector.delay = REPLY_TIMEOUT + 5
    started = time.monotonic()
    assert (await org.post(message(PM_ONE, "help", org.connector.url)))[0] == 200
    seconds = time.monotonic() - started
    org.connector.delay = 0
    assert seconds < REPLY_TIMEOUT + 2 < 15


async def test_a_failed_reply_releases_the_duplicate_marker(org: BotServer) -> None:
    """Nothing was delivered, so a resend of the same activity is handled again (and answered)."""
    activity = message(PM_ONE, "help", org.connector.url)
    org.connector.fail(SEND, 500, times=3)
    await org.post(activity)
    assert org.connector.sent(PM_ONE.conversation_id) == []
    await org.post(activity)
    assert len(org.connector.sent(PM_ONE.conversation_id)) == 1


# ---- proactive sends ----------------------------------------------------------------------------


def fast_messenger(bot: BotServer, sleeps: list[float]) -> TeamsMessenger:
    """The app's messenger policy with recorded, instant sleeps (the policy is what is under test)."""

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    adapter = create_adapter(bot.settings, StaticCredentialsFactory())
    return TeamsMessenger(adapter, bot.services.store, app_id=bot.settings.app_id, sleep=sleep)


async def test_proactive_send_honours_retry_after_then_delivers_once(org: BotServer) -> None:
    sleeps: list[float] = []
    messenger = fast_messenger(org, sleeps)
    org.connector.fail(SEND, 429, times=2, headers={"Retry-After": "7"})
    await messenger.send_to_person(email=PM_ONE.email, text="Your weekly prompt")
    assert [c.text for c in org.connector.sent()] == ["Your weekly prompt"]
    assert len(sleeps) == 2 and all(s >= 7 for s in sleeps)


async def test_proactive_send_backs_off_exponentially_then_reports(org: BotServer) -> None:
    sleeps: list[float] = []
    messenger = fast_messenger(org, sleeps)
    org.connector.fail(SEND, 503, times=100)
    with pytest.raises(DeliveryError, match="after 5 attempt"):
        await messenger.send_to_person(email=PM_ONE.email, text="x")
    policy = RetryPolicy()
    assert len(sleeps) == policy.attempts - 1
    for n, slept in enumerate(sleeps):
        ceiling = min(policy.max_delay, policy.base_delay * 2**n)
        assert ceiling / 2 <= slept <= ceiling  # jittered within the doubling envelope
    assert org.connector.sent() == []


async def test_proactive_send_to_someone_who_blocked_the_bot_is_final(org: BotServer) -> None:
    sleeps: list[float] = []
    messenger = fast_messenger(org, sleeps)
    org.connector.fail(SEND, 403, times=100, code="MessageWritesBlocked")
    with pytest.raises(RecipientBlockedError):
        await messenger.send_to_person(email=PM_ONE.email, text="x")
    assert sleeps == [] and attempts(org) == 1


async def test_proactive_send_survives_a_missing_chat_then_a_throttled_create(org: BotServer) -> None:
    """No stored 1:1 chat: it is created from the roster (retried on 429) and then written to."""
    from dataclasses import replace

    from bot.domain.models import Person

    person = await org.services.store.people.get(partition=Person.partition_key, key=PM_ONE.email)
    assert person is not None and person.teams_user_id
    await org.services.store.conversations.delete(
        record=ConversationRef(key=f"personal:{PM_ONE.email}", reference={})
    )
    await org.services.store.people.save(record=replace(person))
    sleeps: list[float] = []
    org.connector.fail(r"^POST /v3/conversations$", 429, times=1, headers={"Retry-After": "2"})
    await fast_messenger(org, sleeps).send_to_person(email=PM_ONE.email, text="hello again")
    assert sleeps and sleeps[0] >= 2
    assert [c.text for c in org.connector.sent()] == ["hello again"]


async def test_the_apps_messenger_sees_proactive_failures(org: BotServer) -> None:
    """Through the app's own adapter, whose on_turn_error handles inbound turns: a proactive failure must
    reach the messenger (not be swallowed as if delivered), and nobody is sent 'something went wrong'."""
    org.connector.fail(SEND, 403, times=100, code="MessageWritesBlocked")
    with pytest.raises(RecipientBlockedError):
        await org.services.messenger.send_to_person(email=PM_ONE.email, text="Your weekly prompt")
    assert org.connector.sent() == []
    assert attempts(org) == 1


async def test_the_apps_messenger_retries_a_throttled_prompt_once_delivered(org: BotServer) -> None:
    org.connector.fail(SEND, 429, times=1, headers={"Retry-After": "1"})
    await org.services.messenger.send_to_person(email=PM_ONE.email, text="Your weekly prompt")
    assert [c.text for c in org.connector.sent()] == ["Your weekly prompt"]
    assert attempts(org) == 2
