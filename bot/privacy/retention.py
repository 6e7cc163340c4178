"""Retention: deleting answers older than the organisation keeps them.

The period is ``retention_weeks``: the stricter (shorter) of ``WEEKNOTES_RETENTION_WEEKS`` and the
organisation's own setting, where 0 means "no limit" from that source (so 0 and 0 keeps everything).
With a period of N weeks, the current ISO week and the N weeks before it are kept; older weeks lose:

- their answers (``Update`` records),
- the reactions and comments on their weeknote (``Engagement``),
- the record of what was posted (``PostedMessage``).

Editions (the director's note and highlights, and when the week was published) and audit events are
organisational and security records and are kept. Duplicate-delivery markers are not personal answers but
are only needed while Teams might resend (minutes), so markers older than ``SEEN_DAYS`` go on every run,
whatever the period: that keeps the de-duplication window bounded.

The cadence tick calls :func:`apply_retention` once a week; it is idempotent and safe to run at any time.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.domain.models import Organisation
from bot.domain.weeks import add_weeks, week_of
from bot.ports import Services
from bot.privacy.partitions import partitions
from bot.storage.protocol import Store

log = logging.getLogger(__name__)

SEEN_DAYS = 7
WEEKLY_TABLES = ("updates", "engagement", "posts")


def effective_retention_weeks(settings_weeks: int, organisation_weeks: int) -> int:
    """The stricter of the two periods; 0 from one source means that source sets no limit."""
    limits = [weeks for weeks in (settings_weeks, organisation_weeks) if weeks > 0]
    return min(limits) if limits else 0


def retention_cutoff(now: datetime, weeks: int) -> str | None:
    """The oldest week still kept with a period of ``weeks`` (``None``: everything is kept)."""
    if weeks <= 0:
        return None
    return add_weeks(week_of(now.date()), -weeks)


async def retention_weeks_of(store: Store, settings_weeks: int) -> int:
    """The period in force: ``settings_weeks`` (``WEEKNOTES_RETENTION_WEEKS``) and the organisation's own."""
    organisation = await store.organisation.get(
        partition=Organisation.partition_key, key=Organisation.row_key
    )
    return effective_retention_weeks(settings_weeks, organisation.retention_weeks if organisation else 0)


async def apply_retention(services: Services, now: datetime) -> int:
    """Delete what is older than the retention period (and stale duplicate markers).

    Args:
        services: The shared services (store, settings, clock).
        now: The time of this run.

    Returns:
        How many records were deleted.

    Raises:
        StorageUnavailableError: Storage could not be reached (the next run catches up).
    """
    from bot.teams.audit import record_audit

    store = services.store
    weeks = await retention_weeks_of(store, services.settings.retention_weeks)
    cutoff = retention_cutoff(now, weeks)
    deleted: dict[str, int] = {}
    if cutoff is not None:
        for table in WEEKLY_TABLES:
            repository = getattr(store, table)
            for week in await partitions(store, table, before=cutoff):
                deleted[table] = deleted.get(table, 0) + await repository.delete_partition(partition=week)
    oldest_day = (now - timedelta(days=SEEN_DAYS)).strftime("%Y-%m-%d")
    for day in await partitions(store, "seen", before=oldest_day):
        deleted["seen"] = deleted.get("seen", 0) + await store.seen.delete_partition(partition=day)
    total = sum(deleted.values())
    if total:
        detail = ", ".join(f"{table}: {count}" for table, count in sorted(deleted.items()))
        log.info("retention removed %d records (%s) before %s", total, detail, cutoff or "-")
        await record_audit(
            services, actor="weeknotes", action="retention.applied", target=cutoff or "", detail=detail
        )
    return total
