"""Claims: how each cadence job happens once, across ticks, restarts and racing instances.

A job is one thing the cadence does for a week: a card to one person about one project
(``prompt:<email>:<project>``, ``remind:<email>:<project>``), or a step of the week (``close``, ``digest``,
``retention``). Its :class:`~bot.domain.models.Claim` lives in Table Storage (partition: the week; row: the
job) and moves through these states, every move an ETag-conditional write:

```mermaid
stateDiagram-v2
    [*] --> claimed: create (fails if it exists)
    claimed --> sending: fence, right before each post
    sending --> claimed: refused without delivery (429/412), waiting to retry
    sending --> done: the connector accepted it
    claimed --> failed: no account / connector kept failing (retried by a later tick, up to 3 times)
    sending --> failed
    claimed --> blocked: 403 MessageWritesBlocked (final)
    claimed --> claimed: taken over once stale (owner dead or lease over)
    failed --> claimed: taken over after the lease
    sending --> interrupted: stale (final: maybe delivered, never resent)
```

**Why nothing is sent twice.** Creating a claim is a conditional insert, so of any number of racing ticks
exactly one creates it; the others read it back and leave it. The winner writes ``sending``
(ETag-conditional) immediately before each post: if another tick took the claim over in the meantime
(because this one looked dead or overran its lease), the ETag no longer matches, the write fails, and this
tick sends nothing. So at most one process ever posts for a claim at a time, and only the holder of the
current ETag does.

**Why nothing is lost.** A claim that is ``claimed`` but whose owner is gone (its process id no longer
runs on this host, or it is older than the lease, 5 minutes) never reached the connector: a later tick takes
it over with an ETag-conditional write (one re-claimer wins) and sends it. ``failed`` claims are retried
the same way, after the lease, at most three attempts in all. Phases are recomputed from the calendar on
every tick, so a tick that never ran (the service was down) is made up by the next one, within the week.

**The honest limit.** A claim left ``sending`` means the process died (kill -9, power) while a post was in
flight: the connector may or may not have accepted it, and the Bot Connector offers no idempotency key to
ask. We do not resend it: it becomes ``interrupted``, is reported to the director (tick report, ``weeknotes
status``), and the reminder reaches anyone still without an answer. So a crash can at worst *not deliver*
one message per worker that was mid-post; it can never deliver one twice. The window is the post itself:
everything slow (creating the chat, waiting for the rate limits, building the card) happens before
``sending`` is written, and ``done`` is written the moment the connector answers. A graceful stop (SIGTERM,
``serve`` shutting down) stops claiming and lets in-flight posts finish, so only a hard kill can hit it.
Retrying a 5xx inside one live process (as Teams asks) remains at-least-once, as it is for every client.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from bot.domain.models import Claim
from bot.errors import ConcurrencyError
from bot.storage.protocol import Store

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 3


class ClaimState(StrEnum):
    """Where a job stands (``Claim.state``)."""

    CLAIMED = "claimed"
    SENDING = "sending"
    DONE = "done"
    FAILED = "failed"
    BLOCKED = "blocked"
    INTERRUPTED = "interrupted"


FINAL = frozenset({ClaimState.DONE, ClaimState.BLOCKED, ClaimState.INTERRUPTED})


class LeaseLostError(Exception):
    """Another tick took this claim over: whatever this one was about to do must not happen."""


@dataclass(frozen=True)
class Owner:
    """Who holds a claim: this host, this process, and a token unique to this process's life."""

    host: str
    pid: int
    token: str

    @classmethod
    def this_process(cls) -> Owner:
        return cls(socket.gethostname(), os.getpid(), uuid.uuid4().hex[:8])

    def __str__(self) -> str:
        return f"{self.host}:{self.pid}:{self.token}"

    @classmethod
    def parse(cls, text: str) -> Owner | None:
        host, _, rest = text.rpartition(":")
        host, _, pid = host.rpartition(":")
        if not host or not pid.isdigit():
            return None
        return cls(host, int(pid), rest)


def process_alive(pid: int) -> bool:
    """True if a process with ``pid`` exists on this host (a reaped one does not; a zombie still does)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Decision(StrEnum):
    """What a tick does about a job whose claim it found."""

    RUN = "run"  # the claim is ours now
    DONE = "done"  # finished earlier (done, blocked, or given up on)
    BUSY = "busy"  # another live tick holds it
    INTERRUPTED = "interrupted"  # found stale mid-post: reported, not resent


class ClaimBook:
    """Claims of one tick, for one owner (this process)."""

    def __init__(
        self,
        store: Store,
        *,
        clock: Callable[[], datetime],
        owner: Owner | None = None,
        lease: timedelta = LEASE,
        alive: Callable[[int], bool] = process_alive,
    ) -> None:
        """Claims on ``store``.

        Args:
            store: Storage.
            clock: What "now" is (the tick's clock, so that a test's fixed clock drives leases too).
            owner: Who claims (default: this process).
            lease: How long a claim holds without its owner being seen.
            alive: Whether a process id on this host still runs (tests may replace it).
        """
        self.store = store
        self.clock = clock
        self.owner = owner or Owner.this_process()
        self.lease = lease
        self._alive = alive

    async def list(self, week: str) -> dict[str, Claim]:
        """Every claim of ``week``, by job."""
        return {claim.job: claim for claim in await self.store.claims.list(partition=week)}

    async def acquire(
        self, week: str, job: str, found: Claim | None = None, *, idempotent: bool = False
    ) -> tuple[Decision, Claim | None]:
        """Try to take ``job`` for ``week``.

        Args:
            week: The week.
            job: The job's key.
            found: The claim as listed earlier in this tick, if any (saves a read).
            idempotent: Doing the job twice is harmless (closing an edition, retention), so a claim left
                mid-way is simply run again rather than marked ``interrupted``.

        Returns:
            The decision and the claim as it now stands (ours when the decision is ``RUN``).
        """
        now = self.clock()
        if found is None:
            try:
                mine = await self.store.claims.save(
                    record=Claim(week=week, job=job, owner=str(self.owner), claimed_at=now, attempts=1)
                )
                return Decision.RUN, mine
            except ConcurrencyError:
                found = await self.store.claims.get(partition=week, key=job)
                if found is None:  # deleted in between (erasure): leave it to the next tick
                    return Decision.BUSY, None
        return await self._decide(found, now, idempotent=idempotent)

    async def _decide(
        self, found: Claim, now: datetime, *, idempotent: bool
    ) -> tuple[Decision, Claim | None]:
        state = _state(found)
        if state in FINAL:
            return (Decision.INTERRUPTED if state is ClaimState.INTERRUPTED else Decision.DONE), found
        if state is ClaimState.FAILED and found.attempts >= MAX_ATTEMPTS:
            return Decision.DONE, found
        stale = self.is_stale(found, now)
        if not stale:
            return Decision.BUSY, found
        if state is ClaimState.SENDING and not idempotent:
            try:
                marked = await self.store.claims.save(
                    record=replace(
                        found,
                        state=ClaimState.INTERRUPTED,
                        done_at=now,
                        detail=f"{found.owner} stopped while posting; not resent (it may have arrived)",
                    )
                )
            except ConcurrencyError:
                return Decision.BUSY, None
            log.warning(
                "claim %s/%s was left mid-post by %s: interrupted", found.week, found.job, found.owner
            )
            return Decision.INTERRUPTED, marked
        try:
            taken = await self.store.claims.save(
                record=replace(
                    found,
                    state=ClaimState.CLAIMED,
                    owner=str(self.owner),
                    claimed_at=now,
                    attempts=found.attempts + 1,
                )
            )
        except ConcurrencyError:
            return Decision.BUSY, None  # another tick took it over first
        log.info("took over claim %s/%s from %s", found.week, found.job, found.owner)
        return Decision.RUN, taken

    def is_stale(self, claim: Claim, now: datetime) -> bool:
        """A claim nobody is working on: its lease is over, or its owner's process has gone (same host)."""
        if claim.claimed_at is None or claim.claimed_at + self.lease <= now:
            return True
        if _state(claim) is ClaimState.FAILED:
            return False  # wait out the lease before trying again
        owner = Owner.parse(claim.owner)
        if owner is None or owner == self.owner:
            return False
        return owner.host == self.owner.host and not self._alive(owner.pid)

    async def move(self, claim: Claim, state: ClaimState, *, detail: str | None = None) -> Claim:
        """Move our claim to ``state`` (ETag-conditional; also renews the lease).

        Raises:
            LeaseLostError: Someone else changed the claim: it is no longer ours.
        """
        now = self.clock()
        record = replace(
            claim,
            state=state,
            claimed_at=now,
            done_at=now if state in FINAL or state is ClaimState.FAILED else None,
            detail=claim.detail if detail is None else detail[:500],
        )
        try:
            return await self.store.claims.save(record=record)
        except ConcurrencyError as error:
            raise LeaseLostError(f"claim {claim.week}/{claim.job} was taken over") from error

    async def finish(self, claim: Claim, state: ClaimState, *, detail: str = "") -> Claim | None:
        """Record how our job ended, even if another tick marked it ``interrupted`` meanwhile.

        The job did happen (or definitely failed), so that is the truth to store; only a claim that someone
        else holds (``claimed``/``sending`` by another owner) is left alone.
        """
        try:
            return await self.move(claim, state, detail=detail)
        except LeaseLostError:
            current = await self.store.claims.get(partition=claim.week, key=claim.job)
            if current is None or (
                _state(current) in {ClaimState.CLAIMED, ClaimState.SENDING}
                and current.owner != str(self.owner)
            ):
                log.warning("claim %s/%s changed hands before it could be recorded", claim.week, claim.job)
                return None
            try:
                return await self.move(current, state, detail=detail)
            except LeaseLostError:
                log.warning("claim %s/%s kept changing; left as it is", claim.week, claim.job)
                return None


def _state(claim: Claim) -> ClaimState:
    try:
        return ClaimState(claim.state)
    except ValueError:
        return ClaimState.FAILED


class ClaimGuard:
    """``bot.ports.SendGuard`` over one claim: ``sending`` before each post, ``claimed`` after a refusal."""

    def __init__(self, book: ClaimBook, claim: Claim) -> None:
        self.book = book
        self.claim = claim

    async def sending(self) -> None:
        """Fence: write ``sending`` with our ETag; raise :class:`LeaseLostError` if the claim is not ours."""
        self.claim = await self.book.move(self.claim, ClaimState.SENDING)

    async def refused(self) -> None:
        """Nothing was delivered: back to ``claimed``, so a crash while waiting to retry loses nothing."""
        self.claim = await self.book.move(self.claim, ClaimState.CLAIMED)
