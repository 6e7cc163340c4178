"""Retention against Azurite: answers, engagement and posts older than the period go; the rest stays."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from bot.domain.models import (
    AuditEvent,
    Edition,
    Engagement,
    PostedMessage,
    SeenActivity,
    Update,
)
from bot.domain.weeks import add_weeks
from bot.ports import Sent, Services
from bot.privacy.retention import apply_retention, effective_retention_weeks, retention_cutoff
from bot.settings import Settings
from bot.storage.tables import TableStore
from tests.privacy.conftest import NOW

THIS_WEEK = "2026-W20"


class NoMessenger:
    """Retention never sends anything."""

    async def send_to_person(self, **kw: Any) -> Sent:
        raise AssertionError("retention sent a message")

    async def post_to_channel(self, **kw: Any) -> Sent:
        raise AssertionError("retention posted")

    async def update_message(self, **kw: Any) -> None:
        raise AssertionError("retention updated a message")


def services(store: TableStore, weeks: int) -> Services:
    return Services(
        settings=Settings(retention_weeks=weeks), store=store, messenger=NoMessenger(), clock=lambda: NOW
    )


async def seed_weeks(store: TableStore, count: int = 12) -> list[str]:
    """Answers, posts, reactions, an edition and an audit event in each of the last ``count`` weeks."""
    weeks = [add_weeks(THIS_WEEK, -n) for n in range(count)]
    for week in weeks:
        await store.updates.upsert(record=Update(week=week, project_id="p1", answers={"a": week}))
        await store.updates.upsert(record=Update(week=week, project_id="p2"))
        await store.posts.upsert(record=PostedMessage(week, "headline", f"post-{week}", "19:c"))
        await store.engagement.upsert(record=Engagement(week, f"post-{week}", "x@example.org", "like"))
        await store.editions.upsert(record=Edition(week=week, director_note=f"note {week}"))
        await store.audit.upsert(record=AuditEvent(week, f"e-{week}", NOW, "x@example.org", "update.submit"))
    return weeks


async def weeks_holding(store: TableStore) -> dict[str, list[str]]:
    from bot.privacy.partitions import partitions

    return {table: await partitions(store, table) for table in ("updates", "posts", "engagement", "audit")}


@pytest.mark.parametrize(
    ("settings_weeks", "organisation_weeks", "expected"),
    [(0, 0, 0), (10, 0, 10), (0, 10, 10), (52, 6, 6), (6, 52, 6)],
)
def test_the_stricter_period_wins_and_zero_sets_no_limit(
    settings_weeks: int, organisation_weeks: int, expected: int
) -> None:
    assert effective_retention_weeks(settings_weeks, organisation_weeks) == expected


def test_cutoff_keeps_this_week_and_the_n_before() -> None:
    assert retention_cutoff(NOW, 0) is None
    assert retention_cutoff(NOW, 1) == "2026-W19"
    assert retention_cutoff(NOW, 6) == "2026-W14"
    assert retention_cutoff(NOW.replace(year=2027, month=1, day=2), 2) == "2026-W51"


async def test_older_answers_engagement_and_posts_are_deleted(store: TableStore) -> None:
    weeks = await seed_weeks(store)
    deleted = await apply_retention(services(store, 6), NOW)
    kept = [w for w in weeks if w >= "2026-W14"]
    assert len(kept) == 7 and deleted == 3 * (len(weeks) - 7) + (len(weeks) - 7)
    holding = await weeks_holding(store)
    assert holding["updates"] == holding["posts"] == holding["engagement"] == sorted(kept)
    # Editions and the audit trail are organisational and security records: kept.
    assert len(await store.editions.list(partition=Edition.partition_key)) == len(weeks)
    assert set(weeks) <= set(holding["audit"])
    [event] = [e for e in await store.audit.list(partition=THIS_WEEK) if e.action == "retention.applied"]
    assert event.actor == "weeknotes" and event.target == "2026-W14" and "updates: 10" in event.detail


async def test_zero_keeps_every_answer(store: TableStore) -> None:
    weeks = await seed_weeks(store)
    assert await apply_retention(services(store, 0), NOW) == 0
    assert (await weeks_holding(store))["updates"] == sorted(weeks)


async def test_the_organisations_shorter_period_applies(store: TableStore) -> None:
    from bot.domain.models import Organisation

    weeks = await seed_weeks(store)
    await store.organisation.upsert(record=Organisation(name="DDaT", retention_weeks=2))
    await apply_retention(services(store, 52), NOW)
    assert (await weeks_holding(store))["updates"] == sorted(weeks[:3])


async def test_running_again_deletes_nothing_more(store: TableStore) -> None:
    await seed_weeks(store)
    assert await apply_retention(services(store, 4), NOW) > 0
    assert await apply_retention(services(store, 4), NOW) == 0


async def test_duplicate_markers_older_than_a_week_go_whatever_the_period(store: TableStore) -> None:
    for days in (0, 1, 6, 8, 30):
        day = (NOW - timedelta(days=days)).strftime("%Y-%m-%d")
        await store.seen.upsert(record=SeenActivity(day, f"a:chat|in-{days}|message", NOW))
    assert await apply_retention(services(store, 0), NOW) == 2
    from bot.privacy.partitions import partitions

    assert await partitions(store, "seen") == ["2026-05-08", "2026-05-13", "2026-05-14"]
