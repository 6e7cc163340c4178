"""The contract every ``Store`` must keep, run here against Azure Table Storage on a real Azurite.

``StoreContract`` holds the tests; a store implementation plugs in by subclassing it with a ``store`` fixture,
as ``TestTableStore`` does at the bottom (botbuilder-python's ``StorageBaseTests`` idea). Every test runs for
every record type (see ``tests.storage.test_samples``) unless it names the kinds it applies to.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.errors import ConcurrencyError, RecordTooLargeError
from bot.storage.protocol import Repository, Store
from bot.storage.tables import TableStore
from tests.storage.test_samples import KEYED_KINDS, KINDS, TEXT, TEXT_KINDS, WEEK, WEEKLY_KINDS, Kind, shape
from tests.support.azurite import Azurite

FORBIDDEN_KEYS = ["a/b\\c#d?e", "ctl\x00\x01\x1f\x7f\x85\x9f", "100% %2F %", "it's", "end?"]
EMOJI_KEYS = ["📈✅", "東京", "مرحبا", "Ysgol Gymraeg ✅"]
all_kinds = pytest.mark.parametrize("kind", KINDS, ids=str)


def repository(store: Store, kind: Kind[Any]) -> Repository[Any]:
    """The store's repository for ``kind``."""
    repo: Repository[Any] = getattr(store, kind.repository)
    return repo


def long_text(length: int) -> str:
    """``length`` characters of mixed Welsh, Japanese, Arabic and emoji."""
    unit = TEXT + " "
    return (unit * (length // len(unit) + 1))[:length]


class StoreContract:
    """Tests every ``Store`` implementation must pass; subclasses provide the ``store`` fixture."""

    @all_kinds
    async def test_saved_record_reads_back_equal(self, store: Store, kind: Kind[Any]) -> None:
        repo = repository(store, kind)
        record = kind.make(WEEK, "alpha")
        saved = await repo.save(record=record)
        assert saved == record
        assert saved.etag
        got = await repo.get(partition=record.partition_key, key=record.row_key)
        assert got == record
        assert shape(got) == shape(record)
        assert got is not None
        assert got.etag == saved.etag

    @all_kinds
    async def test_get_missing_is_none(self, store: Store, kind: Kind[Any]) -> None:
        record = kind.make(WEEK, "missing")
        assert await repository(store, kind).get(partition=record.partition_key, key=record.row_key) is None

    @all_kinds
    async def test_create_twice_conflicts(self, store: Store, kind: Kind[Any]) -> None:
        repo = repository(store, kind)
        record = kind.make(WEEK, "alpha")
        await repo.save(record=record)
        with pytest.raises(ConcurrencyError):
            await repo.save(record=kind.change(record, "again"))
        assert await repo.get(partition=record.partition_key, key=record.row_key) == record

    @all_kinds
    async def test_update_with_fresh_etag_replaces(self, store: Store, kind: Kind[Any]) -> None:
        repo = repository(store, kind)
        saved = await repo.save(record=kind.make(WEEK, "alpha"))
        changed = kind.change(saved, "changed")
        updated = await repo.save(record=changed)
        assert updated == changed
        assert updated.etag
        assert updated.etag != saved.etag
        got = await repo.get(partition=saved.partition_key, key=saved.row_key)
        assert got == changed
        assert got is not None
        assert got.etag == updated.etag

    @all_kinds
    async def test_update_with_stale_etag_conflicts(self, store: Store, kind: Kind[Any]) -> None:
        repo = repository(store, kind)
        saved = await repo.save(record=kind.make(WEEK, "alpha"))
        first = await repo.save(record=kind.change(saved, "first"))
        with pytest.raises(ConcurrencyError):
            await repo.save(record=kind.change(saved, "stale"))
        assert await repo.get(partition=saved.partition_key, key=saved.row_key) == first

    @all_kinds
    async def test_of_two_concurrent_read_modify_writes_exactly_one_wins(
        self, store: Store, kind: Kind[Any]
    ) -> None:
        repo = repository(store, kind)
        saved = await repo.save(record=kind.make(WEEK, "alpha"))
        one, two = await asyncio.gather(
            repo.get(partition=saved.partition_key, key=saved.row_key),
            repo.get(partition=saved.partition_key, key=saved.row_key),
        )
        attempts = [kind.change(one, "writer one"), kind.change(two, "writer two")]
        results = await asyncio.gather(*(repo.save(record=r) for r in attempts), return_exceptions=True)
        winners = [result for result in results if not isinstance(result, BaseException)]
        losers = [result for result in results if isinstance(result, BaseException)]
        assert len(winners) == 1
        assert len(losers) == 1
        assert isinstance(losers[0], ConcurrencyError)
        assert await repo.get(partition=saved.partition_key, key=saved.row_key) == winners[0]

    @all_kinds
    async def test_upsert_writes_whatever_is_stored(self, store: Store, kind: Kind[Any]) -> None:
        repo = repository(store, kind)
        record = kind.make(WEEK, "alpha")
        created = await repo.upsert(record=record)
        assert created.etag
        stale = kind.change(created, "overwritten")
        await repo.save(record=kind.change(created, "in between"))
        overwritten = await repo.upsert(record=stale)
        assert overwritten.etag
        assert overwritten.etag != created.etag
        assert await repo.get(partition=record.partition_key, key=record.row_key) == stale

    @all_kinds
    async def test_delete_without_etag_always_deletes(self, store: Store, kind: Kind[Any]) -> None:
        repo = repository(store, kind)
        record = kind.make(WEEK, "alpha")
        saved = await repo.save(record=record)
        await repo.save(record=kind.change(saved, "changed"))
        await repo.delete(record=record)
        assert await repo.get(partition=record.partition_key, key=record.row_key) is None
        await repo.delete(record=record)  # deleting a missing record is fine

    @all_kinds
    async def test_delete_with_etag_only_if_unchanged(self, store: Store, kind: Kind[Any]) -> None:
        repo = repository(store, kind)
        saved = await repo.save(record=kind.make(WEEK, "alpha"))
        changed = await repo.save(record=kind.change(saved, "changed"))
        with pytest.raises(ConcurrencyError):
            await repo.delete(record=saved)
        assert await repo.get(partition=saved.partition_key, key=saved.row_key) == changed
        await repo.delete(record=changed)
        assert await repo.get(partition=saved.partition_key, key=saved.row_key) is None
        await repo.delete(record=changed)  # already gone: fine

    @pytest.mark.parametrize("kind", KEYED_KINDS, ids=str)
    async def test_list_gives_one_partition_in_row_key_order(self, store: Store, kind: Kind[Any]) -> None:
        repo = repository(store, kind)
        keys = ["m", "b", "Z", "a/b", "a", "é", "📈", "a%", "b-2"]
        records = [kind.make(WEEK, key) for key in keys]
        for record in records:
            await repo.save(record=record)
        if not kind.fixed_partition:
            await repo.save(record=kind.make("2026-W21", "other week"))
        listed = await repo.list(partition=records[0].partition_key)
        assert listed == sorted(records, key=lambda record: record.row_key)
        assert all(record.etag for record in listed)
        assert await repo.list(partition="no such partition") == []

    @pytest.mark.parametrize("kind", WEEKLY_KINDS, ids=str)
    async def test_list_by_key_gives_history_across_weeks(self, store: Store, kind: Kind[Any]) -> None:
        repo = repository(store, kind)
        weeks = ["2026-W22", "2025-W52", "2026-W20", "2026-W21"]
        history = [kind.make(week, "alpha") for week in weeks]
        for record in [*history, kind.make("2026-W20", "beta")]:
            await repo.save(record=record)
        found = await repo.list_by_key(key=history[0].row_key)
        assert found == sorted(history, key=lambda record: record.partition_key)
        assert [record.partition_key for record in found] == sorted(weeks)
        assert all(record.etag for record in found)

    @pytest.mark.parametrize("kind", KEYED_KINDS, ids=str)
    async def test_any_key_round_trips(self, store: Store, kind: Kind[Any]) -> None:
        repo = repository(store, kind)
        for key in FORBIDDEN_KEYS + EMOJI_KEYS:
            partition = WEEK if kind.fixed_partition else f"{key} week"
            record = kind.make(partition, key)
            saved = await repo.save(record=record)
            assert await repo.get(partition=record.partition_key, key=record.row_key) == record, ascii(key)
            assert await repo.list_by_key(key=record.row_key) == [record], ascii(key)
            if not kind.fixed_partition:
                assert await repo.list(partition=record.partition_key) == [record], ascii(key)
            changed = await repo.save(record=kind.change(saved, "changed"))
            await repo.delete(record=changed)
            assert await repo.get(partition=record.partition_key, key=record.row_key) is None, ascii(key)

    @pytest.mark.parametrize("kind", TEXT_KINDS, ids=str)
    async def test_long_text_is_stored_whole(self, store: Store, kind: Kind[Any]) -> None:
        assert kind.text is not None
        repo = repository(store, kind)
        record = kind.text(kind.make(WEEK, "alpha"), long_text(100_000))
        saved = await repo.save(record=record)
        assert await repo.get(partition=record.partition_key, key=record.row_key) == record
        shorter = kind.text(saved, long_text(40_000))
        await repo.save(record=shorter)
        assert await repo.get(partition=record.partition_key, key=record.row_key) == shorter

    @pytest.mark.parametrize("kind", TEXT_KINDS, ids=str)
    async def test_record_over_one_mib_is_refused_and_nothing_stored(
        self, store: Store, kind: Kind[Any]
    ) -> None:
        assert kind.text is not None
        repo = repository(store, kind)
        huge = kind.text(kind.make(WEEK, "alpha"), "x" * 600_000)
        with pytest.raises(RecordTooLargeError):
            await repo.save(record=huge)
        with pytest.raises(RecordTooLargeError):
            await repo.upsert(record=huge)
        assert await repo.get(partition=huge.partition_key, key=huge.row_key) is None
        saved = await repo.save(record=kind.make(WEEK, "alpha"))
        with pytest.raises(RecordTooLargeError):
            await repo.save(record=kind.text(saved, "x" * 600_000))
        assert await repo.get(partition=huge.partition_key, key=huge.row_key) == saved

    @pytest.mark.parametrize("kind", KEYED_KINDS, ids=str)
    async def test_save_batch_is_atomic(self, store: Store, kind: Kind[Any]) -> None:
        repo = repository(store, kind)
        week = [kind.make(WEEK, f"project-{number:02}") for number in range(30)]
        saved = await repo.save_batch(records=week)
        assert saved == week
        assert all(record.etag for record in saved)
        assert await repo.list(partition=week[0].partition_key) == saved

        # One record already exists: none of the others is created.
        fresh = [kind.make(WEEK, f"new-{number:02}") for number in range(29)]
        with pytest.raises(ConcurrencyError):
            await repo.save_batch(records=[*fresh, kind.make(WEEK, "project-07")])
        assert await repo.list(partition=week[0].partition_key) == saved

        # One record is stale: none of the others is replaced.
        changed = [kind.change(record, "changed") for record in saved]
        await repo.save(record=kind.change(saved[3], "meanwhile"))
        with pytest.raises(ConcurrencyError):
            await repo.save_batch(records=changed)
        stored = await repo.list(partition=week[0].partition_key)
        assert stored[3] == kind.change(saved[3], "meanwhile")
        assert stored[:3] + stored[4:] == saved[:3] + saved[4:]

        # Fresh ETags: every record is replaced, and creations mix with replacements.
        current = [kind.change(record, "again") for record in stored]
        result = await repo.save_batch(records=[*current, kind.make(WEEK, "project-30")])
        assert await repo.list(partition=week[0].partition_key) == result

    @pytest.mark.parametrize("kind", KEYED_KINDS, ids=str)
    async def test_save_batch_refuses_what_cannot_be_one_transaction(
        self, store: Store, kind: Kind[Any]
    ) -> None:
        repo = repository(store, kind)
        with pytest.raises(ValueError, match="100"):
            await repo.save_batch(records=[kind.make(WEEK, f"p{number}") for number in range(101)])
        with pytest.raises(ValueError, match="twice"):
            await repo.save_batch(records=[kind.make(WEEK, "p"), kind.make(WEEK, "p")])
        if not kind.fixed_partition:
            with pytest.raises(ValueError, match="one partition"):
                await repo.save_batch(records=[kind.make(WEEK, "p"), kind.make("2026-W21", "p")])
        assert await repo.list(partition=kind.make(WEEK, "p").partition_key) == []
        assert await repo.save_batch(records=[]) == []

    @pytest.mark.parametrize("kind", KEYED_KINDS, ids=str)
    async def test_delete_partition_deletes_every_record_of_it(self, store: Store, kind: Kind[Any]) -> None:
        repo = repository(store, kind)
        records = [kind.make(WEEK, f"p/{number:03}") for number in range(130)]
        for start in range(0, len(records), 100):
            await repo.save_batch(records=records[start : start + 100])
        if not kind.fixed_partition:
            await repo.save(record=kind.make("2026-W21", "kept"))
        assert await repo.delete_partition(partition=records[0].partition_key) == 130
        assert await repo.list(partition=records[0].partition_key) == []
        assert await repo.delete_partition(partition=records[0].partition_key) == 0
        if not kind.fixed_partition:
            assert len(await repo.list(partition="2026-W21")) == 1

    async def test_ping_answers(self, store: Store) -> None:
        await store.ping()


class TestTableStore(StoreContract):
    """Azure Table Storage on Azurite."""

    @pytest.fixture
    async def store(self, azurite: Azurite, table_prefix: str) -> AsyncIterator[Store]:
        store = await TableStore.open(connection_string=azurite.connection_string, table_prefix=table_prefix)
        yield store
        await store.close()
