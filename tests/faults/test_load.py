"""Many project managers pressing Submit at once, through /api/messages against Azurite.

Every submission must be stored exactly once and answered with its summary card; nothing may answer 5xx.
The test runs ``WEEKNOTES_LOAD_PMS`` (default 200) at once on the shared 2-core machine; ``bench/load.py``
runs 500 and prints the latency figures.
"""

from __future__ import annotations

import os
import time

import pytest

from bot.domain.models import UpdateState
from tests.faults.crowd import WEEK, fire, seed_crowd, submission, summary
from tests.security.helpers import iso_week
from tests.support.botserver import BotServer

PMS = int(os.environ.get("WEEKNOTES_LOAD_PMS", "200"))


@pytest.mark.slow
async def test_concurrent_submissions_are_each_stored_exactly_once(bot: BotServer) -> None:
    crowd = await seed_crowd(bot.services.store, bot.connector, PMS)
    activities = [submission(member, bot.connector.url) for member in crowd]
    started = time.monotonic()
    outcomes = await fire(bot.url, bot.token(), activities, timeout=180)
    wall = time.monotonic() - started
    figures = summary(outcomes, wall)
    print(f"\n{PMS} concurrent submissions: {figures}")

    assert [o for o in outcomes if o.status != 200] == []
    assert [o for o in outcomes if o.kind != "application/vnd.microsoft.card.adaptive"] == []
    updates = await bot.services.store.updates.list(partition=WEEK)
    assert len(updates) == PMS == len({u.project_id for u in updates})
    assert all(
        u.state is UpdateState.SUBMITTED and u.author == f"pm{u.project_id[1:]}@example.org" for u in updates
    )
    events = [
        e
        for e in await bot.services.store.audit.list(partition=iso_week(bot.clock.now))
        if e.action == "update.submit"
    ]
    assert len(events) == PMS
    assert bot.connector.calls == []  # answers travel in the invoke responses


def test_the_per_turn_msrest_clients_keep_their_retry_policy_but_build_cheaply() -> None:
    """``create_adapter`` swaps a list msrest only tests membership in for a frozenset (see its docstring)."""
    from msrest.universal_http.requests import ClientRetryPolicy

    from bot.settings import Settings
    from bot.teams.adapter import create_adapter

    create_adapter(Settings())
    expected = [code for code in range(999) if code not in {*range(408), *range(409, 500), 501, 505}]
    started = time.perf_counter()
    policy = ClientRetryPolicy().policy  # type: ignore[no-untyped-call]
    assert time.perf_counter() - started < 0.005
    assert policy.status_forcelist == expected and policy.total == 3
