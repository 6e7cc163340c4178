"""Loading what a dialog step needs from storage, and the checks every card action makes.

Card data is never trusted: the project and week named on a card are looked up again and checked against
the sender's identity and the calendar.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from bot import messages
from bot.domain.editions import accepts_answers, current_week
from bot.domain.models import Edition, Organisation, Person, Project, Role, Update
from bot.domain.weeks import WeekError, previous_week, validate_week, week_label
from bot.ports import Services
from dialogs.turn import ErrorReply, TextReply, Turn


async def load_organisation(services: Services) -> Organisation:
    """The stored organisation, or a default one in the configured time zone."""
    org = await services.store.organisation.get(
        partition=Organisation.partition_key, key=Organisation.row_key
    )
    return org or Organisation(name="Weeknotes", timezone=services.settings.timezone)


async def projects_of(services: Services, email: str) -> list[Project]:
    """Active projects ``email`` owns or deputises, in weeknote order."""
    projects = await services.store.projects.list(partition=Project.partition_key)
    mine = [p for p in projects if p.active and p.is_answerable_by(email)]
    return sorted(mine, key=lambda p: (p.order, p.name))


async def people_named(services: Services, emails: Iterable[str]) -> list[Person]:
    """The people with these emails (point reads, not the whole list); unknown ones are left out."""
    wanted = sorted({email.lower() for email in emails if email})
    found = await asyncio.gather(
        *(services.store.people.get(partition=Person.partition_key, key=email) for email in wanted)
    )
    return [person for person in found if person is not None]


async def people_by_email(services: Services) -> dict[str, Person]:
    """Everyone, by email."""
    return {p.email: p for p in await services.store.people.list(partition=Person.partition_key)}


@dataclass(frozen=True)
class ProjectWeek:
    """A checked (person, project, week) with what is stored for it."""

    person: Person
    organisation: Organisation
    project: Project
    week: str
    current: str
    edition: Edition | None
    update: Update | None
    previous: Update | None

    @property
    def label(self) -> str:
        return week_label(self.week)

    @property
    def is_owner(self) -> bool:
        return self.project.owner.lower() == self.person.email


async def load_project_week(services: Services, project: Project, week: str, person: Person) -> ProjectWeek:
    """Everything stored about ``project`` in ``week`` (and the week before, for prefill)."""
    store = services.store
    organisation = await load_organisation(services)
    current = current_week(organisation, services.clock())
    edition = await store.editions.get(partition=Edition.partition_key, key=week)
    update = await store.updates.get(partition=week, key=project.project_id)
    # Last week's row is a point read; only a gap (a new project, a missed week) needs the history scan.
    previous = await store.updates.get(partition=previous_week(week), key=project.project_id)
    if previous is None:
        earlier = [u for u in await store.updates.list_by_key(key=project.project_id) if u.week < week]
        previous = max(earlier, key=lambda u: u.week) if earlier else None
    return ProjectWeek(person, organisation, project, week, current, edition, update, previous)


async def check_card(turn: Turn, data: Mapping[str, Any]) -> ProjectWeek | ErrorReply:
    """Who may act on this card: the sender must be known, own or deputise the project, for a live week."""
    person = turn.actor.person
    if person is None:
        await turn.audit("card.refused", outcome="refused", detail="unknown sender")
        return ErrorReply(messages.NOT_REGISTERED, status=403)
    project_id = data.get("project")
    week_text = data.get("week")
    if not isinstance(project_id, str) or not isinstance(week_text, str):
        await turn.audit("card.malformed", outcome="refused", detail="missing project or week")
        return ErrorReply(messages.MALFORMED_ACTION)
    try:
        week = validate_week(week_text)
    except WeekError:
        await turn.audit("card.malformed", outcome="refused", detail="bad week")
        return ErrorReply(messages.MALFORMED_ACTION)
    project = await turn.services.store.projects.get(partition=Project.partition_key, key=project_id[:200])
    if project is None or not project.active:
        await turn.audit(
            "update.refused", target=project_id[:200], outcome="refused", detail="unknown project"
        )
        return ErrorReply(messages.UNKNOWN_PROJECT)
    if not project.is_answerable_by(person.email):
        await turn.audit(
            "update.refused", target=project.project_id, outcome="refused", detail="not owner or deputy"
        )
        people = await people_by_email(turn.services)
        owner = people.get(project.owner)
        return ErrorReply(
            messages.NOT_YOURS.format(project=project.name, owner=owner.name if owner else "someone else"),
            status=403,
        )
    context = await load_project_week(turn.services, project, week, person)
    if not accepts_answers(context.edition, week, context.current):
        await turn.audit(
            "update.refused", target=f"{project.project_id}@{week}", outcome="refused", detail="stale card"
        )
        return ErrorReply(
            messages.STALE_CARD.format(card_week=week_label(week), week=week_label(context.current))
        )
    return context


@dataclass(frozen=True)
class MyWeek:
    """The sender, the projects they answer for, and the week they are answering."""

    person: Person
    projects: list[Project]
    week: str


async def my_week(turn: Turn) -> MyWeek | TextReply:
    """The sender's projects this week, or the plain answer when they are unknown or have none."""
    person = turn.actor.person
    if person is None:
        return TextReply(messages.NOT_REGISTERED)
    projects = await projects_of(turn.services, person.email)
    if not projects:
        return TextReply(messages.NO_PROJECTS)
    organisation = await load_organisation(turn.services)
    return MyWeek(person, projects, current_week(organisation, turn.services.clock()))


def is_reviewer(person: Person | None) -> bool:
    """Director and editors review and publish."""
    return person is not None and person.has_role(Role.DIRECTOR, Role.EDITOR)


__all__ = ["ProjectWeek", "check_card", "load_project_week", "previous_week"]
