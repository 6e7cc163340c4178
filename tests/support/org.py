"""A small organisation for scenario tests: a director, three PMs, one project per template."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.models import Metric, Organisation, Person, Project, Role, Template
from bot.storage.protocol import Store
from tests.support.connector import FakeConnector
from tests.support.teams import BOT_ID, CHANNEL_ID, TEAM_ID, TENANT, TeamsUser

DIRECTOR = TeamsUser("Dana Director", "dana.director@example.org", "aad-dana")
PM_ONE = TeamsUser("Priya Shah", "priya.shah@example.org", "aad-priya")
PM_TWO = TeamsUser("Owen Price", "owen.price@example.org", "aad-owen")
OUTSIDER = TeamsUser("Rory Nobody", "rory.nobody@example.org", "aad-rory")

FULL = Project(
    project_id="onedrive-adoption",
    name="OneDrive adoption",
    owner=PM_ONE.email,
    deputy=PM_TWO.email,
    template=Template.FULL,
    metrics=(Metric("Active file viewing and editing", "users"), Metric("File syncing", "users")),
    order=1,
)
BRIEF = Project(
    project_id="frontline", name="Frontline services", owner=PM_TWO.email, template=Template.BRIEF, order=2
)
SUMMARY = Project(
    project_id="purview", name="Purview pilot", owner=PM_TWO.email, template=Template.SUMMARY, order=3
)
TEAM = Project(
    project_id="product-drupal", name="Product: Drupal", owner=PM_ONE.email, template=Template.TEAM, order=4
)
PROJECTS = (FULL, BRIEF, SUMMARY, TEAM)


@dataclass(frozen=True)
class Seeded:
    """What was seeded."""

    people: tuple[Person, ...]
    projects: tuple[Project, ...]


async def seed(store: Store, connector: FakeConnector) -> Seeded:
    """Store the organisation and make its people known to the fake connector's roster."""
    await store.organisation.upsert(
        record=Organisation(
            name="DDaT",
            team_id=TEAM_ID,
            channel_id=CHANNEL_ID,
            service_url=connector.url,
            tenant_id=TENANT,
            bot_id=BOT_ID,
        )
    )
    people = (
        Person(
            email=DIRECTOR.email, name=DIRECTOR.name, title="DDaT Director", roles=frozenset({Role.DIRECTOR})
        ),
        Person(email=PM_ONE.email, name=PM_ONE.name, title="Project Manager", roles=frozenset({Role.PM})),
        Person(email=PM_TWO.email, name=PM_TWO.name, title="Project Manager", roles=frozenset({Role.PM})),
    )
    for person in people:
        await store.people.upsert(record=person)
    for user in (DIRECTOR, PM_ONE, PM_TWO, OUTSIDER):
        connector.add_member(user.member())
    for project in PROJECTS:
        await store.projects.upsert(record=project)
    return Seeded(people, PROJECTS)
