"""The organisation file: who the people are, which projects report, and when the week's phases run.

``parse_org_file`` reads YAML such as ``examples/org.yaml`` into an :class:`OrgPlan` and
``export_org_file`` writes one back. Parsing is all or nothing: every problem found is reported at once,
each as ``line N, field: why`` (list entries are counted from 1, as a person reading the file counts them),
and nothing half-parsed is ever returned.

Only the raw text of each scalar is used, never YAML's type guessing, so ``country: NO`` is Norway rather
than ``False`` and ``10:00`` is never read as a number of minutes.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from bot.domain.models import Metric, Organisation, Person, Project, Role, Schedule, Template
from bot.errors import OrgFileError

MAX_NAME = 200
MAX_FILE_CHARS = 1_000_000
OWNER_ROLES = frozenset({Role.PM, Role.DIRECTOR})

_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_WHEN = re.compile(r"^(?P<day>[a-z]{3}) (?P<hour>\d{1,2}):(?P<minute>\d{2})$")
# One @, a dot in the domain, and none of the characters Table Storage refuses in a row key.
_EMAIL = re.compile(r"^[^@\s/\\#?]+@[^@\s/\\#?]+\.[^@\s/\\#?.]+$")
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_LINE_BREAKING = frozenset({"Cc", "Zl", "Zp"})  # control characters and Unicode line/paragraph separators
_BOOLS = {"true": True, "yes": True, "false": False, "no": False}

_TOP_KEYS = {"organisation": True, "timezone": False, "schedule": False, "holidays": False}
_TOP_KEYS |= {"retention_weeks": False, "people": True, "projects": True}
MAX_RETENTION_WEEKS = 10_000
_SCHEDULE_KEYS = {"prompt": False, "remind": False, "close": False}
_HOLIDAY_KEYS = {"country": True, "subdivision": False}
_PERSON_KEYS = {"email": True, "name": True, "title": False, "roles": True, "active": False}
_PROJECT_KEYS = {"name": True, "id": False, "owner": True, "deputy": False, "template": False}
_PROJECT_KEYS |= {"metrics": False, "active": False}
_METRIC_KEYS = {"name": True, "unit": False}


@dataclass(frozen=True)
class OrgPlan:
    """Everything an organisation file declares, ready to be saved."""

    organisation: Organisation
    people: tuple[Person, ...]
    projects: tuple[Project, ...]


def project_slug(name: str) -> str:
    """The stable id of a project: ``"OneDrive user adoption"`` -> ``"onedrive-user-adoption"``.

    Accents are folded to plain letters; anything else that is not a letter or digit becomes a hyphen.
    """
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")


def parse_org_file(text: str) -> OrgPlan:
    """Read an organisation file.

    Args:
        text: the YAML text.

    Returns:
        The organisation, its people (emails lower-cased) and its projects (``order`` = position in the file).

    Raises:
        OrgFileError: listing every problem found, each naming its line and field.
    """
    if len(text) > MAX_FILE_CHARS:
        raise OrgFileError([f"line 1: the file is {len(text):,} characters; at most {MAX_FILE_CHARS:,}."])
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        raise OrgFileError([_syntax_problem(error)]) from None
    except yaml.YAMLError as error:
        raise OrgFileError([f"line 1: this is not valid YAML ({error})."]) from None
    reader = _Reader()
    plan = _read_plan(reader, root)
    if reader.problems or plan is None:
        raise OrgFileError(reader.sorted_problems())
    return plan


def export_org_file(organisation: Organisation, people: Iterable[Person], projects: Iterable[Project]) -> str:
    """Write an organisation file that :func:`parse_org_file` reads back to an equal plan.

    Projects are written in ``order``. Runtime state (Teams ids, ETags, leave, blocked) is not part of the
    file.
    """
    schedule = organisation.schedule
    document: dict[str, Any] = {
        "organisation": organisation.name,
        "timezone": organisation.timezone,
        "schedule": {"prompt": schedule.prompt, "remind": schedule.remind, "close": schedule.close},
        "holidays": (
            {"country": organisation.holidays_country, "subdivision": organisation.holidays_subdivision}
            if organisation.holidays_country
            else None
        ),
        **({"retention_weeks": organisation.retention_weeks} if organisation.retention_weeks else {}),
        "people": [_person_entry(person) for person in people],
        "projects": [_project_entry(project) for project in sorted(projects, key=lambda p: p.order)],
    }
    body = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=4096, default_flow_style=False)
    return "# Weeknotes organisation file (exported). Edit, then import it again.\n" + body


def _syntax_problem(error: yaml.MarkedYAMLError) -> str:
    mark = error.problem_mark or error.context_mark
    line = mark.line + 1 if mark else 1
    why = error.problem or "unreadable"
    if error.context and error.context_mark and error.context_mark.line + 1 != line:
        why += f", {error.context} that starts on line {error.context_mark.line + 1}"
    return f"line {line}: this is not valid YAML ({why})."


def _person_entry(person: Person) -> dict[str, Any]:
    entry: dict[str, Any] = {"email": person.email, "name": person.name}
    if person.title:
        entry["title"] = person.title
    entry["roles"] = [role.value for role in Role if role in person.roles]
    if not person.active:
        entry["active"] = False
    return entry


def _project_entry(project: Project) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": project.name}
    if project.project_id != project_slug(project.name):
        entry["id"] = project.project_id
    entry["owner"] = project.owner
    if project.deputy:
        entry["deputy"] = project.deputy
    entry["template"] = project.template.value
    if project.metrics:
        entry["metrics"] = [
            {"name": metric.name, "unit": metric.unit} if metric.unit else {"name": metric.name}
            for metric in project.metrics
        ]
    if not project.active:
        entry["active"] = False
    return entry


class _Reader:
    """Reads composed YAML nodes, collecting every problem with its line instead of stopping at the first."""

    def __init__(self) -> None:
        self.problems: list[tuple[int, str]] = []

    def problem(self, node: yaml.Node, field: str, why: str) -> None:
        self.problems.append((node.start_mark.line + 1, f"line {node.start_mark.line + 1}, {field}: {why}"))

    def sorted_problems(self) -> list[str]:
        return [text for _, text in sorted(self.problems, key=lambda item: item[0])]

    def mapping(self, node: yaml.Node, field: str, keys: dict[str, bool]) -> dict[str, yaml.Node] | None:
        """The entries of a mapping node, after reporting unknown, repeated and missing keys."""
        if not isinstance(node, yaml.MappingNode):
            self.problem(node, field, f"must be a mapping of {', '.join(keys)}; found {_kind(node)}.")
            return None
        entries: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else "?"
            where = f"{field}.{key}" if field else key
            if key not in keys:
                self.problem(
                    key_node, where, f"unknown key{_suggest(key, keys)}; known keys: {', '.join(keys)}."
                )
            elif key in entries:
                self.problem(key_node, where, "appears twice; give it once.")
            else:
                entries[key] = value_node
        for key, required in keys.items():
            if required and key not in entries:
                self.problem(node, f"{field}.{key}" if field else key, "is missing; it is required.")
        return entries

    def sequence(self, node: yaml.Node, field: str) -> list[yaml.Node] | None:
        if _is_null(node):
            return []
        if not isinstance(node, yaml.SequenceNode):
            self.problem(node, field, f"must be a list; found {_kind(node)}.")
            return None
        return list(node.value)

    def text(
        self, node: yaml.Node, field: str, *, max_chars: int = MAX_NAME, empty_ok: bool = False
    ) -> str | None:
        """One line of text: trimmed, without control characters, at most ``max_chars`` long."""
        if _is_null(node):
            if empty_ok:
                return ""
            self.problem(node, field, "is empty; give a value.")
            return None
        if not isinstance(node, yaml.ScalarNode):
            self.problem(node, field, f"must be text; found {_kind(node)}.")
            return None
        value = str(node.value).strip()
        if not value and not empty_ok:
            self.problem(node, field, "is empty; give a value.")
            return None
        if any(unicodedata.category(char) in _LINE_BREAKING for char in value):
            self.problem(node, field, "contains a line break or control character; keep it on one line.")
            return None
        if len(value) > max_chars:
            self.problem(node, field, f"is {len(value)} characters long; at most {max_chars}.")
            return None
        return value

    def flag(self, node: yaml.Node, field: str) -> bool | None:
        value = str(node.value).strip().lower() if isinstance(node, yaml.ScalarNode) else None
        if value not in _BOOLS:
            self.problem(node, field, "must be true or false.")
            return None
        return _BOOLS[value]

    def email(self, node: yaml.Node, field: str) -> str | None:
        value = self.text(node, field, max_chars=254)
        if value is None:
            return None
        if not _EMAIL.match(value):
            self.problem(node, field, f"{value!r} is not an email address such as name@example.org.")
            return None
        return value.lower()


def _read_plan(reader: _Reader, root: yaml.Node | None) -> OrgPlan | None:
    if root is None:
        reader.problems.append((1, "line 1: the file is empty; it needs organisation, people and projects."))
        return None
    top = reader.mapping(root, "", _TOP_KEYS)
    if top is None:
        return None
    organisation = _read_organisation(reader, top)
    roster = _read_people(reader, top["people"]) if "people" in top else None
    projects = _read_projects(reader, top["projects"], roster) if "projects" in top else []
    if organisation is None or roster is None:
        return None
    return OrgPlan(organisation=organisation, people=tuple(roster.people), projects=tuple(projects))


def _read_organisation(reader: _Reader, top: dict[str, yaml.Node]) -> Organisation | None:
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


def _read_retention(reader: _Reader, node: yaml.Node) -> int | None:
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


def _read_schedule(reader: _Reader, node: yaml.Node) -> Schedule:
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


def _read_holidays(reader: _Reader, node: yaml.Node) -> tuple[str, str]:
    if _is_null(node):
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


@dataclass
class _Roster:
    """The people read so far, and the emails of entries too broken to read (already reported)."""

    people: list[Person]
    broken: set[str]

    def find(self, email: str) -> Person | None:
        return next((person for person in self.people if person.email == email), None)


def _read_people(reader: _Reader, node: yaml.Node) -> _Roster | None:
    items = reader.sequence(node, "people")
    if items is None:
        return None
    if not items:
        reader.problem(node, "people", "is empty; list at least the project owners.")
    roster = _Roster(people=[], broken=set())
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


def _read_person(reader: _Reader, node: yaml.Node, field: str) -> Person | None:
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


def _read_roles(reader: _Reader, node: yaml.Node, field: str) -> frozenset[Role] | None:
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
                f"{value!r} is not a role{_suggest(value.lower(), Role)}; roles are: {', '.join(Role)}.",
            )
            return None
        roles.add(Role(value.lower()))
    return frozenset(roles)


def _read_projects(reader: _Reader, node: yaml.Node, roster: _Roster | None) -> list[Project]:
    projects: list[Project] = []
    seen_names: dict[str, int] = {}
    seen_ids: dict[str, int] = {}
    for number, entry in enumerate(reader.sequence(node, "projects") or [], start=1):
        field = f"projects[{number}]"
        project = _read_project(reader, entry, field, roster, order=len(projects))
        if project is None:
            continue
        line = entry.start_mark.line + 1
        if (earlier := seen_names.get(project.name.lower())) is not None:
            reader.problem(
                entry, f"{field}.name", f"{project.name!r} is already a project on line {earlier}."
            )
            continue
        if (earlier := seen_ids.get(project.project_id)) is not None:
            reader.problem(
                entry,
                f"{field}.name",
                f"its id {project.project_id!r} is already used by the project on line {earlier}; "
                "rename it or give it an id of its own.",
            )
            continue
        seen_names[project.name.lower()] = seen_ids[project.project_id] = line
        projects.append(project)
    return projects


def _read_project(
    reader: _Reader, node: yaml.Node, field: str, roster: _Roster | None, *, order: int
) -> Project | None:
    entries = reader.mapping(node, field, _PROJECT_KEYS)
    if entries is None:
        return None
    name = reader.text(entries["name"], f"{field}.name") if "name" in entries else None
    project_id = _read_project_id(reader, entries, field, name)
    owner = _read_owner(reader, entries, "owner", field, roster)
    deputy: str | None = ""
    if "deputy" in entries:
        deputy = _read_owner(reader, entries, "deputy", field, roster)
        if deputy and deputy == owner:
            reader.problem(
                entries["deputy"], f"{field}.deputy", "is the owner; name someone else, or leave it out."
            )
            deputy = None
    template: Template | None = Template.FULL
    if "template" in entries:
        template = _read_template(reader, entries["template"], f"{field}.template")
    metrics: tuple[Metric, ...] | None = ()
    if "metrics" in entries:
        metrics = _read_metrics(reader, entries["metrics"], f"{field}.metrics")
        if metrics and template is not None and template is not Template.FULL:
            reader.problem(
                entries["metrics"],
                f"{field}.metrics",
                f"only the full template shows metrics; this project uses {template.value}.",
            )
            metrics = None
    active = reader.flag(entries["active"], f"{field}.active") if "active" in entries else True
    if (
        name is None
        or project_id is None
        or owner is None
        or deputy is None
        or template is None
        or metrics is None
        or active is None
    ):
        return None
    return Project(
        project_id=project_id,
        name=name,
        owner=owner,
        deputy=deputy,
        template=template,
        metrics=metrics,
        order=order,
        active=active,
    )


def _read_project_id(
    reader: _Reader, entries: dict[str, yaml.Node], field: str, name: str | None
) -> str | None:
    if "id" in entries:
        value = reader.text(entries["id"], f"{field}.id")
        if value is not None and not _SLUG.match(value):
            reader.problem(
                entries["id"],
                f"{field}.id",
                f"{value!r} must be lower-case letters and digits joined by single hyphens, "
                'such as "digital-front-door".',
            )
            return None
        return value
    if name is None:
        return None
    slug = project_slug(name)
    if not slug:
        reader.problem(
            entries["name"],
            f"{field}.name",
            f"{name!r} has no letters or digits to make an id from; give it an id.",
        )
        return None
    return slug


def _read_owner(
    reader: _Reader, entries: dict[str, yaml.Node], key: str, field: str, roster: _Roster | None
) -> str | None:
    """The email of a project's owner or deputy, who must be a listed, active pm or director."""
    if key not in entries:
        return None
    where = f"{field}.{key}"
    email = reader.email(entries[key], where)
    if email is None or roster is None or email in roster.broken:
        return email  # without a readable people list there is nothing to check it against
    person = roster.find(email)
    if person is None:
        reader.problem(entries[key], where, f"{email} is not listed under people.")
        return None
    if not person.has_role(*OWNER_ROLES):
        reader.problem(entries[key], where, f"{email} needs the role pm or director to answer for a project.")
        return None
    if not person.active:
        reader.problem(
            entries[key], where, f"{email} is marked inactive; hand the project to someone active."
        )
        return None
    return email


def _read_template(reader: _Reader, node: yaml.Node, field: str) -> Template | None:
    value = reader.text(node, field)
    if value is None:
        return None
    if value.lower() not in set(Template):
        reader.problem(
            node,
            field,
            f"{value!r} is not a template{_suggest(value.lower(), Template)}; "
            f"templates are: {', '.join(Template)}.",
        )
        return None
    return Template(value.lower())


def _read_metrics(reader: _Reader, node: yaml.Node, field: str) -> tuple[Metric, ...] | None:
    items = reader.sequence(node, field)
    if items is None:
        return None
    metrics: list[Metric] = []
    ok = True
    for number, item in enumerate(items, start=1):
        where = f"{field}[{number}]"
        entries = reader.mapping(item, where, _METRIC_KEYS)
        if entries is None:
            ok = False
            continue
        name = reader.text(entries["name"], f"{where}.name") if "name" in entries else None
        unit = reader.text(entries["unit"], f"{where}.unit", empty_ok=True) if "unit" in entries else ""
        if name is None or unit is None:
            ok = False
            continue
        if any(metric.name.lower() == name.lower() for metric in metrics):
            reader.problem(entries["name"], f"{where}.name", f"{name!r} is already a metric of this project.")
            ok = False
            continue
        metrics.append(Metric(name=name, unit=unit))
    return tuple(metrics) if ok else None


def _is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null"


def _kind(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    return "nothing" if _is_null(node) else f"{node.value!r}"


def _suggest(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""
