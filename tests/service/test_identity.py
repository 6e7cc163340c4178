"""Finding the sender: a scan the first time, a confirmed point read after, never a stale answer."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from bot.domain.models import Person
from tests.support.botserver import BotServer
from tests.support.org import PM_ONE, seed
from tests.support.teams import message


@pytest.fixture
async def counted(bot: BotServer, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Seed the organisation, then count every scan of the people partition."""
    await seed(bot.services.store, bot.connector)
    scans: list[str] = []
    people = bot.services.store.people
    real_list = people.list

    async def list_people(*, partition: str) -> Any:
        scans.append(partition)
        return await real_list(partition=partition)

    monkeypatch.setattr(people, "list", list_people)
    return scans


async def test_a_known_sender_is_found_without_scanning_everyone(bot: BotServer, counted: list[str]) -> None:
    await bot.post(message(PM_ONE, "help", bot.connector.url))
    first = len(counted)
    assert first >= 1  # the first turn has to look (and links the Teams account by email)
    await bot.post(message(PM_ONE, "help", bot.connector.url))
    await bot.post(message(PM_ONE, "status", bot.connector.url))
    assert len(counted) == first
    assert bot.services.known_senders[PM_ONE.id] == PM_ONE.email


async def test_a_remembered_sender_who_has_left_is_not_trusted(bot: BotServer, counted: list[str]) -> None:
    await bot.post(message(PM_ONE, "help", bot.connector.url))
    person = await bot.services.store.people.get(partition=Person.partition_key, key=PM_ONE.email)
    assert person is not None
    await bot.services.store.people.save(record=replace(person, active=False))
    await bot.post(message(PM_ONE, "update", bot.connector.url))
    assert "can't take updates from you" in bot.connector.sent(PM_ONE.conversation_id)[-1].text
    assert PM_ONE.id not in bot.services.known_senders
