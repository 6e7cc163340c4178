"""Benchmark: prompt 1,000 PMs through the fake Bot Connector with Teams' limits enforced by it.

Starts its own Azurite (in memory) and the fake connector, both on 127.0.0.1, seeds an organisation of N
PMs (one project each, last week's answers to prefill the card, and a stored 1:1 chat unless
``--new-chats``), then runs one cadence tick at Thursday 10:00 and a second one straight after. The fake
connector refuses with 429 anything over 7 posts a second in one conversation, and over ``--tenant-rps``
calls a second in all.

Prints: total time of the fan-out, the floor the tenant limit implies (calls / RPS), their ratio, 429s
provoked, duplicates (must be 0, also after the second tick), and peak RSS of this process.

    .venv/bin/python bench/fanout.py            # 1,000 PMs, about half a minute
    .venv/bin/python bench/fanout.py --pms 200 --new-chats
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.cadence.fanout import FanoutPolicy  # noqa: E402
from bot.cadence.ratelimit import OutboundLimits  # noqa: E402
from bot.cadence.tick import tick  # noqa: E402
from bot.domain.models import (  # noqa: E402
    Claim,
    ConversationRef,
    Organisation,
    Person,
    Project,
    Rag,
    Role,
    Update,
    UpdateState,
)
from bot.ports import Services  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.storage.tables import TableStore  # noqa: E402
from bot.teams.adapter import create_adapter  # noqa: E402
from bot.teams.messenger import TeamsMessenger  # noqa: E402
from bot.teams.references import personal_key  # noqa: E402
from tests.support.azurite import Azurite  # noqa: E402
from tests.support.connector import FakeConnector  # noqa: E402

NOW = datetime(2026, 5, 14, 9, 0, tzinfo=UTC)  # Thursday 14 May 2026, 10:00 in London
TENANT = "11111111-2222-3333-4444-555555555555"
BOT = "28:bench-bot"
TIME_LIMIT = 110.0


def _chunks(items: list[object], size: int = 100) -> list[list[object]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


async def seed(store: TableStore, connector: FakeConnector, pms: int, *, chats: bool) -> dict[str, str]:
    """``pms`` PMs with one project each; returns Teams account id -> email."""
    await store.organisation.upsert(
        record=Organisation(name="Bench", service_url=connector.url, tenant_id=TENANT, bot_id=BOT)
    )
    accounts: dict[str, str] = {}
    people, projects, previous, refs = [], [], [], []
    for n in range(pms):
        email, account = f"pm{n:04d}@example.org", f"29:aad-pm{n:04d}"
        accounts[account] = email
        people.append(Person(email, f"PM {n:04d}", roles=frozenset({Role.PM}), teams_user_id=account))
        projects.append(Project(f"p{n:04d}", f"Project {n:04d}", email, order=n))
        previous.append(
            Update(
                "2026-W19",
                f"p{n:04d}",
                UpdateState.SUBMITTED,
                Rag.GREEN,
                answers={"status_reason": "on track", "planned": "Carry on\nReport back"},
                author=email,
            )
        )
        refs.append(
            ConversationRef(
                key=personal_key(email),
                reference={
                    "user": {"id": account},
                    "bot": {"id": BOT},
                    "conversation": {"id": f"a:personal-{n:04d}", "tenantId": TENANT},
                    "channelId": "msteams",
                    "serviceUrl": connector.url,
                },
            )
        )
    for batch in _chunks(people):
        await store.people.save_batch(records=batch)  # type: ignore[arg-type]
    for batch in _chunks(projects):
        await store.projects.save_batch(records=batch)  # type: ignore[arg-type]
    for batch in _chunks(previous):
        await store.updates.save_batch(records=batch)  # type: ignore[arg-type]
    if chats:
        for batch in _chunks(refs):
            await store.conversations.save_batch(records=batch)  # type: ignore[arg-type]
    # Last week is closed already: the tick only prompts.
    for job in ("close", "digest", "retention"):
        await store.claims.save(record=Claim(week="2026-W19", job=job, state="done"))
    return accounts


def recipients(connector: FakeConnector, accounts: dict[str, str]) -> Counter[str]:
    found: Counter[str] = Counter()
    for call in connector.sent():
        account = str((call.body.get("recipient") or {}).get("id") or "")
        found[accounts.get(account, account)] += 1
    return found


async def main(args: argparse.Namespace) -> int:
    asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(max_workers=args.concurrency + 4))
    azurite = Azurite()
    azurite.start()
    connector = FakeConnector()
    await connector.start()
    connector.rate_limit = (7, 1.0)
    connector.tenant_rate_limit = (args.tenant_rps, 1.0)
    store = await TableStore.open(connection_string=azurite.connection_string, table_prefix="bench")
    try:
        accounts = await seed(store, connector, args.pms, chats=not args.new_chats)
        settings = Settings(storage=azurite.connection_string, table_prefix="bench")
        limits = OutboundLimits.teams(tenant_rps=args.tenant_rps)
        messenger = TeamsMessenger(create_adapter(settings), store, app_id="", limits=limits)
        services = Services(settings=settings, store=store, messenger=messenger, clock=lambda: NOW)
        policy = FanoutPolicy(concurrency=args.concurrency)

        started = time.monotonic()
        report = await asyncio.wait_for(tick(services, NOW, policy=policy), TIME_LIMIT)
        elapsed = time.monotonic() - started
        again = await asyncio.wait_for(tick(services, NOW, policy=policy), TIME_LIMIT)

        counts = recipients(connector, accounts)
        duplicates = sum(n - 1 for n in counts.values() if n > 1)
        missing = args.pms - len(counts)
        calls = len(connector.sent()) + sum(1 for c in connector.calls if c.method == "CREATE")
        floor = calls / args.tenant_rps
        rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"PMs prompted:        {len(counts)} of {args.pms} ({len(report.sent)} sent, {missing} missing)"
        )
        print(f"connector calls:     {calls} ({'new chats: create + post' if args.new_chats else 'posts'})")
        print(f"total time:          {elapsed:.1f} s")
        print(f"floor ({args.tenant_rps} calls/s):  {floor:.1f} s")
        print(f"ratio:               {elapsed / floor:.2f}")
        print(f"429s provoked:       {connector.rate_limited} (retries: {messenger.retries})")
        print(f"duplicates:          {duplicates} (second tick sent {len(again.sent)})")
        print(f"peak RSS:            {rss_mb:.0f} MiB (this process; Azurite runs apart)")
        return 0 if duplicates == 0 and missing == 0 and not again.sent else 1
    finally:
        await store.close()
        await connector.stop()
        azurite.close()


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pms", type=int, default=1000, help="project managers to prompt (1000)")
    parser.add_argument("--concurrency", type=int, default=16, help="people written to at once (16)")
    parser.add_argument("--tenant-rps", type=int, default=50, help="the connector's per-tenant limit (50)")
    parser.add_argument("--new-chats", action="store_true", help="no stored chats: create each one first")
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.exit(asyncio.run(main(parse())))
