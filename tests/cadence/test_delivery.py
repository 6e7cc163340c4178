"""Delivery: throttling, blocking, creating chats, failures, and claims left behind by other ticks."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.cadence.claims import (
    ClaimBook,
    ClaimGuard,
    ClaimState,
    Decision,
    LeaseLostError,
    Owner,
    pid_namespace,
)
from bot.cadence.report import Outcome
from bot.cadence.status import format_status, week_status
from bot.cadence.tick import tick
from bot.domain.models import Claim, ConversationRef, Person, Phase, Project
from bot.ports import Services
from bot.teams.adapter import create_adapter
from bot.teams.messenger import RetryPolicy, TeamsMessenger
from bot.teams.references import personal_key
from tests.cadence.conftest import cards_by_person, personal_reference, tick_at
from tests.support.botserver import BotServer, StaticCredentialsFactory
from tests.support.org import BRIEF, FULL, PM_ONE, PM_TWO, SUMMARY
from tests.support.teams import APP_ID, BOT_ID, TENANT, execute

WEEK = "2026-W20"
THURSDAY_10 = datetime(2026, 5, 14, 9, 0, tzinfo=UTC)
ACTIVITIES = r"^POST /v3/conversations/[^/]+/activities(/[^/]+)?$"


class Sleeps:
    """An injected sleep: records every wait instead of waiting."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def services_with(bot: BotServer, sleep: Callable[[float], Awaitable[None]], **kw: object) -> Services:
    """The app's services with a messenger whose waits the test sees."""
    adapter = create_adapter(bot.settings, StaticCredentialsFactory())
    messenger = TeamsMessenger(adapter, bot.services.store, app_id=APP_ID, sleep=sleep, **kw)  # type: ignore[arg-type]
    return Services(settings=bot.settings, store=bot.services.store, messenger=messenger, clock=bot.clock)


def dead_pid() -> int:
    """The id of a process that has exited and been reaped."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


async def test_429_with_retry_after_is_waited_out_then_delivered_once(org: BotServer) -> None:
    sleeps = Sleeps()
    services = services_with(org, sleeps)
    org.connector.fail(ACTIVITIES, 429, times=1, headers={"Retry-After": "7"})
    org.clock.now = THURSDAY_10
    report = await tick(services, THURSDAY_10)
    assert len(report.sent) == 4 and report.problems == []
    assert cards_by_person(org.connector) == {PM_ONE.email: 2, PM_TWO.email: 2}
    assert len(sleeps.waits) == 1 and 7 <= sleeps.waits[0] <= 7.5  # Retry-After, plus a little jitter
    claims = await org.services.store.claims.list(partition=WEEK)
    assert {c.state for c in claims if c.job.startswith("prompt:")} == {ClaimState.DONE}


async def test_502_and_504_are_retried_with_growing_jittered_waits(org: BotServer) -> None:
    sleeps = Sleeps()
    services = services_with(org, sleeps, retry=RetryPolicy(attempts=4, base_delay=1.0))
    org.connector.fail(ACTIVITIES, 502, times=1)
    org.connector.fail(ACTIVITIES, 504, times=1)
    org.clock.now = THURSDAY_10
    report = await tick(services, THURSDAY_10)
    assert len(report.sent) == 4
    assert cards_by_person(org.connector) == {PM_ONE.email: 2, PM_TWO.email: 2}
    assert len(sleeps.waits) == 2
    assert all(0.5 <= wait <= 2.0 for wait in sleeps.waits)


async def test_connector_that_keeps_failing_is_reported_and_retried_by_a_later_tick(org: BotServer) -> None:
    sleeps = Sleeps()
    services = services_with(org, sleeps, retry=RetryPolicy(attempts=2))
    org.connector.fail(
        r"aad-owen/activities(/[^/]+)?$", 503, times=4
    )  # both of Owen's cards, two attempts each
    org.clock.now = THURSDAY_10
    first = await tick(services, THURSDAY_10)
    failed = first.results(Outcome.FAILED)
    assert {r.job.email for r in failed} == {PM_TWO.email} and len(failed) == 2
    assert cards_by_person(org.connector) == {PM_ONE.email: 2}

    # Within the lease nobody retries; after it, the next tick does, once.
    org.clock.now = THURSDAY_10 + timedelta(minutes=1)
    assert (await tick(services, org.clock.now)).sent == []
    org.clock.now = THURSDAY_10 + timedelta(minutes=6)
    later = await tick(services, org.clock.now)
    assert {(r.job.email, r.outcome) for r in later.sent} == {(PM_TWO.email, Outcome.SENT)}
    assert cards_by_person(org.connector) == {PM_ONE.email: 2, PM_TWO.email: 2}


async def test_403_message_writes_blocked_marks_the_person_reports_and_never_retries(org: BotServer) -> None:
    sleeps = Sleeps()
    services = services_with(org, sleeps)
    org.connector.fail(r"aad-owen/activities(/[^/]+)?$", 403, times=50, code="MessageWritesBlocked")
    org.clock.now = THURSDAY_10
    report = await tick(services, THURSDAY_10)

    assert report.blocked == [PM_TWO.email]
    owen = [r for r in report.results() if r.job.email == PM_TWO.email]
    assert [r.outcome for r in owen] == [Outcome.BLOCKED, Outcome.BLOCKED]
    assert owen[0].detail == "MessageWritesBlocked" and "not attempted" in owen[1].detail
    assert org.connector.faults[0].times == 49  # one attempt, no retry, not even for his second project
    assert sleeps.waits == []
    assert cards_by_person(org.connector) == {PM_ONE.email: 2}
    person = await org.services.store.people.get(partition=Person.partition_key, key=PM_TWO.email)
    assert person is not None and person.blocked
    audit = await org.services.store.audit.list(partition=WEEK)
    assert [(e.action, e.target, e.outcome) for e in audit if e.action == "cadence.blocked"] == [
        ("cadence.blocked", PM_TWO.email, "failed")
    ]
    assert "blocked: owen.price@example.org" in str(report)

    # The reminder does not try again either; the director sees it in the tick report and the status.
    org.clock.now = THURSDAY_10 + timedelta(days=1)
    remind = await tick(services, org.clock.now)
    assert org.connector.faults[0].times == 49
    assert remind.blocked == [PM_TWO.email]
    status = format_status(await week_status(org.services.store, WEEK))
    assert "Blocked the bot (1):\n  Owen Price <owen.price@example.org>" in status


async def test_someone_who_blocked_the_bot_is_written_to_again_once_they_write_to_it(org: BotServer) -> None:
    store = org.services.store
    owen = await store.people.get(partition=Person.partition_key, key=PM_TWO.email)
    assert owen is not None
    await store.people.save(record=replace(owen, blocked=True))
    report = await tick_at(org, THURSDAY_10)
    assert report.blocked == [PM_TWO.email] and cards_by_person(org.connector) == {PM_ONE.email: 2}

    # Owen unblocks the bot and presses a button on an old card: he is reachable again.
    status, _ = await org.post(
        execute(PM_TWO, "update.edit", {"project": BRIEF.project_id, "week": WEEK}, org.connector.url)
    )
    assert status == 200
    owen = await store.people.get(partition=Person.partition_key, key=PM_TWO.email)
    assert owen is not None and not owen.blocked
    later = await tick_at(org, THURSDAY_10 + timedelta(minutes=1))
    assert {r.job.email for r in later.sent} == {PM_TWO.email}


async def test_first_message_creates_the_1to1_chat_from_the_teams_account(org: BotServer) -> None:
    assert await org.services.store.conversations.list(partition=ConversationRef.partition_key) == []
    await tick_at(org, THURSDAY_10)
    priya = [c for c in org.connector.calls if "aad-priya" in c.conversation_id]
    assert [c.method for c in priya] == ["CREATE", "SEND", "SEND"]  # the chat is created once
    create = priya[0]
    assert create.body["members"] == [{"id": PM_ONE.id}]
    assert create.body["channelData"]["tenant"]["id"] == TENANT
    assert create.body["isGroup"] is False and create.body["bot"]["id"] == BOT_ID
    assert {c.conversation_id for c in priya} == {create.conversation_id}
    stored = await org.services.store.conversations.get(
        partition=ConversationRef.partition_key, key=personal_key(PM_ONE.email)
    )
    assert stored is not None and stored.reference["conversation"]["id"] == create.conversation_id


async def test_a_stored_conversation_is_used_without_creating_one(org: BotServer) -> None:
    await org.services.store.conversations.save(record=personal_reference(PM_ONE, org.connector.url))
    await tick_at(org, THURSDAY_10)
    priya = [c for c in org.connector.calls if "aad-priya" in c.conversation_id]
    assert [(c.method, c.conversation_id) for c in priya] == [("SEND", PM_ONE.conversation_id)] * 2


async def test_someone_without_a_teams_account_is_reported_not_lost(org: BotServer) -> None:
    store = org.services.store
    owen = await store.people.get(partition=Person.partition_key, key=PM_TWO.email)
    assert owen is not None
    await store.people.save(record=replace(owen, teams_user_id="", aad_object_id=""))
    report = await tick_at(org, THURSDAY_10)
    failed = report.results(Outcome.FAILED)
    assert {r.job.email for r in failed} == {PM_TWO.email}
    assert "no Teams account known" in failed[0].detail
    # Once the roster is read, the next tick after the lease delivers.
    owen = await store.people.get(partition=Person.partition_key, key=PM_TWO.email)
    assert owen is not None
    await store.people.save(record=replace(owen, teams_user_id=PM_TWO.id))
    later = await tick_at(org, THURSDAY_10 + timedelta(minutes=6))
    assert {r.job.email for r in later.sent} == {PM_TWO.email}


async def test_failed_jobs_are_given_up_after_three_attempts(org: BotServer) -> None:
    store = org.services.store
    owen = await store.people.get(partition=Person.partition_key, key=PM_TWO.email)
    assert owen is not None
    await store.people.save(record=replace(owen, teams_user_id="", aad_object_id=""))
    for minutes in (0, 6, 12, 18, 24):
        await tick_at(org, THURSDAY_10 + timedelta(minutes=minutes))
    claims = {c.job: c for c in await store.claims.list(partition=WEEK)}
    owens = [c for job, c in claims.items() if job.startswith(f"prompt:{PM_TWO.email}:")]
    assert [(c.state, c.attempts) for c in owens] == [("failed", 3), ("failed", 3)]
    status = format_status(await week_status(store, WEEK))
    assert "Not delivered (2):" in status and "no Teams account known" in status


def _claim(job: str, state: ClaimState, owner: str, at: datetime) -> Claim:
    return Claim(week=WEEK, job=job, state=state.value, owner=owner, claimed_at=at, attempts=1)


async def test_a_claim_left_by_a_dead_process_before_posting_is_taken_over_and_sent(org: BotServer) -> None:
    job = f"prompt:{PM_ONE.email}:{FULL.project_id}"
    dead = f"{socket.gethostname()}:{pid_namespace()}:{dead_pid()}:gone"
    await org.services.store.claims.save(record=_claim(job, ClaimState.CLAIMED, dead, THURSDAY_10))
    report = await tick_at(org, THURSDAY_10)
    assert len(report.sent) == 4
    assert cards_by_person(org.connector) == {PM_ONE.email: 2, PM_TWO.email: 2}
    claim = await org.services.store.claims.get(partition=WEEK, key=job)
    assert claim is not None and claim.state == ClaimState.DONE and claim.attempts == 2


async def test_a_claim_left_mid_post_is_posted_again_once_and_reported(org: BotServer) -> None:
    # The process died with the post on the wire: the connector may not have taken it, so it is posted
    # again (the one case where a repeat is possible), said so in the report and the status, and only once.
    job = f"prompt:{PM_ONE.email}:{FULL.project_id}"
    dead = f"{socket.gethostname()}:{pid_namespace()}:{dead_pid()}:gone"
    await org.services.store.claims.save(record=_claim(job, ClaimState.SENDING, dead, THURSDAY_10))
    report = await tick_at(org, THURSDAY_10)
    [resent] = report.results(Outcome.RESENT)
    assert resent.job.key == job and "stopped while holding it" in resent.detail
    assert "resent after a crash: priya.shah@example.org, OneDrive adoption" in str(report)
    assert cards_by_person(org.connector) == {PM_ONE.email: 2, PM_TWO.email: 2}
    later = await tick_at(org, THURSDAY_10 + timedelta(hours=1))
    assert later.sent == [] and cards_by_person(org.connector) == {PM_ONE.email: 2, PM_TWO.email: 2}
    status = format_status(await week_status(org.services.store, WEEK))
    assert "OneDrive adoption (resent after a crash)" in status


async def test_a_live_claim_elsewhere_is_left_alone_until_its_lease_runs_out(org: BotServer) -> None:
    job = f"prompt:{PM_ONE.email}:{FULL.project_id}"
    await org.services.store.claims.save(
        record=_claim(job, ClaimState.CLAIMED, "other-host:1:4242:abcd", THURSDAY_10)
    )
    report = await tick_at(org, THURSDAY_10 + timedelta(minutes=4))
    assert [r.job.key for r in report.results(Outcome.BUSY)] == [job]
    assert cards_by_person(org.connector) == {PM_ONE.email: 1, PM_TWO.email: 2}
    report = await tick_at(org, THURSDAY_10 + timedelta(minutes=5))
    assert [r.job.key for r in report.sent] == [job]


async def test_a_tick_whose_claim_was_taken_over_sends_nothing(org: BotServer) -> None:
    store = org.services.store
    clock = {"now": THURSDAY_10}
    slow = ClaimBook(store, clock=lambda: clock["now"], owner=Owner("host-a", "1", 1, "a"))
    decision, claim = await slow.acquire(WEEK, "prompt:x:y")
    assert decision is Decision.RUN and claim is not None
    guard = ClaimGuard(slow, claim)
    await guard.sending()  # fresh: nobody can have it yet, so no write is needed
    assert guard.claim.etag == claim.etag

    # The slow tick stalls for six minutes; another takes the claim over.
    clock["now"] = later = THURSDAY_10 + timedelta(minutes=6)
    other = ClaimBook(store, clock=lambda: later, owner=Owner("host-b", "1", 2, "b"))
    again, taken = await other.acquire(WEEK, "prompt:x:y")
    assert again is Decision.RESEND and taken is not None and taken.owner == "host-b:1:2:b"
    with pytest.raises(LeaseLostError):
        await guard.sending()  # the fence: the slow tick must not post
    third = ClaimBook(store, clock=lambda: later, owner=Owner("host-c", "1", 3, "c"))
    assert (await third.acquire(WEEK, "prompt:x:y"))[0] is Decision.BUSY


async def test_a_refused_post_leaves_the_claim_safe_to_retry(org: BotServer) -> None:
    store = org.services.store
    book = ClaimBook(store, clock=lambda: THURSDAY_10, owner=Owner("host-a", "1", 1, "a"))
    _, claim = await book.acquire(WEEK, "prompt:x:z")
    assert claim is not None
    guard = ClaimGuard(book, claim)
    await guard.refused()  # a 429: nothing was delivered
    assert guard.claim.state == ClaimState.CLAIMED
    await guard.sending()  # the next attempt rewrites the claim first
    assert guard.claim.state == ClaimState.SENDING and guard.claim.etag != claim.etag
    # Had the process died while waiting, a later tick would run it again without calling it a repeat.
    await store.claims.save(record=replace(guard.claim, state=ClaimState.CLAIMED.value))
    later = ClaimBook(store, clock=lambda: THURSDAY_10 + timedelta(minutes=6), owner=Owner("h", "1", 2, "b"))
    assert (await later.acquire(WEEK, "prompt:x:z"))[0] is Decision.RUN


async def test_racing_takeovers_have_one_winner(org: BotServer) -> None:
    import asyncio

    store = org.services.store
    await store.claims.save(record=_claim("prompt:x:y", ClaimState.CLAIMED, "gone:1:1:a", THURSDAY_10))
    later = THURSDAY_10 + timedelta(minutes=10)
    books = [ClaimBook(store, clock=lambda: later, owner=Owner(f"h{i}", "1", i, "t")) for i in range(5)]
    decisions = await asyncio.gather(*(b.acquire(WEEK, "prompt:x:y") for b in books))
    assert sorted(d for d, _ in decisions) == sorted([Decision.RUN] + [Decision.BUSY] * 4)


async def test_inactive_projects_and_unknown_owners(org: BotServer) -> None:
    store = org.services.store
    await store.projects.save(record=Project("ghost", "Ghost project", "nobody@example.org", order=8))
    summary = await store.projects.get(partition=Project.partition_key, key=SUMMARY.project_id)
    assert summary is not None
    await store.projects.save(record=replace(summary, active=False))
    report = await tick_at(org, THURSDAY_10)
    assert SUMMARY.project_id not in {r.job.project.project_id for r in report.results()}
    [unasked] = report.phases[0].plan.unasked
    assert unasked.project.project_id == "ghost" and "not in the people list" in unasked.reason
    assert report.phases[0].phase is Phase.PROMPT


def test_owner_ids_round_trip() -> None:
    owner = Owner.this_process()
    assert Owner.parse(str(owner)) == owner and owner.pid == os.getpid() and owner.namespace
    assert Owner.parse("garbage") is None
    # A process in another PID namespace (another container with the same host name) is never judged dead.
    assert not owner.same_processes(replace(owner, namespace="4026531836x"))
