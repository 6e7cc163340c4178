"""Reading an organisation file's top level: the organisation, its schedule, holidays and retention.

People and projects are read by :mod:`bot.org_read_people` and :mod:`bot.org_read_projects`.
"""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from bot.domain.models import Organisation, Schedule
from bot.org_plan import OrgPlan
from bot.org_read_people import read_people
from bot.org_read_projects import read_projects
from bot.org_reader import Reader, is_null

_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_WHEN = re.compile(r"^(?P<day>[a-z]{3}) (?P<hour>\d{1,2}):(?P<minute>\d{2})$")

_TOP_KEYS = {"organisation": True, "timezone": False, "schedule": False, "holidays": False}
_TOP_KEYS |= {"retention_weeks": False, "people": True, "projects": True}
MAX_RETENTION_WEEKS = 10_000
_SCHEDULE_KEYS = {"prompt": False, "remind": False, "close": False}
_HOLIDAY_KEYS = {"country": True, "subdivision": False}


def read_plan(reader: Reader, root: yaml.Node | None) -> OrgPlan | None:
    """The plan in a composed file; ``None`` if too broken to read (the problems are in ``reader``)."""
    if root is None:
        reader.problems.append((1, "line 1: the file is empty; it needs organisation, people and projects."))
        return None
    top = reader.mapping(root, "", _TOP_KEYS)
    if top is None:
        return None
    organisation = _read_organisation(reader, top)
    roster = read_people(reader, top["people"]) if "people" in top else None
    projects = read_projects(reader, top["projects"], roster) if "projects" in top else []
    if organisation is None or roster is None:
        return None
    return OrgPlan(organisation=organisation, people=tuple(roster.people), projects=tuple(projects))


def _read_organisation(reader: Reader, top: dict[str, yaml.Node]) -> Organisation | None:
    name = reader.text(top["organisation"], "organisation") if "organisation" in top else None
    timezone = "Europe/London"
    if "timezone" in top and (zone := reader.text(top["timezone"], "timezone")) is not None:
        timezone = zone
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            reader.problem(
                top["timezone"], "timezone", f"{zone!r} is not an IANA time zone such as Europe/London."
            )
    schedule = _read_schedule(reader, top["schedule"]) if "schedule" in top else Schedule()
    country, subdivision = "GB", "ENG"
    if "holidays" in top:
        country, subdivision = _read_holidays(reader, top["holidays"])
    retention = _read_retention(reader, top["retention_weeks"]) if "retention_weeks" in top else 0
    if name is None or retention is None:
        return None
    return Organisation(
        name=name,
        timezone=timezone,
        schedule=schedule,
        holidays_country=country,
        holidays_subdivision=subdivision,
        retention_weeks=retention,
    )


def _read_retention(reader: Reader, node: yaml.Node) -> int | None:
    """Weeks of answers to keep; 0 keeps them for good."""
    value = reader.text(node, "retention_weeks")
    if value is None:
        return None
    if not value.isascii() or not value.isdigit() or int(value) > MAX_RETENTION_WEEKS:
        reader.problem(
            node, "retention_weeks", f"{value!r} must be a whole number of weeks from 0 (keep all) to 10000."
        )
        return None
    return int(value)


def _read_schedule(reader: Reader, node: yaml.Node) -> Schedule:
    entries = reader.mapping(node, "schedule", _SCHEDULE_KEYS) or {}
    default = Schedule()
    times = {key: str(getattr(default, key)) for key in _SCHEDULE_KEYS}
    for key, value_node in entries.items():
        field = f"schedule.{key}"
        value = reader.text(value_node, field)
        if value is None:
            continue
        when = _WHEN.match(value.lower())
        if when is None or when["day"] not in _DAYS or int(when["hour"]) > 23 or int(when["minute"]) > 59:
            reader.problem(
                value_node,
                field,
                f'{value!r} is not a day and 24-hour time such as "thu 10:00" (days mon..sun).',
            )
            continue
        times[key] = f"{when['day']} {int(when['hour']):02d}:{when['minute']}"
    return Schedule(**times)


def _read_holidays(reader: Reader, node: yaml.Node) -> tuple[str, str]:
    if is_null(node):
        return "", ""  # no public holidays at all
    entries = reader.mapping(node, "holidays", _HOLIDAY_KEYS) or {}
    country = reader.text(entries["country"], "holidays.country") if "country" in entries else None
    subdivision = ""
    if "subdivision" in entries:
        subdivision = reader.text(entries["subdivision"], "holidays.subdivision", empty_ok=True) or ""
    if country is None:
        return "GB", "ENG"
    import holidays  # imported late: loading every country's calendar takes a moment

    supported: dict[str, list[str]] = holidays.list_supported_countries()
    country = country.upper()
    if country not in supported:
        reader.problem(
            entries["country"],
            "holidays.country",
            f"{country!r} is not a country code the holidays library knows (ISO 3166 alpha-2, such as GB).",
        )
        return "GB", "ENG"
    subdivision = subdivision.upper()
    if subdivision and subdivision not in supported[country]:
        choices = ", ".join(supported[country]) or "none"
        reader.problem(
            entries["subdivision"],
            "holidays.subdivision",
            f"{subdivision!r} is not a subdivision of {country}; known: {choices}.",
        )
    return country, subdivision
