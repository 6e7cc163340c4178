"""The codec on its own (no storage): native properties, JSON fields, splitting, size limits."""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from azure.data.tables import EdmType

from bot.domain.models import Edition, Organisation, Person, Project, Role, Update
from bot.errors import RecordTooLargeError, StorageError
from bot.storage.codec import RecordCodec
from bot.storage.entity import (
    MAX_PROPERTIES,
    MAX_STRING_UNITS,
    check_entity,
    entity_size,
    join_text,
    split_text,
)
from bot.storage.keys import utf16_units
from bot.storage.tables import TABLES
from tests.storage.test_samples import KINDS, TEXT, TEXT_KINDS, WEEK, Kind, shape

PROPERTY_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def codec_for(kind: Kind[Any]) -> RecordCodec[Any]:
    return RecordCodec(type(kind.make(WEEK, "k")))


@pytest.mark.parametrize("kind", KINDS, ids=str)
def test_round_trip_gives_back_an_equal_record_of_the_same_types(kind: Kind[Any]) -> None:
    record = kind.make(WEEK, "alpha/β#1")
    codec = codec_for(kind)
    entity = codec.encode(record)
    decoded = codec.decode(entity, etag="W/1")
    assert decoded == record
    assert shape(decoded) == shape(record)
    assert decoded.etag == "W/1"
    assert all(PROPERTY_NAME.fullmatch(name) for name in entity)
    assert "etag" not in entity


def test_native_types_are_native_properties() -> None:
    record = KINDS[list(TABLES).index("projects")].make(WEEK, "p1")
    entity = RecordCodec(Project).encode(record)
    assert entity["order"] == (2**40, EdmType.INT64)
    assert entity["active"] is False
    assert entity["template"] == "brief"
    assert entity["metrics"].startswith('[{"name":"Active file viewing and editing","unit":"users"}')

    edition = RecordCodec(Edition).encode(KINDS[list(TABLES).index("editions")].make(WEEK, WEEK))
    assert isinstance(edition["closed_at"], datetime)
    assert edition["closed_at"].tzinfo is UTC
    assert "published_at" in edition


def test_sets_are_stored_in_a_stable_order() -> None:
    one = Person(email="a@b", name="A", roles=frozenset({Role.PM, Role.ADMIN, Role.EDITOR}))
    two = Person(email="a@b", name="A", roles=frozenset({Role.EDITOR, Role.PM, Role.ADMIN}))
    codec = RecordCodec(Person)
    assert codec.encode(one) == codec.encode(two)
    assert codec.encode(one)["roles"] == '["admin","editor","pm"]'


def test_none_is_no_property_and_reads_back_as_none() -> None:
    codec = RecordCodec(Update)
    entity = codec.encode(Update(week=WEEK, project_id="p", rag=None, updated_at=None))
    assert "rag" not in entity
    assert "updated_at" not in entity
    assert codec.decode(entity, etag=None) == Update(week=WEEK, project_id="p")


def test_datetimes_in_other_zones_are_stored_as_utc_and_naive_ones_refused() -> None:
    codec = RecordCodec(Edition)
    bst = timezone(timedelta(hours=1))
    record = Edition(week=WEEK, closed_at=datetime(2026, 5, 14, 10, 0, tzinfo=bst))
    stored = codec.encode(record)["closed_at"]
    assert stored == datetime(2026, 5, 14, 9, 0, tzinfo=UTC)
    assert codec.decode(codec.encode(record), etag=None) == record
    with pytest.raises(ValueError, match="time zone"):
        codec.encode(Edition(week=WEEK, closed_at=datetime(2026, 5, 14, 10, 0)))


def test_a_field_added_later_reads_as_its_default_and_a_missing_key_field_fails() -> None:
    codec = RecordCodec(Organisation)
    entity = codec.encode(Organisation(name="Org", retention_weeks=12))
    del entity["retention_weeks"]
    assert codec.decode(entity, etag=None).retention_weeks == 0
    del entity["name"]
    with pytest.raises(StorageError, match="has no name"):
        codec.decode(entity, etag=None)


@pytest.mark.parametrize("kind", TEXT_KINDS, ids=str)
def test_long_text_is_split_and_rejoined(kind: Kind[Any]) -> None:
    text = (TEXT + " ") * (100_000 // len(TEXT + " ") + 1)
    record = kind.text(kind.make(WEEK, "alpha"), text[:100_000])  # type: ignore[misc]
    codec = codec_for(kind)
    entity = codec.encode(record)
    continued = [name for name in entity if "__" in name]
    assert continued, "a 100,000-character text must be split"
    assert all(utf16_units(value) <= MAX_STRING_UNITS for value in entity.values() if isinstance(value, str))
    assert codec.decode(entity, etag=None) == record


def test_split_never_cuts_a_surrogate_pair() -> None:
    text = "a" * (MAX_STRING_UNITS - 1) + "📈" + "b" * MAX_STRING_UNITS + "📈"
    pieces = split_text("answers", text)
    assert list(pieces) == ["answers", "answers__1", "answers__2"]
    assert pieces["answers"] == "a" * (MAX_STRING_UNITS - 1)
    assert pieces["answers__1"].startswith("📈b")
    assert all(utf16_units(piece) <= MAX_STRING_UNITS for piece in pieces.values())
    assert join_text("answers", pieces) == text
    assert split_text("x", "short") == {"x": "short"}
    assert join_text("x", {}) is None


@pytest.mark.parametrize("kind", TEXT_KINDS, ids=str)
def test_a_record_over_one_mib_is_refused_with_its_name_and_size(kind: Kind[Any]) -> None:
    record = kind.text(kind.make(WEEK, "alpha"), "x" * 600_000)  # type: ignore[misc]
    with pytest.raises(RecordTooLargeError) as raised:
        codec_for(kind).encode(record)
    message = str(raised.value)
    assert type(record).__name__ in message
    assert record.row_key in message
    assert "1 MiB" in message
    assert re.search(r"\d{1,3}(,\d{3})+ bytes", message)


def test_size_counts_escaped_non_latin_text_conservatively() -> None:
    ascii_entity = {"PartitionKey": "p", "RowKey": "r", "text": "x" * 100_000}
    cjk_entity = {"PartitionKey": "p", "RowKey": "r", "text": "東" * 100_000}
    emoji_entity = {"PartitionKey": "p", "RowKey": "r", "text": "📈" * 100_000}
    assert entity_size(ascii_entity) >= 200_000  # two bytes a UTF-16 code unit
    assert entity_size(cjk_entity) >= 600_000  # sent as \uXXXX
    assert entity_size(emoji_entity) >= 1_200_000  # a surrogate pair, sent as two \uXXXX
    with pytest.raises(RecordTooLargeError):
        check_entity(emoji_entity, what="Thing p/r")


def test_more_than_252_properties_is_refused() -> None:
    entity: dict[str, Any] = {"PartitionKey": "p", "RowKey": "r"}
    entity.update({f"p{index}": index for index in range(MAX_PROPERTIES)})
    check_entity(entity, what="Thing p/r")
    entity["one_more"] = 1
    with pytest.raises(RecordTooLargeError, match="253 properties"):
        check_entity(entity, what="Thing p/r")


def test_a_record_type_without_etag_or_with_a_bad_field_name_is_refused() -> None:
    @dataclasses.dataclass(frozen=True)
    class NoEtag:
        name: str

    @dataclasses.dataclass(frozen=True)
    class BadName:
        a__b: str
        etag: str | None = None

    with pytest.raises(TypeError, match="etag"):
        RecordCodec(NoEtag)  # type: ignore[type-var]
    with pytest.raises(TypeError, match="property name"):
        RecordCodec(BadName)  # type: ignore[type-var]
