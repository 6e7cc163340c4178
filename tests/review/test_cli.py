"""``weeknotes export``, ``history`` and ``channel`` against the test's Azurite, run in-process (``main``) as
the console script runs them: settings from the environment, its own event loop (so in a thread here)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from bot.cli import main
from bot.domain.models import Organisation
from tests.review.support import WEEK, submit_week
from tests.support.azurite import Azurite
from tests.support.botserver import BotServer


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, azurite: Azurite, table_prefix: str, tmp_path: Path) -> Path:
    """The CLI pointed at the same tables as the bot; run from an empty directory (no ``.env``)."""
    monkeypatch.setenv("WEEKNOTES_STORAGE", azurite.connection_string)
    monkeypatch.setenv("WEEKNOTES_TABLE_PREFIX", table_prefix)
    monkeypatch.chdir(tmp_path)
    return tmp_path


async def run(*argv: str) -> int:
    return await asyncio.to_thread(main, list(argv))


@pytest.mark.parametrize("fmt", ["md", "html", "json"])
async def test_export_compiles_the_week_from_storage(org: BotServer, cli_env: Path, fmt: str) -> None:
    await submit_week(org)
    out = cli_env / f"weeknote.{fmt}"
    assert await run("export", "--week", WEEK, "--format", fmt, "--out", str(out)) == 0
    text = await asyncio.to_thread(out.read_text, encoding="utf-8")
    assert "OneDrive adoption" in text and "Frontline services" in text
    if fmt == "md":
        assert text.startswith("# ") and "decreased by 6.0% (from 2,562 to 2,409 users)" in text
        assert "Purview pilot" in text  # missing projects are listed, never dropped
    elif fmt == "html":
        assert text.startswith("<!DOCTYPE html>") and "default-src 'none'" in text
    else:
        data = json.loads(text)
        assert data["week"] == WEEK
        assert [s["title"] for s in data["sections"]] == [
            "OneDrive adoption",
            "Frontline services",
            "Product: Drupal",
        ]


async def test_export_to_standard_output(
    org: BotServer, cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    await submit_week(org)
    assert await run("export", "--week", "2026-w20", "--format", "md") == 0
    assert "OneDrive adoption" in capsys.readouterr().out


async def test_export_of_an_invalid_week_is_a_usage_error(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        await run("export", "--week", "2026-W54", "--format", "md")
    assert exit_info.value.code == 2
    assert "2026 has no week 54" in capsys.readouterr().err


async def test_history_prints_a_projects_weeks_as_csv(
    org: BotServer, cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    await submit_week(org)
    assert await run("history", "--project", "onedrive ADOPTION", "--format", "csv") == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "week,state,rag,Active file viewing and editing (users),File syncing (users)"
    assert lines[1:] == ["2026-W19,submitted,amber,2562,1260", "2026-W20,submitted,green,2409,1263"]
    assert await run("history", "--project", "onedrive-adoption") == 0
    assert "2026-W20  submitted  green" in capsys.readouterr().out
    assert await run("history", "--project", "nope") == 1
    assert "No project called 'nope'" in capsys.readouterr().err


async def test_channel_set_records_where_to_publish(
    org: BotServer, cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    channel = "19:0a1b2c3d4e5f60718293a4b5c6d7e8f9@thread.tacv2"
    url = "https://smba.trafficmanager.net/emea/"
    assert await run("channel", "set", channel, "--service-url", url) == 0
    stored = await org.services.store.organisation.get(
        partition=Organisation.partition_key, key=Organisation.row_key
    )
    assert stored is not None and (stored.channel_id, stored.service_url) == (channel, url)
    assert stored.name == "DDaT", "nothing else changed"
    assert await run("channel", "show") == 0
    assert channel in capsys.readouterr().out


@pytest.mark.parametrize("channel", ["general", "19:abc", "https://teams.microsoft.com/l/channel/19%3Aabc"])
async def test_channel_set_refuses_what_is_not_a_channel_id(cli_env: Path, channel: str) -> None:
    with pytest.raises(SystemExit) as exit_info:
        await run("channel", "set", channel)
    assert exit_info.value.code == 2


async def test_channel_set_before_any_organisation_says_what_to_do(
    bot: BotServer, cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await run("channel", "set", "19:abc@thread.tacv2") == 1
    assert "weeknotes org import" in capsys.readouterr().err
