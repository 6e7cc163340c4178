"""Authorisation: every card action and command decides from storage who may do what, never from card data.

Each refusal must be a plain reply (an Action.Execute error for a card, a message for a command), change
nothing but the audit trail, and leave an audit event saying who, what, when and ``refused``.
"""

from __future__ import annotations

from typing import Any

import pytest

from bot.domain.models import AuditEvent, Edition, EditionState, Person
from cards.actions import Verb
from dialogs.registry import ACTIONS
from tests.security.helpers import Snapshot, added, iso_week, snapshot
from tests.support.botserver import BotServer
from tests.support.org import BRIEF, DIRECTOR, FULL, OUTSIDER, PM_ONE, PM_TWO, TEAM, seed
from tests.support.teams import CHANNEL_ID, TeamsUser, execute, message

WEEK = "2026-W20"
NOBODY = TeamsUser("Nora Norole", "nora.norole@example.org", "aad-nora")  # on the roster, in no role

# Every verb that only affects the sender's own view; anyone may press these.
OPEN_VERBS = {Verb.CMD_HELP, Verb.CMD_UPDATE, Verb.CMD_STATUS}
REVIEW_VERBS = {
    Verb.REVIEW_CHASE,
    Verb.REVIEW_NOTE,
    Verb.REVIEW_PREVIEW,
    Verb.REVIEW_PUBLISH,
    Verb.REVIEW_REPUBLISH,
}
SETUP_VERBS = {Verb.SETUP_PROJECT, Verb.SETUP_SCHEDULE, Verb.SETUP_CHANNEL, Verb.SETUP_ROLE}
# Data a forger would put on a card: real project, week, people and channel, and a role to grant.
FORGED: dict[str, Any] = {
    "project": TEAM.project_id,
    "week": WEEK,
    "update": "forged",
    "rag": "red",
    "status_reason": "forged",
    "skip_reason": "forged",
    "director_note": "forged",
    "highlights": "forged",
    "email": PM_TWO.email,
    "person": PM_TWO.email,
    "roles": "director,admin",
    "role_director": "true",
    "role_admin": "true",
    "channel": CHANNEL_ID,
    "project_id": "forged-project",
    "project_name": "Forged",
    "name": "Forged",
    "owner": PM_TWO.email,
    "template": "full",
    "prompt": "mon 00:00",
    "remind": "mon 00:01",
    "close": "mon 00:02",
}


@pytest.fixture
async def org(bot: BotServer) -> BotServer:
    await seed(bot.services.store, bot.connector)
    await bot.services.store.people.upsert(record=Person(email=NOBODY.email, name=NOBODY.name))
    bot.connector.add_member(NOBODY.member())
    return bot


async def press(bot: BotServer, user: TeamsUser, verb: str, data: dict[str, Any]) -> dict[str, Any]:
    status, body = await bot.post(execute(user, verb, data, bot.connector.url))
    assert status == 200, body
    assert isinstance(body, dict)
    return body


def only_bookkeeping(changes: dict[str, list[Any]]) -> dict[str, list[Any]]:
    """Changes besides the audit trail and per-turn bookkeeping (duplicate marker, linked Teams ids, chat)."""
    return {t: rows for t, rows in changes.items() if t not in {"audit", "seen", "people", "conversations"}}


async def refusals(bot: BotServer, before: Snapshot, actor: str) -> list[AuditEvent]:
    """The audit events written since ``before``, checked to be refusals by ``actor`` at the clock's time."""
    week = iso_week(bot.clock.now)
    new_rows = {(p, r) for p, r, *_ in added(before, await snapshot(bot)).get("audit", [])}
    events = [
        e for e in await bot.services.store.audit.list(partition=week) if (week, e.event_id) in new_rows
    ]
    assert events, "a refusal must be audited"
    for event in events:
        assert (event.actor, event.outcome, event.at) == (actor, "refused", bot.clock.now), event
        assert event.action
    return events


def is_refusal(body: dict[str, Any]) -> bool:
    """An Action.Execute error (4xx), or a plain message: either way the card the person pressed stays."""
    if body["type"] == "application/vnd.microsoft.activity.message":
        return isinstance(body["value"], str) and bool(body["value"])
    return bool(body["type"] == "application/vnd.microsoft.error" and 400 <= body["statusCode"] < 500)


@pytest.mark.parametrize("verb", sorted(set(ACTIONS) - OPEN_VERBS))
async def test_a_roster_user_in_no_role_can_do_nothing_with_forged_cards(org: BotServer, verb: str) -> None:
    before = await snapshot(org)
    body = await press(org, NOBODY, verb, FORGED)
    assert is_refusal(body), body
    assert only_bookkeeping(added(before, await snapshot(org))) == {}
    await refusals(org, before, NOBODY.email)


@pytest.mark.parametrize("verb", sorted(REVIEW_VERBS | SETUP_VERBS))
async def test_a_project_manager_cannot_review_publish_or_change_the_set_up(
    org: BotServer, verb: str
) -> None:
    before = await snapshot(org)
    body = await press(org, PM_ONE, verb, FORGED)
    assert is_refusal(body), body
    assert only_bookkeeping(added(before, await snapshot(org))) == {}
    await refusals(org, before, PM_ONE.email)


@pytest.mark.parametrize(
    "verb", [Verb.UPDATE_SUBMIT, Verb.UPDATE_DRAFT, Verb.UPDATE_SKIP, Verb.UPDATE_HANDOVER, Verb.UPDATE_EDIT]
)
async def test_a_pm_cannot_act_on_another_pms_project(org: BotServer, verb: str) -> None:
    """PM_TWO forges a card naming PM_ONE's team project (PM_TWO deputises a different one)."""
    before = await snapshot(org)
    body = await press(org, PM_TWO, verb, {**FORGED, "project": TEAM.project_id})
    assert body["statusCode"] == 403 and "belongs to Priya Shah" in body["value"]["message"]
    assert only_bookkeeping(added(before, await snapshot(org))) == {}
    [event] = await refusals(org, before, PM_TWO.email)
    assert event.target == TEAM.project_id


async def test_an_owner_cannot_edit_a_project_they_only_used_to_own_on_a_card(org: BotServer) -> None:
    """The card names the owner (FULL's card says PM_ONE may hand over); storage says PM_TWO owns BRIEF."""
    body = await press(
        org,
        PM_ONE,
        Verb.UPDATE_SUBMIT,
        {**FORGED, "project": BRIEF.project_id, "owner": PM_ONE.email, "viewer_is_owner": True},
    )
    assert body["statusCode"] == 403
    assert await org.services.store.updates.get(partition=WEEK, key=BRIEF.project_id) is None


async def test_a_deputy_cannot_hand_over(org: BotServer) -> None:
    before = await snapshot(org)
    body = await press(org, PM_TWO, Verb.UPDATE_HANDOVER, {"project": FULL.project_id, "week": WEEK})
    assert body["statusCode"] == 403
    assert only_bookkeeping(added(before, await snapshot(org))) == {}


async def test_a_replayed_card_from_last_week_after_publication_is_refused(org: BotServer) -> None:
    await org.services.store.editions.save(record=Edition(week="2026-W19", state=EditionState.PUBLISHED))
    before = await snapshot(org)
    body = await press(
        org,
        PM_ONE,
        Verb.UPDATE_SUBMIT,
        {"project": TEAM.project_id, "week": "2026-W19", "update": "replayed"},
    )
    assert body["statusCode"] == 400 and "closed" in body["value"]["message"]
    assert only_bookkeeping(added(before, await snapshot(org))) == {}
    [event] = await refusals(org, before, PM_ONE.email)
    assert event.target == f"{TEAM.project_id}@2026-W19"


@pytest.mark.parametrize(
    ("case", "data", "says"),
    [
        (
            "a project that does not exist",
            {"project": "no-such-project", "week": WEEK},
            "can't find that project",
        ),
        ("a week that cannot exist", {"project": TEAM.project_id, "week": "2026-W60"}, "fresh card"),
        ("a future week", {"project": TEAM.project_id, "week": "2026-W30"}, "closed"),
        ("no week", {"project": TEAM.project_id}, "fresh card"),
        ("a project id that is not text", {"project": {"$ne": ""}, "week": WEEK}, "fresh card"),
        ("a huge project id", {"project": "p" * 5000, "week": WEEK}, "can't find that project"),
    ],
)
async def test_a_card_naming_something_that_is_not_there_is_refused(
    org: BotServer, case: str, data: dict[str, Any], says: str
) -> None:
    before = await snapshot(org)
    body = await press(org, PM_ONE, Verb.UPDATE_SUBMIT, {**data, "update": "x"})
    assert is_refusal(body) and says in body["value"]["message"], (case, body)
    assert only_bookkeeping(added(before, await snapshot(org))) == {}
    await refusals(org, before, PM_ONE.email)


async def test_an_unregistered_sender_is_refused_and_audited_by_teams_id(org: BotServer) -> None:
    before = await snapshot(org)
    body = await press(org, OUTSIDER, Verb.UPDATE_SUBMIT, {"project": TEAM.project_id, "week": WEEK})
    assert body["statusCode"] == 403
    await refusals(org, before, f"aad:{OUTSIDER.aad}")


@pytest.mark.parametrize(
    "command", ["publish 2026-W20", "republish", "preview", "review", "setup", "projects"]
)
async def test_a_pm_typing_a_reviewer_or_admin_command_is_refused(org: BotServer, command: str) -> None:
    before = await snapshot(org)
    status, _ = await org.post(message(PM_ONE, command, org.connector.url))
    assert status == 200
    [reply] = org.connector.sent(PM_ONE.conversation_id)
    assert reply.text and not reply.cards, reply
    assert only_bookkeeping(added(before, await snapshot(org))) == {}
    await refusals(org, before, PM_ONE.email)


async def test_the_director_is_not_refused(org: BotServer) -> None:
    """The other side of the checks above: the same forged-looking preview from the director is served."""
    body = await press(org, DIRECTOR, Verb.REVIEW_PREVIEW, {"week": WEEK})
    assert body["statusCode"] == 200, body
