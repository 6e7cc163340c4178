"""Bot Framework state (conversation, user and dialog state) on Azure Table Storage.

``TableBotStorage`` is a ``botbuilder.core.Storage`` that behaves like botbuilder's ``MemoryStorage``, on one
table ``{prefix}botstate``. Each state key is one entity: PartitionKey is the key (escaped, see
``bot.storage.keys``), RowKey is ``state``, and the value is JSON made by jsonpickle (as botbuilder's own
``BlobStorage`` does), so dicts and objects such as ``DialogState`` come back as they were written. JSON
longer than a property may hold is split over ``data``, ``data__1`` ...; a value over 1 MiB raises
``RecordTooLargeError``.

E-tags, as in ``MemoryStorage``: a value written without an ``e_tag`` (a plain state dict) is read back
without one and every write replaces it. A value written with an ``e_tag`` (``"*"`` or one read earlier) is
read back with the entity's real ETag, and writing it again with that ETag succeeds only if nobody wrote it in
between (else ``ConcurrencyError``); ``"*"`` or no ``e_tag`` always overwrites; ``""`` is refused.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from azure.core import MatchConditions
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.data.tables import UpdateMode
from azure.data.tables.aio import TableClient, TableServiceClient
from botbuilder.core import Storage
from jsonpickle.pickler import Pickler  # type: ignore[import-untyped]
from jsonpickle.unpickler import Unpickler  # type: ignore[import-untyped]

from bot.errors import ConcurrencyError
from bot.storage.client import (
    ensure_table,
    error_code,
    gather_all,
    open_service,
    storage_errors,
    table_name,
)
from bot.storage.entity import check_entity, join_text, split_text
from bot.storage.keys import escape_key

TABLE = "botstate"
ROW_KEY = "state"
DATA = "data"
ETAGGED = "etagged"
_CONFLICT_STATUS = frozenset({404, 412})


class TableBotStorage(Storage):  # type: ignore[misc]
    """A botbuilder ``Storage`` on one Azure table, behaving like ``MemoryStorage``."""

    def __init__(self, table: TableClient, *, service: TableServiceClient | None = None) -> None:
        """Use an existing table client, e.g. ``TableBotStorage(await store.open_table("botstate"))``.

        Args:
            table: The table's client; the table must exist.
            service: A service client for :meth:`close` to close (``open`` passes its own); without it the
                connections stay with whoever opened them (the ``TableStore``).
        """
        super().__init__()
        self._table = table
        self._service = service

    @classmethod
    async def open(cls, *, connection_string: str, table_prefix: str) -> TableBotStorage:
        """Connect, and create the table ``{prefix}botstate`` if it is missing.

        Args:
            connection_string: An Azure Storage connection string.
            table_prefix: Prepended to the table name (letters and digits).

        Returns:
            The storage; release it with :meth:`close`.

        Raises:
            StorageUnavailableError: Storage cannot be reached.
            ValueError: The prefix makes an invalid table name.
        """
        name = table_name(table_prefix, TABLE)
        service = open_service(connection_string)
        try:
            table = await ensure_table(service, name)
        except BaseException:
            await service.close()
            raise
        return cls(table, service=service)

    async def close(self) -> None:
        """Release connections, if :meth:`open` made them (the table client shares the service's)."""
        if self._service is not None:
            await self._service.close()

    async def read(self, keys: Iterable[str] | None) -> dict[str, Any]:
        """Load the stored values of ``keys``; a key never written is absent from the result.

        Args:
            keys: The state keys (``None`` or empty reads nothing, as in ``MemoryStorage``).

        Returns:
            Key to value, for the keys that are stored.
        """
        if not keys:
            return {}
        unique = list(dict.fromkeys(keys))
        values = await gather_all(*(self._read_one(key) for key in unique))
        return {key: value for key, (found, value) in zip(unique, values, strict=True) if found}

    async def _read_one(self, key: str) -> tuple[bool, Any]:
        with storage_errors(f"reading bot state {key}"):
            try:
                entity = await self._table.get_entity(escape_key(key), ROW_KEY)
            except ResourceNotFoundError as error:
                if error_code(error) == "TableNotFound":
                    raise
                return False, None
        flat = json.loads(join_text(DATA, entity) or "null")
        if entity.get(ETAGGED) and isinstance(flat, dict):
            flat["e_tag"] = entity.metadata["etag"]
        return True, Unpickler(safe=True).restore(flat)

    async def write(self, changes: Mapping[str, object] | None) -> None:
        """Store each value under its key.

        Args:
            changes: Key to value (dicts, ``StoreItem`` objects, anything jsonpickle can flatten).

        Raises:
            ValueError: ``changes`` is ``None``, or a value's ``e_tag`` is ``""``.
            ConcurrencyError: A value's ``e_tag`` is not ``"*"`` and the stored value has another.
            RecordTooLargeError: A value is over 1 MiB as JSON; it was not written.
        """
        if changes is None:
            raise ValueError("Changes are required when writing")
        if not changes:
            return
        entities = [(key, *self._entity(key, value)) for key, value in changes.items()]
        await gather_all(*(self._write_one(key, entity, etag) for key, entity, etag in entities))

    def _entity(self, key: str, value: object) -> tuple[dict[str, Any], str | None]:
        etag = value.get("e_tag") if isinstance(value, dict) else getattr(value, "e_tag", None)
        if etag == "":
            raise ValueError(f"The bot state {key!r} has an empty e_tag; use '*' or None to overwrite.")
        flat = Pickler().flatten(value)
        if etag is not None and isinstance(flat, dict):
            flat.pop("e_tag", None)  # the entity's own ETag replaces it on read
        entity: dict[str, Any] = {
            "PartitionKey": escape_key(key),
            "RowKey": ROW_KEY,
            ETAGGED: etag is not None,
            **split_text(DATA, json.dumps(flat, ensure_ascii=False, separators=(",", ":"))),
        }
        check_entity(entity, what=f"Bot state {key}")
        return entity, None if etag is None else str(etag)

    async def _write_one(self, key: str, entity: dict[str, Any], etag: str | None) -> None:
        with storage_errors(f"writing bot state {key}"):
            if etag is None or etag == "*":
                await self._table.upsert_entity(entity, mode=UpdateMode.REPLACE)
                return
            try:
                await self._table.update_entity(
                    entity, mode=UpdateMode.REPLACE, etag=etag, match_condition=MatchConditions.IfNotModified
                )
            except HttpResponseError as error:
                if error.status_code in _CONFLICT_STATUS and error_code(error) != "TableNotFound":
                    raise ConcurrencyError(
                        f"The bot state {key!r} changed (or was deleted) since it was read."
                    ) from error
                raise

    async def delete(self, keys: Iterable[str] | None) -> None:
        """Delete the values of ``keys``; a key never written is fine.

        Args:
            keys: The state keys.

        Raises:
            ValueError: ``keys`` is ``None``.
        """
        if keys is None:
            raise ValueError("Keys are required when deleting")
        await gather_all(*(self._delete_one(key) for key in dict.fromkeys(keys)))

    async def _delete_one(self, key: str) -> None:
        with storage_errors(f"deleting bot state {key}"):
            await self._table.delete_entity(partition_key=escape_key(key), row_key=ROW_KEY)
