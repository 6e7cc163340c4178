"""``status`` and ``skip`` typed in chat."""

from __future__ import annotations

from bot.domain.models import UpdateState
from bot.domain.weeks import week_label
from cards.commands import build_status_card
from dialogs import update
from dialogs.context import my_week
from dialogs.skip_chat import SKIP_DIALOG
from dialogs.turn import BeginDialog, CardReply, Reply, TextReply, Turn


async def status(turn: Turn, rest: str = "") -> Reply:
    """My projects this week: submitted, draft, skipped or missing."""
    mine = await my_week(turn)
    if isinstance(mine, TextReply):
        return mine
    stored = {u.project_id: u for u in await turn.services.store.updates.list(partition=mine.week)}
    rows: list[tuple[str, str]] = []
    for project in mine.projects:
        found = stored.get(project.project_id)
        if found is None:
            state = "missing"
        elif found.state is UpdateState.SUBMITTED:
            state = "submitted (late)" if found.late else "submitted"
        elif found.state is UpdateState.SKIPPED:
            state = f"skipped ({found.skip_reason})" if found.skip_reason else "skipped"
        else:
            state = "draft"
        rows.append((project.name, state))
    return CardReply(build_status_card(week_label=week_label(mine.week), rows=rows))


async def skip_command(turn: Turn, rest: str) -> Reply:
    """``skip [reason]``: skips this week for your only project; with several, asks which (a chat dialog)."""
    mine = await my_week(turn)
    if isinstance(mine, TextReply):
        return mine
    projects, week = mine.projects, mine.week
    if len(projects) > 1:
        choices = [(p.project_id, p.name) for p in projects]
        return BeginDialog(SKIP_DIALOG, {"week": week, "projects": choices})
    reply = await update.skip(turn, {"project": projects[0].project_id, "week": week, "skip_reason": rest})
    if isinstance(reply, CardReply):
        await turn.send_card(reply.card)
        return TextReply(f"Skipped {projects[0].name} for {week_label(week)}.")
    return reply
