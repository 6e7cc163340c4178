"""The ``Store`` on Azure Table Storage: one table per record type, ``{prefix}{name}``.

Saving follows ``bot.storage.protocol``: a record without an ETag is created (and conflicts if it exists), a
record with one replaces the stored record only if that still has the same ETag. Updates always replace the
whole entity (never merge), so a field or a continuation property that is gone stays gone.
"""

from __future__ import annotations

import builtins
import dataclasses
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Generic

from azure.core import MatchConditions
from azure.core.exceptions import HttpResponseError, ResourceExistsError, ResourceNotFoundError
from azure.data.tables import TableTransactionError, UpdateMode
from azure.data.tables.aio import TableClient, TableServiceClient

from bot.domain.models import (
    AuditEvent,
    Claim,
    ConversationRef,
    Edition,
    Engagement,
    Organisation,
    Person,
    PostedMessage,
    Project,
    SeenActivity,
    Update,
)
from bot.errors import ConcurrencyError
from bot.storage.client import (
    ensure_table,
    error_code,
    gather_all,
    open_service,
    ping_table,
    storage_errors,
    table_name,
)
from bot.storage.codec import RecordCodec
from bot.storage.entity import check_batch
from bot.storage.keys import escape_key
from bot.storage.protocol import R, Repository

if TYPE_CHECKING:
    from bot.storage.protocol import Store

MAX_BATCH = 100
_CONFLICT_STATUS = frozenset({404, 409, 412})  # gone, already there, or changed since read
_REPLACE_IF_UNCHANGED = {"mode": UpdateMode.REPLACE, "match_condition": MatchConditions.IfNotModified}

TABLES = (
    "organisation",
    "people",
    "projects",
    "editions",
    "updates",
    "conversations",
    "posts",
    "engagement",
    "audit",
    "claims",
    "seen",
)
"""Every repository attribute of the store, which is also its table's name after the prefix."""


class TableRepository(Generic[R]):
    """The records of one type, in one table."""

    def __init__(self, table: TableClient, record_type: type[R]) -> None:
        """Wrap a table client.

        Args:
            table: The table's client (it must exist).
            record_type: The record type stored in it.
        """
        self._table = table
        self._codec = RecordCodec(record_type)
        self._name = record_type.__name__

    async def get(self, *, partition: str, key: str) -> R | None:
        """The record with these keys, or ``None``."""
        pk, rk = escape_key(partition), escape_key(key)
        with storage_errors(f"reading {self._name} {partition}/{key}"):
            try:
                entity = await self._table.get_entity(pk, rk)
            except ResourceNotFoundError as error:
                if error_code(error) == "TableNotFound":
                    raise
                return None
        return self._codec.decode(entity, etag=entity.metadata.get("etag"))

    async def save(self, *, record: R) -> R:
        """Create (``etag`` None) or replace-if-unchanged (``etag`` set); returns it with its new ETag.

        Raises:
            ConcurrencyError: The record exists (create) or changed or vanished since it was read (replace).
            RecordTooLargeError: The record is over Table Storage's limits; nothing was written.
        """
        entity = self._codec.encode(record)
        what = self._codec.describe(record)
        with storage_errors(f"saving {what}"):
            try:
                if record.etag is None:
                    metadata = await self._table.create_entity(entity)
                else:
                    metadata = await self._table.update_entity(
                        entity,
                        mode=UpdateMode.REPLACE,
                        etag=record.etag,
                        match_condition=MatchConditions.IfNotModified,
                    )
            except ResourceExistsError as error:
                raise ConcurrencyError(f"{what} already exists.") from error
            except HttpResponseError as error:
                if error.status_code in _CONFLICT_STATUS and error_code(error) != "TableNotFound":
                    raise ConcurrencyError(f"{what} changed or was deleted since it was read.") from error
                raise
        return _with_etag(record, metadata)

    async def upsert(self, *, record: R) -> R:
        """Write the record whatever is stored (last writer wins)."""
        entity = self._codec.encode(record)
        with storage_errors(f"writing {self._codec.describe(record)}"):
            metadata = await self._table.upsert_entity(entity, mode=UpdateMode.REPLACE)
        return _with_etag(record, metadata)

    async def delete(self, *, record: R) -> None:
        """Delete the record (if ``etag`` is set, only if unchanged); deleting a missing record is fine.

        Raises:
            ConcurrencyError: ``etag`` is set and the stored record has changed since.
        """
        pk, rk = escape_key(record.partition_key), escape_key(record.row_key)
        what = self._codec.describe(record)
        with storage_errors(f"deleting {what}"):
            try:
                if record.etag is None:
                    await self._table.delete_entity(partition_key=pk, row_key=rk)
                else:
                    await self._table.delete_entity(
                        partition_key=pk,
                        row_key=rk,
                        etag=record.etag,
                        match_condition=MatchConditions.IfNotModified,
                    )
            except HttpResponseError as error:
                if error.status_code == 412:
                    raise ConcurrencyError(f"{what} changed since it was read.") from error
                raise

    async def list(self, *, partition: str) -> builtins.list[R]:
        """Every record in one partition, in row-key order."""
        records = await self._query("PartitionKey eq @pk", {"pk": escape_key(partition)})
        return sorted(records, key=lambda record: record.row_key)

    async def list_by_key(self, *, key: str) -> builtins.list[R]:
        """Every record with this row key, across partitions, in partition order (a project's history)."""
        records = await self._query("RowKey eq @rk", {"rk": escape_key(key)})
        return sorted(records, key=lambda record: record.partition_key)

    async def _query(self, query: str, parameters: dict[str, Any]) -> builtins.list[R]:
        with storage_errors(f"listing {self._name} records"):
            return [
                self._codec.decode(entity, etag=entity.metadata.get("etag"))
                async for entity in self._table.query_entities(query, parameters=parameters)
            ]

    async def save_batch(self, *, records: Sequence[R]) -> builtins.list[R]:
        """Save up to 100 records of one partition atomically (same create/replace rule per record).

        Raises:
            ValueError: More than 100 records, more than one partition, or the same keys twice.
            ConcurrencyError: Any record conflicts; then none was written.
            RecordTooLargeError: A record, or the whole transaction, is too large; nothing was written.
        """
        if not records:
            return []
        if len(records) > MAX_BATCH:
            raise ValueError(f"A batch holds at most {MAX_BATCH} records, not {len(records)}.")
        if len({record.partition_key for record in records}) > 1:
            raise ValueError("A batch must hold records of one partition only.")
        if len({record.row_key for record in records}) < len(records):
            raise ValueError("A batch cannot hold the same record twice.")
        encoded = [self._codec.encode_sized(record) for record in records]
        what = f"a batch of {len(records)} {self._name} records in {records[0].partition_key}"
        check_batch([size for _, size in encoded], what=what)
        operations: builtins.list[Any] = [
            ("create", entity)
            if record.etag is None
            else ("update", entity, {"etag": record.etag, **_REPLACE_IF_UNCHANGED})
            for record, (entity, _) in zip(records, encoded, strict=True)
        ]
        with storage_errors(f"saving {what}"):
            try:
                results = await self._table.submit_transaction(operations)
            except TableTransactionError as error:
                if error.status_code in _CONFLICT_STATUS and error_code(error) != "TableNotFound":
                    raise ConcurrencyError(
                        f"{what}: a record conflicted ({error_code(error)}), so none was saved."
                    ) from error
                raise
        return [_with_etag(record, result) for record, result in zip(records, results, strict=True)]

    async def delete_partition(self, *, partition: str) -> int:
        """Delete every record in a partition; returns how many."""
        pk = escape_key(partition)
        with storage_errors(f"deleting {self._name} partition {partition}"):
            keys = [
                entity["RowKey"]
                async for entity in self._table.query_entities(
                    "PartitionKey eq @pk", parameters={"pk": pk}, select=["PartitionKey", "RowKey"]
                )
            ]
            for start in range(0, len(keys), MAX_BATCH):
                chunk = keys[start : start + MAX_BATCH]
                try:
                    await self._table.submit_transaction(
                        [("delete", {"PartitionKey": pk, "RowKey": rk}) for rk in chunk]
                    )
                except TableTransactionError:
                    # Someone deleted one of them first: delete the rest one by one (a 404 is ignored).
                    for rk in chunk:
                        await self._table.delete_entity(partition_key=pk, row_key=rk)
        return len(keys)


def _with_etag(record: R, metadata: Mapping[str, Any]) -> R:
    return dataclasses.replace(record, etag=metadata.get("etag"))


class TableStore:
    """Every repository on Azure Table Storage; open with :meth:`open`, release with :meth:`close`."""

    organisation: Repository[Organisation]
    people: Repository[Person]
    projects: Repository[Project]
    editions: Repository[Edition]
    updates: Repository[Update]
    conversations: Repository[ConversationRef]
    posts: Repository[PostedMessage]
    engagement: Repository[Engagement]
    audit: Repository[AuditEvent]
    claims: Repository[Claim]
    seen: Repository[SeenActivity]

    def __init__(self, service: TableServiceClient, *, table_prefix: str) -> None:
        """Use an open service client (prefer :meth:`open`, which also creates the tables).

        Args:
            service: The Table service client; :meth:`close` closes it.
            table_prefix: Prepended to every table name (letters and digits).

        Raises:
            ValueError: The prefix makes an invalid table name.
        """
        self._service = service
        self._prefix = table_prefix
        self.table_names = {attribute: table_name(table_prefix, attribute) for attribute in TABLES}
        self.organisation = self._repository("organisation", Organisation)
        self.people = self._repository("people", Person)
        self.projects = self._repository("projects", Project)
        self.editions = self._repository("editions", Edition)
        self.updates = self._repository("updates", Update)
        self.conversations = self._repository("conversations", ConversationRef)
        self.posts = self._repository("posts", PostedMessage)
        self.engagement = self._repository("engagement", Engagement)
        self.audit = self._repository("audit", AuditEvent)
        self.claims = self._repository("claims", Claim)
        self.seen = self._repository("seen", SeenActivity)

    def _repository(self, attribute: str, record_type: type[R]) -> TableRepository[R]:
        return TableRepository(self._service.get_table_client(self.table_names[attribute]), record_type)

    @classmethod
    async def open(cls, *, connection_string: str, table_prefix: str) -> TableStore:
        """Connect and create any missing table (idempotent; safe from several processes at once).

        Args:
            connection_string: An Azure Storage connection string.
            table_prefix: Prepended to every table name, e.g. ``weeknotes`` gives ``weeknotesupdates``.

        Returns:
            The open store.

        Raises:
            StorageUnavailableError: Storage cannot be reached.
            StorageError: Storage refused to create a table, or the connection string is invalid.
            ValueError: The prefix makes an invalid table name.
        """
        service = open_service(connection_string)
        try:
            store = cls(service, table_prefix=table_prefix)
            await store.create_tables()
        except BaseException:
            await service.close()
            raise
        return store

    async def create_tables(self) -> None:
        """Create every table that is missing (after an outage of in-memory storage, say)."""
        await gather_all(*(ensure_table(self._service, name) for name in self.table_names.values()))

    async def open_table(self, name: str) -> TableClient:
        """Create (if missing) and return another table ``{prefix}{name}`` sharing this store's connections.

        Args:
            name: The table name without the prefix, e.g. ``botstate``.

        Returns:
            Its client; it is closed with the store.
        """
        return await ensure_table(self._service, table_name(self._prefix, name))

    async def ping(self) -> None:
        """Raise ``StorageUnavailableError`` unless storage answers within a few seconds."""
        await ping_table(self._service.get_table_client(self.table_names["organisation"]))

    async def close(self) -> None:
        """Release connections."""
        await self._service.close()


if TYPE_CHECKING:
    _store_type: type[Store] = TableStore
