"""What is particular to the Table Storage store: tables, the stored layout, limits and errors."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime

import pytest
from azure.core.exceptions import HttpResponseError, ServiceRequestError, ServiceResponseError
from azure.data.tables.aio import TableServiceClient

from bot.domain.models import Edition, Person, Update
from bot.errors import (
    ConcurrencyError,
    InvalidKeyError,
    RecordTooLargeError,
    StorageError,
    StorageUnavailableError,
)
from bot.storage.client import storage_errors
from bot.storage.tables import TABLES, TableStore
from tests.storage.test_samples import WEEK
from tests.storage.test_store_contract import long_text
from tests.support.azurite import Azurite


@pytest.fixture
async def store(azurite: Azurite, table_prefix: str) -> AsyncIterator[TableStore]:
    store = await TableStore.open(connection_string=azurite.connection_string, table_prefix=table_prefix)
    yield store
    await store.close()


@pytest.fixture
async def service(azurite: Azurite) -> AsyncIterator[TableServiceClient]:
    client = TableServiceClient.from_connection_string(azurite.connection_string)
    yield client
    await client.close()


async def table_names(service: TableServiceClient, prefix: str) -> set[str]:
    return {table.name async for table in service.list_tables() if table.name.startswith(prefix)}


async def test_open_creates_one_table_per_record_type_idempotently_and_concurrently(
    azurite: Azurite, table_prefix: str, service: TableServiceClient
) -> None:
    stores = await asyncio.gather(
        *(
            TableStore.open(connection_string=azurite.connection_string, table_prefix=table_prefix)
            for _ in range(4)
        )
    )
    again = await TableStore.open(connection_string=azurite.connection_string, table_prefix=table_prefix)
    for store in [*stores, again]:
        await store.ping()
        await store.close()
    assert await table_names(service, table_prefix) == {f"{table_prefix}{name}" for name in TABLES}
    assert f"{table_prefix}updates" in await table_names(service, table_prefix)


@pytest.mark.parametrize("prefix", ["week-notes", "1weeknotes", "w" * 60, "wn_", "é"])
async def test_a_prefix_that_makes_an_invalid_table_name_is_refused(azurite: Azurite, prefix: str) -> None:
    with pytest.raises(ValueError, match="table name"):
        await TableStore.open(connection_string=azurite.connection_string, table_prefix=prefix)


async def test_a_malformed_connection_string_is_a_storage_error() -> None:
    with pytest.raises(StorageError, match="connection string"):
        await TableStore.open(connection_string="not a connection string", table_prefix="weeknotes")


async def test_open_table_shares_the_store_connections(
    store: TableStore, table_prefix: str, service: TableServiceClient
) -> None:
    table = await store.open_table("botstate")
    await table.upsert_entity({"PartitionKey": "p", "RowKey": "r"})
    assert f"{table_prefix}botstate" in await table_names(service, table_prefix)
    assert await store.open_table("botstate")  # idempotent


async def test_long_text_is_stored_in_numbered_properties_and_stale_pieces_vanish(
    store: TableStore, table_prefix: str, service: TableServiceClient
) -> None:
    record = Update(week=WEEK, project_id="alpha", answers={"achievements": long_text(100_000)})
    saved = await store.updates.save(record=record)
    raw = await service.get_table_client(f"{table_prefix}updates").get_entity(WEEK, "alpha")
    assert sorted(name for name in raw if name.startswith("answers")) == [
        "answers",
        "answers__1",
        "answers__2",
        "answers__3",
    ]
    assert all(len(raw[name].encode("utf-16-le")) <= 60_000 for name in raw if name.startswith("answers"))
    await store.updates.save(record=Update(week=WEEK, project_id="alpha", etag=saved.etag))
    raw = await service.get_table_client(f"{table_prefix}updates").get_entity(WEEK, "alpha")
    assert [name for name in raw if name.startswith("answers")] == ["answers"]


async def test_keys_are_stored_escaped(
    store: TableStore, table_prefix: str, service: TableServiceClient
) -> None:
    await store.updates.save(record=Update(week="2026/W20", project_id="a#b?c\\d%"))
    raw = [entity async for entity in service.get_table_client(f"{table_prefix}updates").list_entities()]
    assert [(entity["PartitionKey"], entity["RowKey"]) for entity in raw] == [
        ("2026%2FW20", "a%23b%3Fc%5Cd%25")
    ]


async def test_a_batch_over_four_mib_is_refused_before_sending(store: TableStore) -> None:
    records = [
        Update(week=WEEK, project_id=f"p{number}", answers={"achievements": "x" * 250_000})
        for number in range(10)
    ]
    with pytest.raises(RecordTooLargeError, match="4 MiB"):
        await store.updates.save_batch(records=records)
    assert await store.updates.list(partition=WEEK) == []


async def test_bad_keys_and_naive_datetimes_are_refused(store: TableStore) -> None:
    with pytest.raises(InvalidKeyError):
        await store.people.save(record=Person(email="x" * 600, name="Too long"))
    with pytest.raises(InvalidKeyError):
        await store.people.get(partition="person", key="")
    with pytest.raises(ValueError, match="time zone"):
        await store.editions.save(record=Edition(week=WEEK, closed_at=datetime(2026, 5, 18, 9)))
    assert await store.editions.list(partition="edition") == []


async def test_a_missing_table_is_an_error_not_an_absent_record(
    store: TableStore, table_prefix: str, service: TableServiceClient
) -> None:
    saved = await store.people.save(record=Person(email="a@b", name="A"))
    await service.delete_table(f"{table_prefix}people")
    with pytest.raises(StorageError, match="TableNotFound") as raised:
        await store.people.get(partition="person", key="a@b")
    assert not isinstance(raised.value, StorageUnavailableError)
    with pytest.raises(StorageError, match="TableNotFound"):
        await store.people.save(record=saved)
    with pytest.raises(StorageError, match="TableNotFound"):
        await store.people.save(record=Person(email="b@c", name="B"))
    with pytest.raises(StorageError, match="TableNotFound") as batch:
        await store.people.save_batch(records=[Person(email="b@c", name="B"), saved])
    assert not isinstance(batch.value, ConcurrencyError)
    with pytest.raises(StorageError, match="TableNotFound"):
        await store.people.list(partition="person")
    await store.create_tables()
    assert await store.people.get(partition="person", key="a@b") is None


def test_transport_errors_become_unavailable_and_answers_plain_storage_errors() -> None:
    for transport in (
        ServiceRequestError("refused"),
        ServiceResponseError("reset"),
        ConnectionError(),
        TimeoutError(),
    ):
        with (
            pytest.raises(StorageUnavailableError, match="could not be reached while reading"),
            storage_errors("reading Person person/a@b"),
        ):
            raise transport
    refused = HttpResponseError(message="Operation returned an invalid status 'Bad Request'")
    refused.status_code = 400
    with (
        pytest.raises(StorageError, match=r"refused saving Update 2026-W20/a \(400\)\.$") as raised,
        storage_errors("saving Update 2026-W20/a"),
    ):
        raise refused
    assert not isinstance(raised.value, StorageUnavailableError)
    busy = HttpResponseError(message="Server busy")
    busy.status_code = 503
    with pytest.raises(StorageUnavailableError, match="503"), storage_errors("listing"):
        raise busy
    with pytest.raises(ConcurrencyError), storage_errors("saving"):
        raise ConcurrencyError("ours pass through untouched")
