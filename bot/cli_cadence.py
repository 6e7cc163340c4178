"""Subcommands: tick, status, leave.

``weeknotes tick [--now ISO-8601]`` runs one cadence tick (for cron, an Azure Functions timer, or a test
with a fixed clock) and prints what it did. It talks to the Bot Connector with the app's outbound
credentials (``MicrosoftAppId``/``MicrosoftAppPassword``, or a managed identity); with ``MicrosoftAppId``
empty (local development, the tests' fake connector) calls go without a token. SIGTERM or Ctrl-C stop it
taking new jobs and let the posts in flight finish; the next tick carries on.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from bot.cli_admin import with_store
from bot.domain.weeks import WeekError, validate_week, week_label
from bot.errors import ConcurrencyError, InputError
from bot.settings import Settings
from bot.storage.protocol import Store


def _instant(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a time: write it like 2026-05-14T10:00:00+01:00"
        ) from None
    if value.tzinfo is None:
        raise argparse.ArgumentTypeError(f"{text!r} has no time zone: add Z or an offset such as +01:00")
    return value.astimezone(UTC)


def _week(text: str) -> str:
    try:
        return validate_week(text)
    except WeekError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


async def _tick(store: Store, settings: Settings, args: argparse.Namespace) -> int:
    from bot.cadence.fanout import FanoutPolicy
    from bot.cadence.tick import tick
    from bot.ports import Services, utc_now
    from bot.teams.adapter import create_adapter
    from bot.teams.messenger import TeamsMessenger

    loop = asyncio.get_running_loop()
    # botbuilder's connector client posts with `requests` in the loop's default executor: size it to the
    # fan-out, or the executor (cpu + 4 threads) and not the rate limits would set the pace.
    loop.set_default_executor(ThreadPoolExecutor(max_workers=args.concurrency + 4))
    stopping = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stopping.set)
    adapter = create_adapter(settings)
    messenger = TeamsMessenger(adapter, store, app_id=settings.app_id)
    fixed: datetime | None = args.now

    def clock() -> datetime:
        return fixed if fixed is not None else utc_now()

    services = Services(settings=settings, store=store, messenger=messenger, clock=clock)
    report = await tick(
        services, clock(), policy=FanoutPolicy(concurrency=args.concurrency), stopping=stopping
    )
    print(report)
    if stopping.is_set():
        print("Stopped early: the next tick carries on.")
    return 1 if report.problems and args.strict else 0


async def _status(store: Store, settings: Settings, args: argparse.Namespace) -> int:
    from bot.cadence.status import format_status, week_status

    print(format_status(await week_status(store, args.week)))
    return 0


async def _leave(store: Store, settings: Settings, args: argparse.Namespace) -> int:
    from bot.domain.models import Person

    email = args.email.strip().lower()
    for _ in range(5):
        person = await store.people.get(partition=Person.partition_key, key=email)
        if person is None:
            raise InputError(f"{email} is not in the people list (import the organisation first).")
        weeks = person.leave_weeks - {args.week} if args.off else person.leave_weeks | {args.week}
        if weeks == person.leave_weeks:
            break
        try:
            await store.people.save(record=replace(person, leave_weeks=frozenset(weeks)))
            break
        except ConcurrencyError:
            continue
    else:
        raise ConcurrencyError(f"{email} kept changing; try again.")
    state = "back at work" if args.off else "on leave"
    print(f"{person.name} <{email}> is {state} in {args.week} ({week_label(args.week)}).")
    return 0


def add_cadence_commands(commands: Any) -> None:
    """Add the tick, status and leave subcommands."""
    tick = commands.add_parser("tick", help="run one cadence tick: prompt, remind, close whatever is due")
    tick.add_argument(
        "--now", type=_instant, help="act as if it were this time (ISO 8601 with an offset); default: now"
    )
    tick.add_argument(
        "--concurrency", type=int, default=16, choices=range(1, 65), metavar="N", help="people at once (16)"
    )
    tick.add_argument("--strict", action="store_true", help="exit 1 if any card was not delivered")
    tick.set_defaults(run=with_store(_tick))
    status = commands.add_parser("status", help="who was prompted, reminded, submitted, skipped, blocked")
    status.add_argument("--week", type=_week, required=True, help="the week, like 2026-W20")
    status.set_defaults(run=with_store(_status))
    leave = commands.add_parser("leave", help="mark someone on leave for a week (their deputy is asked)")
    leave.add_argument("email")
    leave.add_argument("--week", type=_week, required=True, help="the week, like 2026-W20")
    leave.add_argument("--off", action="store_true", help="remove the leave instead")
    leave.set_defaults(run=with_store(_leave))
