"""Ports: what the weeknote logic needs from the outside world, without naming the SDK.

The Teams seam (``bot/teams``) implements ``Messenger``; tests use the real one against a fake connector.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from bot.settings import Settings
from bot.storage.protocol import Store

log = logging.getLogger(__name__)

Card = dict[str, Any]


@dataclass(frozen=True)
class Sent:
    """Where a message went: the conversation and the new activity's id."""

    conversation_id: str
    activity_id: str


class SendGuard(Protocol):
    """Lets a caller fence a send (the cadence's exactly-once claims); both hooks may raise to abort."""

    async def sending(self) -> None:
        """Called right before each attempt to post, once the rate limits allow it; raising sends nothing."""
        ...

    async def refused(self) -> None:
        """The attempt was refused without being delivered (429, 412) and will be retried after a wait."""
        ...


class Messenger(Protocol):
    """Sends messages outside a turn (proactive): 1:1 prompts, channel posts, in-place updates."""

    async def send_to_person(
        self, *, email: str, card: Card | None = None, text: str = "", guard: SendGuard | None = None
    ) -> Sent:
        """Send to someone's 1:1 chat (created from the team roster if needed).

        ``guard``, if given, is told right before each attempt to post (see ``SendGuard``).

        Raises:
            RecipientBlockedError: the person blocked the bot (403 MessageWritesBlocked).
            DeliveryError: the connector kept failing.
        """
        ...

    async def post_to_channel(self, *, card: Card, reply_to: str = "") -> Sent:
        """Post a card to the organisation's channel, or as a reply in the thread ``reply_to``."""
        ...

    async def update_message(self, *, conversation_id: str, activity_id: str, card: Card) -> None:
        """Replace a message the bot posted."""
        ...


def utc_now() -> datetime:
    """The real clock."""
    return datetime.now(UTC)


@dataclass
class BackgroundTasks:
    """Slow work started after acknowledging an activity, awaited on shutdown."""

    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    def start(self, work: Coroutine[Any, Any, None], *, name: str) -> None:
        """Run ``work`` in the background; errors are logged, never lost silently."""
        task = asyncio.create_task(self._guard(work, name), name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _guard(self, work: Coroutine[Any, Any, None], name: str) -> None:
        try:
            await work
        except Exception:
            log.exception("background task %s failed", name)

    async def drain(self) -> None:
        """Wait for every task started so far (and any they start)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)


@dataclass
class Services:
    """What handlers share: built once per app by ``create_app``."""

    settings: Settings
    store: Store
    messenger: Messenger
    clock: Callable[[], datetime] = utc_now
    tasks: BackgroundTasks = field(default_factory=BackgroundTasks)
    known_senders: dict[str, str] = field(default_factory=dict)
    """Teams user id -> email, remembered per process (always confirmed against storage before use)."""
    after_publish: list[Callable[[str], Awaitable[None]]] = field(default_factory=list)
