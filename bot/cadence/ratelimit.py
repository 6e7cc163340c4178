"""Outbound rate limits: Teams' per-conversation and per-tenant limits, kept on our side of the wire.

Teams publishes its limits as windows: per bot per conversation 7 messages in 1 s, 8 in 2 s, 60 in 30 s and
1,800 in an hour; per app per tenant about 50 requests a second. :class:`RateLimiter` keeps, per key, the
times of the sends still inside its longest window and lets a send go only when every window has room.
That is a token bucket whose tokens come back one by one as each send leaves its window: unlike a bucket
refilled at a steady rate, a burst can never exceed a window, so a well-behaved sender is never throttled.

Times are taken when the limiter lets a send go; the server counts them when it receives them, a little
later and not always in the same order, so every window is widened by ``margin`` seconds.

The limits are per process: several instances share the tenant's 50 RPS between them, and the 429s a busy
tenant still gets are retried by the messenger (honouring ``Retry-After``).
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Window:
    """At most ``count`` sends in any ``seconds``."""

    count: int
    seconds: float


TEAMS_CONVERSATION = (Window(7, 1.0), Window(8, 2.0), Window(60, 30.0), Window(1800, 3600.0))
"""Per bot per conversation (Microsoft Learn, "Rate limiting for bots")."""

TEAMS_TENANT = (Window(50, 1.0),)
"""Per app per tenant, all conversations together."""

DEFAULT_MARGIN = 0.05


class RateLimiter:
    """Sliding-window limits per key: ``await acquire(key)`` returns once a send to ``key`` may go."""

    def __init__(
        self,
        windows: tuple[Window, ...],
        *,
        margin: float = DEFAULT_MARGIN,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        """Limits of ``windows``.

        Args:
            windows: Every window a key must respect.
            margin: Seconds added to each window (see the module docstring).
            clock: Monotonic seconds (tests inject a fake one).
            sleep: How to wait (tests inject one that moves the fake clock).
        """
        if not windows or any(w.count < 1 or w.seconds <= 0 for w in windows):
            raise ValueError("a rate limit needs windows of at least one send over a positive time")
        self._windows = tuple(Window(w.count, w.seconds + margin) for w in windows)
        self._keep = max(w.count for w in self._windows)
        self._longest = max(w.seconds for w in self._windows)
        self._clock = clock
        self._sleep = sleep
        self._sent: dict[str, deque[float]] = {}
        self._records = 0
        self.waited = 0.0
        """Seconds spent waiting, over all keys (for reports and the benchmark)."""

    def delay(self, key: str = "") -> float:
        """Seconds until a send to ``key`` may go (0 if it may go now)."""
        stamps = self._sent.get(key)
        if not stamps:
            return 0.0
        now = self._clock()
        wait = 0.0
        for window in self._windows:
            if len(stamps) >= window.count:
                # The send ``count`` places back must have left the window.
                wait = max(wait, stamps[-window.count] + window.seconds - now)
        return max(0.0, wait)

    async def acquire(self, key: str = "") -> None:
        """Wait until every window of ``key`` has room, then count a send."""
        while (wait := self.delay(key)) > 0:
            self.waited += wait
            await self._sleep(wait)
        self.record(key)

    def record(self, key: str = "") -> None:
        """Count a send to ``key`` now (call only when :meth:`delay` is 0)."""
        stamps = self._sent.setdefault(key, deque(maxlen=self._keep))
        stamps.append(self._clock())
        self._forget_idle()

    def _forget_idle(self) -> None:
        # Keys whose last send has left every window hold nothing worth keeping (1,000 PMs, one chat each);
        # sweeping every 1,024 sends keeps the cost per send constant.
        self._records += 1
        if self._records % 1024:
            return
        horizon = self._clock() - self._longest
        for key in [k for k, stamps in self._sent.items() if not stamps or stamps[-1] < horizon]:
            del self._sent[key]


@dataclass
class OutboundLimits:
    """Both Teams limits: every call to the connector passes the tenant's, and a post its conversation's."""

    conversation: RateLimiter
    tenant: RateLimiter
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    waited: float = 0.0

    @classmethod
    def teams(
        cls,
        *,
        tenant_rps: int = 50,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> OutboundLimits:
        """Teams' published limits (``tenant_rps`` lowers the tenant's share, e.g. for several instances)."""
        return cls(
            conversation=RateLimiter(TEAMS_CONVERSATION, clock=clock, sleep=sleep),
            tenant=RateLimiter((Window(tenant_rps, 1.0),), clock=clock, sleep=sleep),
            sleep=sleep,
        )

    async def acquire(self, conversation: str = "") -> None:
        """Wait until both the conversation (if one is named) and the tenant have room, then count the send.

        Both are counted at the same instant, with no wait in between, so neither is stamped early.
        """
        while True:
            wait = self.tenant.delay()
            if conversation:
                wait = max(wait, self.conversation.delay(conversation))
            if wait <= 0:
                break
            self.waited += wait
            await self.sleep(wait)
        if conversation:
            self.conversation.record(conversation)
        self.tenant.record()
