"""A team install: record the team, link its roster, store its channels and say hello once; and the uninstall.

The hello is guarded by creating a ``team:<id>`` record, which only one delivery of the install can create.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace

from botbuilder.core import TurnContext

from bot import messages
from bot.domain.calendar import ScheduleError, parse_slot
from bot.domain.models import ConversationRef, Organisation, Person, Project, Role
from bot.errors import ConcurrencyError
from bot.ports import Services
from bot.teams.audit import record_audit
from bot.teams.channels import store_channels
from bot.teams.event_fields import actor_label, bot_id_of, team_of, tenant_id_of
from bot.teams.roster import Linking, match_roster, read_roster, save_links
from dialogs.setup_channel import CHANNEL_PREFIX

log = logging.getLogger(__name__)

TEAM_PREFIX = "team:"
_DAY_NAMES = ("Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays", "Sundays")


def team_key(team_id: str) -> str:
    """The key of the record that marks a team as installed (and guards its one hello)."""
    return f"{TEAM_PREFIX}{team_id}"


# ---- team scope ---------------------------------------------------------------------------------------


async def install_in_team(context: TurnContext, services: Services) -> None:
    """Record the team, link its roster, store its channels, and say hello once."""
    team = team_of(context)
    team_id = str(team["id"])
    team_name = str(team.get("name") or "")
    org = await _record_team(context, services, team_id, team_name)
    if org is None:
        await _installed_elsewhere(context, services, team_id, team_name)
        return
    linking = await _link_roster(context, services)
    channels = await store_channels(context, services, org, team_id)
    if not await _first_install(services, team_id, team_name, team.get("aadGroupId", "")):
        log.info("team %s already installed: no second hello", team_id)
        return
    await record_audit(
        services,
        actor=actor_label(context),
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
        actor=actor_label(context),
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
            tenant_id=tenant_id_of(context) or org.tenant_id,
            bot_id=bot_id_of(context) or org.bot_id,
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
        await record_audit(services, actor=actor_label(context), action="app.uninstalled", target=team_id)


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
