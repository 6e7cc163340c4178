"""One tick of the weekly cadence: given "now", do whatever is due, once.

``tick(services, now)`` reads the organisation (a default one in the configured time zone if none is stored),
asks the calendar (``bot.domain.calendar``) which (week, phase) are due, and runs each:

- **PROMPT**: every active project not yet answered gets its card, one message per project, sent to its
  owner; to the deputy when the owner is on leave that week; to whoever it was handed over to
  (``bot.cadence.plan``).
- **REMIND**: the same, only for projects with nothing submitted or skipped, with gentler words, once.
- **CLOSE**: the edition is closed (``EditionState.CLOSED``, ``closed_at``; created if missing), then the
  director's digest is handed over (``bot.review.digest.send_digests``), then retention runs
  (``bot.privacy.retention.apply_retention``, ``Phase.RETENTION``): each once per week.

A week's prompt and reminder stop at its close: late answers are still taken (``dialogs.update`` marks
them late), but a closed week is not chased. Every card and every step is a claimed job, so running tick
twice, or in three processes at once, does each thing once (``bot.cadence.claims`` has the argument and
its honest limit). Nothing here reads the wall clock: ``now`` decides what is due, ``services.clock``
stamps the claims.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime

from bot.cadence.claims import ClaimBook, ClaimGuard, ClaimState, Decision, LeaseLostError
from bot.cadence.fanout import FanoutPolicy, fan_out
from bot.cadence.plan import CardJob, plan_phase
from bot.cadence.prompts import job_card, load_week_data
from bot.cadence.report import Outcome, PhaseReport, StepResult, TickReport
from bot.domain.calendar import organisation_due_phases, organisation_phase_times
from bot.domain.models import Claim, Edition, EditionState, Phase
from bot.errors import ConcurrencyError
from bot.ports import Card, Services
from bot.teams.audit import record_audit
from dialogs.context import load_organisation

log = logging.getLogger(__name__)

CLOSE_JOB = "close"
DIGEST_JOB = "digest"
RETENTION_JOB = Phase.RETENTION.value


async def tick(
    services: Services,
    now: datetime,
    *,
    policy: FanoutPolicy | None = None,
    stopping: asyncio.Event | None = None,
    book: ClaimBook | None = None,
) -> TickReport:
    """Do whatever the cadence says is due at ``now``, each thing once.

    Args:
        services: The app's services.
        now: The time to act for (timezone-aware).
        policy: Fan-out concurrency.
        stopping: Set it to stop taking new jobs (a graceful shutdown); in-flight posts finish.
        book: The claims to use (default: this process's, on ``services.clock``).

    Returns:
        What was done, sent, refused or left out.

    Raises:
        StorageUnavailableError: Storage is down (nothing further is attempted in this tick).
    """
    organisation = await load_organisation(services)
    book = book or ClaimBook(services.store, clock=services.clock)
    report = TickReport(
        now=now, timezone=organisation.timezone, due=organisation_due_phases(organisation, now)
    )
    for week, phase in report.due:
        if stopping is not None and stopping.is_set():
            break
        if phase is Phase.CLOSE:
            report.steps.extend(await _close(services, book, week, now))
            continue
        closes = organisation_phase_times(organisation, week)[Phase.CLOSE]
        if now >= closes:
            report.phases.append(PhaseReport(week, phase, note="the week has closed: nobody is chased"))
            continue
        report.phases.append(await _send_cards(services, book, week, phase, policy, stopping))
    if report.sent or report.problems or any(s.outcome is not Outcome.ALREADY for s in report.steps):
        log.info("cadence tick: %s", report.summary())
    else:  # the usual minute: everything due was done already
        log.debug("cadence tick: %s", report.summary())
    return report


async def _send_cards(
    services: Services,
    book: ClaimBook,
    week: str,
    phase: Phase,
    policy: FanoutPolicy | None,
    stopping: asyncio.Event | None,
) -> PhaseReport:
    data = await load_week_data(services, week)
    claims = await book.list(week)
    remind_at = organisation_phase_times(data.organisation, week)[Phase.REMIND]
    plan = plan_phase(
        week=week,
        phase=phase,
        projects=data.projects,
        people=data.people,
        updates=data.updates,
        claims=claims.values(),
        remind_at=remind_at,
    )

    async def build(job: CardJob) -> Card:
        return await job_card(services, job, data)

    results = await fan_out(services, book, plan.jobs, build, claims=claims, policy=policy, stopping=stopping)
    return PhaseReport(week, phase, plan, results)


async def _close(services: Services, book: ClaimBook, week: str, now: datetime) -> list[StepResult]:
    """Close the edition, then the digest, then retention: each once; each only after the one before."""
    claims = await book.list(week)
    steps = [await _once(book, week, CLOSE_JOB, claims, lambda: _close_edition(services, week, now), True)]
    if steps[-1].outcome not in (Outcome.SENT, Outcome.RESENT, Outcome.ALREADY):
        return steps
    steps.append(await _once(book, week, DIGEST_JOB, claims, lambda: _send_digest(services, week), False))
    if steps[-1].outcome in (Outcome.SENT, Outcome.RESENT, Outcome.ALREADY):
        steps.append(await _once(book, week, RETENTION_JOB, claims, lambda: _retention(services, now), True))
    return steps


async def _once(
    book: ClaimBook,
    week: str,
    job: str,
    claims: dict[str, Claim],
    action: Callable[[], Awaitable[str]],
    idempotent: bool,
) -> StepResult:
    decision, claim = await book.acquire(week, job, claims.get(job), idempotent=idempotent)
    if decision is Decision.DONE:
        return StepResult(week, job, Outcome.ALREADY)
    if decision is Decision.BUSY:
        return StepResult(week, job, Outcome.BUSY)
    assert claim is not None
    done = Outcome.RESENT if decision is Decision.RESEND else Outcome.SENT
    guard = ClaimGuard(book, claim)
    try:
        await guard.sending()
        claim = guard.claim
        detail = await action()
    except LeaseLostError:
        return StepResult(week, job, Outcome.LOST)
    except Exception as error:  # the hook belongs to another feature: report, retry on a later tick
        log.exception("cadence step %s of %s failed", job, week)
        await book.finish(claim, ClaimState.FAILED, detail=f"{type(error).__name__}: {error}")
        return StepResult(week, job, Outcome.FAILED, f"{type(error).__name__}: {error}")
    await book.finish(claim, ClaimState.DONE, detail=detail)
    return StepResult(week, job, done, detail)


async def _close_edition(services: Services, week: str, now: datetime) -> str:
    store = services.store
    for _ in range(5):
        edition = await store.editions.get(partition=Edition.partition_key, key=week)
        if edition is not None and edition.state is not EditionState.OPEN:
            return f"already {edition.state.value}"
        try:
            if edition is None:
                await store.editions.save(record=Edition(week=week, state=EditionState.CLOSED, closed_at=now))
            else:
                await store.editions.save(record=replace(edition, state=EditionState.CLOSED, closed_at=now))
        except ConcurrencyError:
            continue  # someone saved the edition meanwhile (a note, a late answer): read it again
        await record_audit(services, actor="cadence", action="edition.close", target=week)
        return "edition closed"
    raise ConcurrencyError(f"the edition of {week} kept changing while closing it")


async def _send_digest(services: Services, week: str) -> str:
    from bot.review import digest  # looked up at call time: the review feature owns it

    await digest.send_digests(services, week)
    return "digest handed to the director"


async def _retention(services: Services, now: datetime) -> str:
    from bot.privacy import retention  # looked up at call time: the privacy feature owns it

    removed = await retention.apply_retention(services, now)
    return f"{removed} record(s) removed"
