"""Records to Table Storage entities and back, driven by each record's dataclass fields and type hints.

- ``str``, ``int``, ``bool``, ``float`` and ``datetime`` (timezone-aware, stored as UTC) are native
  properties; an ``int`` beyond 32 bits is stored as ``Edm.Int64``.
- A ``StrEnum`` is stored as its value.
- ``None`` is stored as no property at all (Table Storage has no nulls).
- Anything else (frozenset, tuple, dict, nested dataclasses) is one JSON string, rebuilt from its type hint.
- Strings longer than Table Storage accepts are split (see ``bot.storage.entity``); an entity over 1 MiB
  raises ``RecordTooLargeError`` before anything is sent. Nothing is ever truncated.
- PartitionKey and RowKey are the record's own keys, escaped by ``bot.storage.keys``.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Mapping
from datetime import datetime
from enum import Enum
from typing import Any, Generic

from azure.data.tables import EdmType

from bot.errors import StorageError
from bot.storage.entity import CONTINUATION, KEY_PROPERTIES, check_entity, join_text, split_text
from bot.storage.keys import escape_key
from bot.storage.protocol import R
from bot.storage.values import field_hints, from_json, optional_inner, to_json, utc

_INT32 = range(-(2**31), 2**31)
_PROPERTY_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,200}")
_RESERVED = KEY_PROPERTIES | {"Timestamp"}


@dataclasses.dataclass(frozen=True)
class _Field:
    name: str
    hint: Any
    kind: str  # str, enum, bool, int, float, datetime or json
    optional: bool
    field: dataclasses.Field[Any]


def _kind(inner: Any) -> str:
    if isinstance(inner, type):
        for kind in (bool, int, float, str, datetime):  # bool before int: bool is an int
            if issubclass(inner, kind) and not issubclass(inner, Enum):
                return kind.__name__
        if issubclass(inner, Enum) and issubclass(inner, str):
            return "enum"
    return "json"


def _fields(record_type: type) -> list[_Field]:
    fields = {field.name: field for field in dataclasses.fields(record_type)}
    if "etag" not in fields:
        raise TypeError(f"{record_type.__name__} has no etag field, so it cannot be stored.")
    result = []
    for name, hint in field_hints(record_type).items():
        if name == "etag":
            continue
        if not _PROPERTY_NAME.fullmatch(name) or CONTINUATION in name or name in _RESERVED:
            raise TypeError(f"{record_type.__name__}.{name} cannot be a Table Storage property name.")
        inner, optional = optional_inner(hint)
        result.append(_Field(name, hint, _kind(inner), optional, fields[name]))
    return result


def _has_default(field: dataclasses.Field[Any]) -> bool:
    return field.default is not dataclasses.MISSING or field.default_factory is not dataclasses.MISSING


class RecordCodec(Generic[R]):
    """Encodes one record type as Table Storage entities and decodes them back."""

    def __init__(self, record_type: type[R]) -> None:
        """Read the fields and type hints of ``record_type``.

        Args:
            record_type: A frozen dataclass of ``bot.domain.models`` with an ``etag`` field.

        Raises:
            TypeError: A field name cannot be a property name, or there is no ``etag`` field.
        """
        self.record_type = record_type
        self._fields = _fields(record_type)
        self._inner = {field.name: optional_inner(field.hint)[0] for field in self._fields}

    def describe(self, record: R) -> str:
        """Names a record in messages, e.g. ``Update 2026-W20/alpha``."""
        return f"{self.record_type.__name__} {record.partition_key}/{record.row_key}"

    def encode(self, record: R) -> dict[str, Any]:
        """The entity to store for ``record`` (its ``etag`` is not part of it).

        Args:
            record: The record.

        Returns:
            Property name to value, with PartitionKey and RowKey escaped.

        Raises:
            InvalidKeyError: A key is empty or too long.
            RecordTooLargeError: The entity would be over Table Storage's limits.
            ValueError: A datetime has no time zone.
        """
        return self.encode_sized(record)[0]

    def encode_sized(self, record: R) -> tuple[dict[str, Any], int]:
        """Like :meth:`encode`, and the entity's conservative size in bytes (for transactions)."""
        entity: dict[str, Any] = {
            "PartitionKey": escape_key(record.partition_key),
            "RowKey": escape_key(record.row_key),
        }
        for field in self._fields:
            value = getattr(record, field.name)
            if value is not None:
                entity.update(self._encode_value(field, value))
        return entity, check_entity(entity, what=self.describe(record))

    def _encode_value(self, field: _Field, value: Any) -> dict[str, Any]:
        name = field.name
        if field.kind == "str":
            return split_text(name, str(value))
        if field.kind == "enum":
            return split_text(name, str(value.value))
        if field.kind == "bool":
            return {name: bool(value)}
        if field.kind == "int":
            return {name: value if value in _INT32 else (value, EdmType.INT64)}
        if field.kind == "float":
            return {name: float(value)}
        if field.kind == "datetime":
            return {name: utc(value)}
        text = json.dumps(to_json(value, field.hint), ensure_ascii=False, separators=(",", ":"))
        return split_text(name, text)

    def decode(self, entity: Mapping[str, Any], *, etag: str | None) -> R:
        """Rebuild the record from an entity read from Table Storage.

        Args:
            entity: The entity's properties.
            etag: The ETag it was read at.

        Returns:
            A record equal to the one that was saved, carrying ``etag``.

        Raises:
            StorageError: A required property is missing.
        """
        values: dict[str, Any] = {}
        for field in self._fields:
            if field.name in entity:
                values[field.name] = self._decode_value(field, entity)
            elif field.optional:
                values[field.name] = None
            elif not _has_default(field.field):
                keys = f"{entity.get('PartitionKey')}/{entity.get('RowKey')}"
                raise StorageError(f"The stored {self.record_type.__name__} {keys} has no {field.name}.")
            # else: written before the field existed, so the dataclass default applies
        return self.record_type(**values, etag=etag)

    def _decode_value(self, field: _Field, entity: Mapping[str, Any]) -> Any:
        value = entity[field.name]
        if isinstance(value, tuple):  # EntityProperty as read, or (value, EdmType) as encoded
            value = value[0]
        inner = self._inner[field.name]
        if field.kind == "str":
            return join_text(field.name, entity)
        if field.kind == "enum":
            return inner(join_text(field.name, entity))
        if field.kind == "bool":
            return bool(value)
        if field.kind == "int":
            return int(value)
        if field.kind == "float":
            return float(value)
        if field.kind == "datetime":
            return utc(value)
        return from_json(json.loads(join_text(field.name, entity) or "null"), field.hint)
