"""Setup from chat: the roles form (``setup.role``), one person's roles at a time."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from bot import messages
from bot.domain.models import Role
from bot.errors import ConcurrencyError
from bot.org_file import OWNER_ROLES
from cards.setup import build_roles_form
from dialogs.setup_common import ADMIN_ROLES, form_text, load_people, load_projects, require_admin
from dialogs.turn import CardReply, ErrorReply, Reply, Turn


def _roles(value: Any) -> list[str]:
    """Teams sends a multi-select as ``"a,b"``; the fallback may send a list."""
    items = value if isinstance(value, list) else str(value or "").split(",")
    return [str(item).strip().lower() for item in items if str(item).strip()]


async def role_action(turn: Turn, data: Mapping[str, Any]) -> Reply:
    """``setup.role``: replace one person's roles (the import's rules, and never lose the last admin)."""
    email = form_text(data, "person").lower()[:254]
    refused = await require_admin(turn, "setup.role", target=email)
    if isinstance(refused, ErrorReply):
        return refused
    people = await load_people(turn)
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
    answering = [p.name for p in await load_projects(turn) if p.active and p.is_answerable_by(email)]
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
