"""Setup from chat, for the director and admins: projects, the schedule, the publishing channel and roles.

Each form is one card and one verb; there is no state between turns beyond the card itself.

```mermaid
stateDiagram-v2
    [*] --> Projects: projects
    Projects --> ProjectForm: Edit (setup.project mode=edit) / Add project
    ProjectForm --> ProjectForm: Save with problems (errors in red, typed values kept)
    ProjectForm --> Projects: Save (setup.project mode=save)
    [*] --> ScheduleForm: setup schedule
    ScheduleForm --> ScheduleForm: Save with problems
    ScheduleForm --> [*]: Save (setup.schedule)
    [*] --> ChannelForm: setup channel
    ChannelForm --> [*]: Publish here (setup.channel)
    [*] --> RolesForm: setup roles
    RolesForm --> RolesForm: Save (setup.role)
```

Only people whose stored roles include director or admin may use them; anyone else gets a polite refusal and
an audit event. A project saved here follows the organisation file's rules (``bot.org_file``): the id is the
name's slug, owners and deputies are active people with the role pm or director, only the full template has
metrics; and the whole organisation must still export to a file that imports back.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from bot import messages
from bot.domain.calendar import ScheduleError, parse_slot, validate_timezone
from bot.domain.models import ConversationRef, Metric, Organisation, Person, Project, Role, Schedule, Template
from bot.errors import ConcurrencyError, OrgFileError
from bot.graph import LookupStatus, lookup_by_email
from bot.org_file import MAX_NAME, OWNER_ROLES, export_org_file, parse_org_file, project_slug
from cards.setup import (
    build_channel_form,
    build_project_form,
    build_projects_card,
    build_roles_form,
    build_schedule_form,
)
from dialogs.context import load_organisation
from dialogs.registry_types import ActionHandler, CommandHandler
from dialogs.turn import CardReply, ErrorReply, Reply, TextReply, Turn

ADMIN_ROLES = (Role.DIRECTOR, Role.ADMIN)
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_NAMES = ("Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays", "Sundays")
_METRIC = re.compile(r"^(?P<name>.*?)\s*\((?P<unit>[^()]*)\)$")
_LINE_BREAKING = frozenset({"Cc", "Zl", "Zp"})
_PROJECT_INPUTS = ("project_name", "owner", "deputy", "template", "metrics", "active")


# ---- the team's channels, as stored at install ------------------------------------------------------

CHANNEL_PREFIX = "channel:"
GENERAL = "General"


def channel_key(channel_id: str) -> str:
    """The key of a channel's stored conversation reference."""
    return f"{CHANNEL_PREFIX}{channel_id}"


def channel_reference(
    channel_id: str, name: str, *, service_url: str, tenant_id: str, bot_id: str, team_id: str
) -> dict[str, Any]:
    """A conversation reference to a team's channel (botbuilder's shape), with its name and team id."""
    return {
        "bot": {"id": bot_id},
        "conversation": {
            "id": channel_id,
            "name": name,
            "isGroup": True,
            "conversationType": "channel",
            "tenantId": tenant_id,
        },
        "channelId": "msteams",
        "serviceUrl": service_url,
        "team": team_id,
    }


def stored_channels(refs: Iterable[ConversationRef], team_id: str = "") -> list[tuple[str, str]]:
    """(channel id, name) of every stored channel reference (of ``team_id``, if given), General first."""
    channels: list[tuple[str, str]] = []
    for ref in refs:
        if not ref.key.startswith(CHANNEL_PREFIX):
            continue
        if team_id and ref.reference.get("team") not in (team_id, None):
            continue
        conversation = ref.reference.get("conversation") or {}
        channel_id = str(conversation.get("id") or ref.key.removeprefix(CHANNEL_PREFIX))
        channels.append((channel_id, str(conversation.get("name") or channel_id)))
    return sorted(channels, key=lambda pair: (pair[1] != GENERAL, pair[1].lower()))


# ---- who may ------------------------------------------------------------------------------------------


async def _admin(turn: Turn, action: str, target: str = "") -> Person | ErrorReply:
    """The sender, if they may change the set-up; otherwise a refusal (audited)."""
    person = turn.actor.person
    if person is not None and person.active and person.has_role(*ADMIN_ROLES):
        return person
    await turn.audit(action, target=target, outcome="refused", detail="not director or admin")
    return ErrorReply(messages.SETUP_REFUSED, status=403)


# ---- loading ------------------------------------------------------------------------------------------


async def _people(turn: Turn) -> list[Person]:
    people = await turn.services.store.people.list(partition=Person.partition_key)
    return sorted(people, key=lambda p: (p.name.lower(), p.email))


async def _projects(turn: Turn) -> list[Project]:
    projects = await turn.services.store.projects.list(partition=Project.partition_key)
    return sorted(projects, key=lambda p: (not p.active, p.order, p.name.lower()))


def _owners(people: Iterable[Person]) -> list[Person]:
    """Who can own or deputise a project."""
    return [p for p in people if p.active and p.has_role(*OWNER_ROLES)]


async def _projects_card(turn: Turn) -> CardReply:
    people = await _people(turn)
    names = {p.email: p.name for p in people}
    owners = {p.email: p.name for p in _owners(people)}
    return CardReply(build_projects_card(await _projects(turn), names, owners=owners))


# ---- commands -----------------------------------------------------------------------------------------


async def projects_command(turn: Turn, rest: str) -> Reply:
    """``projects``: every project with its owner, deputy and template; Edit and Add buttons."""
    refused = await _admin(turn, "setup.projects")
    if isinstance(refused, ErrorReply):
        return refused
    return await _projects_card(turn)


async def setup_command(turn: Turn, rest: str) -> Reply:
    """``setup``, ``setup schedule``, ``setup channel``, ``setup roles``, ``setup project [name]``."""
    refused = await _admin(turn, "setup.open", target=rest[:60])
    if isinstance(refused, ErrorReply):
        return refused
    what, _, argument = rest.strip().partition(" ")
    what = what.lower()
    if what == "schedule":
        org = await load_organisation(turn.services)
        return CardReply(build_schedule_form(org.schedule, org.timezone))
    if what == "channel":
        return await _channel_form(turn)
    if what == "roles":
        people = [p for p in await _people(turn) if p.active]
        return CardReply(build_roles_form(people))
    if what in ("project", "projects"):
        if not argument.strip():
            if what == "projects":
                return await _projects_card(turn)
            return CardReply(build_project_form(None, _owners(await _people(turn))))
        project = _find_project(await _projects(turn), argument)
        if project is None:
            return TextReply(messages.SETUP_UNKNOWN_PROJECT.format(name=argument.strip()[:80]))
        return CardReply(_edit_form(project, await _people(turn)))
    return TextReply(messages.SETUP_HELP)


def _find_project(projects: Sequence[Project], text: str) -> Project | None:
    wanted = text.strip().lower()
    return next((p for p in projects if wanted in (p.project_id, p.name.lower())), None)


def _edit_form(
    project: Project,
    people: Sequence[Person],
    errors: Mapping[str, str] | None = None,
    typed: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    return build_project_form(project, _owners(people), errors, typed=typed, show_active=True)


# ---- setup.project ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProjectCheck:
    """A checked project form: the project to save, or what is wrong with each input."""

    project: Project | None
    errors: dict[str, str]


def _text(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).strip() if isinstance(value, str | int | float) else ""


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

    name = _text(data, "project_name")
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

    owner = _text(data, "owner").lower()
    if not owner:
        errors["owner"] = messages.FORM_OWNER_MISSING
    elif problem := _check_person(owner, by_email):
        errors["owner"] = problem
    deputy = _text(data, "deputy").lower()
    if deputy and deputy == owner:
        errors["deputy"] = messages.FORM_DEPUTY_IS_OWNER
    elif deputy and (problem := _check_person(deputy, by_email)):
        errors["deputy"] = problem

    template_text = _text(data, "template").lower() or Template.FULL.value
    template = Template(template_text) if template_text in set(Template) else None
    if template is None:
        errors["template"] = messages.FORM_TEMPLATE
    metrics = _parse_metrics(str(data.get("metrics") or ""), errors)
    if metrics and template is not None and template is not Template.FULL:
        errors.setdefault("metrics", messages.FORM_METRICS_NOT_FULL)

    active = _text(data, "active").lower() not in ("false", "no", "0") if "active" in data else True
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
    project_id = _text(data, "project")[:200]
    refused = await _admin(turn, "setup.project", target=project_id)
    if isinstance(refused, ErrorReply):
        return refused
    projects = await _projects(turn)
    people = await _people(turn)
    existing = next((p for p in projects if p.project_id == project_id), None) if project_id else None
    if project_id and existing is None:
        return ErrorReply(messages.SETUP_UNKNOWN_PROJECT.format(name=project_id[:80]))
    if _text(data, "mode") != "save":
        if existing is None:
            return CardReply(build_project_form(None, _owners(people)))
        return CardReply(_edit_form(existing, people))

    checked = check_project(data, existing, projects, people)
    project = checked.project
    errors = dict(checked.errors)
    if project is not None:
        org = await load_organisation(turn.services)
        if problem := export_problem(org, people, projects, project):
            errors["project_name"] = problem
    if errors or project is None:
        await turn.audit("setup.project", target=project_id, outcome="refused", detail="invalid form")
        typed = {key: _text(data, key) for key in _PROJECT_INPUTS if key in data}
        typed["metrics"] = str(data.get("metrics") or "")
        if existing is None:
            return CardReply(build_project_form(None, _owners(people), errors, typed=typed))
        return CardReply(_edit_form(existing, people, errors, typed))
    try:
        await turn.services.store.projects.save(record=project)
    except ConcurrencyError:
        await turn.audit("setup.project", target=project.project_id, outcome="refused", detail="conflict")
        return ErrorReply(messages.SETUP_CHANGED_MEANWHILE, status=409)
    await turn.audit("setup.project", target=project.project_id, detail="changed" if existing else "added")
    for note in await _link_unlinked(turn, [project.owner, project.deputy]):
        await turn.send_text(note)
    return await _projects_card(turn)


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


# ---- setup.schedule -----------------------------------------------------------------------------------


def _normalised(text: str, field: str, errors: dict[str, str]) -> str:
    try:
        slot = parse_slot(text, field=field)
    except ScheduleError as error:
        errors[field] = _sentence(str(error))
        return text
    return f"{_DAYS[slot.weekday]} {slot.at:%H:%M}"


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def _when(text: str) -> str:
    slot = parse_slot(text)
    return f"{_DAY_NAMES[slot.weekday]} at {slot.at:%H:%M}"


async def schedule_action(turn: Turn, data: Mapping[str, Any]) -> Reply:
    """``setup.schedule``: check and save the schedule and time zone."""
    refused = await _admin(turn, "setup.schedule")
    if isinstance(refused, ErrorReply):
        return refused
    errors: dict[str, str] = {}
    typed = {key: _text(data, key)[:64] for key in ("prompt", "remind", "close", "timezone")}
    times = {key: _normalised(typed[key], key, errors) for key in ("prompt", "remind", "close")}
    zone = typed["timezone"]
    try:
        validate_timezone(zone)
    except ScheduleError:
        errors["timezone"] = messages.FORM_TIMEZONE.format(zone=zone[:60])
    if errors:
        await turn.audit("setup.schedule", outcome="refused", detail=", ".join(sorted(errors)))
        return CardReply(build_schedule_form(Schedule(**{k: typed[k] for k in times}), zone, errors))
    schedule = Schedule(**times)
    org = await load_organisation(turn.services)
    try:
        await turn.services.store.organisation.save(record=replace(org, schedule=schedule, timezone=zone))
    except ConcurrencyError:
        return ErrorReply(messages.SETUP_CHANGED_MEANWHILE, status=409)
    await turn.audit(
        "setup.schedule", detail=f"{schedule.prompt} / {schedule.remind} / {schedule.close} {zone}"
    )
    return TextReply(
        messages.SETUP_SCHEDULE_SAVED.format(
            prompt=_when(schedule.prompt),
            remind=_when(schedule.remind),
            close=_when(schedule.close),
            timezone=zone,
        )
    )


# ---- setup.channel ------------------------------------------------------------------------------------


async def _known_channels(turn: Turn, org: Organisation) -> list[tuple[str, str]]:
    refs = await turn.services.store.conversations.list(partition=ConversationRef.partition_key)
    return stored_channels(refs, org.team_id) if org.team_id else []


async def _channel_form(turn: Turn) -> Reply:
    org = await load_organisation(turn.services)
    channels = await _known_channels(turn, org)
    if not channels:
        return TextReply(messages.SETUP_NO_CHANNELS)
    return CardReply(build_channel_form(channels, org.channel_id))


async def channel_action(turn: Turn, data: Mapping[str, Any]) -> Reply:
    """``setup.channel``: publish the weeknote in one of the team's channels."""
    chosen = _text(data, "channel")[:300]
    refused = await _admin(turn, "setup.channel", target=chosen)
    if isinstance(refused, ErrorReply):
        return refused
    org = await load_organisation(turn.services)
    names = dict(await _known_channels(turn, org))
    if chosen not in names:
        await turn.audit("setup.channel", target=chosen, outcome="refused", detail="unknown channel")
        return ErrorReply(messages.SETUP_UNKNOWN_CHANNEL)
    try:
        await turn.services.store.organisation.save(record=replace(org, channel_id=chosen))
    except ConcurrencyError:
        return ErrorReply(messages.SETUP_CHANGED_MEANWHILE, status=409)
    await turn.audit("setup.channel", target=chosen, detail=names[chosen][:100])
    return TextReply(messages.SETUP_CHANNEL_SAVED.format(channel=names[chosen]))


# ---- setup.role ---------------------------------------------------------------------------------------


def _roles(value: Any) -> list[str]:
    """Teams sends a multi-select as ``"a,b"``; the fallback may send a list."""
    items = value if isinstance(value, list) else str(value or "").split(",")
    return [str(item).strip().lower() for item in items if str(item).strip()]


async def role_action(turn: Turn, data: Mapping[str, Any]) -> Reply:
    """``setup.role``: replace one person's roles (the import's rules, and never lose the last admin)."""
    email = _text(data, "person").lower()[:254]
    refused = await _admin(turn, "setup.role", target=email)
    if isinstance(refused, ErrorReply):
        return refused
    people = await _people(turn)
    person = next((p for p in people if p.email == email), None)
    if person is None:
        return ErrorReply(messages.SETUP_UNKNOWN_PERSON.format(email=email or "nobody"))
    wanted = _roles(data.get("roles"))
    unknown = [role for role in wanted if role not in set(Role)]
    if unknown:
        return ErrorReply(messages.SETUP_BAD_ROLE.format(role=unknown[0][:40]))
    roles = frozenset(Role(role) for role in wanted)
    if not roles:
        return ErrorReply(messages.SETUP_NO_ROLES.format(name=person.name))
    answering = [p.name for p in await _projects(turn) if p.active and p.is_answerable_by(email)]
    if answering and not roles & OWNER_ROLES:
        return ErrorReply(
            messages.SETUP_OWNER_NEEDS_ROLE.format(name=person.name, projects=", ".join(answering))
        )
    admins_after = [
        p for p in people if p.active and (roles if p.email == email else p.roles).intersection(ADMIN_ROLES)
    ]
    if not admins_after:
        return ErrorReply(messages.SETUP_LAST_ADMIN.format(name=person.name))
    try:
        saved = await turn.services.store.people.save(record=replace(person, roles=roles))
    except ConcurrencyError:
        return ErrorReply(messages.SETUP_CHANGED_MEANWHILE, status=409)
    await turn.audit("setup.role", target=email, detail=",".join(sorted(roles)))
    shown = [saved if p.email == email else p for p in people if p.active]
    return CardReply(build_roles_form(shown))


SETUP_ACTIONS: Mapping[str, ActionHandler] = {
    "setup.project": project_action,
    "setup.schedule": schedule_action,
    "setup.channel": channel_action,
    "setup.role": role_action,
}
SETUP_COMMANDS: Mapping[str, CommandHandler] = {
    "projects": projects_command,
    "setup": setup_command,
}
