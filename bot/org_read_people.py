"""Reading an organisation file's people: each person once, with known roles."""

from __future__ import annotations

from dataclasses import dataclass

import yaml

from bot.domain.models import Person, Role
from bot.org_reader import Reader, suggest

_PERSON_KEYS = {"email": True, "name": True, "title": False, "roles": True, "active": False}


@dataclass
class Roster:
    """The people read so far, and the emails of entries too broken to read (already reported)."""

    people: list[Person]
    broken: set[str]

    def find(self, email: str) -> Person | None:
        return next((person for person in self.people if person.email == email), None)


def read_people(reader: Reader, node: yaml.Node) -> Roster | None:
    """The ``people`` list; ``None`` if it is not a list at all."""
    items = reader.sequence(node, "people")
    if items is None:
        return None
    if not items:
        reader.problem(node, "people", "is empty; list at least the project owners.")
    roster = Roster(people=[], broken=set())
    first_line: dict[str, int] = {}
    for number, entry in enumerate(items, start=1):
        field = f"people[{number}]"
        person = _read_person(reader, entry, field)
        if person is None:
            roster.broken.update(_raw_emails(entry))
            continue
        if person.email in first_line:
            reader.problem(
                entry,
                f"{field}.email",
                f"{person.email} is already on line {first_line[person.email]}; list each person once.",
            )
            continue
        first_line[person.email] = entry.start_mark.line + 1
        roster.people.append(person)
    return roster


def _raw_emails(entry: yaml.Node) -> set[str]:
    """The email an unreadable person entry seems to give, so projects naming it are not blamed twice."""
    if not isinstance(entry, yaml.MappingNode):
        return set()
    return {
        str(value.value).strip().lower()
        for key, value in entry.value
        if isinstance(key, yaml.ScalarNode) and key.value == "email" and isinstance(value, yaml.ScalarNode)
    }


def _read_person(reader: Reader, node: yaml.Node, field: str) -> Person | None:
    entries = reader.mapping(node, field, _PERSON_KEYS)
    if entries is None:
        return None
    email = reader.email(entries["email"], f"{field}.email") if "email" in entries else None
    name = reader.text(entries["name"], f"{field}.name") if "name" in entries else None
    title = reader.text(entries["title"], f"{field}.title", empty_ok=True) if "title" in entries else ""
    roles = _read_roles(reader, entries["roles"], f"{field}.roles") if "roles" in entries else None
    active = reader.flag(entries["active"], f"{field}.active") if "active" in entries else True
    if email is None or name is None or title is None or roles is None or active is None:
        return None
    return Person(email=email, name=name, title=title, roles=roles, active=active)


def _read_roles(reader: Reader, node: yaml.Node, field: str) -> frozenset[Role] | None:
    items = reader.sequence(node, field)
    if items is None:
        return None
    if not items:
        reader.problem(node, field, f"is empty; give at least one of: {', '.join(Role)}.")
        return None
    roles: set[Role] = set()
    for item in items:
        value = reader.text(item, field)
        if value is None:
            return None
        if value.lower() not in set(Role):
            reader.problem(
                item,
                field,
                f"{value!r} is not a role{suggest(value.lower(), Role)}; roles are: {', '.join(Role)}.",
            )
            return None
        roles.add(Role(value.lower()))
    return frozenset(roles)
