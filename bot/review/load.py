"""Reading everything a week's weeknote is compiled from, in as few storage calls as possible.

The week's updates are one partition; the previous weeks' (for week-on-week changes) are read one partition
at a time, newest first, until every active project has an earlier submitted update or ``lookback`` weeks
have been read. Used by the digest, the preview, publishing, the export CLI and the benchmark.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.compile import compile_weeknote
from bot.domain.models import Edition, Organisation, Person, Project, Update, UpdateState
from bot.domain.weeknote import Weeknote
from bot.domain.weeks import previous_week
from bot.storage.protocol import Store

LOOKBACK_WEEKS = 12
"""How far back a project's previous update is looked for (a project quiet for longer shows no changes)."""


@dataclass(frozen=True)
class WeekRecords:
    """The stored records of one week, and those its changes are measured against."""

    organisation: Organisation
    edition: Edition
    """The stored edition, or a new open one (``etag`` None) if nothing is stored yet."""
    people: tuple[Person, ...]
    projects: tuple[Project, ...]
    updates: tuple[Update, ...]
    previous: tuple[Update, ...]

    @property
    def week(self) -> str:
        return self.edition.week

    def compile(self, edition: Edition | None = None) -> Weeknote:
        """The week's weeknote (with ``edition`` instead of the stored one, e.g. a note being typed)."""
        return compile_weeknote(
            organisation=self.organisation,
            edition=edition or self.edition,
            people=self.people,
            projects=self.projects,
            updates=self.updates,
            previous_updates=self.previous,
        )

    def project(self, project_id: str) -> Project | None:
        """The project with this id, if it exists."""
        return next((p for p in self.projects if p.project_id == project_id), None)


async def load_organisation(store: Store, *, timezone: str = "Europe/London") -> Organisation:
    """The stored organisation, or a default one (not set up yet) in ``timezone``."""
    stored = await store.organisation.get(partition=Organisation.partition_key, key=Organisation.row_key)
    return stored or Organisation(name="Weeknotes", timezone=timezone)


async def load_week(
    store: Store, week: str, *, timezone: str = "Europe/London", lookback: int = LOOKBACK_WEEKS
) -> WeekRecords:
    """Everything needed to compile ``week``.

    Args:
        store: The store.
        week: A valid week id.
        timezone: The time zone of the default organisation, if none is stored.
        lookback: How many earlier weeks to read at most for week-on-week changes.

    Returns:
        The records.
    """
    organisation = await load_organisation(store, timezone=timezone)
    edition = await store.editions.get(partition=Edition.partition_key, key=week) or Edition(week=week)
    people = await store.people.list(partition=Person.partition_key)
    projects = await store.projects.list(partition=Project.partition_key)
    updates = await store.updates.list(partition=week)
    wanted = {p.project_id for p in projects if p.active}
    previous: list[Update] = []
    earlier = week
    for _ in range(lookback):
        if not wanted:
            break
        earlier = previous_week(earlier)
        found = await store.updates.list(partition=earlier)
        previous.extend(found)
        wanted -= {u.project_id for u in found if u.state is UpdateState.SUBMITTED}
    return WeekRecords(
        organisation=organisation,
        edition=edition,
        people=tuple(people),
        projects=tuple(projects),
        updates=tuple(updates),
        previous=tuple(previous),
    )
