"""Key escaping: reversible, never a forbidden character, never over 1 KiB."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.errors import InvalidKeyError
from bot.storage.keys import escape_key, unescape_key, utf16_units

FORBIDDEN = re.compile(r"[\x00-\x1f\x7f-\x9f/\\#?]")
valid_text = st.text(st.characters(codec="utf-8"), min_size=1, max_size=200)


@given(valid_text)
def test_escaping_is_reversible_and_leaves_nothing_forbidden(key: str) -> None:
    escaped = escape_key(key)
    assert not FORBIDDEN.search(escaped)
    assert unescape_key(escaped) == key


@pytest.mark.parametrize(
    ("key", "escaped"),
    [
        ("a/b\\c#d?e", "a%2Fb%5Cc%23d%3Fe"),
        ("100%", "100%25"),
        ("%2F", "%252F"),
        ("tab\there\x00\x1f\x7f\x9f", "tab%09here%00%1F%7F%9F"),
        ("it's 📈 東京", "it's 📈 東京"),
        ("pm@example.org", "pm@example.org"),
    ],
)
def test_escapes_only_what_table_storage_forbids(key: str, escaped: str) -> None:
    assert escape_key(key) == escaped
    assert unescape_key(escaped) == key


def test_empty_key_is_refused() -> None:
    with pytest.raises(InvalidKeyError, match="empty"):
        escape_key("")


def test_key_over_one_kib_once_escaped_is_refused() -> None:
    assert escape_key("a" * 512) == "a" * 512
    with pytest.raises(InvalidKeyError, match="1 KiB"):
        escape_key("a" * 513)
    with pytest.raises(InvalidKeyError, match="1 KiB"):
        escape_key("/" * 171)  # 513 code units once escaped
    with pytest.raises(InvalidKeyError, match="1 KiB"):
        escape_key("📈" * 257)  # two UTF-16 code units each


def test_lone_surrogate_is_refused() -> None:
    with pytest.raises(InvalidKeyError, match="Unicode"):
        escape_key("a\ud800b")


@pytest.mark.parametrize("stored", ["50%", "%2f", "%41", "%G0", ""])
def test_unescape_refuses_what_escape_never_writes(stored: str) -> None:
    with pytest.raises(InvalidKeyError):
        unescape_key(stored)


def test_utf16_units_count_astral_characters_twice() -> None:
    assert utf16_units("abc") == 3
    assert utf16_units("東京") == 2
    assert utf16_units("📈✅") == 3
