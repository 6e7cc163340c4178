"""Installing in a team and personally, people leaving and joining, uninstalling: over real HTTP."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from bot.cadence.tick import tick
from bot.domain.models import AuditEvent, ConversationRef, Organisation, Person
from bot.teams.onboarding import team_key
from tests.onboarding.events import (
    PRIVATE_CHANNEL,
    WEEKNOTES_CHANNEL,
    members_added,
    members_removed,
    personal_installation_update,
    personal_uninstall,
    team_event,
    team_install,
    team_installation_update,
    team_uninstall,
)
from tests.support.botserver import BotServer, Clock
from tests.support.org import DIRECTOR, OUTSIDER, PM_ONE, PM_TWO
from tests.support.teams import BOT_ID, TEAM_ID, TENANT, install_personal, message


async def organisation(bot: BotServer) -> Organisation:
    org = await bot.services.store.organisation.get(partition="organisation", key="organisation")
    assert org is not None
    return org


async def person(bot: BotServer, email: str) -> Person:
    found = await bot.services.store.people.get(partition="person", key=email)
    assert found is not None
    return found


async def audit_actions(bot: BotServer) -> list[tuple[str, str, str]]:
    events: list[AuditEvent] = await bot.services.store.audit.list(partition="2026-W20")
    return [(e.action, e.target, e.outcome) for e in events]


async def channel_refs(bot: BotServer) -> dict[str, ConversationRef]:
    refs = await bot.services.store.conversations.list(partition="conversation")
    return {ref.key: ref for ref in refs if ref.key.startswith("channel:")}


async def test_team_install_records_the_team_and_links_the_paged_roster_by_email(imported: BotServer) -> None:
    bot = imported
    status, _ = await bot.post(team_install(DIRECTOR, bot.connector.url))
    assert status == 200

    org = await organisation(bot)
    assert (org.team_id, org.channel_id) == (TEAM_ID, TEAM_ID)  # General is the default channel
    assert (org.service_url, org.tenant_id, org.bot_id) == (bot.connector.url, TENANT, BOT_ID)
    assert org.name == "DDaT"  # the imported organisation is kept

    # The roster was read in pages of two, following the continuation token.
    pages = [read for read in bot.connector.reads if "/pagedmembers" in read]
    assert len(pages) == 2 and "continuationToken=2" in pages[1]

    dana, priya, owen = [await person(bot, u.email) for u in (DIRECTOR, PM_ONE, PM_TWO)]
    assert (dana.aad_object_id, dana.teams_user_id) == (DIRECTOR.aad, DIRECTOR.id)
    assert (priya.aad_object_id, priya.teams_user_id) == (PM_ONE.aad, PM_ONE.id)
    assert (owen.aad_object_id, owen.teams_user_id) == ("", "")

    refs = await channel_refs(bot)
    assert set(refs) == {f"channel:{TEAM_ID}", f"channel:{WEEKNOTES_CHANNEL}"}  # no private channel
    assert refs[f"channel:{TEAM_ID}"].reference["conversation"]["name"] == "General"
    assert f"channel:{PRIVATE_CHANNEL}" not in refs

    [hello] = bot.connector.sent()
    assert hello.conversation_id == TEAM_ID
    assert "I'm Weeknotes" in hello.text and "Thursdays at 10:00" in hello.text
    set_up, missing = hello.text.split("\n\n")[1:3]
    assert "Dana Director (director, admin)" in set_up and "Priya Shah (2 projects)" in set_up
    assert "Owen Price (owen.price@example.org)" in missing and "Owen" not in set_up
    assert OUTSIDER.name not in hello.text
    assert ("app.installed", TEAM_ID, "ok") in await audit_actions(bot)


async def test_install_delivered_twice_and_with_installation_update_says_hello_once(
    imported: BotServer,
) -> None:
    bot = imported
    install = team_install(DIRECTOR, bot.connector.url)
    assert (await bot.post(install))[0] == 200
    assert (await bot.post(install))[0] == 200  # Teams resent it
    assert (await bot.post(team_installation_update(DIRECTOR, bot.connector.url, "add")))[0] == 200
    assert len(bot.connector.sent()) == 1
    installs = [a for a in await audit_actions(bot) if a[0] == "app.installed"]
    assert len(installs) == 1


async def test_a_channel_chosen_earlier_survives_a_reinstall_event(imported: BotServer) -> None:
    bot = imported
    await bot.post(team_install(DIRECTOR, bot.connector.url))
    org = await organisation(bot)
    await bot.services.store.organisation.save(record=replace(org, channel_id=WEEKNOTES_CHANNEL))
    await bot.post(team_installation_update(DIRECTOR, bot.connector.url, "add"))
    assert (await organisation(bot)).channel_id == WEEKNOTES_CHANNEL


async def test_an_unreadable_roster_still_installs_and_says_so(imported: BotServer) -> None:
    bot = imported
    bot.connector.fail(r"GET /v3/conversations/.*/pagedmembers", 403, times=5)
    await bot.post(team_install(DIRECTOR, bot.connector.url))
    assert (await organisation(bot)).team_id == TEAM_ID
    [hello] = bot.connector.sent()
    assert "couldn't read this team's members" in hello.text


async def test_personal_install_remembers_the_chat_and_greets_once(imported: BotServer) -> None:
    bot = imported
    assert (await bot.post(install_personal(PM_ONE, bot.connector.url)))[0] == 200
    assert (await bot.post(install_personal(PM_ONE, bot.connector.url)))[0] == 200
    [greeting] = bot.connector.sent()
    assert greeting.conversation_id == PM_ONE.conversation_id
    assert "Hello Priya Shah" in greeting.text
    ref = await bot.services.store.conversations.get(partition="conversation", key=f"personal:{PM_ONE.email}")
    assert ref is not None and ref.reference["conversation"]["id"] == PM_ONE.conversation_id
    assert (await person(bot, PM_ONE.email)).aad_object_id == PM_ONE.aad  # linked through the member lookup
    assert ("app.installed.personal", "", "ok") in await audit_actions(bot)


async def test_both_personal_install_events_at_once_greet_once(imported: BotServer) -> None:
    bot = imported
    both = await asyncio.gather(
        bot.post(install_personal(PM_ONE, bot.connector.url)),
        bot.post(personal_installation_update(PM_ONE, bot.connector.url, "add")),
        bot.post(install_personal(PM_ONE, bot.connector.url)),
    )
    assert [status for status, _ in both] == [200, 200, 200]
    assert len(bot.connector.sent()) == 1


async def test_personal_uninstall_forgets_the_chat(imported: BotServer) -> None:
    bot = imported
    await bot.post(install_personal(PM_ONE, bot.connector.url))
    await bot.post(personal_uninstall(PM_ONE, bot.connector.url))
    key = f"personal:{PM_ONE.email}"
    assert await bot.services.store.conversations.get(partition="conversation", key=key) is None
    assert ("app.uninstalled.personal", "", "ok") in await audit_actions(bot)


async def test_someone_who_leaves_the_team_is_inactive_and_no_longer_answered_as_a_member(
    imported: BotServer,
) -> None:
    bot = imported
    await bot.post(team_install(DIRECTOR, bot.connector.url))
    await bot.post(members_removed(DIRECTOR, bot.connector.url, PM_ONE))
    priya = await person(bot, PM_ONE.email)
    assert priya.active is False
    events = await bot.services.store.audit.list(partition="2026-W20")
    assert any(e.action == "person.left" and e.actor == PM_ONE.email for e in events)
    # No more prompts: the bot no longer knows her as a member of the organisation.
    before = len(bot.connector.sent())
    await bot.post(message(PM_ONE, "update", bot.connector.url))
    [reply] = bot.connector.sent()[before:]
    assert "don't have you in this organisation's list" in reply.text


async def test_someone_who_rejoins_is_linked_and_active_again(imported: BotServer) -> None:
    bot = imported
    await bot.post(team_install(DIRECTOR, bot.connector.url))
    await bot.post(members_removed(DIRECTOR, bot.connector.url, PM_ONE))
    bot.connector.add_member(PM_TWO.member())
    await bot.post(members_added(DIRECTOR, bot.connector.url, PM_ONE, PM_TWO))
    priya, owen = await person(bot, PM_ONE.email), await person(bot, PM_TWO.email)
    assert priya.active is True
    assert (owen.aad_object_id, owen.teams_user_id) == (PM_TWO.aad, PM_TWO.id)


async def test_people_leaving_another_team_change_nothing(imported: BotServer) -> None:
    bot = imported
    await bot.post(team_install(DIRECTOR, bot.connector.url))
    await bot.post(members_removed(DIRECTOR, bot.connector.url, PM_ONE, team_id="19:other@thread.tacv2"))
    assert (await person(bot, PM_ONE.email)).active is True


async def test_uninstall_from_the_team_forgets_team_and_channels_once(imported: BotServer) -> None:
    bot = imported
    await bot.post(team_install(DIRECTOR, bot.connector.url))
    await bot.post(team_installation_update(DIRECTOR, bot.connector.url, "remove"))
    await bot.post(team_uninstall(DIRECTOR, bot.connector.url))
    org = await organisation(bot)
    assert (org.team_id, org.channel_id) == ("", "")
    assert org.service_url == bot.connector.url
    assert await channel_refs(bot) == {}
    marker = await bot.services.store.conversations.get(partition="conversation", key=team_key(TEAM_ID))
    assert marker is None
    uninstalls = [a for a in await audit_actions(bot) if a[0] == "app.uninstalled"]
    assert uninstalls == [("app.uninstalled", TEAM_ID, "ok")]
    # Installed again: a new hello.
    await bot.post(team_install(DIRECTOR, bot.connector.url))
    assert len(bot.connector.sent()) == 2


async def test_channels_created_renamed_and_deleted_later_are_followed(imported: BotServer) -> None:
    bot = imported
    await bot.post(team_install(DIRECTOR, bot.connector.url))
    url = bot.connector.url
    await bot.post(team_event(DIRECTOR, url, "channelCreated", id="19:news@thread.tacv2", name="News"))
    await bot.post(team_event(DIRECTOR, url, "channelRenamed", id=WEEKNOTES_CHANNEL, name="Weekly notes"))
    refs = await channel_refs(bot)
    assert refs["channel:19:news@thread.tacv2"].reference["conversation"]["name"] == "News"
    assert refs[f"channel:{WEEKNOTES_CHANNEL}"].reference["conversation"]["name"] == "Weekly notes"

    # The publishing channel is deleted: forgotten, and the weeknote goes back to General.
    org = await organisation(bot)
    await bot.services.store.organisation.save(record=replace(org, channel_id=WEEKNOTES_CHANNEL))
    await bot.post(team_event(DIRECTOR, url, "channelDeleted", id=WEEKNOTES_CHANNEL, name="Weekly notes"))
    assert f"channel:{WEEKNOTES_CHANNEL}" not in await channel_refs(bot)
    assert (await organisation(bot)).channel_id == TEAM_ID
    assert len(bot.connector.sent()) == 1  # only the hello: team events are quiet


async def test_team_deleted_is_an_uninstall(imported: BotServer) -> None:
    bot = imported
    await bot.post(team_install(DIRECTOR, bot.connector.url))
    await bot.post(team_event(DIRECTOR, bot.connector.url, "teamDeleted"))
    assert (await organisation(bot)).team_id == ""
    assert ("app.uninstalled", TEAM_ID, "ok") in await audit_actions(bot)


async def test_a_second_team_cannot_take_the_weeknote_away(imported: BotServer) -> None:
    bot = imported
    await bot.post(team_install(DIRECTOR, bot.connector.url))
    other = "19:another-team@thread.tacv2"
    await bot.post(team_install(PM_TWO, bot.connector.url, team_id=other))
    await bot.post(team_installation_update(PM_TWO, bot.connector.url, "add", team_id=other))
    org = await organisation(bot)
    assert (org.team_id, org.channel_id) == (TEAM_ID, TEAM_ID)
    _hello, elsewhere = bot.connector.sent()
    assert elsewhere.conversation_id == other
    assert "already publish DDaT's weeknote in another team" in elsewhere.text
    assert ("app.installed", other, "refused") in await audit_actions(bot)
    assert set(await channel_refs(bot)) == {f"channel:{TEAM_ID}", f"channel:{WEEKNOTES_CHANNEL}"}


async def test_someone_who_left_gets_no_prompt_from_the_cadence(imported: BotServer, clock: Clock) -> None:
    bot = imported
    bot.connector.add_member(PM_TWO.member())
    await bot.post(team_install(DIRECTOR, bot.connector.url))
    await bot.post(members_removed(DIRECTOR, bot.connector.url, PM_ONE))
    before = len(bot.connector.sent())

    report = await tick(bot.services, clock.now)  # Thursday 10:00 in London: the weekly prompt is due

    prompted = [call for call in bot.connector.sent()[before:] if call.cards]
    to_priya = [c for c in prompted if PM_ONE.aad in c.conversation_id or PM_ONE.id in str(c.body)]
    to_owen = [c for c in prompted if PM_TWO.aad in c.conversation_id or PM_TWO.id in str(c.body)]
    assert to_priya == []
    # Owen is prompted for his own projects and, as deputy, for the one whose owner has left.
    titles = " ".join(str(c.cards) for c in to_owen)
    assert "OneDrive adoption" in titles and "Frontline services" in titles
    assert report.due
