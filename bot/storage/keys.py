"""Reversible escaping of PartitionKey and RowKey values.

Table Storage refuses ``/ \\ # ?`` and the control characters U+0000-U+001F and U+007F-U+009F in keys, and
accepts at most 1 KiB per key. Every key we store goes through :func:`escape_key`, which writes each of those
characters (and the escape character ``%`` itself) as ``%XX``, like URL percent-encoding, so any text a
person types (an email, a channel id, a botbuilder state key) can be a key and comes back unchanged.
"""

from __future__ import annotations

import re

from bot.errors import InvalidKeyError

ESCAPE = "%"
MAX_KEY_BYTES = 1024
"""A key may be 1 KiB; Table Storage counts UTF-16, so that is 512 code units (as Azurite checks)."""

_FORBIDDEN = [*"/\\#?", ESCAPE, *map(chr, range(0x00, 0x20)), *map(chr, range(0x7F, 0xA0))]
_ESCAPES = {ord(char): f"{ESCAPE}{ord(char):02X}" for char in _FORBIDDEN}
_ESCAPED = re.compile(r"%([0-9A-F]{2})")


def utf16_units(text: str) -> int:
    """How many UTF-16 code units ``text`` takes (astral-plane characters such as most emoji count two).

    Args:
        text: Any string.

    Returns:
        The length Table Storage (and .NET, and JavaScript) sees.
    """
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def escape_key(key: str) -> str:
    """Escape ``key`` so Table Storage accepts it as a PartitionKey or RowKey.

    Args:
        key: The key as the domain knows it (any non-empty text).

    Returns:
        The key as stored: forbidden characters and ``%`` written as ``%XX``.

    Raises:
        InvalidKeyError: The key is empty, is not valid Unicode, or is longer than 1 KiB once escaped.
    """
    if not key:
        raise InvalidKeyError("A storage key cannot be empty.")
    escaped = key.translate(_ESCAPES)
    try:
        size = len(escaped.encode("utf-16-le"))
    except UnicodeEncodeError as error:
        raise InvalidKeyError(f"The storage key {key[:40]!r}... is not valid Unicode.") from error
    if size > MAX_KEY_BYTES:
        raise InvalidKeyError(
            f"The storage key {key[:40]!r}... is {size:,} bytes once escaped; Table Storage accepts 1 KiB."
        )
    return escaped


def unescape_key(key: str) -> str:
    """Undo :func:`escape_key`.

    Args:
        key: A key as stored.

    Returns:
        The original key.

    Raises:
        InvalidKeyError: ``key`` is empty or holds a ``%`` that :func:`escape_key` would not have written.
    """
    if not key:
        raise InvalidKeyError("A storage key cannot be empty.")
    original = _ESCAPED.sub(lambda match: chr(int(match.group(1), 16)), key)
    if original.translate(_ESCAPES) != key:
        raise InvalidKeyError(f"The stored key {key[:40]!r} is not escaped as escape_key writes keys.")
    return original
