"""In-turn replies: a short, bounded retry, so that the whole turn still answers well within Teams' 15 s."""

from __future__ import annotations

import asyncio
import functools
import logging
import random
from collections.abc import Awaitable, Callable
from typing import Any

from botbuilder.core import BotAdapter, TurnContext

from bot.teams.messenger import RETRYABLE, DeliveryError, RetryPolicy, status_and_retry_after

log = logging.getLogger(__name__)

REPLY_RETRY = RetryPolicy(attempts=3, base_delay=0.25, max_delay=2.0)
REPLY_TIMEOUT = 5.0
_REPLY_CALLS = ("send_to_conversation", "reply_to_activity", "update_activity")


def bound_replies(context: TurnContext) -> None:
    """Give this turn's connector writes a bounded retry and a timeout.

    In-turn replies go straight to botbuilder's connector client (one per turn), which neither retries nor
    times out (msrest waits up to 100 s). Its three write calls are wrapped for this turn: 429, 500, 502, 503
    and 504 are retried up to ``REPLY_RETRY.attempts`` times with backoff, honouring ``Retry-After`` up to
    ``REPLY_RETRY.max_delay`` (a longer wait gives up at once); a call with no answer in ``REPLY_TIMEOUT`` is
    not retried, since the message may have been delivered. Giving up raises ``DeliveryError``, which
    ``on_turn_error`` reports. Proactive sends have their own, longer policy (``TeamsMessenger``).
    """
    operations = getattr(context.turn_state.get(BotAdapter.BOT_CONNECTOR_CLIENT_KEY), "conversations", None)
    for name in _REPLY_CALLS:
        call = getattr(operations, name, None)
        if call is not None and not getattr(call, "_weeknotes_bounded", False):
            setattr(operations, name, _bounded(f"{name} for activity {context.activity.id}", call))


def _bounded(what: str, call: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    @functools.wraps(call)  # msrest reads attributes (``metadata``) of its operation methods
    async def bounded(*args: Any, **kwargs: Any) -> Any:
        attempt = 0
        while True:
            attempt += 1
            try:
                async with asyncio.timeout(REPLY_TIMEOUT):
                    return await call(*args, **kwargs)
            except TimeoutError as error:
                raise DeliveryError(
                    f"{what}: no answer from the connector in {REPLY_TIMEOUT:.0f} s"
                ) from error
            except Exception as error:
                status, retry_after, _ = status_and_retry_after(error)
                wait = min(REPLY_RETRY.max_delay, REPLY_RETRY.base_delay * 2 ** (attempt - 1))
                wait = random.uniform(wait / 2, wait) if retry_after is None else retry_after
                if status not in RETRYABLE or attempt >= REPLY_RETRY.attempts or wait > REPLY_RETRY.max_delay:
                    raise DeliveryError(
                        f"{what}: gave up after {attempt} attempt(s) ({status or error})"
                    ) from error
                log.info("%s: connector said %s, retrying in %.2fs", what, status, wait)
                await asyncio.sleep(wait)

    bounded._weeknotes_bounded = True  # type: ignore[attr-defined]
    return bounded
