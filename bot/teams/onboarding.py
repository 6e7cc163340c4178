"""Install events: a team install, a personal install, people joining and leaving, and uninstalls.

```mermaid
flowchart LR
    A[bot added to a team] --> B[record team, General channel, service URL, tenant, bot id]
    B --> C[read the roster page by page, link people by email]
    C --> D[store the team's channels]
    D --> E{first install of this team?}
    E -- yes --> F[hello in the channel: what I do, who is set up, who is missing]
    G[bot added personally] --> H[remember the 1:1 chat, greet once]
    I[someone leaves the team] --> J[person inactive: no more prompts]
    K[bot removed / uninstalled] --> L[forget team or chat; audit]
```

Teams may deliver an event twice (and sends both ``conversationUpdate`` and ``installationUpdate`` for one
install), so every step is idempotent: the hello is guarded by creating a ``team:<id>`` record, which only
one delivery can create.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.core.teams import TeamsInfo
from botbuilder.schema import ChannelAccount

from bot import messages
from bot.domain.calendar import ScheduleError, parse_slot
from bot.domain.models import ConversationRef, Organisation, Person, Project, Role
from bot.errors import ConcurrencyError
from bot.ports import Services
from bot.teams.audit import record_audit
from bot.teams.identity import resolve_actor
from bot.teams.references import personal_key, reference_dict, remember_personal
from bot.teams.roster import (
    Channel,
    Linking,
    match_roster,
    member_from,
    read_channels,
    read_roster,
    save_links,
)
from dialogs.setup import CHANNEL_PREFIX, GENERAL, channel_key, channel_reference

log = logging.getLogger(__name__)

TEAM_PREFIX = "team:"
_TEAM_EVENTS = frozenset(
    {"channelCreated", "channelRenamed", "channelRestored", "channelDeleted", "teamDeleted"}
)
_DAY_NAMES = ("Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays", "Sundays")


def team_key(team_id: str) -> str:
    """The key of the record that marks a team as installed (and guards its one hello)."""
    return f"{TEAM_PREFIX}{team_id}"


def _conversation_type(context: TurnContext) -> str:
    return str(getattr(context.activity.conversation, "conversation_type", "") or "personal")


def _channel_data(context: TurnContext) -> dict[str, Any]:
    data = context.activity.channel_data
    return data if isinstance(data, dict) else {}


def _team(context: TurnContext) -> dict[str, Any]:
    team = _channel_data(context).get("team")
    return team if isinstance(team, dict) and isinstance(team.get("id"), str) and team["id"] else {}


def _tenant(context: TurnContext) -> str:
    tenant = _channel_data(context).get("tenant")
    if isinstance(tenant, dict) and tenant.get("id"):
        return str(tenant["id"])
    return str(getattr(context.activity.conversation, "tenant_id", "") or "")


def _bot_id(context: TurnContext) -> str:
    return str(getattr(context.activity.recipient, "id", "") or "")


def _actor_label(context: TurnContext) -> str:
    sender = context.activity.from_property
    aad = str(getattr(sender, "aad_object_id", "") or "")
    return f"aad:{aad}" if aad else f"teams:{getattr(sender, 'id', '') or 'unknown'}"


# ---- entry points (called by the activity handler) ----------------------------------------------------


async def on_members_added(context: TurnContext, services: Services, members: list[ChannelAccount]) -> None:
    """The bot was added to a conversation, or people joined a team the bot is in."""
    bot_id = _bot_id(context)
    bot_added = any(member.id == bot_id for member in members)
    team = _team(context)
    if bot_added and team:
        await install_in_team(context, services)
    elif bot_added and _conversation_type(context) == "personal":
        await install_personal(context, services)
    elif team:
        people = [m for m in members if m.id != bot_id]
        await members_joined(context, services, team["id"], people)


async def on_members_removed(context: TurnContext, services: Services, members: list[ChannelAccount]) -> None:
    """People left a team the bot is in, or the bot itself was removed."""
    bot_id = _bot_id(context)
    team = _team(context)
    if any(member.id == bot_id for member in members):
        if team:
            await uninstall_from_team(context, services, team["id"])
        elif _conversation_type(context) == "personal":
            await uninstall_personal(context, services)
        return
    if team:
        await members_left(context, services, team["id"], members)


async def on_installation_update(context: TurnContext, services: Services) -> None:
    """The app was installed, upgraded or uninstalled (Teams also sends a ``conversationUpdate``)."""
    action = str(context.activity.action or "")
    team = _team(context)
    if action in ("add", "add-upgrade"):
        if team:
            await install_in_team(context, services)
        elif _conversation_type(context) == "personal":
            await install_personal(context, services)
    elif action in ("remove", "remove-upgrade"):
        if team:
            await uninstall_from_team(context, services, team["id"])
        elif _conversation_type(context) == "personal":
            await uninstall_personal(context, services)


async def on_team_event(context: TurnContext, services: Services) -> bool:
    """Channels created, renamed or deleted, or the team deleted, in our team; True if it was one of them.

    Teams sends these as ``conversationUpdate`` with ``channelData.eventType`` and no members.
    """
    data = _channel_data(context)
    event = str(data.get("eventType") or "")
    team = _team(context)
    if not team or event not in _TEAM_EVENTS:
        return False
    org = await services.store.organisation.get(
        partition=Organisation.partition_key, key=Organisation.row_key
    )
    if org is None or org.team_id != team["id"]:
        return True
    if event == "teamDeleted":
        await uninstall_from_team(context, services, org.team_id)
        return True
    channel = data.get("channel")
    channel_id = str(channel.get("id") or "") if isinstance(channel, dict) else ""
    if not channel_id:
        return True
    if event == "channelDeleted":
        await _forget_channel(context, services, org, channel_id)
    else:
        name = str(channel.get("name") or "") if isinstance(channel, dict) else ""
        await _store_channel(services, org, Channel(channel_id, name or channel_id))
    return True


async def _forget_channel(
    context: TurnContext, services: Services, org: Organisation, channel_id: str
) -> None:
    """A deleted channel: forgotten; if the weeknote was published there, it goes back to General."""
    store = services.store
    ref = await store.conversations.get(partition=ConversationRef.partition_key, key=channel_key(channel_id))
    if ref is not None:
        await store.conversations.delete(record=replace(ref, etag=None))
    if org.channel_id != channel_id:
        return
    try:
        await store.organisation.save(record=replace(org, channel_id=org.team_id))
    except ConcurrencyError:
        log.info("organisation changed while channel %s was deleted; leaving it", channel_id)
        return
    await record_audit(
        services,
        actor=_actor_label(context),
        action="setup.channel",
        target=org.team_id,
        detail="publishing channel deleted; back to General",
    )


# ---- personal scope -----------------------------------------------------------------------------------


async def install_personal(context: TurnContext, services: Services) -> None:
    """Remember the 1:1 chat and greet once (an unknown person is told how to get added)."""
    actor = await resolve_actor(context, services.store)
    if actor.person is None:
        await context.send_activity(messages.GREETING_UNKNOWN)
        return
    # Teams sends installationUpdate and conversationUpdate together, and they are handled at the same
    # time: creating the reference (which fails if it exists) lets exactly one of them greet.
    reference = ConversationRef(
        key=personal_key(actor.person.email), reference=reference_dict(context), updated_at=services.clock()
    )
    try:
        await services.store.conversations.save(record=reference)
    except ConcurrencyError:
        await remember_personal(context, services, actor.person)  # known: follow the chat if it moved
        return
    await record_audit(services, actor=actor.person.email, action="app.installed.personal")
    await context.send_activity(messages.GREETING_PERSONAL.format(name=actor.person.name))


async def uninstall_personal(context: TurnContext, services: Services) -> None:
    """Forget the 1:1 chat (the bot can no longer write there); prompts then go through the team roster."""
    actor = await resolve_actor(context, services.store)
    if actor.person is None:
        return
    key = personal_key(actor.person.email)
    stored = await services.store.conversations.get(partition=ConversationRef.partition_key, key=key)
    if stored is None:
        return
    await services.store.conversations.delete(record=replace(stored, etag=None))
    await record_audit(services, actor=actor.person.email, action="app.uninstalled.personal")


# ---- team scope ---------------------------------------------------------------------------------------


async def install_in_team(context: TurnContext, services: Services) -> None:
    """Record the team, link its roster, store its channels, and say hello once."""
    team = _team(context)
    team_id = str(team["id"])
    team_name = str(team.get("name") or "")
    org = await _record_team(context, services, team_id, team_name)
    if org is None:
        await _installed_elsewhere(context, services, team_id, team_name)
        return
    linking = await _link_roster(context, services)
    channels = await _store_channels(context, services, org, team_id)
    if not await _first_install(services, team_id, team_name, team.get("aadGroupId", "")):
        log.info("team %s already installed: no second hello", team_id)
        return
    await record_audit(
        services,
        actor=_actor_label(context),
        action="app.installed",
        target=team_id,
        detail=f"channels={len(channels)}; linked={'-' if linking is None else len(linking.present)}",
    )
    projects = await services.store.projects.list(partition=Project.partition_key)
    await context.send_activity(hello_text(org, linking, projects, team_name))


async def _first_install(services: Services, team_id: str, team_name: str, group_id: str) -> bool:
    """Mark the team installed; False if it already was (another delivery of the same install)."""
    marker = ConversationRef(
        key=team_key(team_id),
        reference={"team": {"id": team_id, "name": team_name, "aadGroupId": group_id}},
        updated_at=services.clock(),
    )
    try:
        await services.store.conversations.save(record=marker)
    except ConcurrencyError:
        return False
    return True


async def _installed_elsewhere(
    context: TurnContext, services: Services, team_id: str, team_name: str
) -> None:
    """Added to a second team: the weeknote stays where it is (a team owner cannot redirect it)."""
    if not await _first_install(services, team_id, team_name, ""):
        return
    await record_audit(
        services,
        actor=_actor_label(context),
        action="app.installed",
        target=team_id,
        outcome="refused",
        detail="the organisation already publishes in another team",
    )
    org = await services.store.organisation.get(
        partition=Organisation.partition_key, key=Organisation.row_key
    )
    await context.send_activity(
        messages.HELLO_OTHER_TEAM.format(organisation=org.name if org else "Weeknotes")
    )


async def _record_team(
    context: TurnContext, services: Services, team_id: str, team_name: str
) -> Organisation | None:
    """Store the team, service URL, tenant and bot id; the General channel unless one was chosen here.

    Returns:
        The organisation, or ``None`` if it is already set up in another team (which it keeps).
    """
    store = services.store
    for _ in range(3):
        stored = await store.organisation.get(partition=Organisation.partition_key, key=Organisation.row_key)
        org = stored or Organisation(name=team_name or "Weeknotes", timezone=services.settings.timezone)
        if org.team_id and org.team_id != team_id:
            return None
        same_team = org.team_id == team_id
        updated = replace(
            org,
            team_id=team_id,
            channel_id=org.channel_id if same_team and org.channel_id else team_id,
            service_url=context.activity.service_url or org.service_url,
            tenant_id=_tenant(context) or org.tenant_id,
            bot_id=_bot_id(context) or org.bot_id,
        )
        if stored is not None and updated == stored:
            return stored
        try:
            return await store.organisation.save(record=updated)
        except ConcurrencyError:
            continue
    raise ConcurrencyError("the organisation kept changing while the team was recorded")


async def _link_roster(context: TurnContext, services: Services) -> Linking | None:
    """Link the organisation's people to the team's accounts; ``None`` if the roster could not be read."""
    try:
        members = await read_roster(context)
    except Exception as error:  # the connector may refuse (permissions) or be down: install still counts
        log.warning("could not read the team roster: %s", type(error).__name__)
        return None
    people = await services.store.people.list(partition=Person.partition_key)
    linking = match_roster(people, members)
    await save_links(services.store, linking.changed)
    log.info(
        "roster: %d members, %d people linked, %d not in the team",
        len(members),
        len(linking.present),
        len(linking.missing),
    )
    return linking


async def _store_channels(
    context: TurnContext, services: Services, org: Organisation, team_id: str
) -> list[Channel]:
    try:
        channels = await read_channels(context, team_id)
    except Exception as error:
        log.warning("could not list the team's channels: %s", type(error).__name__)
        channels = [Channel(team_id, GENERAL)]
    for channel in channels:
        await _store_channel(services, org, channel)
    return channels


async def _store_channel(services: Services, org: Organisation, channel: Channel) -> None:
    reference = channel_reference(
        channel.channel_id,
        channel.name,
        service_url=org.service_url,
        tenant_id=org.tenant_id,
        bot_id=org.bot_id,
        team_id=org.team_id,
    )
    await services.store.conversations.upsert(
        record=ConversationRef(
            key=channel_key(channel.channel_id), reference=reference, updated_at=services.clock()
        )
    )


async def uninstall_from_team(context: TurnContext, services: Services, team_id: str) -> None:
    """Forget the team and its channels (publishing stops until the app is installed again)."""
    store = services.store
    marker = await store.conversations.get(partition=ConversationRef.partition_key, key=team_key(team_id))
    refs = await store.conversations.list(partition=ConversationRef.partition_key)
    for ref in refs:
        if ref.key.startswith(CHANNEL_PREFIX) and ref.reference.get("team") == team_id:
            await store.conversations.delete(record=replace(ref, etag=None))
    for _ in range(3):
        org = await store.organisation.get(partition=Organisation.partition_key, key=Organisation.row_key)
        if org is None or org.team_id != team_id:
            break
        try:
            await store.organisation.save(record=replace(org, team_id="", channel_id=""))
            break
        except ConcurrencyError:
            continue
    if marker is not None:
        await store.conversations.delete(record=replace(marker, etag=None))
        await record_audit(services, actor=_actor_label(context), action="app.uninstalled", target=team_id)


async def members_joined(
    context: TurnContext, services: Services, team_id: str, accounts: Sequence[ChannelAccount]
) -> None:
    """Link people who joined our team (their email comes from one member lookup each).

    Someone who had left (and so was made inactive) is active again: being back in the team brings the
    prompts back.
    """
    org = await services.store.organisation.get(
        partition=Organisation.partition_key, key=Organisation.row_key
    )
    if org is None or org.team_id != team_id:
        return
    members = []
    for account in accounts:
        try:
            members.append(member_from(await TeamsInfo.get_member(context, account.id)))
        except Exception as error:  # the connector may not know them yet: they link when they message
            log.info("could not look up new member %s: %s", account.id, type(error).__name__)
    people = await services.store.people.list(partition=Person.partition_key)
    linking = match_roster(people, members)
    by_email = {p.email: p for p in people}
    joined = {p.email: p for p in linking.changed}
    for member in members:
        person = next((p for p in people if p.email in member.addresses), None)
        if person is None:
            continue
        linked = joined.get(person.email, person)
        joined[person.email] = replace(linked, active=True)
    for email, person in joined.items():
        before = by_email[email]
        if person == before:
            continue
        await save_links(services.store, [person])
        detail = "reactivated" if not before.active else "linked"
        await record_audit(services, actor=email, action="person.joined", target=team_id, detail=detail)


async def members_left(
    context: TurnContext, services: Services, team_id: str, accounts: Sequence[ChannelAccount]
) -> None:
    """People who left our team become inactive: no more prompts, kept for history."""
    org = await services.store.organisation.get(
        partition=Organisation.partition_key, key=Organisation.row_key
    )
    if org is None or org.team_id != team_id:
        return
    ids = {str(a.id) for a in accounts if a.id}
    aads = {str(getattr(a, "aad_object_id", "") or "").lower() for a in accounts} - {""}
    people = await services.store.people.list(partition=Person.partition_key)
    for person in people:
        gone = person.teams_user_id in ids or (person.aad_object_id and person.aad_object_id.lower() in aads)
        if not gone or not person.active:
            continue
        try:
            await services.store.people.save(record=replace(person, active=False))
        except ConcurrencyError:
            fresh = await services.store.people.get(partition=Person.partition_key, key=person.email)
            if fresh is None or not fresh.active:
                continue
            await services.store.people.save(record=replace(fresh, active=False))
        await record_audit(services, actor=person.email, action="person.left", target=team_id)


# ---- the hello ----------------------------------------------------------------------------------------


def _when(text: str) -> str:
    """``"thu 10:00"`` as ``"Thursdays at 10:00"`` (the raw text if it does not parse)."""
    try:
        slot = parse_slot(text)
    except ScheduleError:
        return text
    return f"{_DAY_NAMES[slot.weekday]} at {slot.at:%H:%M}"


def _describe(person: Person, projects: Sequence[Project]) -> str:
    count = sum(1 for p in projects if p.active and p.is_answerable_by(person.email))
    parts = [role.value for role in (Role.DIRECTOR, Role.EDITOR, Role.ADMIN) if role in person.roles]
    if count:
        parts.append(messages.HELLO_PROJECT_COUNT[min(count, 2)].format(count=count))
    return f"{person.name} ({', '.join(parts)})" if parts else person.name


def hello_text(
    org: Organisation, linking: Linking | None, projects: Sequence[Project], team_name: str = ""
) -> str:
    """The hello posted once in the channel: what the bot does, who is set up, who is missing."""
    schedule = org.schedule
    lines = [
        messages.HELLO_TEAM.format(
            team=team_name or org.name,
            prompt=_when(schedule.prompt),
            remind=_when(schedule.remind),
            close=_when(schedule.close),
        )
    ]
    if linking is None:
        lines.append(messages.HELLO_NO_ROSTER)
    elif not linking.present and not linking.missing:
        lines.append(messages.HELLO_NOBODY)
    else:
        if linking.present:
            names = ", ".join(_describe(p, projects) for p in sorted(linking.present, key=lambda p: p.name))
            lines.append(messages.HELLO_SET_UP.format(names=names))
        if linking.missing:
            names = ", ".join(f"{p.name} ({p.email})" for p in sorted(linking.missing, key=lambda p: p.name))
            lines.append(messages.HELLO_MISSING.format(names=names))
    lines.append(messages.HELLO_NEXT)
    return "\n\n".join(lines)
