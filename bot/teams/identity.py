"""Who sent an activity: the Teams account, linked to a ``Person`` by AAD object id or email/UPN."""

from __future__ import annotations

import logging
from dataclasses import replace

from botbuilder.core import TurnContext
from botbuilder.core.teams import TeamsInfo

from bot.domain.models import Person
from bot.errors import ConcurrencyError
from bot.storage.protocol import Store
from dialogs.turn import Actor

log = logging.getLogger(__name__)

KNOWN_SENDERS_MAX = 10_000


async def resolve_actor(context: TurnContext, store: Store, known: dict[str, str] | None = None) -> Actor:
    """The sender of ``context.activity``, with their ``Person`` when we know them.

    A person is matched by AAD object id (or Teams user id); failing that, Teams is asked for the member's
    email and UPN (one connector call), and a match by either links the accounts for next time.

    Args:
        context: The turn.
        store: Storage.
        known: A per-process map of Teams user id -> email. A hit is confirmed by one point read of that
            person (so a stale entry is never trusted); a miss scans the people and remembers the match.
    """
    sender = context.activity.from_property
    aad = str(getattr(sender, "aad_object_id", "") or "")
    user_id = str(getattr(sender, "id", "") or "")
    name = str(getattr(sender, "name", "") or "")

    def matches(person: Person | None) -> bool:
        return (
            person is not None
            and person.active
            and bool((aad and person.aad_object_id == aad) or (user_id and person.teams_user_id == user_id))
        )

    if known is not None and user_id in known:
        cached = await store.people.get(partition=Person.partition_key, key=known[user_id])
        if matches(cached):
            return Actor(aad_object_id=aad, teams_user_id=user_id, name=name, person=cached)
        known.pop(user_id, None)
    people = await store.people.list(partition=Person.partition_key)
    found = next((person for person in people if matches(person)), None)
    if found is None:
        found = await _link_by_email(context, store, people, aad=aad, user_id=user_id)
    if found is not None and known is not None and user_id:
        if len(known) >= KNOWN_SENDERS_MAX:
            known.clear()
        known[user_id] = found.email
    return Actor(aad_object_id=aad, teams_user_id=user_id, name=name, person=found)


async def _link_by_email(
    context: TurnContext, store: Store, people: list[Person], *, aad: str, user_id: str
) -> Person | None:
    if not user_id:
        return None
    try:
        member = await TeamsInfo.get_member(context, user_id)
    except Exception as error:  # not a Teams conversation, or the connector said no
        log.info("could not look up member %s: %s", user_id, type(error).__name__)
        return None
    addresses = {
        str(value).lower()
        for value in (getattr(member, "email", None), getattr(member, "user_principal_name", None))
        if value
    }
    for person in people:
        if person.active and person.email in addresses:
            linked = replace(person, aad_object_id=aad or person.aad_object_id, teams_user_id=user_id)
            try:
                return await store.people.save(record=linked)
            except ConcurrencyError:
                return linked
    return None
