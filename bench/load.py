"""Benchmark: 500 project managers press Submit at the same moment, through /api/messages.

Starts its own Azurite (in memory), loopback OpenID issuer and fake Bot Connector, and the real app with
authentication on, all on 127.0.0.1; seeds N PMs with one full-template project each (steady state: Teams
ids linked, last week's answers stored); then posts every PM's signed Action.Execute submit at once, with no
client-side connection limit.

Prints p50/p95/p99 latency, throughput, errors (anything but HTTP 200 with the summary card: 5xx, timeouts,
"not saved" answers) and checks that every submission was stored exactly once.

    .venv/bin/python bench/load.py              # 500 PMs, about two minutes on 2 cores
    .venv/bin/python bench/load.py --pms 200
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.faults.crowd import fire, report, running_bot, stored_once, submission, summary  # noqa: E402

TIME_LIMIT = 600.0


async def run(args: argparse.Namespace) -> int:
    async with running_bot(args.pms) as (bot, crowd, _):
        activities = [submission(member, bot.connector.url) for member in crowd]
        token = bot.token()
        started = time.monotonic()
        outcomes = await fire(bot.url, token, activities, timeout=args.request_timeout)
        wall = time.monotonic() - started
        figures = summary(outcomes, wall)
        once, events = await stored_once(bot, crowd)
        kinds = Counter(
            o.detail or o.kind or str(o.status) for o in outcomes if o.status != 200 or "card" not in o.kind
        )
        over_15s = sum(1 for o in outcomes if o.seconds > 15)
        print(f"{args.pms} concurrent submissions in {wall:.1f} s")
        print(report("through /api/messages", figures))
        print(
            f"answered after Teams' 15 s:  {over_15s} (Teams would resend these; de-duplication absorbs them)"
        )
        print(f"stored exactly once:         {once} of {args.pms} ({events} update.submit audit events)")
        for what, count in kinds.most_common():
            print(f"  not stored ({count}): {what}")
        return 0 if once == args.pms and figures["errors"] == 0 and events == args.pms else 1


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pms", type=int, default=500, help="project managers submitting at once (500)")
    parser.add_argument(
        "--request-timeout", type=float, default=300.0, help="client timeout per request (300 s)"
    )
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.exit(asyncio.run(asyncio.wait_for(run(parse()), TIME_LIMIT)))
