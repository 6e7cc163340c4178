"""Typed values to and from JSON, driven by type hints.

The codec stores a field that Table Storage has no type for (a frozenset of roles, a tuple of metrics, a dict
of answers, a nested schedule) as one JSON string. These two functions walk the field's type hint so that
reading gives back exactly what was written: a ``frozenset[Role]`` comes back as a frozenset of ``Role``, a
``tuple[Metric, ...]`` as a tuple of ``Metric``.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from datetime import UTC, datetime
from enum import Enum
from functools import cache
from typing import Any


def optional_inner(hint: Any) -> tuple[Any, bool]:
    """Split ``X | None`` into ``(X, True)``; any other hint comes back as ``(hint, False)``.

    Args:
        hint: A resolved type hint.

    Returns:
        The hint without ``None`` and whether ``None`` was allowed.
    """
    if _is_union(hint):
        args = [arg for arg in typing.get_args(hint) if arg is not type(None)]
        if len(args) < len(typing.get_args(hint)):
            inner = args[0] if len(args) == 1 else typing.Union[tuple(args)]  # noqa: UP007
            return inner, True
    return hint, False


def _is_union(hint: Any) -> bool:
    return typing.get_origin(hint) in (typing.Union, types.UnionType)


@cache
def field_hints(cls: type) -> dict[str, Any]:
    """The resolved type hint of every dataclass field of ``cls``."""
    hints = typing.get_type_hints(cls)
    return {field.name: hints[field.name] for field in dataclasses.fields(cls)}


def utc(value: datetime) -> datetime:
    """``value`` as an aware UTC datetime; a naive datetime is refused, as its time zone is unknown.

    Raises:
        ValueError: ``value`` is naive.
    """
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{value!r} has no time zone: store timezone-aware (UTC) datetimes.")
    value = value.astimezone(UTC)
    return datetime(
        value.year,
        value.month,
        value.day,
        value.hour,
        value.minute,
        value.second,
        value.microsecond,
        tzinfo=UTC,
    )


def to_json(value: Any, hint: Any) -> Any:
    """Convert ``value`` (of type ``hint``) to plain JSON data.

    Args:
        value: The value.
        hint: Its resolved type hint.

    Returns:
        Lists, dicts, strings, numbers, booleans and ``None`` only.
    """
    if value is None:
        return None
    hint, _ = optional_inner(hint)
    origin = typing.get_origin(hint) or hint
    args = typing.get_args(hint)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return utc(value).isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        hints = field_hints(type(value))
        return {name: to_json(getattr(value, name), item) for name, item in hints.items() if name != "etag"}
    if isinstance(value, frozenset | set):
        item = args[0] if args else Any
        items = [to_json(element, item) for element in value]
        return sorted(items, key=lambda element: json.dumps(element, sort_keys=True))
    if isinstance(value, tuple | list):
        if origin is tuple and args and args[-1] is not Ellipsis:
            return [to_json(element, item) for element, item in zip(value, args, strict=True)]
        item = args[0] if args else Any
        return [to_json(element, item) for element in value]
    if isinstance(value, dict):
        key_hint, item = args if len(args) == 2 else (Any, Any)
        return {_key_to_json(key, key_hint): to_json(element, item) for key, element in value.items()}
    return value


def _key_to_json(key: Any, hint: Any) -> str:
    converted = to_json(key, hint)
    if not isinstance(converted, str):
        raise TypeError(f"Only string keys can be stored in a dict, not {key!r}.")
    return converted


def from_json(data: Any, hint: Any) -> Any:
    """Convert JSON data written by :func:`to_json` back to a value of type ``hint``.

    Args:
        data: Plain JSON data.
        hint: The resolved type hint to rebuild.

    Returns:
        The value, equal to what was written.
    """
    if data is None:
        return None
    hint, _ = optional_inner(hint)
    if hint is Any or _is_union(hint):
        return data
    origin = typing.get_origin(hint) or hint
    args = typing.get_args(hint)
    if isinstance(origin, type):
        if issubclass(origin, Enum):
            return origin(data)
        if origin is datetime:
            return utc(datetime.fromisoformat(data))
        if origin is float and isinstance(data, int | float):
            return float(data)
        if dataclasses.is_dataclass(origin):
            hints = field_hints(origin)
            return origin(**{name: from_json(data[name], hints[name]) for name in hints if name in data})
        if issubclass(origin, frozenset | set):
            item = args[0] if args else Any
            return origin(from_json(element, item) for element in data)
        if origin is tuple:
            if args and args[-1] is not Ellipsis:
                return tuple(from_json(element, item) for element, item in zip(data, args, strict=True))
            item = args[0] if args else Any
            return tuple(from_json(element, item) for element in data)
        if origin is list:
            item = args[0] if args else Any
            return [from_json(element, item) for element in data]
        if origin is dict:
            key_hint, item = args if len(args) == 2 else (Any, Any)
            return {from_json(key, key_hint): from_json(element, item) for key, element in data.items()}
    return data
