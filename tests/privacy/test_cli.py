"""``weeknotes audit``, ``weeknotes person export`` and ``weeknotes person erase``, run as an admin would."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cli import main
from bot.domain.models import AuditEvent, Person, Project
from bot.storage.tables import TableStore
from tests.privacy.conftest import NOW, PRIYA, SHARED, seed_history
from tests.security.helpers import iso_week
from tests.support.azurite import Azurite


@pytest.fixture
def env(azurite: Azurite, table_prefix: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The CLI's environment points at the test's tables; the working directory has no ``.env``."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("WEEKNOTES_STORAGE", azurite.connection_string)
    monkeypatch.setenv("WEEKNOTES_TABLE_PREFIX", table_prefix)
    monkeypatch.delenv("WEEKNOTES_ENV", raising=False)
    return tmp_path


async def weeknotes(*argv: str) -> int:
    """Run the CLI in a thread (it runs its own event loop)."""
    return await asyncio.to_thread(main, list(argv))


async def test_audit_lists_a_weeks_trail(
    store: TableStore, env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    await seed_history(store)
    await store.audit.upsert(
        record=AuditEvent(
            "2026-W20", "e9", NOW, "x@example.org", "card.refused", "forged\nline", "refused", "tab\there"
        )
    )
    assert await weeknotes("audit", "--week", "2026-W20") == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Audit trail for 2026-W20: 5 event(s)"
    assert any(f"\t{PRIYA.email}\tupdate.refused\tfrontline\trefused" in line for line in out)
    forged = [line for line in out if "card.refused" in line and "forged" in line]
    assert forged == ["2026-05-14 09:00:00Z\tx@example.org\tcard.refused\tforged line\trefused\ttab here"]


async def test_audit_as_json_filtered_by_actor(store: TableStore, env: Path) -> None:
    await seed_history(store)
    assert (
        await weeknotes("audit", "--week", "2026-W20", "--actor", PRIYA.email, "--json", "--out", "a.json")
        == 0
    )
    events = json.loads((env / "a.json").read_text(encoding="utf-8"))
    assert [(e["event_id"], e["outcome"]) for e in events] == [("e2", "refused")]


async def test_audit_refuses_a_malformed_week(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert await weeknotes("audit", "--week", "last week") == 2
    assert "week" in capsys.readouterr().err.lower()


async def test_person_export_writes_json_and_is_audited(store: TableStore, env: Path) -> None:
    await seed_history(store)
    assert await weeknotes("person", "export", PRIYA.email, "--out", "priya.json") == 0
    exported = json.loads((env / "priya.json").read_text(encoding="utf-8"))
    assert exported["person"]["email"] == PRIYA.email and len(exported["updates"]) == 3
    week = iso_week(datetime.now(UTC))  # the CLI runs on the real clock
    events = [e for e in await store.audit.list(partition=week) if e.action == "person.export"]
    assert [(e.actor, e.target) for e in events] == [("cli", PRIYA.email)]


async def test_person_erase_needs_confirmation_then_erases(
    store: TableStore, env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    await seed_history(store)
    shared = await store.projects.get(partition=Project.partition_key, key=SHARED.project_id)
    assert shared is not None
    await store.projects.save(record=replace(shared, deputy=""))
    assert await weeknotes("person", "erase", PRIYA.email) == 2
    assert await store.people.get(partition=Person.partition_key, key=PRIYA.email) is not None
    assert await weeknotes("person", "erase", PRIYA.email, "--yes") == 0
    out = capsys.readouterr().out
    assert out.startswith("Erased as erased-") and PRIYA.email not in out
    assert await store.people.get(partition=Person.partition_key, key=PRIYA.email) is None


async def test_person_erase_blocked_by_an_active_project_says_why(
    store: TableStore, env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    await seed_history(store)
    assert await weeknotes("person", "erase", PRIYA.email, "--yes") == 1
    assert "drupal" in capsys.readouterr().err
    assert await store.people.get(partition=Person.partition_key, key=PRIYA.email) is not None
