"""Reading an organisation file's projects: unique names and ids, listed owners, metrics only where shown."""

from __future__ import annotations

import re

import yaml

from bot.domain.models import Metric, Project, Template
from bot.org_plan import OWNER_ROLES, project_slug
from bot.org_read_people import Roster
from bot.org_reader import Reader, suggest

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_PROJECT_KEYS = {"name": True, "id": False, "owner": True, "deputy": False, "template": False}
_PROJECT_KEYS |= {"metrics": False, "active": False}
_METRIC_KEYS = {"name": True, "unit": False}


def read_projects(reader: Reader, node: yaml.Node, roster: Roster | None) -> list[Project]:
    """The readable projects, ``order`` counting from 0; owners are checked against ``roster`` if given."""
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
    reader: Reader, node: yaml.Node, field: str, roster: Roster | None, *, order: int
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
    reader: Reader, entries: dict[str, yaml.Node], field: str, name: str | None
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
    reader: Reader, entries: dict[str, yaml.Node], key: str, field: str, roster: Roster | None
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


def _read_template(reader: Reader, node: yaml.Node, field: str) -> Template | None:
    value = reader.text(node, field)
    if value is None:
        return None
    if value.lower() not in set(Template):
        reader.problem(
            node,
            field,
            f"{value!r} is not a template{suggest(value.lower(), Template)}; "
            f"templates are: {', '.join(Template)}.",
        )
        return None
    return Template(value.lower())


def _read_metrics(reader: Reader, node: yaml.Node, field: str) -> tuple[Metric, ...] | None:
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
