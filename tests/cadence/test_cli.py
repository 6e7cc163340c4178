"""``weeknotes leave``, ``status`` and ``tick`` as an operator runs them: real processes, the test storage."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.domain.models import Person
from tests.cadence.conftest import run_cli
from tests.support.botserver import BotServer
from tests.support.org import PM_ONE, PM_TWO

pytestmark = pytest.mark.slow


async def test_leave_then_tick_then_status(org: BotServer, tmp_path: Path) -> None:
    code, out = await run_cli(org, tmp_path, "leave", PM_ONE.email.upper(), "--week", "2026-w20")
    assert code == 0, out
    assert "Priya Shah <priya.shah@example.org> is on leave in 2026-W20 (week ending 15 May 2026)." in out
    person = await org.services.store.people.get(partition=Person.partition_key, key=PM_ONE.email)
    assert person is not None and person.leave_weeks == {"2026-W20"}

    code, out = await run_cli(org, tmp_path, "tick", "--now", "2026-05-14T10:00:00+01:00")
    assert code == 0, out
    assert "Tick at 2026-05-14T09:00:00+00:00 (Thu 14 May 2026 10:00 Europe/London)" in out
    assert "sent: owen.price@example.org, OneDrive adoption [deputy]" in out
    assert "nobody to ask: Product: Drupal (Priya Shah is on leave and there is no deputy)" in out

    code, out = await run_cli(org, tmp_path, "status", "--week", "2026-W20")
    assert code == 0, out
    assert out.splitlines()[0] == "2026-W20, week ending 15 May 2026: edition open"
    assert (
        "Prompted (1):\n  Owen Price <owen.price@example.org>: OneDrive adoption, Frontline services" in out
    )
    assert "Not answered (4):" in out and "Blocked the bot (0):" in out

    code, out = await run_cli(org, tmp_path, "leave", PM_ONE.email, "--week", "2026-W20", "--off")
    assert code == 0 and "is back at work in 2026-W20" in out, out
    person = await org.services.store.people.get(partition=Person.partition_key, key=PM_ONE.email)
    assert person is not None and person.leave_weeks == frozenset()


async def test_bad_input_is_refused_with_a_plain_message(org: BotServer, tmp_path: Path) -> None:
    code, out = await run_cli(org, tmp_path, "leave", "nobody@example.org", "--week", "2026-W20")
    assert code == 1 and "nobody@example.org is not in the people list" in out
    code, out = await run_cli(org, tmp_path, "status", "--week", "2026-W99")
    assert code == 2 and "2026 has no week 99" in out
    code, out = await run_cli(org, tmp_path, "tick", "--now", "2026-05-14 10:00")
    assert code == 2 and "has no time zone" in out
    assert PM_TWO.email  # the organisation is seeded: only the input was wrong
