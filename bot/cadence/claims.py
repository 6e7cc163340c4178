"""Claims: how each cadence job happens once, across ticks, restarts and racing instances.

A job is one thing the cadence does for a week: a card to one person about one project
(``prompt:<email>:<project>``, ``remind:<email>:<project>``), or a step of the week (``close``, ``digest``,
``retention``). Its :class:`~bot.domain.models.Claim` lives in Table Storage (partition: the week; row: the
job) and moves through these states, every move an ETag-conditional write:

```mermaid
stateDiagram-v2
    [*] --> sending: create (fails if it exists)
    sending --> done: the connector answered
    sending --> claimed: refused without delivery (429/412): waiting to retry
    claimed --> sending: fence before the next attempt
    sending --> failed: no Teams account, connector kept failing (a later tick retries: 3 attempts in all)
    sending --> blocked: 403 MessageWritesBlocked (final)
    sending --> sending: stale (owner gone, or lease over): taken over, posted again
    claimed --> sending: stale: taken over
    failed --> sending: after the lease: taken over
```

``sending`` means "held by its owner, who may be posting"; ``claimed`` means "held, and certainly nothing
was posted" (the last attempt was refused). ``done`` and ``blocked`` are final.

**At most one sender at a time.** Creating a claim is a conditional insert, so of any number of racing
ticks exactly one creates it; the others read it back and leave it. Another tick takes a claim over only
once its lease (5 minutes) has run out, or once its owner is seen dead (same host and process namespace, and
its process id no longer runs); taking over is an ETag-conditional write on the claim as read, so of several
re-claimers exactly one wins. The holder posts straight away while less than half the lease has passed
since it wrote the claim; after any longer wait (rate limits, a retry's back-off) it first rewrites the
claim with its ETag, the fence, which fails if the claim was taken over, and then it posts nothing. So a
live but slow process never posts on a claim it lost (given clocks within half a lease of each other).

**Nothing lost.** A claim whose owner is gone is taken over by a later tick and the job runs again;
``failed`` claims are retried the same way after the lease, three attempts in all. ``done`` is final, so a
job that finished is never repeated, however many ticks or processes run. Phases are recomputed from the
calendar on every tick, so a tick that never ran (the service was down) is made up by the next one, within
the week.

**The honest limit: at-least-once in one narrow window.** A stale ``sending`` claim means its process died
(kill -9, power loss) holding it, possibly with a post in flight. The Bot Connector has no idempotency key,
so nothing can tell whether it accepted that post; we post again (the card is the same, and answering either
copy is idempotent), and the tick report and ``weeknotes status`` say "resent after a crash". A duplicate
needs the process to die after the connector accepted the post and before ``done`` was written: one round
trip per worker. ``done`` is written the moment the connector answers; a graceful stop (SIGTERM, ``serve``
shutting down) takes no new job and lets posts in flight finish, so only a hard kill can hit the window,
and at most ``concurrency`` posts can be repeated. Retrying a 5xx inside a live process (as Teams asks) is
at-least-once too, as it is for any client.
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


FINAL = frozenset({ClaimState.DONE, ClaimState.BLOCKED})


class LeaseLostError(Exception):
    """Another tick took this claim over: whatever this one was about to do must not happen."""


@dataclass(frozen=True)
class Owner:
    """Who holds a claim: host, process namespace, process id, and a token unique to this process's life.

    The namespace tells apart containers that share a host name, whose process ids say nothing about
    each other.
    """

    host: str
    namespace: str
    pid: int
    token: str

    @classmethod
    def this_process(cls) -> Owner:
        return cls(socket.gethostname(), pid_namespace(), os.getpid(), uuid.uuid4().hex[:8])

    def __str__(self) -> str:
        return f"{self.host}:{self.namespace}:{self.pid}:{self.token}"

    @classmethod
    def parse(cls, text: str) -> Owner | None:
        parts = text.rsplit(":", 3)
        if len(parts) != 4 or not parts[2].isdigit() or not parts[0]:
            return None
        return cls(parts[0], parts[1], int(parts[2]), parts[3])

    def same_processes(self, other: Owner) -> bool:
        """True if ``other``'s process id can be looked up from here (same host, same namespace)."""
        return self.host == other.host and self.namespace == other.namespace and self.namespace != ""


def pid_namespace() -> str:
    """This process's PID namespace (Linux), or ``""`` where it cannot be known (then no liveness checks)."""
    try:
        return str(os.stat("/proc/self/ns/pid").st_ino)
    except OSError:
        return ""


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
    RESEND = "resend"  # ours, taken over from a process that died holding it: the post may be a repeat
    DONE = "done"  # finished earlier (done, blocked, or given up on)
    BUSY = "busy"  # another live tick holds it


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
            idempotent: Doing the job twice is harmless (closing an edition, retention): one cut off
                mid-way is run again without being reported as a possible repeat.

        Returns:
            The decision and the claim as it now stands (ours when the decision is ``RUN`` or ``RESEND``).
        """
        now = self.clock()
        if found is None:
            try:
                mine = await self.store.claims.save(
                    record=Claim(
                        week=week,
                        job=job,
                        state=ClaimState.SENDING,
                        owner=str(self.owner),
                        claimed_at=now,
                        attempts=1,
                    )
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
            return Decision.DONE, found
        if state is ClaimState.FAILED and found.attempts >= MAX_ATTEMPTS:
            return Decision.DONE, found
        if not self.is_stale(found, now):
            return Decision.BUSY, found
        cut_off = state is ClaimState.SENDING and not idempotent
        try:
            taken = await self.store.claims.save(
                record=replace(
                    found,
                    state=ClaimState.SENDING,
                    owner=str(self.owner),
                    claimed_at=now,
                    done_at=None,
                    attempts=found.attempts + 1,
                    detail=f"{found.owner} stopped while holding it" if cut_off else found.detail,
                )
            )
        except ConcurrencyError:
            return Decision.BUSY, None  # another tick took it over first
        log.warning("took over claim %s/%s from %s (%s)", found.week, found.job, found.owner, state.value)
        return (Decision.RESEND if cut_off else Decision.RUN), taken

    def is_stale(self, claim: Claim, now: datetime) -> bool:
        """A claim nobody is working on: its lease is over, or its owner's process has gone."""
        if claim.claimed_at is None or claim.claimed_at + self.lease <= now:
            return True
        if _state(claim) is ClaimState.FAILED:
            return False  # wait out the lease before trying again
        owner = Owner.parse(claim.owner)
        if owner is None or owner == self.owner or not self.owner.same_processes(owner):
            return False
        return not self._alive(owner.pid)

    def fresh(self, claim: Claim) -> bool:
        """True while nobody can have taken our claim over: we wrote it less than half a lease ago."""
        if claim.owner != str(self.owner) or claim.claimed_at is None:
            return False
        return self.clock() - claim.claimed_at < self.lease / 2

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
        """Record how our job ended (ETag-conditional; on a conflict, read again and record it if we may).

        The job did happen (or definitely failed), so that is the truth to store; only a claim that someone
        else now holds (``claimed``/``sending`` by another owner) is left alone.
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
    """``bot.ports.SendGuard`` over one claim: the fence before each post, ``claimed`` after a refusal."""

    def __init__(self, book: ClaimBook, claim: Claim) -> None:
        self.book = book
        self.claim = claim

    async def sending(self) -> None:
        """Post now: straight away if the claim is ``sending`` and fresh, else after rewriting it with our
        ETag (raises :class:`LeaseLostError` if it was taken over: then nothing may be posted)."""
        if _state(self.claim) is ClaimState.SENDING and self.book.fresh(self.claim):
            return
        self.claim = await self.book.move(self.claim, ClaimState.SENDING)

    async def refused(self) -> None:
        """Nothing was delivered: ``claimed``, so that a crash while waiting to retry is not reported as a
        possible repeat."""
        self.claim = await self.book.move(self.claim, ClaimState.CLAIMED)
