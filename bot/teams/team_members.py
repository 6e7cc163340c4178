"""People joining and leaving the team the bot is in: linked and active, or inactive (kept for history)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace

from botbuilder.core import TurnContext
from botbuilder.core.teams import TeamsInfo
from botbuilder.schema import ChannelAccount

from bot.domain.models import Organisation, Person
from bot.errors import ConcurrencyError
from bot.ports import Services
from bot.teams.audit import record_audit
from bot.teams.roster import match_roster, member_from, save_links

log = logging.getLogger(__name__)


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
