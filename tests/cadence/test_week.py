"""The weekly cadence over real HTTP, Azurite and the fake connector, with a fixed clock.

Default schedule, Europe/London: prompt Thursday 10:00, remind Friday 10:00, close Monday 09:00.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.cadence.prompts import PROMPT_NOTICE, REMIND_NOTICE
from bot.cadence.report import Outcome
from bot.cadence.status import format_status, week_status
from bot.domain.models import Edition, EditionState, Person, Phase, Update, UpdateState
from tests.cadence.conftest import (
    USERS,
    HookSpy,
    card_projects,
    card_text,
    cards_by_person,
    link_people,
    tick_at,
)
from tests.support.botserver import BotServer
from tests.support.connector import FakeConnector
from tests.support.org import BRIEF, FULL, PM_ONE, PM_TWO, SUMMARY, TEAM, seed
from tests.support.teams import execute

WEEK = "2026-W20"
THURSDAY_10 = datetime(2026, 5, 14, 9, 0, tzinfo=UTC)  # 10:00 BST
FRIDAY_10 = datetime(2026, 5, 15, 9, 0, tzinfo=UTC)
MONDAY_09 = datetime(2026, 5, 18, 8, 0, tzinfo=UTC)


def notices(connector: FakeConnector, text: str) -> Counter[str]:
    """Messages per person whose card carries ``text``."""
    users = {u.id: u.email for u in USERS}
    from tests.cadence.conftest import recipient

    return Counter(recipient(call, users) for call in connector.sent() if text in card_text(call))


async def press(bot: BotServer, user: Any, verb: str, data: dict[str, Any]) -> dict[str, Any]:
    status, body = await bot.post(execute(user, verb, data, bot.connector.url))
    assert status == 200, body
    assert body["statusCode"] == 200, body
    result: dict[str, Any] = body
    return result


async def test_the_whole_week_prompt_partial_answers_remind_the_missing_close(
    org: BotServer, digests: HookSpy
) -> None:
    early = await tick_at(org, THURSDAY_10 - timedelta(minutes=1))
    assert (WEEK, Phase.PROMPT) not in early.due
    assert notices(org.connector, PROMPT_NOTICE) == Counter()

    report = await tick_at(org, THURSDAY_10)
    assert [(r.job.email, r.job.project.project_id) for r in report.sent] == [
        (PM_ONE.email, FULL.project_id),
        (PM_TWO.email, BRIEF.project_id),
        (PM_TWO.email, SUMMARY.project_id),
        (PM_ONE.email, TEAM.project_id),
    ]
    assert notices(org.connector, PROMPT_NOTICE) == {PM_ONE.email: 2, PM_TWO.email: 2}
    assert card_projects(org.connector, PM_ONE.email) == [FULL.project_id, TEAM.project_id]

    # Priya submits one project, Owen skips one, over /api/messages as Teams would send them.
    org.clock.now = THURSDAY_10 + timedelta(hours=3)
    await press(
        org,
        PM_ONE,
        "update.submit",
        {
            "project": FULL.project_id,
            "week": WEEK,
            "rag": "green",
            "status_reason": "on track",
            "overview": "Adoption continues.",
            "achievements": "Guidance published",
            "planned": "Next usage report",
        },
    )
    await press(
        org, PM_TWO, "update.skip", {"project": BRIEF.project_id, "week": WEEK, "skip_reason": "leave"}
    )

    remind = await tick_at(org, FRIDAY_10)
    assert [(r.job.email, r.job.project.project_id) for r in remind.sent if r.job.phase is Phase.REMIND] == [
        (PM_TWO.email, SUMMARY.project_id),
        (PM_ONE.email, TEAM.project_id),
    ]
    assert notices(org.connector, REMIND_NOTICE) == {PM_ONE.email: 1, PM_TWO.email: 1}
    assert notices(org.connector, PROMPT_NOTICE) == {PM_ONE.email: 2, PM_TWO.email: 2}

    # Later ticks the same week send nothing more: the reminder goes once.
    again = await tick_at(org, FRIDAY_10 + timedelta(hours=5))
    assert again.sent == []
    assert notices(org.connector, REMIND_NOTICE) == {PM_ONE.email: 1, PM_TWO.email: 1}

    before_close = await tick_at(org, MONDAY_09 - timedelta(minutes=1))
    assert (WEEK, Phase.CLOSE) not in before_close.due
    edition = await org.services.store.editions.get(partition=Edition.partition_key, key=WEEK)
    assert edition is None or edition.state is EditionState.OPEN

    closing = await tick_at(org, MONDAY_09)
    step = closing.step(WEEK, "close")
    assert step is not None and step.outcome is Outcome.SENT
    edition = await org.services.store.editions.get(partition=Edition.partition_key, key=WEEK)
    assert edition is not None and edition.state is EditionState.CLOSED and edition.closed_at == MONDAY_09
    assert digests.calls.count(WEEK) == 1
    await tick_at(org, MONDAY_09 + timedelta(minutes=1))
    await tick_at(org, MONDAY_09 + timedelta(days=2))
    assert digests.calls.count(WEEK) == 1
    assert notices(org.connector, REMIND_NOTICE) == {PM_ONE.email: 1, PM_TWO.email: 1}

    # A late answer after close is still taken, and marked late.
    org.clock.now = MONDAY_09 + timedelta(hours=2)
    await press(
        org, PM_TWO, "update.submit", {"project": SUMMARY.project_id, "week": WEEK, "summary": "Done"}
    )
    late = await org.services.store.updates.get(partition=WEEK, key=SUMMARY.project_id)
    assert late is not None and late.late

    status = format_status(await week_status(org.services.store, WEEK))
    assert "edition closed" in status
    assert "Reminded (2):" in status and "Priya Shah <priya.shah@example.org>: Product: Drupal" in status
    assert "OneDrive adoption: Priya Shah" in status and "Purview pilot: Owen Price, late" in status
    assert "Frontline services: Owen Price (leave)" in status


async def test_tick_twice_sends_nothing_twice(org: BotServer, digests: HookSpy) -> None:
    first = await tick_at(org, THURSDAY_10)
    second = await tick_at(org, THURSDAY_10)
    assert len(first.sent) == 4
    assert second.sent == [] and len(second.results(Outcome.ALREADY)) == 4
    assert cards_by_person(org.connector) == {PM_ONE.email: 2, PM_TWO.email: 2}
    assert digests.calls == ["2026-W19"]  # last week's close was still due, once


@pytest.mark.parametrize(
    ("week", "prompt_utc", "close_utc", "why"),
    [
        # Clocks go forward on Sunday 29 March 2026: W13 is prompted in GMT and closed in BST.
        (
            "2026-W13",
            datetime(2026, 3, 26, 10, 0, tzinfo=UTC),
            datetime(2026, 3, 30, 8, 0, tzinfo=UTC),
            "spring",
        ),
        # Clocks go back on Sunday 25 October 2026: W43 is prompted in BST and closed in GMT.
        (
            "2026-W43",
            datetime(2026, 10, 22, 9, 0, tzinfo=UTC),
            datetime(2026, 10, 26, 9, 0, tzinfo=UTC),
            "autumn",
        ),
    ],
)
async def test_clock_change_weeks_keep_local_times(
    org: BotServer, digests: HookSpy, week: str, prompt_utc: datetime, close_utc: datetime, why: str
) -> None:
    assert (await tick_at(org, prompt_utc - timedelta(minutes=1))).sent == []
    prompted = await tick_at(org, prompt_utc)
    assert {(r.job.week, r.job.phase) for r in prompted.sent} == {(week, Phase.PROMPT)}
    assert len(prompted.sent) == 4

    before = await tick_at(org, close_utc - timedelta(minutes=1))
    assert before.step(week, "close") is None
    closed = await tick_at(org, close_utc)
    step = closed.step(week, "close")
    assert step is not None and step.outcome is Outcome.SENT, why
    edition = await org.services.store.editions.get(partition=Edition.partition_key, key=week)
    assert edition is not None and edition.state is EditionState.CLOSED and edition.closed_at == close_utc
    assert digests.calls.count(week) == 1


async def test_bank_holiday_thursday_moves_the_prompt_to_the_next_working_day(
    org: BotServer, digests: HookSpy
) -> None:
    # New Year's Day 2026 is a Thursday: 2026-W01 is prompted on Friday 2 January at 10:00 (GMT).
    holiday = await tick_at(org, datetime(2026, 1, 1, 10, 0, tzinfo=UTC))
    assert [r for r in holiday.sent if r.job.week == "2026-W01"] == []
    assert ("2026-W01", Phase.PROMPT) not in holiday.due
    friday = await tick_at(org, datetime(2026, 1, 2, 10, 0, tzinfo=UTC))
    assert {(r.job.week, r.job.phase) for r in friday.sent} == {("2026-W01", Phase.PROMPT)}
    assert notices(org.connector, PROMPT_NOTICE) == {PM_ONE.email: 2, PM_TWO.email: 2}
    # The reminder then waits for the next working day after the prompt (Monday 5 January).
    assert (await tick_at(org, datetime(2026, 1, 2, 16, 0, tzinfo=UTC))).sent == []
    monday = await tick_at(org, datetime(2026, 1, 5, 10, 0, tzinfo=UTC))
    assert {(r.job.week, r.job.phase) for r in monday.sent} == {("2026-W01", Phase.REMIND)}


async def test_on_leave_the_deputy_is_asked_and_a_project_without_one_is_reported(
    org: BotServer, digests: HookSpy
) -> None:
    store = org.services.store
    priya = await store.people.get(partition=Person.partition_key, key=PM_ONE.email)
    assert priya is not None
    await store.people.save(record=replace(priya, leave_weeks=frozenset({WEEK})))

    report = await tick_at(org, THURSDAY_10)
    assert cards_by_person(org.connector) == {PM_TWO.email: 3}
    deputised = [r for r in report.sent if r.job.project.project_id == FULL.project_id]
    assert [(r.job.email, r.job.reason) for r in deputised] == [(PM_TWO.email, "deputy")]
    assert "Priya Shah is away this week, so as deputy" in card_text(
        next(c for c in org.connector.sent() if FULL.name in card_text(c))
    )
    [unasked] = report.phases[0].plan.unasked
    assert unasked.project == TEAM and "on leave and there is no deputy" in unasked.reason
    assert "nobody to ask: Product: Drupal" in str(report)

    # Back the week after: prompted as usual.
    nxt = await tick_at(org, THURSDAY_10 + timedelta(days=7))
    assert {r.job.email for r in nxt.sent} == {PM_ONE.email, PM_TWO.email}


async def test_a_project_handed_over_before_the_prompt_goes_to_whoever_took_it(
    org: BotServer, digests: HookSpy
) -> None:
    await org.services.store.updates.save(
        record=Update(week=WEEK, project_id=FULL.project_id, handed_over_to=PM_TWO.email)
    )
    report = await tick_at(org, THURSDAY_10)
    handed = [r for r in report.sent if r.job.project == FULL]
    assert [(r.job.email, r.job.reason) for r in handed] == [(PM_TWO.email, "handed over")]
    assert card_projects(org.connector, PM_ONE.email) == [TEAM.project_id]


async def test_answered_projects_are_not_prompted_and_a_closed_week_is_not_chased(
    org: BotServer, digests: HookSpy
) -> None:
    await org.services.store.updates.save(
        record=Update(week=WEEK, project_id=TEAM.project_id, state=UpdateState.SKIPPED)
    )
    report = await tick_at(org, THURSDAY_10)
    assert TEAM.project_id not in {r.job.project.project_id for r in report.sent}
    assert report.phases[0].plan.answered == 1

    # A project added after the close is not prompted for the closed week.
    from bot.domain.models import Project

    await org.services.store.projects.save(record=Project("late", "Late project", PM_ONE.email, order=9))
    closed = await tick_at(org, MONDAY_09 + timedelta(hours=1))
    assert [r for r in closed.sent if r.job.week == WEEK] == []
    assert any("has closed" in p.note for p in closed.phases if p.week == WEEK)


async def test_a_prompt_sent_late_is_not_followed_by_a_reminder_at_once(
    bot: BotServer, digests: HookSpy
) -> None:
    # The service was down from Thursday to Saturday: the prompt runs late, once, and serves as reminder.
    await seed(bot.services.store, bot.connector)
    await link_people(bot)
    report = await tick_at(bot, datetime(2026, 5, 16, 12, 0, tzinfo=UTC))
    assert {(r.job.phase, r.outcome) for r in report.results()} == {(Phase.PROMPT, Outcome.SENT)}
    assert [p.plan.covered_by_prompt for p in report.phases if p.phase is Phase.REMIND] == [4]
    assert cards_by_person(bot.connector) == {PM_ONE.email: 2, PM_TWO.email: 2}
