"""The storage protocol: a small async interface that every store implements.

Records are the frozen dataclasses of ``bot.domain.models``. Each has ``partition_key``, ``row_key`` and
``etag``. Saving follows one rule for every record type:

- ``etag is None``: create; raises ``ConcurrencyError`` if a record with the same keys exists.
- ``etag`` set: replace only if the stored record still has that ETag, else ``ConcurrencyError``.

``upsert`` writes whatever is there (for idempotent imports and caches). Every method returns records with
their new ETag. Storage that cannot be reached raises ``StorageUnavailableError``.
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import Protocol, TypeVar

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

Record = (
    Organisation
    | Person
    | Project
    | Edition
    | Update
    | ConversationRef
    | PostedMessage
    | Engagement
    | AuditEvent
    | Claim
    | SeenActivity
)
R = TypeVar("R", bound=Record)


class Repository(Protocol[R]):
    """The records of one type.

    (``builtins.list`` in annotations: inside this class, ``list`` names the method.)
    """

    async def get(self, *, partition: str, key: str) -> R | None:
        """The record with these keys, or ``None``."""
        ...

    async def save(self, *, record: R) -> R:
        """Create (``etag`` None) or replace-if-unchanged (``etag`` set); returns it with its new ETag."""
        ...

    async def upsert(self, *, record: R) -> R:
        """Write the record whatever is stored (last writer wins)."""
        ...

    async def delete(self, *, record: R) -> None:
        """Delete the record (if ``etag`` is set, only if unchanged); deleting a missing record is fine."""
        ...

    async def list(self, *, partition: str) -> builtins.list[R]:
        """Every record in one partition, in row-key order."""
        ...

    async def list_by_key(self, *, key: str) -> builtins.list[R]:
        """Every record with this row key, across partitions, in partition order (a project's history)."""
        ...

    async def save_batch(self, *, records: Sequence[R]) -> builtins.list[R]:
        """Save up to 100 records of one partition atomically (same create/replace rule per record)."""
        ...

    async def delete_partition(self, *, partition: str) -> int:
        """Delete every record in a partition; returns how many."""
        ...


class Store(Protocol):
    """Every repository, plus a health check."""

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

    async def ping(self) -> None:
        """Raise ``StorageUnavailableError`` unless storage answers."""
        ...

    async def close(self) -> None:
        """Release connections."""
        ...
