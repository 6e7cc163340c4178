"""Storage outages: reported as ``StorageUnavailableError`` within seconds, and the store recovers.

These tests start their own Azurite (or a server that never answers) so that stopping it harms no other test.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from typing import Any

import pytest

from bot.domain.models import Person
from bot.errors import StorageUnavailableError
from bot.storage.client import open_service
from bot.storage.tables import TableStore
from tests.support.azurite import Azurite, free_port

PERSON = Person(email="siân@example.org", name="Siân 📈")


async def assert_unavailable_quickly(operation: Callable[[], Awaitable[Any]], *, within: float) -> None:
    started = time.monotonic()
    with pytest.raises(StorageUnavailableError):
        await operation()
    assert time.monotonic() - started < within


async def test_an_outage_is_reported_in_seconds_and_the_store_recovers(table_prefix: str) -> None:
    azurite = Azurite()
    azurite.start()
    try:
        store = await TableStore.open(connection_string=azurite.connection_string, table_prefix=table_prefix)
        try:
            saved = await store.people.save(record=PERSON)
            await store.ping()

            azurite.stop()
            await assert_unavailable_quickly(store.ping, within=3.5)
            await assert_unavailable_quickly(
                lambda: store.people.get(partition="person", key=PERSON.email), within=5
            )
            await assert_unavailable_quickly(lambda: store.people.save(record=saved), within=5)
            await assert_unavailable_quickly(lambda: store.people.list(partition="person"), within=5)
            await assert_unavailable_quickly(lambda: store.people.save_batch(records=[PERSON]), within=5)
            await assert_unavailable_quickly(store.create_tables, within=5)

            azurite.start()  # same port; in memory, so the tables and data are gone
            await store.create_tables()
            await store.ping()
            assert await store.people.get(partition="person", key=PERSON.email) is None
            again = await store.people.save(record=PERSON)
            assert await store.people.get(partition="person", key=PERSON.email) == again
        finally:
            await store.close()
    finally:
        azurite.close()


async def test_after_an_outage_of_persistent_storage_the_data_and_etags_are_still_good(
    table_prefix: str,
) -> None:
    azurite = Azurite(persistent=True)
    azurite.start()
    try:
        store = await TableStore.open(connection_string=azurite.connection_string, table_prefix=table_prefix)
        try:
            saved = await store.people.save(record=PERSON)
            azurite.stop()
            await assert_unavailable_quickly(lambda: store.people.save(record=saved), within=5)
            azurite.start()
            await store.ping()
            assert await store.people.get(partition="person", key=PERSON.email) == saved
            updated = await store.people.save(record=replace(saved, title="Pennaeth"))
            assert await store.people.get(partition="person", key=PERSON.email) == updated
        finally:
            await store.close()
    finally:
        azurite.close()


async def test_open_fails_quickly_when_storage_is_down(table_prefix: str) -> None:
    azurite = Azurite()  # never started: nothing listens on its port
    await assert_unavailable_quickly(
        lambda: TableStore.open(connection_string=azurite.connection_string, table_prefix=table_prefix),
        within=5,
    )


@pytest.fixture
async def silent_server() -> AsyncIterator[int]:
    """A loopback port that accepts connections and never answers."""
    held: list[asyncio.StreamWriter] = []

    async def hold(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)

    port = free_port()
    server = await asyncio.start_server(hold, "127.0.0.1", port)
    yield port
    server.close()
    for writer in held:
        writer.close()
    await server.wait_closed()


async def test_storage_that_never_answers_is_unavailable(silent_server: int) -> None:
    connection_string = Azurite(port=silent_server).connection_string  # points at the silent server
    store = TableStore(open_service(connection_string), table_prefix="silent")
    impatient = TableStore(
        open_service(connection_string, read_timeout=0.3, retry_total=1), table_prefix="silent"
    )
    try:
        await assert_unavailable_quickly(store.ping, within=4)
        await assert_unavailable_quickly(
            lambda: impatient.people.get(partition="person", key=PERSON.email), within=3
        )
    finally:
        await store.close()
        await impatient.close()
