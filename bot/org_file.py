"""The organisation file: who the people are, which projects report, and when the week's phases run.

``parse_org_file`` reads YAML such as ``examples/org.yaml`` into an :class:`OrgPlan` and
``export_org_file`` writes one back. Parsing is all or nothing: every problem found is reported at once,
each as ``line N, field: why`` (list entries are counted from 1, as a person reading the file counts them),
and nothing half-parsed is ever returned.

Only the raw text of each scalar is used, never YAML's type guessing, so ``country: NO`` is Norway rather
than ``False`` and ``10:00`` is never read as a number of minutes.

The plan and the rules shared with the writer are in :mod:`bot.org_plan`; the reading is
:mod:`bot.org_read_plan` (with :mod:`bot.org_read_people` and :mod:`bot.org_read_projects`) on the
problem-collecting :class:`bot.org_reader.Reader`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import yaml

from bot.domain.models import Organisation, Person, Project, Role
from bot.errors import OrgFileError
from bot.org_plan import MAX_NAME, OWNER_ROLES, OrgPlan, project_slug
from bot.org_read_plan import MAX_RETENTION_WEEKS, read_plan
from bot.org_reader import Reader

__all__ = [
    "MAX_FILE_CHARS",
    "MAX_NAME",
    "MAX_RETENTION_WEEKS",
    "OWNER_ROLES",
    "OrgPlan",
    "export_org_file",
    "parse_org_file",
    "project_slug",
]

MAX_FILE_CHARS = 1_000_000


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
    reader = Reader()
    plan = read_plan(reader, root)
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
