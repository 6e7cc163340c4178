"""Helpers for the cadence scenarios: an organisation whose people are linked to their Teams accounts."""

from __future__ import annotations

import asyncio
import os
import sys
from collections import Counter
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from bot.cadence.report import TickReport
from bot.cadence.tick import tick
from bot.domain.models import ConversationRef, Person
from bot.ports import Services
from bot.teams.references import personal_key
from tests.support.azurite import ROOT
from tests.support.botserver import BotServer
from tests.support.connector import FakeConnector, Recorded
from tests.support.org import DIRECTOR, OUTSIDER, PM_ONE, PM_TWO, seed
from tests.support.teams import BOT_ID, TENANT, TeamsUser

USERS = (DIRECTOR, PM_ONE, PM_TWO, OUTSIDER)


def cli_env(bot: BotServer) -> dict[str, str]:
    """The environment of a ``weeknotes`` process: the test's storage, no app id, nothing else inherited."""
    keep = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR"}}
    return {
        **keep,
        "PYTHONPATH": str(ROOT),
        "WEEKNOTES_ENV": "local",
        "WEEKNOTES_STORAGE": bot.settings.storage,
        "WEEKNOTES_TABLE_PREFIX": bot.settings.table_prefix,
        "MicrosoftAppId": "",
        "MicrosoftAppPassword": "",
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
    }


async def run_cli(bot: BotServer, cwd: Path, *args: str) -> tuple[int, str]:
    """Run ``python -m bot.cli ARGS`` against the test's storage; returns the exit code and its output."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        *args,
        cwd=cwd,
        env=cli_env(bot),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await asyncio.wait_for(process.communicate(), 90)
    return int(process.returncode or 0), out.decode()


async def link_people(bot: BotServer, users: tuple[TeamsUser, ...] = USERS) -> None:
    """Record each person's Teams account, as reading the team roster does."""
    store = bot.services.store
    for user in users:
        person = await store.people.get(partition=Person.partition_key, key=user.email)
        if person is not None:
            await store.people.save(record=replace(person, teams_user_id=user.id, aad_object_id=user.aad))


def personal_reference(user: TeamsUser, service_url: str) -> ConversationRef:
    """A stored 1:1 conversation reference, as if ``user`` had written to the bot."""
    return ConversationRef(
        key=personal_key(user.email),
        reference={
            "user": {"id": user.id, "name": user.name, "aadObjectId": user.aad},
            "bot": {"id": BOT_ID, "name": "Weeknotes"},
            "conversation": {"id": user.conversation_id, "conversationType": "personal", "tenantId": TENANT},
            "channelId": "msteams",
            "serviceUrl": service_url,
        },
    )


def recipient(call: Recorded, users: dict[str, str]) -> str:
    """The email of whoever a sent message went to (by the Teams account it was addressed to)."""
    body: dict[str, Any] = call.body.get("activity", call.body) if call.method == "CREATE" else call.body
    account = str((body.get("recipient") or {}).get("id") or "")
    return users.get(account, account or call.conversation_id)


def cards_by_person(connector: FakeConnector, users: dict[str, str] | None = None) -> Counter[str]:
    """How many messages each person was sent."""
    users = users or {u.id: u.email for u in USERS}
    return Counter(recipient(call, users) for call in connector.sent())


def card_projects(connector: FakeConnector, email: str, users: dict[str, str] | None = None) -> list[str]:
    """The project id of each card sent to ``email``, in order."""
    users = users or {u.id: u.email for u in USERS}
    found = []
    for call in connector.sent():
        if recipient(call, users) != email:
            continue
        for card in call.cards:
            found.append(_project_of(card))
    return found


def _project_of(card: dict[str, Any]) -> str:
    stack: list[Any] = [card]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            data = item.get("data")
            if isinstance(data, dict) and isinstance(data.get("project"), str):
                return str(data["project"])
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return ""


def card_text(call: Recorded) -> str:
    import json

    return json.dumps(call.cards, ensure_ascii=False)


async def tick_at(bot: BotServer, at: datetime) -> TickReport:
    """Move the app's clock to ``at`` and run one tick there."""
    bot.clock.now = at
    return await tick(bot.services, at)


@pytest.fixture
async def org(bot: BotServer) -> BotServer:
    """The scenario organisation (a director, two PMs, four projects), linked to Teams."""
    await seed(bot.services.store, bot.connector)
    await link_people(bot)
    return bot


class HookSpy:
    """Stands in for another feature's hook (``send_digests``, ``apply_retention``): records its calls."""

    def __init__(self, result: Any = None) -> None:
        self.calls: list[Any] = []
        self.result = result

    async def __call__(self, services: Services, arg: Any) -> Any:
        self.calls.append(arg)
        return self.result


@pytest.fixture(autouse=True)
def digests(monkeypatch: pytest.MonkeyPatch) -> HookSpy:
    """The review feature's digest, replaced by a spy: these tests count the calls the cadence makes."""
    spy = HookSpy()
    monkeypatch.setattr("bot.review.digest.send_digests", spy)
    return spy


@pytest.fixture(autouse=True)
def retention(monkeypatch: pytest.MonkeyPatch) -> HookSpy:
    """The privacy feature's retention, replaced by a spy."""
    spy = HookSpy(result=0)
    monkeypatch.setattr("bot.privacy.retention.apply_retention", spy)
    return spy
