"""The in-process scheduler: ticks on its own, survives a failing tick, stops gracefully, never blocks
``/api/messages`` while a slow fan-out runs."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.cadence.loop import run_scheduler
from bot.cadence.report import TickReport
from bot.cadence.tick import tick
from bot.domain.models import Person, Project, Role
from bot.ports import Services
from tests.support.botserver import BotServer
from tests.support.org import FULL, PM_ONE
from tests.support.teams import execute

THURSDAY_10 = datetime(2026, 5, 14, 9, 0, tzinfo=UTC)


async def test_with_an_injected_clock_the_scheduler_leaves_ticking_to_the_test(bot: BotServer) -> None:
    calls: list[datetime] = []

    async def counting(services: Services, now: datetime, **kw: Any) -> TickReport:
        calls.append(now)
        return TickReport(now=now, timezone="Europe/London")

    await asyncio.wait_for(run_scheduler(bot.services, interval=0.01, tick_function=counting), 1)
    assert calls == []


async def test_scheduler_ticks_every_interval_and_survives_a_failing_tick(
    bot: BotServer, caplog: pytest.LogCaptureFixture
) -> None:
    calls: list[datetime] = []
    enough = asyncio.Event()

    async def flaky(services: Services, now: datetime, **kw: Any) -> TickReport:
        calls.append(now)
        if len(calls) == 2:
            raise RuntimeError("storage hiccup")
        if len(calls) >= 4:
            enough.set()
        return TickReport(now=now, timezone="Europe/London")

    task = asyncio.create_task(
        run_scheduler(bot.services, interval=0.02, only_real_clock=False, tick_function=flaky)
    )
    await asyncio.wait_for(enough.wait(), 5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert "cadence tick at" in caplog.text and "storage hiccup" in caplog.text


async def test_stopping_lets_the_tick_in_flight_finish_and_take_no_new_job(bot: BotServer) -> None:
    seen: dict[str, bool] = {}
    started = asyncio.Event()

    async def slow(services: Services, now: datetime, *, stopping: asyncio.Event, **kw: Any) -> TickReport:
        started.set()
        await asyncio.sleep(0.3)  # a post in flight
        seen["stopping"] = stopping.is_set()
        seen["finished"] = True
        return TickReport(now=now, timezone="Europe/London")

    task = asyncio.create_task(
        run_scheduler(bot.services, interval=60, only_real_clock=False, tick_function=slow)
    )
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert seen == {"stopping": True, "finished": True}


@pytest.mark.slow
async def test_messages_are_answered_while_a_slow_fan_out_runs(org: BotServer) -> None:
    store = org.services.store
    for n in range(60):
        email = f"pm{n:03d}@example.org"
        await store.people.save(
            record=Person(email, f"PM {n}", roles=frozenset({Role.PM}), teams_user_id=f"29:aad-pm{n:03d}")
        )
        await store.projects.save(record=Project(f"p{n:03d}", f"Project {n}", email, order=100 + n))
    org.connector.delay = 0.25

    async def at_thursday(services: Services, now: datetime, **kw: Any) -> TickReport:
        return await tick(services, THURSDAY_10, **kw)

    org.clock.now = THURSDAY_10
    began = time.monotonic()
    scheduler = asyncio.create_task(
        run_scheduler(org.services, interval=3600, only_real_clock=False, tick_function=at_thursday)
    )
    await org.connector.wait_for(10, timeout=30)  # the fan-out is under way
    asked = time.monotonic()
    edit = execute(PM_ONE, "update.edit", {"project": FULL.project_id, "week": "2026-W20"}, org.connector.url)
    status, body = await org.post(edit)
    answered = time.monotonic() - asked
    running = len(org.connector.sent()) < 64
    await org.connector.wait_for(64, timeout=60)
    fan_out = time.monotonic() - began
    scheduler.cancel()
    with pytest.raises(asyncio.CancelledError):
        await scheduler
    assert status == 200 and body["statusCode"] == 200 and running
    assert answered < fan_out / 3, (answered, fan_out)
