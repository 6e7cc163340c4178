"""Benchmark: N project managers submit a full update at once, against the floor of one Table upsert each.

Starts its own Azurite (in memory), loopback OpenID issuer and fake Bot Connector, and the real app with
authentication on, all on 127.0.0.1, and seeds N PMs (one full-template project each, last week's answers).

In the same run, against the same Azurite, with the same N bodies posted at once:

- floor: a bare aiohttp handler that parses the body and upserts it as one Table entity, nothing else;
- Weeknotes: the real ``/api/messages`` (token validation, tenant check, duplicate marker, sender lookup,
  authorisation from storage, form checks, optimistic-concurrency save, audit event, summary card).

Prints p50/p95/p99 latency and throughput of each, and the ratios.

    .venv/bin/python bench/submit.py            # 50 PMs
    .venv/bin/python bench/submit.py --pms 100 --rounds 3
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from aiohttp import web  # noqa: E402
from azure.data.tables import UpdateMode  # noqa: E402
from azure.data.tables.aio import TableServiceClient  # noqa: E402

from tests.faults.crowd import (  # noqa: E402
    answers,
    fire,
    report,
    running_bot,
    stored_once,
    submission,
    summary,
)
from tests.support.azurite import Azurite  # noqa: E402

TIME_LIMIT = 300.0


@asynccontextmanager
async def floor_server(azurite: Azurite) -> AsyncIterator[str]:
    """A bare aiohttp handler doing one Table upsert per request; yields its base URL."""
    service = TableServiceClient.from_connection_string(azurite.connection_string)
    table = service.get_table_client("benchfloor")
    await service.create_table_if_not_exists("benchfloor")

    async def handle(request: web.Request) -> web.Response:
        activity = await request.json()
        data = activity["value"]["action"]["data"]
        await table.upsert_entity(
            {"PartitionKey": data["week"], "RowKey": data["project"], "answers": json.dumps(data)},
            mode=UpdateMode.REPLACE,
        )
        return web.json_response({"statusCode": 200, "type": "application/vnd.microsoft.card.adaptive"})

    app = web.Application(client_max_size=256 * 1024)
    app.router.add_post("/api/messages", handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()
        await table.close()
        await service.close()


async def run(args: argparse.Namespace) -> int:
    async with running_bot(args.pms) as (bot, crowd, azurite), floor_server(azurite) as floor_url:
        token = bot.token()
        # Warm both up (connections, key cache, first table reads), away from the measured crowd.
        await fire(floor_url, token, [submission(crowd[0], bot.connector.url)])
        await fire(bot.url, token, [submission(crowd[0], bot.connector.url)])
        floors, ours = [], []
        for _ in range(args.rounds):
            activities = [submission(member, bot.connector.url) for member in crowd]  # fresh activity ids
            started = time.monotonic()
            floors.append(summary(await fire(floor_url, token, activities), time.monotonic() - started))
            activities = [submission(member, bot.connector.url) for member in crowd]
            started = time.monotonic()
            ours.append(summary(await fire(bot.url, token, activities), time.monotonic() - started))
        floor = min(floors, key=lambda f: f["p50_ms"])
        weeknotes = min(ours, key=lambda f: f["p50_ms"])
        once, events = await stored_once(bot, crowd)
        size = len(json.dumps(answers(crowd[0])).encode())
        print(
            f"{args.pms} PMs submit a full update ({size:,} bytes of answers) at once; best of {args.rounds}"
        )
        print(report("floor: one Table upsert", floor))
        print(report("Weeknotes /api/messages", weeknotes))
        print(
            f"ratio (Weeknotes / floor):   p50 x{weeknotes['p50_ms'] / floor['p50_ms']:.1f}   "
            f"p99 x{weeknotes['p99_ms'] / floor['p99_ms']:.1f}   "
            f"throughput x{floor['throughput_rps'] / weeknotes['throughput_rps']:.1f} lower"
        )
        expected = args.rounds * args.pms + 1  # every round, and the warm-up
        print(f"stored: {once} of {args.pms} projects submitted; {events} of {expected} submit audit events")
        clean = all(r["errors"] == 0 for r in ours + floors)
        return 0 if once == args.pms and events == expected and clean else 1


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pms", type=int, default=50, help="project managers submitting at once (50)")
    parser.add_argument("--rounds", type=int, default=1, help="measured rounds; the best is shown (1)")
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.exit(asyncio.run(asyncio.wait_for(run(parse()), TIME_LIMIT)))
