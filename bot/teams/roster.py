"""The team's roster and channels, read from Teams, and linking the organisation's people to their accounts.

The roster is read page by page (``TeamsInfo.get_paged_members`` and its continuation token), never all at
once. Channels come from ``TeamsInfo.get_team_channels``'s REST call, which botbuilder makes synchronously:
it runs in a worker thread so that the event loop never waits on it (TEAMS-PLATFORM.md, defect 5).

Linking is a pure function over (people, members): a person is matched by AAD object id, else by email or
UPN (case-insensitive); a match records the person's AAD object id and Teams user id.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.core.teams import TeamsInfo

from bot.domain.models import Person
from bot.errors import ConcurrencyError
from bot.storage.protocol import Store
from dialogs.setup import GENERAL

log = logging.getLogger(__name__)

PAGE_SIZE = 200
MAX_PAGES = 250  # 50,000 members: far beyond any team this bot serves, but never an endless loop


@dataclass(frozen=True)
class Member:
    """One account in a team, as the roster gives it."""

    teams_user_id: str
    aad_object_id: str = ""
    name: str = ""
    email: str = ""
    user_principal_name: str = ""

    @property
    def addresses(self) -> set[str]:
        """The member's email and UPN, lower-cased (either may match a person's email)."""
        return {a.strip().lower() for a in (self.email, self.user_principal_name) if a and a.strip()}


def member_from(account: Any) -> Member:
    """A ``Member`` from a botbuilder ``TeamsChannelAccount`` (or any object with the same attributes)."""

    def text(name: str) -> str:
        return str(getattr(account, name, "") or "")

    return Member(
        teams_user_id=text("id"),
        aad_object_id=text("aad_object_id"),
        name=text("name"),
        email=text("email"),
        user_principal_name=text("user_principal_name"),
    )


async def read_roster(context: TurnContext, *, page_size: int = PAGE_SIZE) -> list[Member]:
    """Every member of the team (or, outside a team, of the conversation), one page at a time.

    Raises:
        Exception: whatever the connector raised (the caller decides whether a roster is essential).
    """
    members: list[Member] = []
    token: str | None = None
    for _ in range(MAX_PAGES):
        page = await TeamsInfo.get_paged_members(context, token, page_size)
        members.extend(member_from(account) for account in page.members or [])
        token = page.continuation_token
        if not token:
            break
    else:
        log.warning("roster still had pages after %d; using the first %d members", MAX_PAGES, len(members))
    # Bots (28:...) are in some rosters; they are never people to link.
    return [m for m in members if m.teams_user_id and not m.teams_user_id.startswith("28:")]


@dataclass(frozen=True)
class Channel:
    """A channel the bot can post in."""

    channel_id: str
    name: str


async def read_channels(context: TurnContext, team_id: str, *, limit: float = 10.0) -> list[Channel]:
    """The team's standard channels (the General channel is named ``General``; private ones are left out).

    botbuilder's ``get_team_channels`` blocks while it waits for the connector, so the REST call runs in a
    worker thread, with a time limit.
    """
    client = await TeamsInfo.get_teams_connector_client(context)

    def fetch() -> list[Any]:
        return list(client.teams.get_teams_channels(team_id).conversations or [])

    infos = await asyncio.wait_for(asyncio.to_thread(fetch), limit)
    channels: list[Channel] = []
    for info in infos:
        channel_id = str(getattr(info, "id", "") or "")
        kind = str(getattr(info, "type", "") or "standard").lower()
        if not channel_id or kind == "private":
            continue  # bots cannot post in private channels
        name = str(getattr(info, "name", "") or "") or (GENERAL if channel_id == team_id else channel_id)
        channels.append(Channel(channel_id, name))
    if not any(c.channel_id == team_id for c in channels):
        channels.insert(0, Channel(team_id, GENERAL))
    return channels


@dataclass(frozen=True)
class Linking:
    """How the organisation's people matched a roster."""

    changed: tuple[Person, ...]
    """People whose Teams ids were learnt or changed (to save)."""
    present: tuple[Person, ...]
    """Active people found in the team (with their ids)."""
    missing: tuple[Person, ...]
    """Active people not found in the team."""
    strangers: tuple[Member, ...]
    """Team members who are not in the organisation."""


def match_roster(people: Sequence[Person], members: Sequence[Member]) -> Linking:
    """Match ``people`` to ``members`` by AAD object id, else by email/UPN (pure)."""
    by_aad = {m.aad_object_id.lower(): m for m in members if m.aad_object_id}
    by_address = {address: m for m in members for address in m.addresses}
    changed: list[Person] = []
    present: list[Person] = []
    missing: list[Person] = []
    matched: set[str] = set()
    for person in people:
        member = by_aad.get(person.aad_object_id.lower()) if person.aad_object_id else None
        member = member or by_address.get(person.email.lower())
        if member is None:
            if person.active:
                missing.append(person)
            continue
        matched.add(member.teams_user_id)
        linked = replace(
            person,
            aad_object_id=member.aad_object_id or person.aad_object_id,
            teams_user_id=member.teams_user_id,
        )
        if (linked.aad_object_id, linked.teams_user_id) != (person.aad_object_id, person.teams_user_id):
            changed.append(linked)
        if person.active:
            present.append(linked)
    strangers = tuple(m for m in members if m.teams_user_id not in matched)
    return Linking(tuple(changed), tuple(present), tuple(missing), strangers)


async def save_links(store: Store, people: Iterable[Person]) -> int:
    """Store each person's learnt Teams ids; a person changed meanwhile is re-read and linked again.

    Returns:
        How many people were saved.
    """
    saved = 0
    for person in people:
        candidate = person
        for _ in range(3):
            try:
                await store.people.save(record=candidate)
                saved += 1
                break
            except ConcurrencyError:
                fresh = await store.people.get(partition=Person.partition_key, key=person.email)
                if fresh is None:
                    break
                candidate = replace(
                    fresh, aad_object_id=person.aad_object_id, teams_user_id=person.teams_user_id
                )
    return saved
