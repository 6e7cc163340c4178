"""Setup from chat over real HTTP: projects, the project form, schedule, channel and roles; refusals."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main as weeknotes
from bot.domain.models import AuditEvent, Organisation, Person, Project, Role, Schedule, Template
from bot.org_file import parse_org_file
from bot.org_import import apply_plan
from cards.actions import emitted_verbs
from tests.onboarding.events import WEEKNOTES_CHANNEL, team_install
from tests.onboarding.graph_stub import GraphStub
from tests.support.azurite import Azurite
from tests.support.botserver import APP_PASSWORD, BotServer, Clock, bot_settings
from tests.support.connector import FakeConnector
from tests.support.oidc import LocalOidc
from tests.support.org import BRIEF, DIRECTOR, FULL, PM_ONE, PM_TWO, PROJECTS, SUMMARY
from tests.support.teams import APP_ID, TEAM_ID, TENANT, TeamsUser, execute, message

ED = TeamsUser("Ed Itor", "ed.itor@example.org", "aad-ed")


def card_text(card: dict[str, Any]) -> str:
    return json.dumps(card, ensure_ascii=False).replace("\\\\", "")


def inputs(card: dict[str, Any]) -> dict[str, Any]:
    """Input id -> value shown."""
    return {e["id"]: e.get("value") for e in card["body"] if str(e.get("type", "")).startswith("Input.")}


def errors(card: dict[str, Any]) -> dict[str, str]:
    """Input id -> the red line under it (unescaped)."""
    found: dict[str, str] = {}
    last = ""
    for element in card["body"]:
        if str(element.get("type", "")).startswith("Input."):
            last = element["id"]
        elif element.get("color") == "Attention":
            found[last] = element["text"].replace("\\", "")
    return found


async def press(bot: BotServer, user: TeamsUser, verb: str, data: dict[str, Any]) -> dict[str, Any]:
    status, body = await bot.post(execute(user, verb, data, bot.connector.url))
    assert status == 200, body
    assert isinstance(body, dict)
    return body


def card_of(body: dict[str, Any]) -> dict[str, Any]:
    assert body["statusCode"] == 200 and body["type"] == "application/vnd.microsoft.card.adaptive", body
    card: dict[str, Any] = body["value"]
    return card


async def projects(bot: BotServer) -> dict[str, Project]:
    return {p.project_id: p for p in await bot.services.store.projects.list(partition="project")}


async def audit(bot: BotServer) -> list[AuditEvent]:
    return await bot.services.store.audit.list(partition="2026-W20")


def new_project(**overrides: str) -> dict[str, Any]:
    form = {
        "mode": "save",
        "project": "",
        "project_name": "Library room booking",
        "owner": PM_TWO.email,
        "deputy": PM_ONE.email,
        "template": "brief",
        "metrics": "",
    }
    form.update(overrides)
    return form


# ---- projects ----------------------------------------------------------------------------------------


async def test_the_director_lists_projects_with_owners_templates_and_edit_buttons(
    imported: BotServer,
) -> None:
    bot = imported
    await bot.post(message(DIRECTOR, "projects", bot.connector.url))
    [reply] = bot.connector.sent()
    [card] = reply.cards
    text = card_text(reply.cards[0])
    for project in PROJECTS:
        assert project.name in text
    assert "Owner: Priya Shah · Deputy: Owen Price · Template: full" in text
    assert emitted_verbs(card) == {"setup.project"}


async def test_a_pm_asking_for_projects_is_refused_politely_and_audited(imported: BotServer) -> None:
    bot = imported
    await bot.post(message(PM_ONE, "projects", bot.connector.url))
    [reply] = bot.connector.sent()
    assert reply.text == "Only the director or an admin can change the set-up. Nothing was changed."
    assert [(e.action, e.actor, e.outcome) for e in await audit(bot)] == [
        ("setup.projects", PM_ONE.email, "refused")
    ]


async def test_a_pm_pressing_save_project_is_refused_audited_and_nothing_is_stored(
    imported: BotServer,
) -> None:
    bot = imported
    body = await press(bot, PM_ONE, "setup.project", new_project(owner=PM_ONE.email, deputy=""))
    assert body["statusCode"] == 403
    assert "Only the director or an admin" in body["value"]["message"]
    assert set(await projects(bot)) == {p.project_id for p in PROJECTS}
    [event] = await audit(bot)
    assert (event.action, event.actor, event.outcome) == ("setup.project", PM_ONE.email, "refused")


async def test_someone_unknown_pressing_setup_is_refused(imported: BotServer) -> None:
    stranger = TeamsUser("Rory Nobody", "rory.nobody@example.org", "aad-rory")
    body = await press(imported, stranger, "setup.schedule", {"prompt": "mon 09:00"})
    assert body["statusCode"] == 403


async def test_add_a_project_from_the_card(imported: BotServer) -> None:
    bot = imported
    body = await press(bot, DIRECTOR, "setup.project", new_project())
    card = card_of(body)
    assert "Library room booking" in card_text(card)  # the projects list, with the new one
    stored = (await projects(bot))["library-room-booking"]
    assert (stored.name, stored.owner, stored.deputy, stored.template) == (
        "Library room booking",
        PM_TWO.email,
        PM_ONE.email,
        Template.BRIEF,
    )
    assert stored.order == max(p.order for p in PROJECTS) + 1 and stored.active
    assert any(e.action == "setup.project" and e.target == stored.project_id for e in await audit(bot))
    # Owen and Priya are not linked to Teams yet, and Graph is off: the director is told so, plainly.
    notes = [call.text for call in bot.connector.sent()]
    assert any(
        "Owen Price isn't linked to Teams yet" in n and "WEEKNOTES_GRAPH_URL is not set" in n for n in notes
    )


async def test_edit_a_project_keeps_its_id_and_parses_metrics(imported: BotServer) -> None:
    bot = imported
    form = card_of(await press(bot, DIRECTOR, "setup.project", {"mode": "edit", "project": FULL.project_id}))
    shown = inputs(form)
    assert shown["project_name"] == FULL.name and shown["owner"] == FULL.owner
    assert shown["metrics"] == "Active file viewing and editing (users)\nFile syncing (users)"
    assert shown["active"] == "true"

    saved = {
        **shown,
        "mode": "save",
        "project": FULL.project_id,
        "project_name": "OneDrive rollout",
        "owner": PM_TWO.email,
        "deputy": "",
        "metrics": "Active users (users)\n\nSites migrated\nStorage (%)",
    }
    card_of(await press(bot, DIRECTOR, "setup.project", saved))
    stored = (await projects(bot))[FULL.project_id]
    assert (stored.name, stored.owner, stored.deputy) == ("OneDrive rollout", PM_TWO.email, "")
    assert [(m.name, m.unit) for m in stored.metrics] == [
        ("Active users", "users"),
        ("Sites migrated", ""),
        ("Storage", "%"),
    ]
    assert stored.order == FULL.order


async def test_a_project_can_be_paused_and_resumed(imported: BotServer) -> None:
    bot = imported
    form = {**new_project(), "project": BRIEF.project_id, "project_name": BRIEF.name, "owner": BRIEF.owner}
    await press(bot, DIRECTOR, "setup.project", {**form, "deputy": "", "active": "false"})
    assert (await projects(bot))[BRIEF.project_id].active is False
    await press(bot, DIRECTOR, "setup.project", {**form, "deputy": "", "active": "true"})
    assert (await projects(bot))[BRIEF.project_id].active is True


@pytest.mark.parametrize(
    ("form", "field", "words"),
    [
        (new_project(owner="nobody@example.org"), "owner", "nobody@example.org isn't in the organisation"),
        (new_project(project_name="purview PILOT"), "project_name", "already a project called"),
        (new_project(project_name="  "), "project_name", "Give the project a name"),
        (new_project(project_name="!!!"), "project_name", "letters or digits"),
        (new_project(deputy=PM_TWO.email), "deputy", "The deputy is the owner"),
        (new_project(owner=ED.email), "owner", "Ed Itor needs the role pm or director"),
        (new_project(metrics="Visits (people)"), "metrics", "Only the full template shows metrics"),
        (new_project(template="full", metrics="Visits (people)\nvisits"), "metrics", "already a metric"),
        (new_project(template="full", metrics="Visits (people"), "metrics", "Line 1: write a metric"),
        (new_project(template="huge"), "template", "Choose one of the four templates"),
    ],
)
async def test_bad_input_shows_the_problem_in_the_card_keeps_what_was_typed_and_stores_nothing(
    imported: BotServer, form: dict[str, Any], field: str, words: str
) -> None:
    bot = imported
    await bot.services.store.people.save(
        record=Person(email=ED.email, name=ED.name, roles=frozenset({Role.EDITOR}))
    )
    before = await projects(bot)
    card = card_of(await press(bot, DIRECTOR, "setup.project", form))
    assert words in errors(card).get(field, ""), errors(card)
    shown = inputs(card)
    assert shown["project_name"] == form["project_name"].strip() and shown["owner"] == form["owner"]
    assert shown["metrics"] == form["metrics"]
    assert "Add a project" in card_text(card)
    assert await projects(bot) == before
    refused = [e for e in await audit(bot) if e.action == "setup.project"]
    assert [e.outcome for e in refused] == ["refused"]


async def test_editing_with_a_bad_owner_keeps_the_edit_form(imported: BotServer) -> None:
    bot = imported
    form = {**new_project(), "project": SUMMARY.project_id, "project_name": SUMMARY.name, "owner": "x@y.org"}
    card = card_of(await press(bot, DIRECTOR, "setup.project", form))
    assert f"Edit {SUMMARY.name}" in card_text(card)
    assert "owner" in errors(card)
    assert (await projects(bot))[SUMMARY.project_id] == SUMMARY


# ---- schedule ----------------------------------------------------------------------------------------


async def test_a_bad_schedule_is_shown_in_the_card_and_nothing_is_saved(imported: BotServer) -> None:
    bot = imported
    await bot.post(message(DIRECTOR, "setup schedule", bot.connector.url))
    [reply] = bot.connector.sent()
    assert inputs(reply.cards[0]) == {
        "prompt": "thu 10:00",
        "remind": "fri 10:00",
        "close": "mon 09:00",
        "timezone": "Europe/London",
    }
    typed = {
        "prompt": "thursday 25:00",
        "remind": "someday 10:00",
        "close": "mon 09:00",
        "timezone": "Mars/Base",
    }
    card = card_of(await press(bot, DIRECTOR, "setup.schedule", typed))
    problems = errors(card)
    assert set(problems) == {"prompt", "remind", "timezone"}
    assert "25:00 is not a time" in problems["prompt"]
    assert "someday" in problems["remind"]
    assert "Mars/Base" in problems["timezone"]
    assert inputs(card) == typed
    org = await bot.services.store.organisation.get(partition="organisation", key="organisation")
    assert org is not None and org.schedule == Schedule() and org.timezone == "Europe/London"


async def test_a_good_schedule_is_saved_tidied(imported: BotServer) -> None:
    bot = imported
    typed = {
        "prompt": "Wed 9:30",
        "remind": "THU 14:00",
        "close": "monday 08:00",
        "timezone": "Europe/Dublin",
    }
    body = await press(bot, DIRECTOR, "setup.schedule", typed)
    assert body["type"] == "application/vnd.microsoft.activity.message"
    assert "Wednesdays at 09:30" in body["value"] and "Europe/Dublin" in body["value"]
    org = await bot.services.store.organisation.get(partition="organisation", key="organisation")
    assert org is not None
    assert org.schedule == Schedule(prompt="wed 09:30", remind="thu 14:00", close="mon 08:00")
    assert org.timezone == "Europe/Dublin"


# ---- channel -----------------------------------------------------------------------------------------


async def test_the_channel_is_chosen_from_the_team_s_channels(imported: BotServer) -> None:
    bot = imported
    await bot.post(message(DIRECTOR, "setup channel", bot.connector.url))
    assert "add me to the team first" in bot.connector.sent()[-1].text

    await bot.post(team_install(DIRECTOR, bot.connector.url))
    await bot.post(message(DIRECTOR, "setup channel", bot.connector.url))
    [card] = bot.connector.sent()[-1].cards
    [choices] = [e["choices"] for e in card["body"] if e.get("id") == "channel"]
    assert choices == [
        {"title": "General", "value": TEAM_ID},
        {"title": "Weeknotes", "value": WEEKNOTES_CHANNEL},
    ]
    body = await press(bot, DIRECTOR, "setup.channel", {"channel": WEEKNOTES_CHANNEL})
    assert "published in Weeknotes" in body["value"]
    org = await bot.services.store.organisation.get(partition="organisation", key="organisation")
    assert org is not None and org.channel_id == WEEKNOTES_CHANNEL

    body = await press(bot, DIRECTOR, "setup.channel", {"channel": "19:somewhere-else@thread.tacv2"})
    assert body["statusCode"] == 400
    org = await bot.services.store.organisation.get(partition="organisation", key="organisation")
    assert org is not None and org.channel_id == WEEKNOTES_CHANNEL


# ---- roles -------------------------------------------------------------------------------------------


async def test_roles_are_given_with_the_import_s_rules(imported: BotServer) -> None:
    bot = imported
    card = card_of(await press(bot, DIRECTOR, "setup.role", {"person": PM_TWO.email, "roles": "pm,admin"}))
    assert "admin, pm" in card_text(card)
    owen = await bot.services.store.people.get(partition="person", key=PM_TWO.email)
    assert owen is not None and owen.roles == {Role.PM, Role.ADMIN}

    # Priya answers for projects: she keeps pm (or director).
    body = await press(bot, DIRECTOR, "setup.role", {"person": PM_ONE.email, "roles": "editor"})
    assert "OneDrive adoption" in body["value"]["message"]
    # Nobody may take away the last director or admin.
    await press(bot, DIRECTOR, "setup.role", {"person": PM_TWO.email, "roles": "pm"})
    body = await press(bot, DIRECTOR, "setup.role", {"person": DIRECTOR.email, "roles": "editor"})
    assert "last director or admin" in body["value"]["message"]
    body = await press(bot, DIRECTOR, "setup.role", {"person": DIRECTOR.email, "roles": "boss"})
    assert "isn't a role" in body["value"]["message"]
    dana = await bot.services.store.people.get(partition="person", key=DIRECTOR.email)
    assert dana is not None and dana.roles == {Role.DIRECTOR, Role.ADMIN}


# ---- the organisation file round trip ----------------------------------------------------------------


async def test_org_export_after_card_edits_reads_back_through_the_importer(
    imported: BotServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    bot = imported
    await press(bot, DIRECTOR, "setup.project", new_project(template="full", metrics="Rooms booked (rooms)"))
    edit = {**new_project(), "project": BRIEF.project_id, "project_name": "Frontline", "owner": PM_ONE.email}
    await press(bot, DIRECTOR, "setup.project", {**edit, "deputy": PM_TWO.email, "template": "summary"})
    await press(
        bot,
        DIRECTOR,
        "setup.schedule",
        {"prompt": "wed 09:30", "remind": "thu 09:30", "close": "fri 16:00", "timezone": "Europe/London"},
    )

    monkeypatch.setenv("WEEKNOTES_STORAGE", bot.settings.storage)
    monkeypatch.setenv("WEEKNOTES_TABLE_PREFIX", bot.settings.table_prefix)
    monkeypatch.chdir(tmp_path)  # no developer's .env
    out = tmp_path / "org.yaml"
    assert await asyncio.to_thread(weeknotes, ["org", "export", "--out", str(out)]) == 0

    plan = parse_org_file(out.read_text(encoding="utf-8"))
    stored = sorted((p for p in (await projects(bot)).values() if p.active), key=lambda p: p.order)
    assert [replace(p, etag=None) for p in plan.projects] != []
    assert [(p.project_id, p.name, p.owner, p.deputy, p.template, p.metrics) for p in plan.projects] == [
        (p.project_id, p.name, p.owner, p.deputy, p.template, p.metrics) for p in stored
    ]
    assert plan.organisation.schedule == Schedule(prompt="wed 09:30", remind="thu 09:30", close="fri 16:00")
    summary = await apply_plan(bot.services.store, plan)
    assert (summary.projects_added, summary.projects_retired, summary.people_added) == (0, 0, 0)
    assert [p.project_id for p in plan.projects][-1] == "library-room-booking"


# ---- Graph, when the owner is not in the team ----------------------------------------------------------


@pytest.fixture
def graph(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[GraphStub]:
    stub = GraphStub(tmp_path, tenant=TENANT, client_id=APP_ID, secret=APP_PASSWORD)
    stub.add_user(PM_TWO.email, "aad-owen-from-graph", PM_TWO.name)
    stub.start()
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(stub.ca_path))  # MSAL's requests trusts the stub
    yield stub
    stub.stop()


@pytest.fixture
async def graph_bot(
    azurite: Azurite,
    table_prefix: str,
    oidc: LocalOidc,
    connector: FakeConnector,
    clock: Clock,
    graph: GraphStub,
) -> AsyncIterator[BotServer]:
    settings = bot_settings(
        azurite.connection_string,
        table_prefix,
        oidc,
        graph_url=graph.plain_graph_url,
        graph_authority=graph.authority,
    )
    server = BotServer(settings, connector, oidc, clock)
    await server.start()
    store = server.services.store
    await store.organisation.upsert(record=Organisation(name="DDaT"))
    await store.people.upsert(
        record=Person(email=DIRECTOR.email, name=DIRECTOR.name, roles=frozenset({Role.DIRECTOR}))
    )
    for user in (PM_ONE, PM_TWO):
        await store.people.upsert(record=Person(email=user.email, name=user.name, roles=frozenset({Role.PM})))
    connector.add_member(DIRECTOR.member())
    yield server
    await server.stop()


async def test_an_owner_not_in_the_team_is_linked_through_graph(
    graph_bot: BotServer, graph: GraphStub
) -> None:
    bot = graph_bot
    card_of(await press(bot, DIRECTOR, "setup.project", new_project()))
    owen = await bot.services.store.people.get(partition="person", key=PM_TWO.email)
    assert owen is not None and owen.aad_object_id == "aad-owen-from-graph"
    priya = await bot.services.store.people.get(partition="person", key=PM_ONE.email)
    assert priya is not None and priya.aad_object_id == ""  # Graph has nobody with her address
    notes = [call.text for call in bot.connector.sent()]
    assert any("Linked Owen Price" in note for note in notes)
    assert any(
        "Priya Shah isn't linked to Teams yet" in note and "Graph has nobody" in note for note in notes
    )
    assert len(graph.token_requests) >= 1
