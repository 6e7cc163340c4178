"""What the setup forms share: who may use them, the people and projects they show, and reading an input."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot import messages
from bot.domain.models import Person, Project, Role
from dialogs.turn import ErrorReply, Turn

ADMIN_ROLES = (Role.DIRECTOR, Role.ADMIN)


# ---- who may ------------------------------------------------------------------------------------------


async def require_admin(turn: Turn, action: str, target: str = "") -> Person | ErrorReply:
    """The sender, if they may change the set-up; otherwise a refusal (audited)."""
    person = turn.actor.person
    if person is not None and person.active and person.has_role(*ADMIN_ROLES):
        return person
    await turn.audit(action, target=target, outcome="refused", detail="not director or admin")
    return ErrorReply(messages.SETUP_REFUSED, status=403)


# ---- loading ------------------------------------------------------------------------------------------


async def load_people(turn: Turn) -> list[Person]:
    """Every stored person, by name."""
    people = await turn.services.store.people.list(partition=Person.partition_key)
    return sorted(people, key=lambda p: (p.name.lower(), p.email))


async def load_projects(turn: Turn) -> list[Project]:
    """Every stored project: active ones first, in their order."""
    projects = await turn.services.store.projects.list(partition=Project.partition_key)
    return sorted(projects, key=lambda p: (not p.active, p.order, p.name.lower()))


def form_text(data: Mapping[str, Any], key: str) -> str:
    """A form input as trimmed text (``""`` if it is missing or not a single value)."""
    value = data.get(key)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).strip() if isinstance(value, str | int | float) else ""
