"""Which partitions a table holds: the one question the storage protocol leaves to its implementation.

The privacy commands and retention must visit every week's records (updates, engagement, audit events are
partitioned by week). The ``Store`` protocol reads and deletes by partition, so all they need is the list of
partitions, which Table Storage gives by a keys-only scan. Only these rare administrative jobs call this,
never a turn.
"""

from __future__ import annotations

from bot.storage.client import storage_errors
from bot.storage.keys import escape_key, unescape_key
from bot.storage.protocol import Store


async def partitions(store: Store, table: str, *, before: str | None = None) -> list[str]:
    """The distinct partition keys of one of the store's tables, in order.

    Args:
        store: The open store (Table Storage).
        table: The repository's attribute name, e.g. ``updates``.
        before: Only partitions that sort before this key (weeks and days sort by time).

    Returns:
        The partition keys as the domain knows them (unescaped).

    Raises:
        TypeError: The store is not on Table Storage.
        StorageUnavailableError: Storage cannot be reached.
    """
    from bot.storage.tables import TableStore

    if not isinstance(store, TableStore):
        raise TypeError(f"listing partitions needs a TableStore, not {type(store).__name__}")
    client = await store.open_table(table)
    found: set[str] = set()
    with storage_errors(f"listing the partitions of {table}"):
        if before is None:
            entities = client.list_entities(select=["PartitionKey"])
        else:
            entities = client.query_entities(
                "PartitionKey lt @before", parameters={"before": escape_key(before)}, select=["PartitionKey"]
            )
        async for entity in entities:
            found.add(str(entity["PartitionKey"]))
    return sorted(unescape_key(key) for key in found)
