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

from collections.abc import Mapping, Sequence

from bot import messages
from bot.domain.models import Project
from cards.setup import build_project_form, build_roles_form, build_schedule_form
from dialogs.context import load_organisation
from dialogs.registry_types import ActionHandler, CommandHandler
from dialogs.setup_channel import (
    CHANNEL_PREFIX,
    GENERAL,
    channel_action,
    channel_form,
    channel_key,
    channel_reference,
    stored_channels,
)
from dialogs.setup_common import ADMIN_ROLES, load_people, load_projects, require_admin
from dialogs.setup_project import (
    ProjectCheck,
    check_project,
    edit_form,
    export_problem,
    possible_owners,
    project_action,
    projects_card,
)
from dialogs.setup_roles import role_action
from dialogs.setup_schedule import schedule_action
from dialogs.turn import CardReply, ErrorReply, Reply, TextReply, Turn

__all__ = [
    "ADMIN_ROLES",
    "CHANNEL_PREFIX",
    "GENERAL",
    "SETUP_ACTIONS",
    "SETUP_COMMANDS",
    "ProjectCheck",
    "channel_action",
    "channel_key",
    "channel_reference",
    "check_project",
    "export_problem",
    "project_action",
    "projects_command",
    "role_action",
    "schedule_action",
    "setup_command",
    "stored_channels",
]


# ---- commands -----------------------------------------------------------------------------------------


async def projects_command(turn: Turn, rest: str) -> Reply:
    """``projects``: every project with its owner, deputy and template; Edit and Add buttons."""
    refused = await require_admin(turn, "setup.projects")
    if isinstance(refused, ErrorReply):
        return refused
    return await projects_card(turn)


async def setup_command(turn: Turn, rest: str) -> Reply:
    """``setup``, ``setup schedule``, ``setup channel``, ``setup roles``, ``setup project [name]``."""
    refused = await require_admin(turn, "setup.open", target=rest[:60])
    if isinstance(refused, ErrorReply):
        return refused
    what, _, argument = rest.strip().partition(" ")
    what = what.lower()
    if what == "schedule":
        org = await load_organisation(turn.services)
        return CardReply(build_schedule_form(org.schedule, org.timezone))
    if what == "channel":
        return await channel_form(turn)
    if what == "roles":
        people = [p for p in await load_people(turn) if p.active]
        return CardReply(build_roles_form(people))
    if what in ("project", "projects"):
        if not argument.strip():
            if what == "projects":
                return await projects_card(turn)
            return CardReply(build_project_form(None, possible_owners(await load_people(turn))))
        project = _find_project(await load_projects(turn), argument)
        if project is None:
            return TextReply(messages.SETUP_UNKNOWN_PROJECT.format(name=argument.strip()[:80]))
        return CardReply(edit_form(project, await load_people(turn)))
    return TextReply(messages.SETUP_HELP)


def _find_project(projects: Sequence[Project], text: str) -> Project | None:
    wanted = text.strip().lower()
    return next((p for p in projects if wanted in (p.project_id, p.name.lower())), None)


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
