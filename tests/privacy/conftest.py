"""A store on Azurite holding a small organisation with a history, for the privacy tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from bot.domain.models import (
    AuditEvent,
    Claim,
    ConversationRef,
    Edition,
    EditionState,
    Engagement,
    Organisation,
    Person,
    PostedMessage,
    Project,
    Rag,
    Role,
    SeenActivity,
    Update,
    UpdateState,
)
from bot.storage.tables import TableStore
from tests.support.azurite import Azurite

NOW = datetime(2026, 5, 14, 9, 0, tzinfo=UTC)  # Thursday of 2026-W20
PRIYA = Person(
    email="priya.shah@example.org",
    name="Priya Shah",
    title="Project Manager",
    roles=frozenset({Role.PM}),
    aad_object_id="aad-priya",
    teams_user_id="29:aad-priya",
)
OWEN = Person(
    email="owen.price@example.org",
    name="Owen Price",
    title="Project Manager",
    roles=frozenset({Role.PM}),
    aad_object_id="aad-owen",
    teams_user_id="29:aad-owen",
)
# Someone whose address contains Priya's, to prove that only whole identifiers match.
APRIYA = Person(email="apriya.shah@example.org", name="A Priya Shah", roles=frozenset({Role.PM}))
RETIRED = Project("old-intranet", "Old intranet", owner=PRIYA.email, active=False)
SHARED = Project("drupal", "Drupal", owner=OWEN.email, deputy=PRIYA.email)
OWENS = Project("frontline", "Frontline", owner=OWEN.email)
PRIYA_CHAT = "a:personal-aad-priya"


def priya_update(week: str, project: str, state: UpdateState = UpdateState.SUBMITTED) -> Update:
    return Update(
        week=week,
        project_id=project,
        state=state,
        rag=Rag.GREEN,
        answers={"status_reason": f"Priya's words for {week}"},
        author=PRIYA.email,
        submitted_at=NOW,
    )


@dataclass(frozen=True)
class History:
    """The weeks the seeded history uses."""

    old: str = "2026-W10"  # published, older than a 6-week retention period
    kept: str = "2026-W18"  # published, within it
    open: str = "2026-W20"  # this week, not published


@pytest.fixture
async def store(azurite: Azurite, table_prefix: str) -> AsyncIterator[TableStore]:
    """An empty store with its own tables."""
    opened = await TableStore.open(connection_string=azurite.connection_string, table_prefix=table_prefix)
    yield opened
    await opened.close()


async def seed_history(store: TableStore, *, retention_weeks: int = 0) -> History:
    """Two PMs with projects, answers, reactions, audit events, chats and claims over several weeks."""
    weeks = History()
    await store.organisation.upsert(record=Organisation(name="DDaT", retention_weeks=retention_weeks))
    for person in (PRIYA, OWEN, APRIYA):
        await store.people.upsert(record=person)
    for project in (RETIRED, SHARED, OWENS):
        await store.projects.upsert(record=project)
    for week in (weeks.old, weeks.kept):
        await store.editions.upsert(record=Edition(week=week, state=EditionState.PUBLISHED, published_at=NOW))
        await store.posts.upsert(record=PostedMessage(week, "headline", f"post-{week}", "19:channel"))
    await store.editions.upsert(record=Edition(week=weeks.open))
    await store.updates.upsert(record=priya_update(weeks.old, RETIRED.project_id))
    await store.updates.upsert(record=priya_update(weeks.kept, SHARED.project_id))
    await store.updates.upsert(record=priya_update(weeks.open, SHARED.project_id, UpdateState.DRAFT))
    await store.updates.upsert(
        record=Update(
            week=weeks.kept,
            project_id=OWENS.project_id,
            state=UpdateState.SUBMITTED,
            answers={"status_reason": "Owen's words"},
            author=OWEN.email,
            handed_over_to="",
        )
    )
    await store.engagement.upsert(
        record=Engagement(weeks.kept, f"post-{weeks.kept}", PRIYA.email, "like", at=NOW)
    )
    await store.engagement.upsert(
        record=Engagement(weeks.kept, f"post-{weeks.kept}", OWEN.email, "comment", "Great work", "c1", NOW)
    )
    audit = [
        AuditEvent("2026-W18", "e1", NOW, PRIYA.email, "update.submit", target="drupal@2026-W18"),
        AuditEvent(
            "2026-W20", "e2", NOW, PRIYA.email, "update.refused", target="frontline", outcome="refused"
        ),
        AuditEvent("2026-W20", "e3", NOW, OWEN.email, "update.handover", target="drupal", detail=PRIYA.email),
        AuditEvent("2026-W20", "e4", NOW, "aad:aad-priya", "card.refused", outcome="refused"),
        AuditEvent("2026-W20", "e5", NOW, APRIYA.email, "update.submit", detail=APRIYA.email),
    ]
    for event in audit:
        await store.audit.upsert(record=event)
    await store.conversations.upsert(
        record=ConversationRef(
            key=f"personal:{PRIYA.email}",
            reference={"conversation": {"id": PRIYA_CHAT}, "user": {"id": PRIYA.teams_user_id}},
        )
    )
    await store.conversations.upsert(
        record=ConversationRef(key=f"personal:{OWEN.email}", reference={"conversation": {"id": "a:owen"}})
    )
    await store.seen.upsert(record=SeenActivity("2026-05-14", f"{PRIYA_CHAT}|in-1|message", NOW))
    await store.seen.upsert(record=SeenActivity("2026-05-14", "a:owen|in-2|message", NOW))
    await store.claims.upsert(record=Claim(weeks.open, f"prompt:{PRIYA.email}", owner="host-1"))
    await store.claims.upsert(record=Claim(weeks.open, f"prompt:{OWEN.email}", owner="host-1"))
    return weeks
