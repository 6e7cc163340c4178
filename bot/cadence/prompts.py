"""Sending a person their cards for a week: the weekly prompt, a reminder, or a chase from the director.

:func:`prompt_person` is the simple path (one person, their projects, read from storage one by one): the
director's chase and anything else that asks one person use it. The cadence's fan-out builds the same
cards from :class:`WeekData`, read once per phase, so that prompting a thousand people does not read the
organisation and the week a thousand times.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.cadence.plan import CardJob, Reason
from bot.domain.editions import current_week
from bot.domain.models import Edition, Organisation, Person, Phase, Project, Update, UpdateState
from bot.domain.weeks import previous_week
from bot.ports import Card, Sent, Services
from dialogs.context import ProjectWeek, load_organisation, load_project_week, projects_of
from dialogs.update import update_card

PROMPT_NOTICE = "It's time for this week's update. Fill it in here; you can save a draft and come back."
REMIND_NOTICE = "A gentle reminder: this week's update hasn't been sent yet. It only takes a few minutes."
CHASE_NOTICE = "{director} is putting the weeknote together and would love your update for this project."
DEPUTY_NOTICE = (
    "{owner} is away this week, so as deputy you're asked for this update. "
    "Fill it in here; you can save a draft and come back."
)
HANDED_OVER_NOTICE = (
    "{owner} handed this week's update over to you. Fill it in here; you can save a draft and come back."
)


async def prompt_person(
    services: Services,
    *,
    week: str,
    person: Person,
    notice: str = PROMPT_NOTICE,
    only_missing: bool = False,
    projects: Sequence[Project] | None = None,
) -> list[Sent]:
    """Send ``person`` one card per project they answer for in ``week``.

    Args:
        services: The app's services.
        week: The ISO week the cards are for.
        person: Who to send to (owner or deputy).
        notice: The line shown at the top of each card.
        only_missing: Skip projects already submitted or skipped (reminders and chases).
        projects: Only these projects (default: every active project they own or deputise).

    Returns:
        What was sent (empty if nothing was due).
    """
    sent: list[Sent] = []
    for project in projects if projects is not None else await projects_of(services, person.email):
        context = await load_project_week(services, project, week, person)
        if only_missing and context.update is not None and context.update.state is not UpdateState.DRAFT:
            continue
        card = update_card(context, notice=notice)
        sent.append(await services.messenger.send_to_person(email=person.email, card=card))
    return sent


@dataclass(frozen=True)
class WeekData:
    """What every card of a week needs, read once: the organisation, the edition, this week's and last
    week's updates (last week's prefill the card)."""

    organisation: Organisation
    week: str
    current: str
    edition: Edition | None
    people: dict[str, Person]
    projects: tuple[Project, ...]
    updates: dict[str, Update]
    previous: dict[str, Update]


async def load_week_data(services: Services, week: str) -> WeekData:
    """Read :class:`WeekData` for ``week`` (six queries, whatever the number of projects)."""
    store = services.store
    organisation = await load_organisation(services)
    people = {p.email.lower(): p for p in await store.people.list(partition=Person.partition_key)}
    projects = tuple(await store.projects.list(partition=Project.partition_key))
    edition = await store.editions.get(partition=Edition.partition_key, key=week)
    updates = {u.project_id: u for u in await store.updates.list(partition=week)}
    previous = {u.project_id: u for u in await store.updates.list(partition=previous_week(week))}
    current = current_week(organisation, services.clock())
    return WeekData(organisation, week, current, edition, people, projects, updates, previous)


def notice_for(job: CardJob, data: WeekData) -> str:
    """The line at the top of a cadence card: prompt or reminder, and why this person is asked."""
    if job.phase is Phase.REMIND:
        return REMIND_NOTICE
    owner = data.people.get(job.project.owner.lower())
    owner_name = owner.name if owner else job.project.owner
    if job.reason == Reason.DEPUTY:
        return DEPUTY_NOTICE.format(owner=owner_name)
    if job.reason == Reason.HANDED_OVER:
        return HANDED_OVER_NOTICE.format(owner=owner_name)
    return PROMPT_NOTICE


async def job_card(services: Services, job: CardJob, data: WeekData) -> Card:
    """The card of one cadence job, prefilled from the project's last answer."""
    project = job.project
    previous = data.previous.get(project.project_id)
    if previous is None:
        # Nothing last week: look further back, as the card does when someone types "update".
        history = await services.store.updates.list_by_key(key=project.project_id)
        earlier = [u for u in history if u.week < job.week]
        previous = max(earlier, key=lambda u: u.week) if earlier else None
    context = ProjectWeek(
        person=job.person,
        organisation=data.organisation,
        project=project,
        week=job.week,
        current=data.current,
        edition=data.edition,
        update=data.updates.get(project.project_id),
        previous=previous,
    )
    return update_card(context, notice=notice_for(job, data))
