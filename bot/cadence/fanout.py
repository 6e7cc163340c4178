"""Sending a phase's cards to many people at once, within Teams' limits, each card once.

A fixed pool of workers (``concurrency``) takes one person at a time and sends that person's cards in
weeknote order, so one person's chat never has two of our posts in flight and they read their projects in
order. Each card is one claimed job (``bot.cadence.claims``):

    claim -> build the card -> [messenger: chat ready, rate limits pass] -> sending -> post -> done

The messenger waits for the per-conversation and per-tenant limits and retries 429/5xx; a 403 marks the
person ``blocked`` (stored on the Person, audited, reported) and their remaining cards are not attempted.
When ``stopping`` is set (SIGTERM, the service shutting down) workers finish the post they are in and take
no new job, so a graceful stop never leaves a claim mid-post.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace

from bot.cadence.claims import ClaimBook, ClaimGuard, ClaimState, Decision, LeaseLostError
from bot.cadence.plan import CardJob
from bot.cadence.report import JobResult, Outcome
from bot.domain.models import Claim, Person
from bot.errors import ConcurrencyError, DeliveryError, RecipientBlockedError, StorageError
from bot.ports import Card, Services
from bot.teams.audit import record_audit

log = logging.getLogger(__name__)

DEFAULT_CONCURRENCY = 16
CardBuilder = Callable[[CardJob], Awaitable[Card]]


@dataclass(frozen=True)
class FanoutPolicy:
    """How many people are being written to at once."""

    concurrency: int = DEFAULT_CONCURRENCY


async def fan_out(
    services: Services,
    book: ClaimBook,
    jobs: Sequence[CardJob],
    build_card: CardBuilder,
    *,
    claims: dict[str, Claim] | None = None,
    policy: FanoutPolicy | None = None,
    stopping: asyncio.Event | None = None,
) -> list[JobResult]:
    """Send every job's card, each at most once across every tick and process.

    Args:
        services: The app's services (storage and messenger).
        book: This tick's claims.
        jobs: The cards to send.
        build_card: Builds a job's card (called only once the job is claimed).
        claims: The week's claims as listed at the start of the tick (saves a read per job).
        policy: Concurrency.
        stopping: When set, no new job is started.

    Returns:
        One result per job, in the order of ``jobs``.
    """
    policy = policy or FanoutPolicy()
    known = claims or {}
    by_person: dict[str, list[CardJob]] = {}
    for job in jobs:
        by_person.setdefault(job.email, []).append(job)
    queue: asyncio.Queue[list[CardJob]] = asyncio.Queue()
    for group in by_person.values():
        queue.put_nowait(group)
    results: dict[str, JobResult] = {}

    async def worker() -> None:
        while not queue.empty():
            group = queue.get_nowait()
            blocked = False
            for job in group:
                if stopping is not None and stopping.is_set():
                    results[job.key] = JobResult(job, Outcome.STOPPED)
                elif blocked:
                    results[job.key] = JobResult(job, Outcome.BLOCKED, "not attempted: blocked earlier")
                else:
                    result = await _run(services, book, job, build_card, known.get(job.key))
                    results[job.key] = result
                    blocked = result.outcome is Outcome.BLOCKED

    workers = [asyncio.create_task(worker()) for _ in range(max(1, min(policy.concurrency, len(by_person))))]
    try:
        await asyncio.gather(*workers)
    finally:
        for task in workers:
            task.cancel()
    return [results[job.key] for job in jobs if job.key in results]


async def _run(
    services: Services, book: ClaimBook, job: CardJob, build_card: CardBuilder, found: Claim | None
) -> JobResult:
    try:
        decision, claim = await book.acquire(job.week, job.key, found)
    except StorageError as error:
        return JobResult(job, Outcome.FAILED, f"storage: {error}")
    if decision is Decision.DONE:
        return JobResult(job, Outcome.ALREADY)
    if decision is Decision.BUSY:
        return JobResult(job, Outcome.BUSY)
    assert claim is not None
    resend = decision is Decision.RESEND
    guard = ClaimGuard(book, claim)
    try:
        card = await build_card(job)
        sent = await services.messenger.send_to_person(email=job.email, card=card, guard=guard)
    except LeaseLostError:
        return JobResult(job, Outcome.LOST)
    except RecipientBlockedError as error:
        await _finish(book, guard.claim, ClaimState.BLOCKED, error.code)
        await mark_blocked(services, job.person, error.code)
        return JobResult(job, Outcome.BLOCKED, error.code)
    except DeliveryError as error:
        await _finish(book, guard.claim, ClaimState.FAILED, str(error))
        return JobResult(job, Outcome.FAILED, str(error))
    except StorageError as error:
        await _finish(book, guard.claim, ClaimState.FAILED, f"storage: {error}")
        return JobResult(job, Outcome.FAILED, f"storage: {error}")
    except Exception as error:  # a bug building one card must not stop everyone else's
        log.exception("cadence job %s/%s failed", job.week, job.key)
        await _finish(book, guard.claim, ClaimState.FAILED, f"error: {type(error).__name__}")
        return JobResult(job, Outcome.FAILED, f"error: {type(error).__name__}")
    if resend:
        detail = f"resent after a crash ({claim.detail}): {sent.activity_id}"
        await _finish(book, guard.claim, ClaimState.DONE, detail)
        return JobResult(job, Outcome.RESENT, claim.detail)
    await _finish(book, guard.claim, ClaimState.DONE, f"sent {sent.activity_id}".strip())
    return JobResult(job, Outcome.SENT)


async def _finish(book: ClaimBook, claim: Claim, state: ClaimState, detail: str) -> None:
    try:
        await book.finish(claim, state, detail=detail)
    except StorageError:
        # The job's outcome stands; the claim stays where it was (a later tick sees it mid-post and does
        # not resend, or sees it claimed and retries what never reached the connector).
        log.exception("could not record %s for %s/%s", state, claim.week, claim.job)


async def mark_blocked(services: Services, person: Person, code: str) -> None:
    """Record that ``person`` blocked the bot: on their Person record (kept until they write to us again),
    and in the audit trail, where the director's reports read it."""
    store = services.store
    current: Person | None = person
    for _ in range(3):
        if current is None or current.blocked:
            break
        try:
            await store.people.save(record=replace(current, blocked=True))
            break
        except ConcurrencyError:
            current = await store.people.get(partition=Person.partition_key, key=person.email)
        except StorageError:
            log.exception("could not mark %s as blocked", person.email)
            break
    try:
        await record_audit(
            services,
            actor="cadence",
            action="cadence.blocked",
            target=person.email,
            outcome="failed",
            detail=f"403 {code}: not written to again until they message the bot",
        )
    except StorageError:
        log.exception("could not audit that %s blocked the bot", person.email)
