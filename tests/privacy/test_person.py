"""Subject access and erasure (UK GDPR) against Azurite: everything found, everything else untouched."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from bot.domain.models import AuditEvent, ConversationRef, Person, Project, Update
from bot.privacy.person import ErasureBlockedError, Identity, erase_person, export_person
from bot.storage.tables import TableStore
from tests.privacy.conftest import APRIYA, NOW, OWEN, PRIYA, PRIYA_CHAT, SHARED, seed_history
from tests.security.helpers import snapshot_tables
from tests.support.azurite import Azurite

PRIYA_IDS = (PRIYA.email, PRIYA.aad_object_id, PRIYA.teams_user_id)


async def _everything(store: TableStore, azurite: Azurite) -> str:
    """Every stored row of every table, as one string to search."""
    tables = await snapshot_tables(azurite.connection_string, store.table_names)
    return json.dumps(tables, ensure_ascii=False)


async def _reassign(store: TableStore) -> None:
    shared = await store.projects.get(partition=Project.partition_key, key=SHARED.project_id)
    assert shared is not None
    await store.projects.save(record=replace(shared, deputy=""))


async def test_export_holds_everything_about_them_and_nothing_about_others(store: TableStore) -> None:
    weeks = await seed_history(store)
    exported = await export_person(store, "Priya.Shah@Example.org", now=NOW)
    json.dumps(exported)  # JSON-ready throughout
    assert exported["email"] == PRIYA.email
    assert exported["person"]["name"] == PRIYA.name and exported["person"]["roles"] == ["pm"]
    assert {(p["project_id"], p["role"]) for p in exported["projects"]} == {
        ("old-intranet", "owner"),
        ("drupal", "deputy"),
    }
    assert sorted(u["week"] for u in exported["updates"]) == [weeks.old, weeks.kept, weeks.open]
    assert [(e["kind"], e["person"]) for e in exported["engagement"]] == [("like", PRIYA.email)]
    assert sorted(a["event_id"] for a in exported["audit"]) == ["e1", "e2", "e3", "e4"]
    assert exported["conversation_reference"]["conversation"]["id"] == PRIYA_CHAT
    assert [c["job"] for c in exported["claims"]] == [f"prompt:{PRIYA.email}"]
    assert [m["activity_key"] for m in exported["duplicate_markers"]] == [f"{PRIYA_CHAT}|in-1|message"]
    text = json.dumps(exported)
    assert "Owen's words" not in text and "Great work" not in text and APRIYA.email not in text


async def test_export_of_an_unknown_address_is_empty(store: TableStore) -> None:
    await seed_history(store)
    exported = await export_person(store, "nobody@example.org", now=NOW)
    assert exported["person"] is None and exported["conversation_reference"] is None
    assert all(exported[k] == [] for k in ("projects", "updates", "engagement", "audit", "claims"))


async def test_erase_refuses_while_they_still_answer_for_an_active_project(store: TableStore) -> None:
    await seed_history(store)
    with pytest.raises(ErasureBlockedError, match="drupal"):
        await erase_person(store, PRIYA.email, now=NOW)
    assert await store.people.get(partition=Person.partition_key, key=PRIYA.email) is not None


async def test_erase_leaves_no_trace_of_them_and_keeps_published_text_within_retention(
    store: TableStore, azurite: Azurite
) -> None:
    weeks = await seed_history(store, retention_weeks=6)
    await _reassign(store)
    report = await erase_person(store, PRIYA.email, now=NOW, retention_weeks=6)
    pseudonym = report.pseudonym
    assert pseudonym.startswith("erased-") and PRIYA.email not in report.summary()

    # Nowhere in any table: not their email, not their Teams ids, not their chat.
    everything = await _everything(store, azurite)
    for identifier in (*PRIYA_IDS, PRIYA_CHAT):
        assert identifier not in everything.replace(APRIYA.email, ""), identifier

    assert await store.people.get(partition=Person.partition_key, key=PRIYA.email) is None
    key = f"personal:{PRIYA.email}"
    assert await store.conversations.get(partition=ConversationRef.partition_key, key=key) is None
    # The published week within retention keeps its text, without their name.
    kept = await store.updates.get(partition=weeks.kept, key=SHARED.project_id)
    assert kept is not None and kept.author == pseudonym
    assert kept.answers == {"status_reason": f"Priya's words for {weeks.kept}"}
    # A published week older than retention, and this unpublished week, lose their text.
    assert await store.updates.get(partition=weeks.old, key="old-intranet") is None
    assert await store.updates.get(partition=weeks.open, key=SHARED.project_id) is None
    # The audit trail is whole and consistent: their events carry one pseudonym.
    events = {e.event_id: e for w in ("2026-W18", "2026-W20") for e in await store.audit.list(partition=w)}
    assert {events[i].actor for i in ("e1", "e2", "e4")} == {pseudonym}
    assert events["e3"].actor == OWEN.email and events["e3"].detail == pseudonym
    # Others are untouched, including the person whose address contains theirs.
    assert events["e5"] == AuditEvent(
        "2026-W20", "e5", NOW, APRIYA.email, "update.submit", detail=APRIYA.email
    )
    owens = await store.updates.get(partition=weeks.kept, key="frontline")
    assert owens is not None and owens.author == OWEN.email
    assert [e.person for e in await store.engagement.list(partition=weeks.kept)] == [OWEN.email]
    assert await store.people.get(partition=Person.partition_key, key=OWEN.email) is not None
    retired = await store.projects.get(partition=Project.partition_key, key="old-intranet")
    assert retired is not None and retired.owner == pseudonym
    assert (await export_person(store, PRIYA.email, now=NOW))["updates"] == []


async def test_erase_with_no_retention_limit_keeps_every_published_answer(store: TableStore) -> None:
    weeks = await seed_history(store)
    await _reassign(store)
    await erase_person(store, PRIYA.email, now=NOW, retention_weeks=0)
    old = await store.updates.get(partition=weeks.old, key="old-intranet")
    assert old is not None and old.author.startswith("erased-") and old.answers
    assert await store.updates.get(partition=weeks.open, key=SHARED.project_id) is None


async def test_erase_twice_is_harmless(store: TableStore) -> None:
    await seed_history(store)
    await _reassign(store)
    await erase_person(store, PRIYA.email, now=NOW)
    again = await erase_person(store, PRIYA.email, now=NOW)
    assert not any(again.counts.values())


def test_identity_matches_whole_identifiers_only() -> None:
    who = Identity("tom@x.org", frozenset({"tom@x.org", "aad-tom"}))
    assert who.names("handed to tom@x.org.") and who.names("TOM@X.ORG")
    assert not who.names("atom@x.org") and not who.names("tom@x.org.uk") and not who.names("aad-tommy")
    assert who.scrub("tom@x.org and atom@x.org", "erased-1") == "erased-1 and atom@x.org"
    assert who.is_("aad:aad-tom") and who.is_("Tom@X.org") and not who.is_("aad:aad-tommy")


def test_update_records_round_trip_as_plain_json() -> None:
    from bot.privacy.person import plain

    data = plain(Update("2026-W20", "p", author="a@b.c", submitted_at=NOW, metric_values={"m": None}))
    assert data["submitted_at"] == NOW.isoformat() and "etag" not in data and data["state"] == "draft"
