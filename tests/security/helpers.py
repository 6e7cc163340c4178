"""Helpers for the security, fault, fuzz and privacy tests: what storage holds, and whose week it is."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from azure.data.tables.aio import TableServiceClient

from tests.support.botserver import BotServer

Snapshot = dict[str, list[tuple[str, str, str, str]]]


def iso_week(when: datetime) -> str:
    """``2026-W20`` for ``when``."""
    year, week, _ = when.isocalendar()
    return f"{year}-W{week:02d}"


async def snapshot(bot: BotServer) -> Snapshot:
    """Every entity in every one of the app's tables, with its ETag (so a change of any kind shows)."""
    return await snapshot_tables(bot.settings.storage, bot.services.store.table_names)  # type: ignore[attr-defined]


async def snapshot_tables(connection_string: str, names: dict[str, str]) -> Snapshot:
    """Every entity of the tables ``names`` (attribute -> table name), with its ETag."""
    found: Snapshot = {}
    async with TableServiceClient.from_connection_string(connection_string) as service:
        for attribute, name in sorted(names.items()):
            table = service.get_table_client(name)
            rows: list[tuple[str, str, str, str]] = []
            async for entity in table.list_entities():
                body = {k: v for k, v in entity.items() if k not in {"PartitionKey", "RowKey"}}
                etag = str(entity.metadata.get("etag"))
                rows.append((entity["PartitionKey"], entity["RowKey"], etag, repr(body)))
            found[attribute] = sorted(rows)
    return found


def added(before: Snapshot, after: Snapshot) -> dict[str, list[Any]]:
    """What ``after`` holds that ``before`` did not (new or changed rows), by table."""
    return {
        table: [row for row in rows if row not in before.get(table, [])]
        for table, rows in after.items()
        if [row for row in rows if row not in before.get(table, [])]
    }
