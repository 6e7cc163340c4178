"""Fuzzed card submissions over HTTP: never a 5xx; each stores a whole valid update or nothing at all.

For each example, the week's stored updates are compared before and after: if anything changed, it is the
project the card named, and it holds exactly what the form reader makes of that card (answers, status,
metrics), which it only does for a form without errors. Anything else must leave storage untouched.
"""

from __future__ import annotations

import json
import os
from typing import Any

import pytest

from bot.domain.models import Project, Update, UpdateState
from dialogs.update_form import read_form
from tests.fuzz.strategies import card_data, draw
from tests.support.botserver import BotServer
from tests.support.org import FULL, PM_ONE, seed
from tests.support.teams import execute, submit

WEEK = "2026-W20"
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "60"))  # more for a longer hunt


@pytest.fixture
async def org(bot: BotServer) -> BotServer:
    await seed(bot.services.store, bot.connector)
    return bot


async def week_updates(bot: BotServer) -> dict[str, Update]:
    return {u.project_id: u for u in await bot.services.store.updates.list(partition=WEEK)}


def check_change(
    project: Project, data: dict[str, Any], verb: str, before: dict[str, Update], after: dict[str, Update]
) -> None:
    changed = {
        key
        for key in before.keys() | after.keys()
        if before.get(key) != after.get(key)
        or (before.get(key) and after.get(key) and before[key].etag != after[key].etag)
    }
    if not changed:
        return
    assert changed == {project.project_id}, f"a card for {data.get('project')!r} changed {changed}"
    assert data.get("project") == project.project_id and data.get("week") == WEEK
    form = read_form(project, data, submitting=verb == "update.submit")
    assert form.ok, f"stored although the form has errors {form.errors}"
    stored = after[project.project_id]
    assert stored.answers == form.answers
    assert stored.rag == form.rag
    assert stored.metric_values == form.metric_values
    if verb == "update.submit":
        assert stored.state is UpdateState.SUBMITTED
    assert stored.author == PM_ONE.email


@pytest.mark.parametrize("verb", ["update.submit", "update.draft"])
async def test_fuzzed_card_data_never_fails_the_service_or_half_saves(org: BotServer, verb: str) -> None:
    payloads = draw(card_data(FULL.project_id, WEEK), EXAMPLES)
    for data in payloads:
        before = await week_updates(org)
        status, body = await org.post(execute(PM_ONE, verb, data, org.connector.url))
        example = json.dumps(data, ensure_ascii=True)[:500]
        assert status < 500, example
        if status == 200:
            assert isinstance(body, dict) and body.get("statusCode", 200) < 500, (example, body)
        check_change(FULL, data, verb, before, await week_updates(org))


async def test_fuzzed_action_submit_fallback_never_fails_the_service(org: BotServer) -> None:
    """The same, arriving as Action.Submit (a message whose value is the card's data)."""
    for data in draw(card_data(FULL.project_id, WEEK), 30):
        before = await week_updates(org)
        status, _ = await org.post(submit(PM_ONE, {**data, "verb": "update.submit"}, org.connector.url))
        assert status < 500, json.dumps(data)[:500]
        check_change(
            FULL, {**data, "verb": "update.submit"}, "update.submit", before, await week_updates(org)
        )
    errors = [c for c in org.connector.calls if "went wrong" in c.text]
    assert errors == [], errors[:1]
