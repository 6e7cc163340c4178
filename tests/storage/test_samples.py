"""Sample records for the storage tests: one kind per record type, every field set, non-Latin text and emoji.

The contract suite and the codec tests use ``KINDS``; the test here makes sure no sample leaves a field at its
default, so a field the codec forgot cannot hide behind a default value.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any, Generic, TypeVar

import pytest

from bot.domain.models import (
    AuditEvent,
    Claim,
    ConversationRef,
    Edition,
    EditionState,
    Engagement,
    Metric,
    Organisation,
    Person,
    PostedMessage,
    Project,
    Rag,
    Role,
    Schedule,
    SeenActivity,
    Template,
    Update,
    UpdateState,
)

T = TypeVar("T")

TEXT = "Ysgol Gymraeg ✅ 📈 — 東京 — مرحبا"
AT = datetime(2026, 5, 14, 9, 30, 15, 123456, tzinfo=UTC)
WEEK = "2026-W20"


@dataclass(frozen=True)
class Kind(Generic[T]):
    """How the tests make and change records of one type.

    ``make(partition, key)`` builds a record with every field set whose keys come from ``partition``
    and ``key`` (a type with a fixed partition or row key ignores them); ``change(record, label)`` returns
    it with a visible change and the same keys; ``text(record, text)`` puts a long text in a free-text
    field (``None`` for a type without one).
    """

    repository: str
    make: Callable[[str, str], T]
    change: Callable[[T, str], T]
    text: Callable[[T, str], T] | None
    fixed_partition: bool = False
    fixed_key: bool = False

    def __str__(self) -> str:
        return self.repository


KINDS: list[Kind[Any]] = [
    Kind(
        "organisation",
        lambda _p, _k: Organisation(
            name=TEXT,
            timezone="Asia/Tokyo",
            schedule=Schedule(prompt="wed 09:00", remind="thu 09:00", close="fri 17:00"),
            holidays_country="JP",
            holidays_subdivision="13",
            team_id="19:team📈@thread.tacv2",
            channel_id="19:channel@thread.tacv2",
            service_url="https://smba.trafficmanager.net/uk/",
            tenant_id="72f988bf-86f1-41af-91ab-2d7cd011db47",
            bot_id="28:bot-id",
            retention_weeks=104,
        ),
        lambda r, label: replace(r, name=f"{TEXT} {label}"),
        lambda r, text: replace(r, name=text),
        fixed_partition=True,
        fixed_key=True,
    ),
    Kind(
        "people",
        lambda _p, k: Person(
            email=k,
            name=f"Siân {TEXT}",
            title="Pennaeth 東京",
            roles=frozenset({Role.PM, Role.DIRECTOR, Role.EDITOR}),
            aad_object_id="00000000-0000-0000-0000-000000000001",
            teams_user_id="29:1abc📈",
            active=False,
            blocked=True,
            leave_weeks=frozenset({"2026-W20", "2026-W21", "2026-W30"}),
        ),
        lambda r, label: replace(r, title=label),
        lambda r, text: replace(r, title=text),
        fixed_partition=True,
    ),
    Kind(
        "projects",
        lambda _p, k: Project(
            project_id=k,
            name=TEXT,
            owner="pm@example.org",
            template=Template.BRIEF,
            deputy="deputy@example.org",
            metrics=(
                Metric("Active file viewing and editing", "users"),
                Metric("Uptime 📈", "%"),
                Metric("x"),
            ),
            order=2**40,
            active=False,
        ),
        lambda r, label: replace(r, name=label),
        lambda r, text: replace(r, name=text),
        fixed_partition=True,
    ),
    Kind(
        "editions",
        lambda _p, k: Edition(
            week=k,
            state=EditionState.PUBLISHED,
            director_note=TEXT,
            highlights="✅ 東京\nمرحبا",
            closed_at=AT,
            published_at=AT + timedelta(hours=1),
            published_by="director@example.org",
            needs_republish=True,
        ),
        lambda r, label: replace(r, director_note=label),
        lambda r, text: replace(r, director_note=text),
        fixed_partition=True,
    ),
    Kind(
        "updates",
        lambda p, k: Update(
            week=p,
            project_id=k,
            state=UpdateState.SUBMITTED,
            rag=Rag.AMBER,
            answers={"status_reason": TEXT, "achievements": "• one\n• two 📈", "empty": ""},
            metric_values={"Active users": 1234.5, "Left blank": None, "Whole": 3.0, "Negative": -0.25},
            author="pm@example.org",
            updated_at=AT,
            submitted_at=AT + timedelta(seconds=1),
            late=True,
            skip_reason="Gŵyl 東京",
            handed_over_to="deputy@example.org",
        ),
        lambda r, label: replace(r, answers={**r.answers, "achievements": label}),
        lambda r, text: replace(r, answers={**r.answers, "achievements": text}),
    ),
    Kind(
        "conversations",
        lambda _p, k: ConversationRef(
            key=k,
            reference={
                "activity_id": "1:abc",
                "user": {"id": "29:1abc", "name": TEXT, "aad_object_id": None},
                "conversation": {"id": "a:1xyz", "is_group": False, "tenant_id": "t"},
                "channel_id": "msteams",
                "numbers": [1, 2.5, -3, True],
            },
            updated_at=AT,
        ),
        lambda r, label: replace(r, reference={**r.reference, "label": label}),
        lambda r, text: replace(r, reference={**r.reference, "long": text}),
        fixed_partition=True,
    ),
    Kind(
        "posts",
        lambda p, k: PostedMessage(
            week=p,
            slot=k,
            activity_id="1:1715678400000",
            conversation_id="19:channel@thread.tacv2;messageid=1715678400000",
            content_hash="sha256:" + "ab" * 32,
        ),
        lambda r, label: replace(r, content_hash=label),
        lambda r, text: replace(r, content_hash=text),
    ),
    Kind(
        "engagement",
        lambda p, k: Engagement(
            week=p,
            activity_id=k,
            person="reader@example.org",
            kind="comment",
            text=TEXT,
            comment_id="c-1",
            at=AT,
        ),
        lambda r, label: replace(r, text=label),
        lambda r, text: replace(r, text=text),
    ),
    Kind(
        "audit",
        lambda p, k: AuditEvent(
            week=p,
            event_id=k,
            at=AT,
            actor="director@example.org",
            action="publish",
            target="weeknote 📈",
            outcome="refused",
            detail=TEXT,
        ),
        lambda r, label: replace(r, detail=label),
        lambda r, text: replace(r, detail=text),
    ),
    Kind(
        "claims",
        lambda p, k: Claim(
            week=p,
            job=k,
            state="done",
            owner="host-1",
            claimed_at=AT,
            done_at=AT + timedelta(minutes=2),
            detail=TEXT,
            attempts=3,
        ),
        lambda r, label: replace(r, detail=label),
        lambda r, text: replace(r, detail=text),
    ),
    Kind(
        "seen",
        lambda p, k: SeenActivity(day=p, activity_key=k, at=AT),
        lambda r, label: replace(r, at=AT + timedelta(seconds=len(label))),
        None,
    ),
]

TEXT_KINDS = [kind for kind in KINDS if kind.text is not None]
KEYED_KINDS = [kind for kind in KINDS if not kind.fixed_key]
WEEKLY_KINDS = [kind for kind in KINDS if not kind.fixed_partition]


def shape(value: Any) -> Any:
    """``value`` as nested tuples of type names and values, to compare types as well as values.

    ``==`` alone would let a set pass for a frozenset, a list for a tuple or a string for a ``StrEnum``.
    """
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = [field.name for field in dataclasses.fields(value) if field.name != "etag"]
        return (type(value).__name__, tuple((name, shape(getattr(value, name))) for name in fields))
    if isinstance(value, frozenset | set):
        return (type(value).__name__, tuple(sorted(repr(shape(item)) for item in value)))
    if isinstance(value, tuple | list):
        return (type(value).__name__, tuple(shape(item) for item in value))
    if isinstance(value, dict):
        items = sorted((repr(shape(key)), repr(shape(item))) for key, item in value.items())
        return ("dict", tuple(items))
    if isinstance(value, datetime):
        return ("datetime", value.isoformat(), value.utcoffset())
    return (type(value).__name__, value)


def _default(field: dataclasses.Field[Any]) -> Any:
    if field.default_factory is not dataclasses.MISSING:
        return field.default_factory()
    return field.default


@pytest.mark.parametrize("kind", KINDS, ids=str)
def test_every_sample_sets_every_field(kind: Kind[Any]) -> None:
    record = kind.make(WEEK, "alpha")
    for field in dataclasses.fields(record):
        required = field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING
        if field.name == "etag" or required:
            continue
        assert getattr(record, field.name) != _default(field), f"{kind}: {field.name} is left at its default"


@pytest.mark.parametrize("kind", KINDS, ids=str)
def test_changes_keep_keys_and_differ(kind: Kind[Any]) -> None:
    record = kind.make(WEEK, "alpha")
    one, two = kind.change(record, "one"), kind.change(record, "second")
    assert len({repr(record), repr(one), repr(two)}) == 3
    keys = {(r.partition_key, r.row_key) for r in (record, one, two)}
    assert keys == {(record.partition_key, record.row_key)}


def test_every_repository_has_a_kind() -> None:
    from bot.storage.tables import TABLES

    assert [kind.repository for kind in KINDS] == list(TABLES)
