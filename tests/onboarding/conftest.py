"""An organisation as ``weeknotes org import`` leaves it: people and projects, no team, nobody linked."""

from __future__ import annotations

import pytest

from bot.domain.models import Organisation, Person, Role
from tests.onboarding.events import PRIVATE_CHANNEL, WEEKNOTES_CHANNEL
from tests.support.botserver import BotServer
from tests.support.org import DIRECTOR, OUTSIDER, PM_ONE, PM_TWO, PROJECTS
from tests.support.teams import TEAM_ID

PEOPLE = (
    Person(
        email=DIRECTOR.email,
        name=DIRECTOR.name,
        title="Director",
        roles=frozenset({Role.DIRECTOR, Role.ADMIN}),
    ),
    Person(email=PM_ONE.email, name=PM_ONE.name, title="Project Manager", roles=frozenset({Role.PM})),
    Person(email=PM_TWO.email, name=PM_TWO.name, title="Project Manager", roles=frozenset({Role.PM})),
)


@pytest.fixture
async def imported(bot: BotServer) -> BotServer:
    """The organisation imported; the team has Dana, Priya and a stranger (not Owen), two per roster page."""
    store = bot.services.store
    await store.organisation.upsert(record=Organisation(name="DDaT"))
    for person in PEOPLE:
        await store.people.upsert(record=person)
    for project in PROJECTS:
        await store.projects.upsert(record=project)
    for user in (DIRECTOR, PM_ONE, OUTSIDER):
        bot.connector.add_member(user.member())
    bot.connector.member_page_size = 2
    bot.connector.channels = [
        {"id": TEAM_ID},  # Teams leaves the General channel unnamed
        {"id": WEEKNOTES_CHANNEL, "name": "Weeknotes", "type": "standard"},
        {"id": PRIVATE_CHANNEL, "name": "Leadership", "type": "private"},
    ]
    return bot


__all__ = ["PEOPLE", "PM_TWO"]
