"""The PM's weekly update, end to end over real HTTP: Azurite behind, the fake connector in front."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.domain.models import Edition, EditionState, Rag, Update, UpdateState
from cards.actions import emitted_verbs
from tests.support.botserver import BotServer
from tests.support.org import BRIEF, DIRECTOR, FULL, OUTSIDER, PM_ONE, PM_TWO, SUMMARY, TEAM, seed
from tests.support.teams import TeamsUser, execute, message, submit

WEEK = "2026-W20"
FULL_ANSWERS = {
    "rag": "green",
    "status_reason": "adoption is holding steady",
    "overview": "The project continues in the adoption phase.",
    "achievements": (
        "Adoption activity sustained\n  - Support for users leaving network drives\n  - Guidance reinforced"
    ),
    "in_progress": "Usage reporting refresh",
    "metric_0": "2,409",
    "metric_1": "1263",
    "data_period": "6 to 12 April 2026",
    "workstreams": "Deployment: complete\nUser adoption: in progress",
    "risks": "External sharing governance partly undocumented",
    "planned": "Produce the next usage report\nFinalise the adoption handover",
}


def card_text(card: dict[str, Any]) -> str:
    """Every string in a card, joined (what a person could read)."""
    return json.dumps(card, ensure_ascii=False)


def card_of(body: Any) -> dict[str, Any]:
    assert body["statusCode"] == 200, body
    assert body["type"] == "application/vnd.microsoft.card.adaptive", body
    card: dict[str, Any] = body["value"]
    return card


async def press(bot: BotServer, user: TeamsUser, verb: str, data: dict[str, Any], **kw: Any) -> Any:
    status, body = await bot.post(execute(user, verb, data, bot.connector.url, **kw))
    assert status == 200, body
    return body


async def stored(bot: BotServer, project_id: str, week: str = WEEK) -> Update | None:
    return await bot.services.store.updates.get(partition=week, key=project_id)


@pytest.fixture
async def org(bot: BotServer) -> BotServer:
    await seed(bot.services.store, bot.connector)
    return bot


async def test_update_sends_one_card_per_project_with_labelled_inputs(org: BotServer) -> None:
    await org.post(message(PM_ONE, "update", org.connector.url))
    cards = [c for call in org.connector.sent(PM_ONE.conversation_id) for c in call.cards]
    assert len(cards) == 2
    assert FULL.name in card_text(cards[0]) and TEAM.name in card_text(cards[1])
    assert {"update.submit", "update.draft", "update.skip", "update.handover"} <= emitted_verbs(cards[0])


async def test_full_update_is_stored_and_summarised_with_metric_sentences(org: BotServer) -> None:
    previous = Update(
        week="2026-W19",
        project_id=FULL.project_id,
        state=UpdateState.SUBMITTED,
        rag=Rag.AMBER,
        metric_values={"Active file viewing and editing": 2562.0, "File syncing": 1260.0},
        answers={"planned": "Produce the next usage report"},
    )
    await org.services.store.updates.save(record=previous)
    body = await press(
        org, PM_ONE, "update.submit", {"project": FULL.project_id, "week": WEEK, **FULL_ANSWERS}
    )
    summary = card_text(card_of(body))
    assert "decreased by 6.0% (from 2,562 to 2,409 users)" in summary
    assert "increased slightly by 0.2% (from 1,260 to 1,263 users)" in summary
    update = await stored(org, FULL.project_id)
    assert update is not None
    assert update.state is UpdateState.SUBMITTED and update.rag is Rag.GREEN and not update.late
    assert update.answers["achievements"].startswith("Adoption activity sustained\n  - Support")
    assert update.metric_values == {"Active file viewing and editing": 2409.0, "File syncing": 1263.0}
    assert update.author == PM_ONE.email
    assert "update.edit" in emitted_verbs(card_of(body))


@pytest.mark.parametrize(
    ("user", "project", "answers", "expected"),
    [
        (
            PM_TWO,
            BRIEF,
            {
                "rag": "amber",
                "status_reason": "negotiations are outstanding",
                "outcomes": "Two workshops held",
                "next_activities": "Confirm the strategy",
            },
            "The project status is amber as negotiations are outstanding",
        ),
        (
            PM_TWO,
            SUMMARY,
            {"summary": "Pilot testing close to completion\nProcurement being considered"},
            "Pilot testing close to completion",
        ),
        (PM_ONE, TEAM, {"update": "Product: Drupal\nnot started: 14, in progress: 17"}, "in progress: 17"),
    ],
)
async def test_every_template_submits(
    org: BotServer, user: TeamsUser, project: Any, answers: dict[str, str], expected: str
) -> None:
    body = await press(org, user, "update.submit", {"project": project.project_id, "week": WEEK, **answers})
    assert expected in card_text(card_of(body))
    update = await stored(org, project.project_id)
    assert update is not None and update.state is UpdateState.SUBMITTED


async def test_draft_survives_a_restart_then_submits(org: BotServer) -> None:
    draft = {"project": FULL.project_id, "week": WEEK, "overview": "Half written ✍️", "metric_0": "12"}
    body = await press(org, PM_ONE, "update.draft", draft)
    assert "Draft saved" in card_text(card_of(body))
    await org.stop()
    restarted = BotServer(org.settings, org.connector, org.oidc, org.clock)
    await restarted.start()
    try:
        await restarted.post(message(PM_ONE, "update", restarted.connector.url))
        [full_card, _] = [c for call in restarted.connector.sent(PM_ONE.conversation_id) for c in call.cards]
        assert "Half written ✍️" in card_text(full_card)
        body = await press(
            restarted, PM_ONE, "update.submit", {**draft, **FULL_ANSWERS, "overview": "Done ✅"}
        )
        card_of(body)
        update = await stored(restarted, FULL.project_id)
        assert update is not None and update.state is UpdateState.SUBMITTED
        assert update.answers["overview"] == "Done ✅"
    finally:
        await restarted.stop()
        org.http = None  # already closed by stop()


async def test_edit_after_submit_replaces_never_duplicates(org: BotServer) -> None:
    data = {
        "project": BRIEF.project_id,
        "week": WEEK,
        "rag": "amber",
        "status_reason": "waiting on a supplier",
    }
    await press(org, PM_TWO, "update.submit", data)
    edit = card_of(await press(org, PM_TWO, "update.edit", {"project": BRIEF.project_id, "week": WEEK}))
    assert "waiting on a supplier" in card_text(edit)
    await press(
        org, PM_TWO, "update.submit", {**data, "rag": "green", "status_reason": "the supplier signed"}
    )
    updates = await org.services.store.updates.list(partition=WEEK)
    assert [(u.project_id, u.rag, u.answers["status_reason"]) for u in updates] == [
        (BRIEF.project_id, Rag.GREEN, "the supplier signed")
    ]


async def test_skip_with_a_reason_keeps_the_draft_and_shows_in_status(org: BotServer) -> None:
    await press(
        org, PM_ONE, "update.draft", {"project": TEAM.project_id, "week": WEEK, "update": "Some notes"}
    )
    body = await press(
        org, PM_ONE, "update.skip", {"project": TEAM.project_id, "week": WEEK, "skip_reason": "annual leave"}
    )
    assert "annual leave" in card_text(card_of(body))
    update = await stored(org, TEAM.project_id)
    assert update is not None and update.state is UpdateState.SKIPPED and update.skip_reason == "annual leave"
    assert update.answers == {"update": "Some notes"}
    await org.post(message(PM_ONE, "status", org.connector.url))
    status_card = org.connector.sent(PM_ONE.conversation_id)[-1].cards[0]
    assert "skipped (annual leave)" in card_text(status_card)
    assert "missing" in card_text(status_card)


async def test_hand_over_sends_the_deputy_the_card_and_tells_the_owner(org: BotServer) -> None:
    await org.post(message(PM_TWO, "help", org.connector.url))  # the deputy has talked to the bot before
    body = await press(org, PM_ONE, "update.handover", {"project": FULL.project_id, "week": WEEK})
    assert body["type"] == "application/vnd.microsoft.activity.message"
    assert PM_TWO.name in body["value"]
    await org.services.tasks.drain()  # the deputy's card is sent after answering
    deputy_card = [c for call in org.connector.sent(PM_TWO.conversation_id) for c in call.cards][-1]
    assert FULL.name in card_text(deputy_card) and "handed" in card_text(deputy_card)
    assert "update.handover" not in emitted_verbs(deputy_card)  # only the owner hands over
    body = await press(
        org, PM_TWO, "update.submit", {"project": FULL.project_id, "week": WEEK, **FULL_ANSWERS}
    )
    card_of(body)
    update = await stored(org, FULL.project_id)
    assert update is not None and update.author == PM_TWO.email and update.handed_over_to == PM_TWO.email


async def test_hand_over_without_a_chat_creates_one_from_the_roster(org: BotServer) -> None:
    from dataclasses import replace

    deputy = await org.services.store.people.get(partition="person", key=PM_TWO.email)
    assert deputy is not None
    await org.services.store.people.save(
        record=replace(deputy, teams_user_id=PM_TWO.id, aad_object_id=PM_TWO.aad)
    )
    await press(org, PM_ONE, "update.handover", {"project": FULL.project_id, "week": WEEK})
    await org.services.tasks.drain()  # the deputy's card is sent after answering
    creates = [c for c in org.connector.calls if c.method == "CREATE"]
    assert [m["id"] for m in creates[0].body["members"]] == [PM_TWO.id]
    assert org.connector.sent(creates[0].conversation_id)


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("metric_0", "lots", "number"),
        ("overview", "x" * 4001, "limit is 4,000"),
        ("rag", "purple", "Green, Amber or Red"),
        ("status_reason", "", "fill this in"),
    ],
)
async def test_bad_input_is_explained_in_the_card_and_nothing_is_lost(
    org: BotServer, field: str, value: str, says: str
) -> None:
    before = await org.services.store.updates.save(
        record=Update(
            week=WEEK, project_id=FULL.project_id, state=UpdateState.DRAFT, answers={"risks": "kept"}
        )
    )
    body = await press(
        org, PM_ONE, "update.submit", {"project": FULL.project_id, "week": WEEK, **FULL_ANSWERS, field: value}
    )
    card = card_text(card_of(body))
    assert says in card
    assert FULL_ANSWERS["overview" if field != "overview" else "risks"][:20] in card  # what was typed is kept
    after = await stored(org, FULL.project_id)
    assert after == before


async def test_someone_elses_project_is_refused_and_audited(org: BotServer) -> None:
    body = await press(
        org, PM_TWO, "update.submit", {"project": TEAM.project_id, "week": WEEK, "update": "forged"}
    )
    assert body["statusCode"] == 403
    assert "belongs to Priya Shah" in body["value"]["message"]
    assert await stored(org, TEAM.project_id) is None
    events = await org.services.store.audit.list(partition=WEEK)
    assert [(e.actor, e.action, e.outcome) for e in events] == [(PM_TWO.email, "update.refused", "refused")]


async def test_unregistered_sender_is_refused(org: BotServer) -> None:
    body = await press(
        org, OUTSIDER, "update.submit", {"project": TEAM.project_id, "week": WEEK, "update": "x"}
    )
    assert body["statusCode"] == 403
    assert "list" in body["value"]["message"]
    assert await stored(org, TEAM.project_id) is None


async def test_stale_card_from_a_published_week_is_refused(org: BotServer) -> None:
    await org.services.store.editions.save(record=Edition(week="2026-W18", state=EditionState.PUBLISHED))
    body = await press(
        org, PM_ONE, "update.submit", {"project": TEAM.project_id, "week": "2026-W18", "update": "x"}
    )
    assert body["statusCode"] == 400
    assert "closed" in body["value"]["message"] and "week ending" in body["value"]["message"].lower()
    assert await stored(org, TEAM.project_id, "2026-W18") is None


@pytest.mark.parametrize(
    "data",
    [{"week": WEEK}, {"project": TEAM.project_id, "week": "last week"}, {"project": ["x"], "week": WEEK}],
)
async def test_malformed_card_data_gets_a_plain_answer(org: BotServer, data: dict[str, Any]) -> None:
    body = await press(org, PM_ONE, "update.submit", data)
    assert body["statusCode"] == 400
    assert "fresh card" in body["value"]["message"]


async def test_late_submission_after_close_is_accepted_and_marked_late(org: BotServer) -> None:
    from datetime import timedelta

    org.clock.now += timedelta(days=4, hours=2)  # Monday 18 May, 11:00 London: after close
    body = await press(
        org, PM_ONE, "update.submit", {"project": TEAM.project_id, "week": WEEK, "update": "Late"}
    )
    assert "Late" in card_text(card_of(body))
    update = await stored(org, TEAM.project_id)
    assert update is not None and update.late


async def test_duplicate_delivery_of_the_same_invoke_stores_once(org: BotServer) -> None:
    activity = execute(
        PM_ONE,
        "update.submit",
        {"project": TEAM.project_id, "week": WEEK, "update": "Once"},
        org.connector.url,
    )
    first = await org.post(activity)
    second = await org.post(activity)
    assert first[0] == second[0] == 200
    assert first[1]["type"] == "application/vnd.microsoft.card.adaptive"
    assert second[1]["type"] == "application/vnd.microsoft.activity.message"
    events = [e for e in await org.services.store.audit.list(partition=WEEK) if e.action == "update.submit"]
    assert len(events) == 1


async def test_action_submit_fallback_updates_the_card_in_place(org: BotServer) -> None:
    data = {"verb": "update.submit", "project": TEAM.project_id, "week": WEEK, "update": "Via Action.Submit"}
    status, _ = await org.post(submit(PM_ONE, data, org.connector.url, reply_to="card-1"))
    assert status == 200
    [replaced] = org.connector.updates()
    assert replaced.activity_id == "card-1"
    assert "Via Action.Submit" in card_text(replaced.cards[0])
    update = await stored(org, TEAM.project_id)
    assert update is not None and update.state is UpdateState.SUBMITTED


async def test_director_without_projects_is_told_so(org: BotServer) -> None:
    await org.post(message(DIRECTOR, "update", org.connector.url))
    [reply] = org.connector.sent(DIRECTOR.conversation_id)
    assert "don't own" in reply.text


async def test_skip_typed_with_several_projects_asks_which_then_why(org: BotServer) -> None:
    await org.post(message(PM_ONE, "skip", org.connector.url))
    question = org.connector.sent(PM_ONE.conversation_id)[-1]
    assert "Which project" in card_text(question.body)
    assert FULL.name in card_text(question.body) and TEAM.name in card_text(question.body)
    await org.post(message(PM_ONE, TEAM.name, org.connector.url))
    assert "Any reason" in org.connector.sent(PM_ONE.conversation_id)[-1].text
    await org.post(message(PM_ONE, "on annual leave", org.connector.url))
    update = await stored(org, TEAM.project_id)
    assert update is not None
    assert (update.state, update.skip_reason) == (UpdateState.SKIPPED, "on annual leave")
    assert await stored(org, FULL.project_id) is None
    await org.post(message(PM_ONE, "help", org.connector.url))  # the conversation is over: commands work
    assert org.connector.sent(PM_ONE.conversation_id)[-1].cards


async def test_skip_conversation_can_be_cancelled(org: BotServer) -> None:
    await org.post(message(PM_ONE, "skip", org.connector.url))
    await org.post(message(PM_ONE, "cancel", org.connector.url))
    assert "Nothing was changed" in org.connector.sent(PM_ONE.conversation_id)[-1].text
    assert await org.services.store.updates.list(partition=WEEK) == []


async def test_skip_typed_with_one_project_skips_it(org: BotServer) -> None:
    await org.post(message(PM_TWO, "skip", org.connector.url))  # PM_TWO owns two: use the dialog
    await org.post(message(PM_TWO, "cancel", org.connector.url))
    from dataclasses import replace

    await org.services.store.projects.upsert(record=replace(SUMMARY, active=False))
    await org.services.store.projects.upsert(record=replace(FULL, deputy=""))
    await org.post(message(PM_TWO, "skip conference week", org.connector.url))
    update = await stored(org, BRIEF.project_id)
    assert update is not None
    assert (update.state, update.skip_reason) == (UpdateState.SKIPPED, "conference week")
