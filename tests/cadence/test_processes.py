"""Ticks as real processes (``python -m bot.cli tick``) against the test Azurite and the fake connector.

The processes get the test's storage and table prefix through the environment, and the fake connector's
``serviceUrl`` through the stored Organisation. ``MicrosoftAppId`` is empty, so the connector is called
without a token (botbuilder's "authentication disabled" path), which the fake connector accepts: these
tests are about claims, not credentials (tests/security covers those). Everything stays on loopback: the
processes' only peers are Azurite and the fake connector, both on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from bot.cadence.claims import ClaimState
from bot.domain.models import Claim, Organisation, Person, Project, Role
from tests.cadence.conftest import cards_by_person, cli_env, personal_reference
from tests.support.botserver import BotServer
from tests.support.teams import BOT_ID, TENANT, TeamsUser

WEEK = "2026-W20"
NOW = "2026-05-14T10:00:00+01:00"  # Thursday, the prompt's minute

pytestmark = pytest.mark.slow


async def seed_many(bot: BotServer, count: int, *, chats: bool = False) -> dict[str, str]:
    """``count`` PMs with one project each, linked to Teams; returns Teams id -> email."""
    store = bot.services.store
    await store.organisation.upsert(
        record=Organisation(name="Many", service_url=bot.connector.url, tenant_id=TENANT, bot_id=BOT_ID)
    )
    users = {}
    for n in range(count):
        user = TeamsUser(f"PM {n:03d}", f"pm{n:03d}@example.org", f"aad-pm{n:03d}")
        users[user.id] = user.email
        await store.people.save(
            record=Person(
                user.email,
                user.name,
                roles=frozenset({Role.PM}),
                teams_user_id=user.id,
                aad_object_id=user.aad,
            )
        )
        await store.projects.save(record=Project(f"p{n:03d}", f"Project {n:03d}", user.email, order=n))
        if chats:
            await store.conversations.save(record=personal_reference(user, bot.connector.url))
    # Last week was closed already, so these processes only prompt (the digest belongs to another test).
    for job in ("close", "digest", "retention"):
        await store.claims.save(record=Claim(week="2026-W19", job=job, state=ClaimState.DONE.value))
    return users


async def start_tick(bot: BotServer, cwd: Path, *args: str, now: str = NOW) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        "tick",
        "--now",
        now,
        *args,
        cwd=cwd,  # no .env here
        env=cli_env(bot),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def finish(process: asyncio.subprocess.Process, timeout: float = 90) -> str:
    out, err = await asyncio.wait_for(process.communicate(), timeout)
    text = out.decode() + err.decode()
    assert process.returncode == 0, text
    return text


def count_in(report: str, what: str) -> int:
    """``N what`` from a tick report's summary line (0 if absent)."""
    for line in report.splitlines():
        for part in line.strip().split(", "):
            number, _, rest = part.partition(" ")
            if rest == what and number.isdigit():
                return int(number)
    return 0


async def test_three_tick_processes_racing_prompt_each_person_exactly_once(
    bot: BotServer, tmp_path: Path
) -> None:
    users = await seed_many(bot, 24)
    bot.connector.delay = 0.2  # slow enough that the three fan-outs overlap
    processes = [await start_tick(bot, tmp_path, "--concurrency", "2") for _ in range(3)]
    reports = [await finish(p) for p in processes]

    assert cards_by_person(bot.connector, users) == Counter({email: 1 for email in users.values()})
    sent = [count_in(r, "sent") for r in reports]
    assert sum(sent) == 24, reports
    assert sum(1 for n in sent if n) >= 2, reports  # they did race: the work was shared
    claims = await bot.services.store.claims.list(partition=WEEK)
    prompts = [c for c in claims if c.job.startswith("prompt:")]
    assert len(prompts) == 24 and {c.state for c in prompts} == {ClaimState.DONE}
    assert len({c.owner for c in prompts}) >= 2


async def test_kill_9_mid_fan_out_then_tick_again_prompts_everyone_exactly_once(
    bot: BotServer, tmp_path: Path
) -> None:
    users = await seed_many(bot, 12, chats=True)
    bot.connector.delay = 1.0  # each post takes a second: the kill lands with posts in flight
    victim = await start_tick(bot, tmp_path, "--concurrency", "2")
    deadline = time.monotonic() + 60
    while len(bot.connector.sent()) < 4:
        assert time.monotonic() < deadline, "the first tick never got going"
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.4)  # into the next round of posts
    victim.kill()  # SIGKILL: no cleanup, no finally
    await victim.wait()  # reaped, so its pid is gone
    await asyncio.sleep(bot.connector.delay + 0.5)  # posts already on the wire land at the connector

    delivered = cards_by_person(bot.connector, users)
    assert 4 <= sum(delivered.values()) < 12 and set(delivered.values()) == {1}
    left = {c.job: c.state for c in await bot.services.store.claims.list(partition=WEEK)}
    mid_post = [job for job, state in left.items() if state == ClaimState.SENDING]
    assert mid_post, left  # the kill did land mid-post

    bot.connector.delay = 0.0
    report = await finish(await start_tick(bot, tmp_path))
    # What was on the wire never reached the connector (it was still reading the request when the process
    # died), so posting it again is right: everyone ends with exactly one prompt.
    assert count_in(report, "resent after a crash") == len(mid_post), report
    assert cards_by_person(bot.connector, users) == Counter({email: 1 for email in users.values()}), report

    # Later ticks change nothing.
    again = await finish(await start_tick(bot, tmp_path, now="2026-05-14T11:00:00+01:00"))
    assert count_in(again, "sent") == 0 and count_in(again, "already done") == 12, again
    assert cards_by_person(bot.connector, users) == Counter({email: 1 for email in users.values()})
    final = await bot.services.store.claims.list(partition=WEEK)
    assert {c.state for c in final if c.job.startswith("prompt:")} == {ClaimState.DONE}
    assert {c.attempts for c in final if c.job in mid_post} == {2}
