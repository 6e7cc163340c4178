"""Setup from chat: the projects card and the project form (``setup.project``).

A project saved here follows the organisation file's rules (:func:`check_project`, :func:`export_problem`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from bot import messages
from bot.domain.models import Metric, Organisation, Person, Project, Template
from bot.errors import ConcurrencyError, OrgFileError
from bot.graph import LookupStatus, lookup_by_email
from bot.org_file import MAX_NAME, OWNER_ROLES, export_org_file, parse_org_file, project_slug
from cards.setup import build_project_form, build_projects_card
from dialogs.context import load_organisation
from dialogs.setup_common import form_text, load_people, load_projects, require_admin
from dialogs.turn import CardReply, ErrorReply, Reply, Turn

_METRIC = re.compile(r"^(?P<name>.*?)\s*\((?P<unit>[^()]*)\)$")
_LINE_BREAKING = frozenset({"Cc", "Zl", "Zp"})
_PROJECT_INPUTS = ("project_name", "owner", "deputy", "template", "metrics", "active")


def possible_owners(people: Iterable[Person]) -> list[Person]:
    """Who can own or deputise a project."""
    return [p for p in people if p.active and p.has_role(*OWNER_ROLES)]


async def projects_card(turn: Turn) -> CardReply:
    """The projects card: every project, with Edit and Add offering only possible owners."""
    people = await load_people(turn)
    names = {p.email: p.name for p in people}
    owners = {p.email: p.name for p in possible_owners(people)}
    return CardReply(build_projects_card(await load_projects(turn), names, owners=owners))


def edit_form(
    project: Project,
    people: Sequence[Person],
    errors: Mapping[str, str] | None = None,
    typed: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The form that edits ``project`` (with its Active switch)."""
    return build_project_form(project, possible_owners(people), errors, typed=typed, show_active=True)


@dataclass(frozen=True)
class ProjectCheck:
    """A checked project form: the project to save, or what is wrong with each input."""

    project: Project | None
    errors: dict[str, str]


def _one_line_problem(value: str) -> str:
    if any(unicodedata.category(char) in _LINE_BREAKING for char in value):
        return messages.FORM_NAME_LINE
    if len(value) > MAX_NAME:
        return messages.FORM_NAME_TOO_LONG.format(limit=MAX_NAME, length=len(value))
    return ""


def _check_person(email: str, people: Mapping[str, Person]) -> str:
    """What is wrong with ``email`` as an owner or deputy (``""`` if nothing): the import's rules."""
    person = people.get(email)
    if person is None:
        return messages.FORM_PERSON_UNKNOWN.format(email=email[:120])
    if not person.has_role(*OWNER_ROLES):
        return messages.FORM_PERSON_ROLE.format(name=person.name)
    if not person.active:
        return messages.FORM_PERSON_INACTIVE.format(name=person.name)
    return ""


def _parse_metrics(text: str, errors: dict[str, str]) -> tuple[Metric, ...]:
    metrics: list[Metric] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        match = _METRIC.match(line)
        name, unit = (match["name"].strip(), match["unit"].strip()) if match else (line, "")
        if not name or "(" in name or ")" in name or _one_line_problem(name) or len(unit) > MAX_NAME:
            errors.setdefault("metrics", messages.FORM_METRIC_LINE.format(number=number))
            continue
        if any(m.name.lower() == name.lower() for m in metrics):
            errors.setdefault("metrics", messages.FORM_METRIC_TWICE.format(number=number, name=name))
            continue
        metrics.append(Metric(name=name, unit=unit))
    return tuple(metrics)


def check_project(
    data: Mapping[str, Any],
    existing: Project | None,
    projects: Sequence[Project],
    people: Sequence[Person],
) -> ProjectCheck:
    """Check a project form against the organisation file's rules (pure).

    Args:
        data: the form's inputs (``project_name``, ``owner``, ``deputy``, ``template``, ``metrics``,
            ``active``).
        existing: the project being edited, or ``None`` for a new one.
        projects: every stored project.
        people: every stored person.

    Returns:
        The project to save (``etag`` from ``existing``), or the problems by input id.
    """
    errors: dict[str, str] = {}
    by_email = {p.email: p for p in people}
    others = [p for p in projects if existing is None or p.project_id != existing.project_id]

    name = form_text(data, "project_name")
    project_id = existing.project_id if existing else project_slug(name)
    if not name:
        errors["project_name"] = messages.FORM_NAME_MISSING
    elif problem := _one_line_problem(name):
        errors["project_name"] = problem
    elif not project_id:
        errors["project_name"] = messages.FORM_NAME_NO_SLUG
    else:
        clash = next(
            (p for p in others if p.name.lower() == name.lower() or p.project_id == project_id), None
        )
        if clash is not None:
            message = messages.FORM_NAME_TAKEN if clash.active else messages.FORM_NAME_PAUSED
            errors["project_name"] = message.format(name=clash.name)

    owner = form_text(data, "owner").lower()
    if not owner:
        errors["owner"] = messages.FORM_OWNER_MISSING
    elif problem := _check_person(owner, by_email):
        errors["owner"] = problem
    deputy = form_text(data, "deputy").lower()
    if deputy and deputy == owner:
        errors["deputy"] = messages.FORM_DEPUTY_IS_OWNER
    elif deputy and (problem := _check_person(deputy, by_email)):
        errors["deputy"] = problem

    template_text = form_text(data, "template").lower() or Template.FULL.value
    template = Template(template_text) if template_text in set(Template) else None
    if template is None:
        errors["template"] = messages.FORM_TEMPLATE
    metrics = _parse_metrics(str(data.get("metrics") or ""), errors)
    if metrics and template is not None and template is not Template.FULL:
        errors.setdefault("metrics", messages.FORM_METRICS_NOT_FULL)

    active = form_text(data, "active").lower() not in ("false", "no", "0") if "active" in data else True
    if errors or template is None:
        return ProjectCheck(None, errors)
    order = existing.order if existing else max((p.order for p in projects), default=-1) + 1
    project = Project(
        project_id=project_id,
        name=name,
        owner=owner,
        deputy=deputy,
        template=template,
        metrics=metrics,
        order=order,
        active=active if existing else True,
        etag=existing.etag if existing else None,
    )
    return ProjectCheck(project, {})


def export_problem(
    org: Organisation, people: Sequence[Person], projects: Sequence[Project], project: Project
) -> str:
    """Why the organisation with ``project`` saved would not export to a file that imports back (or ``""``).

    ``weeknotes org export`` writes active people and projects; only problems about ``project`` count, so
    an unrelated old inconsistency never blocks an edit.
    """
    if not project.active:
        return ""
    merged = [p for p in projects if p.project_id != project.project_id and p.active] + [project]
    ordered = sorted(merged, key=lambda p: p.order)
    position = next(i for i, p in enumerate(ordered, start=1) if p.project_id == project.project_id)
    text = export_org_file(org, [p for p in people if p.active], ordered)
    try:
        parse_org_file(text)
    except OrgFileError as error:
        mine = [problem for problem in error.problems if f"projects[{position}]" in problem]
        if mine:
            return messages.FORM_EXPORT_PROBLEM.format(problem=mine[0].split(": ", 1)[-1])
    return ""


async def project_action(turn: Turn, data: Mapping[str, Any]) -> Reply:
    """``setup.project``: open the form (``mode: edit``) or save it (``mode: save``)."""
    project_id = form_text(data, "project")[:200]
    refused = await require_admin(turn, "setup.project", target=project_id)
    if isinstance(refused, ErrorReply):
        return refused
    projects = await load_projects(turn)
    people = await load_people(turn)
    existing = next((p for p in projects if p.project_id == project_id), None) if project_id else None
    if project_id and existing is None:
        return ErrorReply(messages.SETUP_UNKNOWN_PROJECT.format(name=project_id[:80]))
    if form_text(data, "mode") != "save":
        if existing is None:
            return CardReply(build_project_form(None, possible_owners(people)))
        return CardReply(edit_form(existing, people))

    checked = check_project(data, existing, projects, people)
    project = checked.project
    errors = dict(checked.errors)
    if project is not None:
        org = await load_organisation(turn.services)
        if problem := export_problem(org, people, projects, project):
            errors["project_name"] = problem
    if errors or project is None:
        await turn.audit("setup.project", target=project_id, outcome="refused", detail="invalid form")
        typed = {key: form_text(data, key) for key in _PROJECT_INPUTS if key in data}
        typed["metrics"] = str(data.get("metrics") or "")
        if existing is None:
            return CardReply(build_project_form(None, possible_owners(people), errors, typed=typed))
        return CardReply(edit_form(existing, people, errors, typed))
    try:
        await turn.services.store.projects.save(record=project)
    except ConcurrencyError:
        await turn.audit("setup.project", target=project.project_id, outcome="refused", detail="conflict")
        return ErrorReply(messages.SETUP_CHANGED_MEANWHILE, status=409)
    await turn.audit("setup.project", target=project.project_id, detail="changed" if existing else "added")
    for note in await _link_unlinked(turn, [project.owner, project.deputy]):
        await turn.send_text(note)
    return await projects_card(turn)


async def _link_unlinked(turn: Turn, emails: Iterable[str]) -> list[str]:
    """Find owners not yet linked to a Teams account through Graph; what to tell the admin."""
    notes: list[str] = []
    store = turn.services.store
    for email in dict.fromkeys(e for e in emails if e):
        person = await store.people.get(partition=Person.partition_key, key=email)
        if person is None or person.aad_object_id or person.teams_user_id:
            continue
        lookup = await lookup_by_email(turn.services.settings, email)
        if lookup.status is LookupStatus.FOUND and lookup.user is not None:
            try:
                await store.people.save(record=replace(person, aad_object_id=lookup.user.id))
            except ConcurrencyError:
                continue  # someone linked them meanwhile
            await turn.audit("person.linked", target=email, detail="graph")
            notes.append(messages.SETUP_LINKED_BY_GRAPH.format(name=person.name))
        else:
            notes.append(messages.SETUP_NOT_LINKED.format(name=person.name, why=lookup.note))
    return notes
