"""A crowd of project managers, one project each, all submitting at once: for the load test and the benches.

Everyone is seeded as they are in a steady week: on the roster with their Teams ids already linked, one
full-template project with two metrics, and last week's answers (which the summary compares against).
"""

from __future__ import annotations

import asyncio
import statistics
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp

from bot.domain.models import Metric, Organisation, Person, Project, Rag, Role, Template, Update, UpdateState
from bot.storage.protocol import Store
from tests.support.azurite import Azurite
from tests.support.botserver import BotServer, Clock, bot_settings
from tests.support.connector import FakeConnector
from tests.support.oidc import LocalOidc
from tests.support.teams import BOT_ID, CHANNEL_ID, TEAM_ID, TENANT, TeamsUser, execute

WEEK = "2026-W20"
LAST_WEEK = "2026-W19"
CARD = "application/vnd.microsoft.card.adaptive"
METRICS = (Metric("Active users", "users"), Metric("Open tickets", "tickets"))


@dataclass(frozen=True)
class Member:
    """One PM of the crowd and their project."""

    user: TeamsUser
    project: Project


def _chunks(items: Sequence[Any], size: int = 100) -> list[Sequence[Any]]:
    return [items[start : start + size] for start in range(0, len(items), size)]


async def seed_crowd(store: Store, connector: FakeConnector, count: int) -> list[Member]:
    """Store an organisation of ``count`` PMs with one project each (batched, so seeding stays quick)."""
    await store.organisation.upsert(
        record=Organisation(
            name="Load",
            team_id=TEAM_ID,
            channel_id=CHANNEL_ID,
            service_url=connector.url,
            tenant_id=TENANT,
            bot_id=BOT_ID,
        )
    )
    members = []
    for n in range(count):
        user = TeamsUser(f"PM {n:04d}", f"pm{n:04d}@example.org", f"aad-pm{n:04d}")
        project = Project(
            f"p{n:04d}", f"Project {n:04d}", user.email, Template.FULL, metrics=METRICS, order=n
        )
        members.append(Member(user, project))
        connector.add_member(user.member())
    people = [
        Person(
            m.user.email,
            m.user.name,
            "Project Manager",
            frozenset({Role.PM}),
            aad_object_id=m.user.aad,
            teams_user_id=m.user.id,
        )
        for m in members
    ]
    previous = [
        Update(
            LAST_WEEK,
            m.project.project_id,
            UpdateState.SUBMITTED,
            Rag.GREEN,
            answers={"status_reason": "on track"},
            metric_values={"Active users": 100.0, "Open tickets": 9.0},
            author=m.user.email,
        )
        for m in members
    ]
    jobs = [
        *(store.people.save_batch(records=chunk) for chunk in _chunks(people)),
        *(store.projects.save_batch(records=chunk) for chunk in _chunks([m.project for m in members])),
        *(store.updates.save_batch(records=chunk) for chunk in _chunks(previous)),
    ]
    await asyncio.gather(*jobs)
    return members


def answers(member: Member) -> dict[str, str]:
    """A whole, valid full-template update for ``member``'s project."""
    n = member.project.project_id
    return {
        "project": n,
        "week": WEEK,
        "rag": "amber",
        "status_reason": f"{n}: supplier slipped a week",
        "overview": f"{n} is in its adoption phase. " * 10,
        "achievements": "Guidance published\n  - to 400 staff\nTraining delivered\n  - 6 sessions",
        "in_progress": "Usage reporting refresh",
        "metric_0": "2,409",
        "metric_1": "12",
        "data_period": "4 to 10 May 2026",
        "workstreams": "Deployment: complete\nAdoption: in progress",
        "risks": "Supplier capacity in June",
        "planned": "Next usage report\nHandover to service",
    }


def submission(member: Member, service_url: str) -> dict[str, Any]:
    """The Action.Execute Teams posts when ``member`` presses Submit."""
    return execute(member.user, "update.submit", answers(member), service_url)


@dataclass(frozen=True)
class Outcome:
    """One request's answer."""

    status: int
    kind: str
    seconds: float
    detail: str = ""


async def fire(
    url: str, token: str, activities: Sequence[dict[str, Any]], *, timeout: float = 60
) -> list[Outcome]:
    """POST every activity to ``url`` at once (no client-side connection limit); each one's answer."""
    connector = aiohttp.TCPConnector(limit=0)
    headers = {"Authorization": f"Bearer {token}"}
    async with aiohttp.ClientSession(
        connector=connector, timeout=aiohttp.ClientTimeout(total=timeout)
    ) as http:

        async def one(activity: dict[str, Any]) -> Outcome:
            started = time.monotonic()
            try:
                async with http.post(f"{url}/api/messages", json=activity, headers=headers) as response:
                    body = await response.json(content_type=None) if response.status == 200 else None
                    kind = str(body.get("type", "")) if isinstance(body, dict) else ""
                    value = body.get("value") if isinstance(body, dict) else None
                    detail = str(value.get("message", ""))[:80] if isinstance(value, dict) else ""
                    return Outcome(response.status, kind, time.monotonic() - started, detail)
            except (aiohttp.ClientError, TimeoutError) as error:
                return Outcome(0, type(error).__name__, time.monotonic() - started)

        return list(await asyncio.gather(*(one(activity) for activity in activities)))


def percentile(values: Sequence[float], fraction: float) -> float:
    """The ``fraction`` percentile (nearest rank) of ``values``."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))]


def summary(outcomes: Sequence[Outcome], wall: float) -> dict[str, float]:
    """Latency percentiles (ms), throughput (requests/s) and error count."""
    seconds = [o.seconds for o in outcomes]
    return {
        "requests": len(outcomes),
        "p50_ms": percentile(seconds, 0.50) * 1000,
        "p95_ms": percentile(seconds, 0.95) * 1000,
        "p99_ms": percentile(seconds, 0.99) * 1000,
        "mean_ms": statistics.fmean(seconds) * 1000,
        "throughput_rps": len(outcomes) / wall if wall else 0.0,
        # Anything but a 200 carrying the summary card: a 5xx, a timeout, or "not saved, press again".
        "errors": sum(1 for o in outcomes if o.status != 200 or o.kind != CARD),
    }


@asynccontextmanager
async def running_bot(pms: int) -> AsyncIterator[tuple[BotServer, list[Member], Azurite]]:
    """For the benches: Azurite (in memory), a loopback OpenID issuer, the fake connector and the real app
    with authentication on, all on 127.0.0.1, with ``pms`` project managers seeded."""
    azurite = Azurite()
    azurite.start()
    oidc = LocalOidc()
    oidc.start()
    connector = FakeConnector()
    await connector.start()
    prefix = "bench" + uuid.uuid4().hex[:8]
    bot = BotServer(bot_settings(azurite.connection_string, prefix, oidc), connector, oidc, Clock())
    try:
        await bot.start()
        crowd = await seed_crowd(bot.services.store, connector, pms)
        yield bot, crowd, azurite
    finally:
        await bot.stop()
        await connector.stop()
        oidc.stop()
        azurite.close()


async def stored_once(bot: BotServer, crowd: Sequence[Member]) -> tuple[int, int]:
    """(projects with exactly one submitted Update this week, ``update.submit`` audit events)."""
    updates = await bot.services.store.updates.list(partition=WEEK)
    submitted = {u.project_id for u in updates if u.state is UpdateState.SUBMITTED}
    week = f"{bot.clock.now.isocalendar()[0]}-W{bot.clock.now.isocalendar()[1]:02d}"
    events = [e for e in await bot.services.store.audit.list(partition=week) if e.action == "update.submit"]
    return len(submitted & {m.project.project_id for m in crowd}), len(events)


def report(title: str, figures: dict[str, float]) -> str:
    """One line of figures."""
    return (
        f"{title:<28} p50 {figures['p50_ms']:8.0f} ms   p95 {figures['p95_ms']:8.0f} ms   "
        f"p99 {figures['p99_ms']:8.0f} ms   {figures['throughput_rps']:7.1f} req/s   "
        f"errors {figures['errors']:.0f}"
    )
