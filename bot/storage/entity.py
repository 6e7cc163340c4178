"""Table Storage's limits on one entity: long strings split over numbered properties, and a size check.

Azure accepts a string property of at most 32K UTF-16 code units, an entity of at most 1 MiB and 252
properties of our own (besides PartitionKey, RowKey and Timestamp). A longer string is stored as ``name``,
``name__1``, ``name__2`` ... of at most 30,000 code units each, never cutting a surrogate pair, and joined
again on read. Updates always replace the whole entity, so no stale continuation is ever left behind.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bot.errors import RecordTooLargeError
from bot.storage.keys import utf16_units

MAX_STRING_UNITS = 30_000
MAX_ENTITY_BYTES = 1024 * 1024
MAX_PROPERTIES = 252
MAX_BATCH_BYTES = 4 * 1024 * 1024
CONTINUATION = "__"
KEY_PROPERTIES = frozenset({"PartitionKey", "RowKey"})

_BATCH_OVERHEAD = 1024  # multipart headers and the request line of one operation in a transaction
_ANNOTATION = len('"@odata.type":"Edm.DateTime",')


def continuation(name: str, index: int) -> str:
    """The name of the ``index``-th piece of property ``name`` (the first piece is ``name`` itself)."""
    return name if index == 0 else f"{name}{CONTINUATION}{index}"


def split_text(name: str, value: str) -> dict[str, str]:
    """Split a string into properties that each fit Table Storage's limit.

    Args:
        name: The property name.
        value: The text to store (any length).

    Returns:
        ``{name: value}`` when it fits, else ``{name: piece0, name__1: piece1, ...}`` in order.
    """
    data = value.encode("utf-16-le", "surrogatepass")
    limit = MAX_STRING_UNITS * 2
    if len(data) <= limit:
        return {name: value}
    pieces: dict[str, str] = {}
    start = 0
    while start < len(data):
        end = min(start + limit, len(data))
        if end < len(data) and 0xD800 <= int.from_bytes(data[end - 2 : end], "little") <= 0xDBFF:
            end -= 2  # a high surrogate: keep the pair together in the next piece
        pieces[continuation(name, len(pieces))] = data[start:end].decode("utf-16-le", "surrogatepass")
        start = end
    return pieces


def join_text(name: str, entity: Mapping[str, Any]) -> str | None:
    """Join the pieces :func:`split_text` wrote.

    Args:
        name: The property name.
        entity: The entity read from Table Storage.

    Returns:
        The whole text, or ``None`` when the property is absent.
    """
    first = entity.get(name)
    if first is None:
        return None
    pieces = [str(first)]
    while (piece := entity.get(continuation(name, len(pieces)))) is not None:
        pieces.append(str(piece))
    return "".join(pieces)


def _formula_size(value: Any) -> int:
    if isinstance(value, str):
        return 4 + 2 * utf16_units(value)
    if isinstance(value, bool):
        return 1
    if isinstance(value, int):
        return 4
    if isinstance(value, tuple):  # (value, EdmType.INT64)
        return 8
    return 8  # double, datetime


def _wire_value(value: Any) -> Any:
    if isinstance(value, tuple):
        return str(value[0])
    if isinstance(value, datetime):
        return "0000-00-00T00:00:00.0000000Z"
    return value


def entity_size(entity: Mapping[str, Any]) -> int:
    """A conservative size of an entity, in bytes.

    The larger of Azure's own formula (UTF-16 strings, 8 bytes per property plus its name) and the JSON the
    SDK sends (non-ASCII escaped as ``\\uXXXX``, one type annotation per property), which is what Azurite
    measures.

    Args:
        entity: Property name to value, including PartitionKey and RowKey.

    Returns:
        The size in bytes.
    """
    formula = 4
    wire = 2
    for name, value in entity.items():
        if name in KEY_PROPERTIES:
            formula += 2 * utf16_units(str(value))
        else:
            formula += 8 + 2 * utf16_units(name) + _formula_size(value)
        wire += len(json.dumps(name)) + len(json.dumps(_wire_value(value))) + 2 + len(name) + _ANNOTATION
    return max(formula, wire)


def check_entity(entity: Mapping[str, Any], *, what: str) -> int:
    """Refuse an entity Table Storage would refuse, before anything is sent.

    Args:
        entity: Property name to value, including PartitionKey and RowKey.
        what: Names the record in the error, e.g. ``Update 2026-W20/alpha``.

    Returns:
        The entity's size in bytes (see :func:`entity_size`).

    Raises:
        RecordTooLargeError: The entity is over 1 MiB or has more than 252 properties.
    """
    count = len(entity.keys() - KEY_PROPERTIES)
    if count > MAX_PROPERTIES:
        raise RecordTooLargeError(
            f"{what} needs {count} properties; Table Storage accepts {MAX_PROPERTIES}. Nothing was written."
        )
    size = entity_size(entity)
    if size > MAX_ENTITY_BYTES:
        raise RecordTooLargeError(
            f"{what} is {size:,} bytes; Table Storage accepts at most 1 MiB "
            f"({MAX_ENTITY_BYTES:,} bytes) per record. Nothing was written."
        )
    return size


def check_batch(sizes: list[int], *, what: str) -> None:
    """Refuse a transaction larger than the 4 MiB Table Storage accepts.

    Args:
        sizes: The size of each entity (from :func:`check_entity`).
        what: Names the batch in the error.

    Raises:
        RecordTooLargeError: The transaction would be over 4 MiB.
    """
    total = sum(sizes) + _BATCH_OVERHEAD * len(sizes)
    if total > MAX_BATCH_BYTES:
        raise RecordTooLargeError(
            f"{what} is {total:,} bytes together; a Table Storage transaction carries at most 4 MiB. "
            "Nothing was written."
        )
