"""Read-modify-write with optimistic concurrency: re-read and re-apply when someone else wrote first."""

from __future__ import annotations

from collections.abc import Callable

from bot.errors import ConcurrencyError
from bot.storage.protocol import R, Repository

ATTEMPTS = 3


async def modify(
    repository: Repository[R],
    *,
    partition: str,
    key: str,
    change: Callable[[R | None], R | None],
    current: R | None = None,
    known: bool = False,
) -> R | None:
    """Apply ``change`` to the stored record and save it, retrying on an ETag conflict.

    Args:
        repository: Where the record lives.
        partition: Its partition key.
        key: Its row key.
        change: Given the stored record (or ``None``), the record to save, or ``None`` to save nothing.
        current: The record as already read, to save a read on the first attempt.
        known: True if ``current`` is what was read (even ``None``); False to read it first.

    Returns:
        The saved record with its new ETag, or ``None`` if ``change`` chose to save nothing.

    Raises:
        ConcurrencyError: The record kept changing for ``ATTEMPTS`` attempts.
    """
    stored = current if known else await repository.get(partition=partition, key=key)
    for _ in range(ATTEMPTS):
        record = change(stored)
        if record is None:
            return None
        try:
            return await repository.save(record=record)
        except ConcurrencyError:
            stored = await repository.get(partition=partition, key=key)
    raise ConcurrencyError(f"{partition}/{key} kept changing while saving")
