"""The director's and admin's setup cards: projects, the weekly schedule, roles and the channel."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.domain.models import Metric, Person, Project, Schedule
from cards import words
from cards.actions import Verb
from cards.common import Card, error_block, escape_card_text, execute, fact_set, show_card, text_block
from cards.loader import fill_template

SCHEDULE_PATTERN = (
    r"^\s*(?:[Mm]on|[Tt]ue|[Ww]ed|[Tt]hu|[Ff]ri|[Ss]at|[Ss]un)\s+(?:[01]?\d|2[0-3]):[0-5]\d\s*$"
)
"""What a schedule time looks like (``thu 10:00``); the bot parses and checks it again on save."""

_FORM_INPUTS = ("project_name", "owner", "deputy", "template", "metrics")


def build_projects_card(
    projects: Sequence[Project],
    people_names: Mapping[str, str],
    *,
    owners: Mapping[str, str] | None = None,
) -> Card:
    """Every project with its owner, deputy and template, an Edit button each, and an Add project form.

    Args:
        projects: The projects, in weeknote order.
        people_names: Email -> name of every person who could own a project (also the form's choices).
        owners: Email -> name of who the Add form offers as owner or deputy, when not all of
            ``people_names`` may be (names of past owners are still shown in the list).

    Returns:
        The card.
    """
    rows: list[Card] = [_project_row(project, people_names) for project in projects]
    if not rows:
        rows = [text_block("There are no projects yet: add the first one below.", isSubtle=True)]
    offered = people_names if owners is None else owners
    choices = sorted(offered.items(), key=lambda pair: (pair[1].lower(), pair[0]))
    form = _project_form(None, choices, {})
    add = show_card("Add project", form["body"][1:], form["actions"])
    return fill_template("projects", {"fallback": words.FALLBACK, "projects": rows, "add": [add]})


def _project_row(project: Project, people_names: Mapping[str, str]) -> Card:
    def name(email: str) -> str:
        return people_names.get(email.lower(), email) if email else words.NO_DEPUTY

    line = words.PROJECT_LINE.format(
        owner=name(project.owner), deputy=name(project.deputy), template=project.template.value
    )
    title = project.name if project.active else words.PAUSED.format(name=project.name)
    return {
        "type": "Container",
        "separator": True,
        "spacing": "Medium",
        "items": [
            {
                "type": "ColumnSet",
                "columns": [
                    {
                        "type": "Column",
                        "width": "stretch",
                        "items": [
                            text_block(escape_card_text(title), weight="Bolder"),
                            text_block(escape_card_text(line), isSubtle=True, spacing="None", size="Small"),
                        ],
                    },
                    {
                        "type": "Column",
                        "width": "auto",
                        "verticalContentAlignment": "Center",
                        "items": [
                            {
                                "type": "ActionSet",
                                "actions": [
                                    execute(
                                        "Edit", Verb.SETUP_PROJECT, project=project.project_id, mode="edit"
                                    )
                                ],
                            }
                        ],
                    },
                ],
            }
        ],
    }


def build_project_form(
    project: Project | None,
    people: Sequence[Person],
    errors: Mapping[str, str] | None = None,
    *,
    typed: Mapping[str, str] | None = None,
    show_active: bool = False,
) -> Card:
    """The form to add a project (``project`` is ``None``) or edit one.

    Inputs: ``project_name``, ``owner`` and ``deputy`` (emails), ``template`` and ``metrics`` (one
    ``Name (unit)`` per line); saved with ``setup.project`` and ``mode: save`` in the data (``project`` is
    ``""`` for a new one).

    Args:
        project: The project to edit, or ``None`` for a new one.
        people: Who can be chosen as owner or deputy (inactive people are left out).
        errors: Input id -> what is wrong, shown in red under that input.
        typed: Input id -> what was typed, shown instead of the project's values (a form sent back with
            errors keeps what the person typed).
        show_active: Add the ``active`` toggle (pause a project, or resume it), for editing.

    Returns:
        The card.
    """
    choices = [(person.email, person.name) for person in people if person.active]
    return _project_form(project, choices, errors or {}, typed=typed or {}, show_active=show_active)


def _project_form(
    project: Project | None,
    people: Sequence[tuple[str, str]],
    errors: Mapping[str, str],
    *,
    typed: Mapping[str, str] | None = None,
    show_active: bool = False,
) -> Card:
    title = words.EDIT_PROJECT_TITLE.format(name=project.name) if project else words.ADD_PROJECT_TITLE
    metrics = "\n".join(_metric_line(metric) for metric in project.metrics) if project else ""
    values = {
        "fallback": words.FALLBACK,
        "title": escape_card_text(title),
        "name": project.name if project else "",
        "people": [{"title": f"{name} ({email})", "value": email} for email, name in people],
        "owner": project.owner if project else "",
        "deputy": project.deputy if project else "",
        "template": project.template.value if project else "full",
        "metrics": metrics,
        "project": project.project_id if project else "",
        "active": [_active_toggle(project.active if project else True)] if show_active else [],
    }
    typed_keys = {"project_name": "name", "owner": "owner", "deputy": "deputy", "template": "template"}
    for key, value in (typed or {}).items():
        if key in typed_keys or key == "metrics":
            values[typed_keys.get(key, key)] = value
    values.update(
        {f"{key}_error": [error_block(errors[key])] if key in errors else [] for key in _FORM_INPUTS}
    )
    return fill_template("project_form", values)


def _active_toggle(active: bool) -> Card:
    return {
        "type": "Input.Toggle",
        "id": "active",
        "title": words.ACTIVE_TOGGLE,
        "label": words.ACTIVE_LABEL,
        "value": "true" if active else "false",
        "valueOn": "true",
        "valueOff": "false",
    }


def _metric_line(metric: Metric) -> str:
    return f"{metric.name} ({metric.unit})" if metric.unit else metric.name


def build_schedule_form(schedule: Schedule, timezone: str, errors: Mapping[str, str] | None = None) -> Card:
    """The form for when the bot asks, reminds and closes each week, and in which time zone.

    Args:
        schedule: The current schedule (prefills the form; what was typed, when sent back with errors).
        timezone: The current IANA time zone name.
        errors: Input id (``prompt``, ``remind``, ``close``, ``timezone``) -> what is wrong, shown in red.

    Returns:
        The card; inputs ``prompt``, ``remind``, ``close``, ``timezone``; saved with ``setup.schedule``.
    """
    shown = errors or {}
    return fill_template(
        "schedule_form",
        {
            "fallback": words.FALLBACK,
            "pattern": SCHEDULE_PATTERN,
            "prompt": schedule.prompt,
            "remind": schedule.remind,
            "close": schedule.close,
            "timezone": timezone,
            **{
                f"{key}_error": [error_block(shown[key])] if key in shown else []
                for key in ("prompt", "remind", "close", "timezone")
            },
        },
    )


def build_roles_form(people: Sequence[Person]) -> Card:
    """Everyone's roles, and a form to set one person's roles (``person`` and ``roles``; ``setup.role``).

    Args:
        people: The people the bot knows.

    Returns:
        The card.
    """
    current: list[Card] = []
    if people:
        current = [
            fact_set(
                [
                    (
                        escape_card_text(person.name),
                        escape_card_text(", ".join(sorted(person.roles)) or words.NO_ROLES),
                    )
                    for person in people
                ]
            )
        ]
    choices = [{"title": f"{person.name} ({person.email})", "value": person.email} for person in people]
    return fill_template("roles_form", {"fallback": words.FALLBACK, "current": current, "people": choices})


def build_channel_form(channels: Sequence[tuple[str, str]], current: str) -> Card:
    """The form to choose the channel the weeknote is published in (``channel``; ``setup.channel``).

    Args:
        channels: (channel id, channel name) for each channel of the team.
        current: The id of the channel in use now, or ``""``.

    Returns:
        The card.
    """
    choices = [{"title": name, "value": channel_id} for channel_id, name in channels]
    return fill_template(
        "channel_form", {"fallback": words.FALLBACK, "channels": choices, "current": current}
    )
