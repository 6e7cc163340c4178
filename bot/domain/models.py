"""The weeknote's records, as plain frozen dataclasses.

Nothing here knows of Teams or of Table Storage. Every stored record has a partition and row key
(properties, derived from its identity) and an ``etag`` that storage fills in: a record read from storage
carries the ETag it was read at, and saving it back succeeds only if nobody saved it in between.
A record whose ``etag`` is ``None`` is new: saving it fails if one with the same keys already exists.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class Role(StrEnum):
    """What a person may do."""

    DIRECTOR = "director"
    EDITOR = "editor"
    PM = "pm"
    ADMIN = "admin"


class Template(StrEnum):
    """The shape of a project's section (see shared/reference)."""

    FULL = "full"
    BRIEF = "brief"
    SUMMARY = "summary"
    TEAM = "team"


class Rag(StrEnum):
    """Overall status."""

    GREEN = "green"
    AMBER = "amber"
    RED = "red"


class UpdateState(StrEnum):
    """Where a project's answer for a week stands."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    SKIPPED = "skipped"


class EditionState(StrEnum):
    """Where a week's weeknote stands."""

    OPEN = "open"
    CLOSED = "closed"
    PUBLISHED = "published"


class Phase(StrEnum):
    """A step of the weekly cadence."""

    PROMPT = "prompt"
    REMIND = "remind"
    CLOSE = "close"
    RETENTION = "retention"


@dataclass(frozen=True)
class Metric:
    """A number a project reports every week, e.g. ``Active file viewing and editing`` in ``users``."""

    name: str
    unit: str = ""


@dataclass(frozen=True)
class Schedule:
    """When each phase runs, as ``"thu 10:00"`` in the organisation's time zone."""

    prompt: str = "thu 10:00"
    remind: str = "fri 10:00"
    close: str = "mon 09:00"


@dataclass(frozen=True)
class Organisation:
    """The one organisation this instance serves, and its settings."""

    name: str
    timezone: str = "Europe/London"
    schedule: Schedule = field(default_factory=Schedule)
    holidays_country: str = "GB"
    holidays_subdivision: str = "ENG"
    team_id: str = ""
    channel_id: str = ""
    service_url: str = ""
    tenant_id: str = ""
    bot_id: str = ""
    retention_weeks: int = 0
    etag: str | None = field(default=None, compare=False)

    partition_key = "organisation"
    row_key = "organisation"


@dataclass(frozen=True)
class Person:
    """Someone the bot knows: keyed by lower-case email (their UPN in Teams)."""

    email: str
    name: str
    title: str = ""
    roles: frozenset[Role] = frozenset()
    aad_object_id: str = ""
    teams_user_id: str = ""
    active: bool = True
    blocked: bool = False
    leave_weeks: frozenset[str] = frozenset()
    etag: str | None = field(default=None, compare=False)

    partition_key = "person"

    @property
    def row_key(self) -> str:
        return self.email

    def has_role(self, *roles: Role) -> bool:
        """True if the person holds any of ``roles``."""
        return bool(self.roles.intersection(roles))


@dataclass(frozen=True)
class Project:
    """A project (or team) that has a section in the weeknote."""

    project_id: str
    name: str
    owner: str
    template: Template = Template.FULL
    deputy: str = ""
    metrics: tuple[Metric, ...] = ()
    order: int = 0
    active: bool = True
    etag: str | None = field(default=None, compare=False)

    partition_key = "project"

    @property
    def row_key(self) -> str:
        return self.project_id

    def is_answerable_by(self, email: str) -> bool:
        """True if ``email`` owns or deputises this project."""
        return email.lower() in {self.owner.lower(), self.deputy.lower()} - {""}


@dataclass(frozen=True)
class Edition:
    """One week's weeknote, named by ISO week (``2026-W20``)."""

    week: str
    state: EditionState = EditionState.OPEN
    director_note: str = ""
    highlights: str = ""
    closed_at: datetime | None = None
    published_at: datetime | None = None
    published_by: str = ""
    needs_republish: bool = False
    etag: str | None = field(default=None, compare=False)

    partition_key = "edition"

    @property
    def row_key(self) -> str:
        return self.week


@dataclass(frozen=True)
class Update:
    """One project's answers for one week.

    ``answers`` maps a template field id (``status_reason``, ``achievements`` ...) to the text typed;
    ``metric_values`` maps a metric name to the number reported (``None`` when left blank).
    """

    week: str
    project_id: str
    state: UpdateState = UpdateState.DRAFT
    rag: Rag | None = None
    answers: dict[str, str] = field(default_factory=dict)
    metric_values: dict[str, float | None] = field(default_factory=dict)
    author: str = ""
    updated_at: datetime | None = None
    submitted_at: datetime | None = None
    late: bool = False
    skip_reason: str = ""
    handed_over_to: str = ""
    etag: str | None = field(default=None, compare=False)

    @property
    def partition_key(self) -> str:
        return self.week

    @property
    def row_key(self) -> str:
        return self.project_id


@dataclass(frozen=True)
class ConversationRef:
    """Where the bot can write to someone (``personal:<email>``) or to a channel (``channel:<id>``).

    ``reference`` is the Bot Framework conversation reference, serialised to a plain dict by the Teams seam.
    """

    key: str
    reference: dict[str, Any]
    updated_at: datetime | None = None
    etag: str | None = field(default=None, compare=False)

    partition_key = "conversation"

    @property
    def row_key(self) -> str:
        return self.key


@dataclass(frozen=True)
class PostedMessage:
    """A message the bot posted for a week (``headline`` or ``section:<project_id>:<n>``)."""

    week: str
    slot: str
    activity_id: str
    conversation_id: str
    content_hash: str = ""
    etag: str | None = field(default=None, compare=False)

    @property
    def partition_key(self) -> str:
        return self.week

    @property
    def row_key(self) -> str:
        return self.slot


@dataclass(frozen=True)
class Engagement:
    """A reaction (``kind`` like, heart, ...) or a comment (``kind`` ``comment``) on a posted message."""

    week: str
    activity_id: str
    person: str
    kind: str
    text: str = ""
    comment_id: str = ""
    at: datetime | None = None
    etag: str | None = field(default=None, compare=False)

    @property
    def partition_key(self) -> str:
        return self.week

    @property
    def row_key(self) -> str:
        suffix = self.comment_id if self.kind == "comment" else self.kind
        return f"{self.activity_id}|{self.person}|{suffix}"


@dataclass(frozen=True)
class AuditEvent:
    """Who did what, when, and how it ended (``ok``, ``refused``, ``failed``)."""

    week: str
    event_id: str
    at: datetime
    actor: str
    action: str
    target: str = ""
    outcome: str = "ok"
    detail: str = ""
    etag: str | None = field(default=None, compare=False)

    @property
    def partition_key(self) -> str:
        return self.week

    @property
    def row_key(self) -> str:
        return self.event_id


@dataclass(frozen=True)
class Claim:
    """A cadence job claimed before it runs: (week, phase, person) is done at most once."""

    week: str
    job: str
    state: str = "claimed"
    owner: str = ""
    claimed_at: datetime | None = None
    done_at: datetime | None = None
    detail: str = ""
    attempts: int = 0
    etag: str | None = field(default=None, compare=False)

    @property
    def partition_key(self) -> str:
        return self.week

    @property
    def row_key(self) -> str:
        return self.job


@dataclass(frozen=True)
class SeenActivity:
    """An inbound activity id already processed (duplicate-delivery guard), bucketed by day."""

    day: str
    activity_key: str
    at: datetime | None = None
    etag: str | None = field(default=None, compare=False)

    @property
    def partition_key(self) -> str:
        return self.day

    @property
    def row_key(self) -> str:
        return self.activity_key
