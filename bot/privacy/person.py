"""A person's data, for UK GDPR: everything stored about them (subject access) and erasure.

What is about a person, and where it lives:

- their ``Person`` record (name, title, roles, Teams ids, leave);
- the projects they own or deputise (organisational records that name them);
- ``Update`` records they wrote (``author``) or were handed (``handed_over_to``);
- ``Engagement``: their reactions and comments on the weeknote's posts;
- ``AuditEvent`` records where they are the actor (and any that name them in target or detail);
- their 1:1 ``ConversationRef`` (``personal:<email>``), and short-lived duplicate markers in that chat;
- cadence ``Claim`` records naming them (who was prompted or reminded in a week).

Erasure (right to erasure) keeps the organisation's record readable without the person in it:

- the ``Person`` record, the conversation reference, their engagement, their duplicate markers and the
  claims naming them are deleted;
- audit events are kept (they are the security record) but every mention of them becomes one pseudonym,
  ``erased-<random>``, made up for this erasure and stored nowhere else: the trail stays consistent within
  itself and can no longer be tied back to them;
- ``Update`` records they wrote lose their name (``author`` and ``handed_over_to`` become the pseudonym).
  **The rule for the text of their answers**: an answer is part of the organisation's published record only
  once its week's weeknote has been published, and only for as long as the organisation keeps answers
  (``retention_weeks``, the stricter of ``WEEKNOTES_RETENTION_WEEKS`` and the organisation's own setting;
  0 keeps everything). So the text of an update they wrote is *kept* (anonymised) if its week is published
  and within the retention period, and *deleted* otherwise (drafts, unpublished weeks, and weeks retention
  would delete anyway);
- free text is not searched for their name: answers, notes and comments others wrote about them stay as
  written (an administrator edits those by hand if a request covers them), since matching names in prose
  would both miss and wrongly hit;
- retired (inactive) projects that name them as owner or deputy get the pseudonym. Erasure refuses while
  they own or deputise an *active* project: reassign it first (``weeknotes org import``), or the project
  would have nobody to answer for it.
"""

from __future__ import annotations

import dataclasses
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import Enum
from functools import cached_property
from typing import Any

from bot.domain.models import (
    AuditEvent,
    Claim,
    ConversationRef,
    Edition,
    EditionState,
    Engagement,
    Person,
    Project,
    SeenActivity,
    Update,
)
from bot.errors import WeeknotesError
from bot.privacy.partitions import partitions
from bot.privacy.retention import retention_cutoff
from bot.storage.protocol import Store


class ErasureBlockedError(WeeknotesError):
    """The person still owns or deputises active projects: reassign them before erasing."""


def plain(record: Any) -> Any:
    """A record (or any value inside one) as JSON-ready data; ``etag`` is storage's, so it is left out."""
    if dataclasses.is_dataclass(record) and not isinstance(record, type):
        return {
            f.name: plain(getattr(record, f.name)) for f in dataclasses.fields(record) if f.name != "etag"
        }
    if isinstance(record, Enum):
        return record.value
    if isinstance(record, datetime):
        return record.isoformat()
    if isinstance(record, (frozenset, set)):
        return sorted(plain(item) for item in record)
    if isinstance(record, (list, tuple)):
        return [plain(item) for item in record]
    if isinstance(record, dict):
        return {str(key): plain(value) for key, value in record.items()}
    return record


@dataclass(frozen=True)
class Identity:
    """Every string that stands for the person in stored records (lower case)."""

    email: str
    ids: frozenset[str]

    @cached_property
    def _mention(self) -> re.Pattern[str]:
        # A whole identifier, not part of a longer one (tom@x.org is not in atom@x.org).
        alternatives = "|".join(re.escape(i) for i in sorted(self.ids, key=len, reverse=True))
        return re.compile(rf"(?<![\w.+-])(?:{alternatives})(?![\w-]|\.\w)", re.IGNORECASE)

    def names(self, text: str) -> bool:
        """True if ``text`` mentions one of their identifiers."""
        return bool(text) and self._mention.search(text) is not None

    def is_(self, text: str) -> bool:
        """True if ``text`` is exactly one of their identifiers (or the ``aad:`` form of one)."""
        lowered = text.strip().lower()
        return lowered in self.ids or lowered.removeprefix("aad:") in self.ids

    def scrub(self, text: str, pseudonym: str) -> str:
        """``text`` with every mention of them replaced by ``pseudonym``."""
        return self._mention.sub(pseudonym, text) if text else text


async def _identity(store: Store, email: str) -> tuple[Identity, Person | None]:
    email = email.strip().lower()
    person = await store.people.get(partition=Person.partition_key, key=email)
    ids = {email}
    if person is not None:
        ids |= {value.lower() for value in (person.aad_object_id, person.teams_user_id) if value}
    return Identity(email, frozenset(ids)), person


async def _all(store: Store, table: str, repository: Any) -> list[Any]:
    records: list[Any] = []
    for partition in await partitions(store, table):
        records.extend(await repository.list(partition=partition))
    return records


@dataclass
class _Found:
    person: Person | None
    projects: list[Project] = field(default_factory=list)
    updates: list[Update] = field(default_factory=list)
    engagement: list[Engagement] = field(default_factory=list)
    audit: list[AuditEvent] = field(default_factory=list)
    conversation: ConversationRef | None = None
    claims: list[Claim] = field(default_factory=list)
    seen: list[SeenActivity] = field(default_factory=list)


async def _find(store: Store, who: Identity, person: Person | None) -> _Found:
    found = _Found(person)
    projects = await store.projects.list(partition=Project.partition_key)
    found.projects = [p for p in projects if who.is_(p.owner) or (p.deputy and who.is_(p.deputy))]
    found.updates = [
        u
        for u in await _all(store, "updates", store.updates)
        if who.is_(u.author) or (u.handed_over_to and who.is_(u.handed_over_to))
    ]
    found.engagement = [e for e in await _all(store, "engagement", store.engagement) if who.is_(e.person)]
    found.audit = [
        a
        for a in await _all(store, "audit", store.audit)
        if who.is_(a.actor) or who.names(a.target) or who.names(a.detail)
    ]
    found.conversation = await store.conversations.get(
        partition=ConversationRef.partition_key, key=f"personal:{who.email}"
    )
    found.claims = [
        c
        for c in await _all(store, "claims", store.claims)
        if who.names(c.job) or who.names(c.owner) or who.names(c.detail)
    ]
    chat = _chat_id(found.conversation)
    if chat:
        found.seen = [
            s for s in await _all(store, "seen", store.seen) if s.activity_key.startswith(f"{chat}|")
        ]
    return found


def _chat_id(conversation: ConversationRef | None) -> str:
    if conversation is None:
        return ""
    chat = conversation.reference.get("conversation")
    return str(chat.get("id") or "") if isinstance(chat, dict) else ""


async def export_person(store: Store, email: str, *, now: datetime) -> dict[str, Any]:
    """Everything stored about ``email``, as JSON-ready data (a subject access request).

    Args:
        store: The open store.
        email: Their email (any case).
        now: When the export was made (stated in it).

    Returns:
        ``person``, ``projects`` (with their ``role`` on each), ``updates``, ``engagement``, ``audit``,
        ``conversation_reference``, ``claims`` and ``duplicate_markers``. Empty lists and ``None`` where
        nothing is stored.
    """
    who, person = await _identity(store, email)
    found = await _find(store, who, person)
    return {
        "email": who.email,
        "exported_at": now.isoformat(),
        "person": plain(found.person) if found.person else None,
        "projects": [{**plain(p), "role": "owner" if who.is_(p.owner) else "deputy"} for p in found.projects],
        "updates": [plain(u) for u in found.updates],
        "engagement": [plain(e) for e in found.engagement],
        "audit": [plain(a) for a in sorted(found.audit, key=lambda a: (a.at, a.event_id))],
        "conversation_reference": found.conversation.reference if found.conversation else None,
        "claims": [plain(c) for c in found.claims],
        "duplicate_markers": [plain(s) for s in found.seen],
    }


@dataclass(frozen=True)
class ErasureReport:
    """What an erasure did, by kind of record (counts only: the report itself names nobody)."""

    pseudonym: str
    counts: dict[str, int]

    def summary(self) -> str:
        """One line for the command's output."""
        done = ", ".join(f"{kind}: {count}" for kind, count in self.counts.items() if count)
        return f"Erased as {self.pseudonym}. {done or 'Nothing was stored about them.'}"


async def erase_person(store: Store, email: str, *, now: datetime, retention_weeks: int = 0) -> ErasureReport:
    """Remove or anonymise everything stored about ``email`` (see the module docstring for the rule).

    Args:
        store: The open store.
        email: Their email (any case).
        now: The time of erasure (for the retention period).
        retention_weeks: The organisation's retention period in weeks (0: keep answers for good).

    Returns:
        What was done.

    Raises:
        ErasureBlockedError: They own or deputise an active project.
    """
    who, person = await _identity(store, email)
    found = await _find(store, who, person)
    active = sorted(p.project_id for p in found.projects if p.active)
    if active:
        raise ErasureBlockedError(
            f"{who.email} still owns or deputises active projects ({', '.join(active)}): "
            "reassign them first, then erase."
        )
    pseudonym = f"erased-{uuid.uuid4().hex[:12]}"
    counts = dict.fromkeys(
        (
            "person",
            "conversation",
            "engagement",
            "audit",
            "updates anonymised",
            "updates deleted",
            "projects",
            "claims",
            "duplicate markers",
        ),
        0,
    )
    published = {
        e.week
        for e in await store.editions.list(partition=Edition.partition_key)
        if e.state is EditionState.PUBLISHED
    }
    cutoff = retention_cutoff(now, retention_weeks)
    for update in found.updates:
        if update.week in published and (cutoff is None or update.week >= cutoff):
            anonymous = replace(
                update,
                author=pseudonym if who.is_(update.author) else update.author,
                handed_over_to=pseudonym
                if update.handed_over_to and who.is_(update.handed_over_to)
                else update.handed_over_to,
            )
            await store.updates.upsert(record=anonymous)
            counts["updates anonymised"] += 1
        else:
            await store.updates.delete(record=replace(update, etag=None))
            counts["updates deleted"] += 1
    for event in found.audit:
        scrubbed = replace(
            event,
            actor=pseudonym if who.is_(event.actor) else who.scrub(event.actor, pseudonym),
            target=who.scrub(event.target, pseudonym),
            detail=who.scrub(event.detail, pseudonym),
        )
        await store.audit.upsert(record=scrubbed)
        counts["audit"] += 1
    for project in found.projects:
        await store.projects.upsert(
            record=replace(
                project,
                owner=pseudonym if who.is_(project.owner) else project.owner,
                deputy=pseudonym if project.deputy and who.is_(project.deputy) else project.deputy,
            )
        )
        counts["projects"] += 1
    counts["engagement"] = await _delete(store.engagement, found.engagement)
    counts["claims"] = await _delete(store.claims, found.claims)
    counts["duplicate markers"] = await _delete(store.seen, found.seen)
    if found.conversation is not None:
        counts["conversation"] = await _delete(store.conversations, [found.conversation])
    if person is not None:
        counts["person"] = await _delete(store.people, [person])
    return ErasureReport(pseudonym, counts)


async def _delete(repository: Any, records: Iterable[Any]) -> int:
    count = 0
    for record in records:
        await repository.delete(record=replace(record, etag=None))
        count += 1
    return count
