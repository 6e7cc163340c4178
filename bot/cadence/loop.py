"""The in-process scheduler: calls the cadence tick every ``tick_seconds`` while the service runs.

It is one asyncio task beside the web server (``bot.app`` starts it). A tick does only non-blocking I/O with
a bounded number of sends in flight, so ``/api/messages`` is answered while a fan-out runs. One shared
resource needs care: botbuilder's connector client posts with ``requests`` in the event loop's default
thread pool, which by default has ``cpu + 4`` threads; a fan-out of 16 would queue the bot's own replies
behind it. So the scheduler gives the loop a pool with room for both (``REPLY_THREADS`` beyond the fan-out).

On shutdown the running tick is told to stop taking jobs and given ``GRACE`` seconds to finish the posts
it has in flight, so that stopping the service never cuts a post off.

It runs only on the real clock: with an injected clock (tests), time does not pass by itself, so whoever
holds the clock calls :func:`bot.cadence.tick.tick` when they move it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

from bot.cadence.fanout import DEFAULT_CONCURRENCY
from bot.cadence.report import TickReport
from bot.cadence.tick import tick
from bot.ports import Services, utc_now

log = logging.getLogger(__name__)

GRACE = 20.0
REPLY_THREADS = 16

TickFunction = Callable[..., Coroutine[Any, Any, TickReport]]


async def run_scheduler(
    services: Services,
    *,
    interval: float | None = None,
    only_real_clock: bool = True,
    tick_function: TickFunction = tick,
) -> None:
    """Tick every ``interval`` seconds (default ``settings.tick_seconds``) until cancelled.

    Args:
        services: The app's services.
        interval: Seconds between the starts of two ticks.
        only_real_clock: Do nothing unless ``services.clock`` is the real clock (see the module docstring).
        tick_function: The tick (tests replace it).
    """
    if only_real_clock and services.clock is not utc_now:
        log.info("cadence scheduler off: the clock is injected, ticks are driven by whoever moves it")
        return
    every = interval if interval is not None else services.settings.tick_seconds
    asyncio.get_running_loop().set_default_executor(
        ThreadPoolExecutor(max_workers=DEFAULT_CONCURRENCY + REPLY_THREADS, thread_name_prefix="connector")
    )
    stopping = asyncio.Event()
    while True:
        started = time.monotonic()
        now: datetime = services.clock()
        running = asyncio.create_task(tick_function(services, now, stopping=stopping), name="cadence-tick")
        try:
            await asyncio.shield(running)
        except asyncio.CancelledError:
            stopping.set()
            with contextlib.suppress(Exception, asyncio.CancelledError, TimeoutError):
                await asyncio.wait_for(running, GRACE)
            raise
        except Exception:
            log.exception("cadence tick at %s failed; trying again at the next tick", now.isoformat())
        await asyncio.sleep(max(0.0, every - (time.monotonic() - started)))
