"""Rate limits and retry waits: pure, with a fake clock; then against the fake connector's enforced limit."""

from __future__ import annotations

import asyncio
import random
import time
from datetime import UTC, datetime

import pytest

from bot.cadence.ratelimit import TEAMS_CONVERSATION, OutboundLimits, RateLimiter, Window
from bot.domain.models import Project
from bot.teams.messenger import RetryPolicy, parse_retry_after
from tests.cadence.conftest import cards_by_person, tick_at
from tests.support.botserver import BotServer
from tests.support.org import PM_ONE


class FakeTime:
    """A monotonic clock that only moves when slept on."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def _in_any_window(stamps: list[float], window: Window) -> int:
    """The most sends inside any window of ``window.seconds`` (inclusive ends, as the fake counts)."""
    return max(sum(1 for t in stamps if start <= t <= start + window.seconds) for start in stamps)


async def test_conversation_limit_keeps_every_teams_window() -> None:
    fake = FakeTime()
    limiter = RateLimiter(TEAMS_CONVERSATION, margin=0.0, clock=fake, sleep=fake.sleep)
    stamps = []
    for _ in range(130):
        await limiter.acquire("chat")
        stamps.append(fake.now)
        fake.now += 0.001  # the send itself
    for window in TEAMS_CONVERSATION[:3]:
        assert _in_any_window(stamps, Window(window.count, window.seconds - 1e-9)) <= window.count
    # 60 in 30 s is the binding limit over 130 sends: about a minute, not less.
    assert 60 <= stamps[-1] <= 70


async def test_keys_are_independent_and_a_free_key_never_waits() -> None:
    fake = FakeTime()
    limiter = RateLimiter((Window(2, 1.0),), margin=0.0, clock=fake, sleep=fake.sleep)
    for _ in range(2):
        await limiter.acquire("a")
    await limiter.acquire("b")
    assert fake.slept == []
    await limiter.acquire("a")
    assert fake.slept == [pytest.approx(1.0)]


async def test_outbound_limits_count_conversation_and_tenant_at_the_same_instant() -> None:
    fake = FakeTime()
    limits = OutboundLimits.teams(tenant_rps=5, clock=fake, sleep=fake.sleep)
    stamps = []
    for n in range(20):
        await limits.acquire(f"chat-{n % 10}")
        stamps.append(fake.now)
    assert _in_any_window(stamps, Window(5, 1.0)) <= 5
    assert 3.0 <= stamps[-1] <= 3.5  # 20 sends at 5 a second (plus the margin)


async def test_many_waiters_share_a_limit_without_exceeding_it() -> None:
    limiter = RateLimiter((Window(10, 0.2),), margin=0.0)
    stamps: list[float] = []

    async def send() -> None:
        await limiter.acquire()
        stamps.append(time.monotonic())

    await asyncio.gather(*(send() for _ in range(40)))
    assert len(stamps) == 40
    assert _in_any_window(sorted(stamps), Window(10, 0.2 - 0.01)) <= 10


def test_limits_must_make_sense() -> None:
    with pytest.raises(ValueError, match="at least one send"):
        RateLimiter(())
    with pytest.raises(ValueError, match="at least one send"):
        RateLimiter((Window(0, 1.0),))


def test_backoff_grows_with_full_jitter_and_honours_retry_after() -> None:
    policy = RetryPolicy(base_delay=0.5, max_delay=4.0)
    rng = random.Random(7)
    for attempt, ceiling in ((1, 0.5), (2, 1.0), (3, 2.0), (4, 4.0), (5, 4.0), (9, 4.0)):
        waits = [policy.backoff(attempt, None, rng) for _ in range(200)]
        assert ceiling / 2 <= min(waits) and max(waits) <= ceiling
        assert max(waits) - min(waits) > ceiling / 4  # jittered, not constant
    assert all(10.0 <= policy.backoff(1, 10.0, rng) <= 10.5 for _ in range(50))


def test_retry_after_is_read_as_seconds_or_an_http_date() -> None:
    now = datetime(2026, 5, 14, 9, 0, tzinfo=UTC)
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after(" 1.5 ") == 1.5
    assert parse_retry_after("Thu, 14 May 2026 09:00:30 GMT", now) == 30.0
    assert parse_retry_after("Thu, 14 May 2026 08:00:00 GMT", now) == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None and parse_retry_after("") is None


@pytest.mark.slow
async def test_one_person_with_many_projects_is_paced_under_the_connectors_limit(org: BotServer) -> None:
    # Priya owns 12 projects: 12 posts to one chat must keep to 7 a second, so no 429 is ever provoked.
    store = org.services.store
    for n in range(10):
        await store.projects.save(record=Project(f"extra-{n:02d}", f"Extra {n}", PM_ONE.email, order=10 + n))
    org.connector.rate_limit = (7, 1.0)
    started = time.monotonic()
    report = await tick_at(org, datetime(2026, 5, 14, 9, 0, tzinfo=UTC))
    elapsed = time.monotonic() - started
    assert org.connector.rate_limited == 0
    assert cards_by_person(org.connector)[PM_ONE.email] == 12
    assert len(report.sent) == 14
    assert elapsed >= 1.0  # 12 posts to one chat cannot go in under a second
