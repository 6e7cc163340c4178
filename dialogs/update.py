"""The project manager's weekly update: card in, answers stored, summary card back.

```mermaid
stateDiagram-v2
    [*] --> Card: "update" / weekly prompt
    Card --> Card: Save draft (notice) / invalid input (errors, values kept)
    Card --> Submitted: Submit update
    Card --> Skipped: Skip this week
    Card --> HandedOver: Hand over to deputy (deputy gets the card)
    Submitted --> Card: Edit (until the week can no longer change)
    Skipped --> Card: Edit
```
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from bot.domain.compile import compile_weeknote
from bot.domain.editions import is_late
from bot.domain.models import Edition, EditionState, Update, UpdateState
from bot.domain.weeks import week_label
from bot.errors import WeeknotesError
from bot.ports import Card
from bot.storage.modify import modify
from cards.update import build_update_card, build_update_summary_card
from dialogs.context import (
    ProjectWeek,
    check_card,
    load_project_week,
    my_week,
    people_by_email,
    people_named,
)
from dialogs.turn import CardReply, ErrorReply, Reply, TextReply, Turn
from dialogs.update_form import read_form


def update_card(
    context: ProjectWeek,
    *,
    errors: Mapping[str, str] | None = None,
    values: Mapping[str, str] | None = None,
    notice: str = "",
) -> Card:
    """The input card for a checked project-week."""
    return build_update_card(
        project=context.project,
        week=context.week,
        week_label=context.label,
        update=context.update,
        previous=context.previous,
        errors=errors,
        values=values,
        notice=notice,
        viewer_is_owner=context.is_owner,
    )


async def summary_card(turn: Turn, context: ProjectWeek, update: Update) -> Card:
    """The read-only card showing what was stored, shaped like the weeknote section."""
    # One section names only its author (or the owner): read those two, not everyone.
    people = await people_named(turn.services, (update.author, context.project.owner))
    edition = context.edition or Edition(week=context.week)
    weeknote = compile_weeknote(
        organisation=context.organisation,
        edition=edition,
        people=people,
        projects=[context.project],
        updates=[update],
        previous_updates=[context.previous] if context.previous else [],
    )
    section = weeknote.sections[0] if weeknote.sections else None
    can_edit = (
        context.edition is None
        or context.edition.state is not EditionState.PUBLISHED
        or (context.week == context.current)
    )
    return build_update_summary_card(
        project=context.project, week_label=context.label, section=section, update=update, can_edit=can_edit
    )


async def _store(turn: Turn, context: ProjectWeek, change: Callable[[Update | None], Update]) -> Update:
    """Apply ``change(stored_or_None) -> Update`` with optimistic concurrency, re-reading on conflict."""
    saved = await modify(
        turn.services.store.updates,
        partition=context.week,
        key=context.project.project_id,
        change=change,
        current=context.update,
        known=True,
    )
    assert saved is not None  # change always returns a record
    return saved


async def _mark_republish(turn: Turn, context: ProjectWeek) -> None:
    if context.edition is None or context.edition.state is not EditionState.PUBLISHED:
        return

    def flag(stored: Edition | None) -> Edition | None:
        if stored is None or stored.needs_republish:
            return None  # nothing to flag, or already flagged (and the reviewers told)
        return replace(stored, needs_republish=True)

    flagged = await modify(
        turn.services.store.editions, partition=Edition.partition_key, key=context.week, change=flag
    )
    if flagged is not None:
        # Tell the reviewers (a digest with Republish), after this turn has been answered.
        from bot.review.digest import notify_republish

        services = turn.services
        services.tasks.start(notify_republish(services, context.week), name=f"republish-{context.week}")


async def _save_answers(turn: Turn, data: Mapping[str, Any], *, submitting: bool) -> Reply:
    context = await check_card(turn, data)
    if isinstance(context, ErrorReply):
        return context
    form = read_form(context.project, data, submitting=submitting)
    if not form.ok:
        await turn.audit(
            "update.invalid",
            target=context.project.project_id,
            outcome="refused",
            detail=", ".join(sorted(form.errors)),
        )
        return CardReply(update_card(context, errors=form.errors, values=form.values))
    now = turn.services.clock()
    late = submitting and is_late(context.organisation, context.week, now)
    state = UpdateState.SUBMITTED if submitting else UpdateState.DRAFT

    def change(stored: Update | None) -> Update:
        base = stored or Update(week=context.week, project_id=context.project.project_id)
        # Saving a draft of a submitted update keeps it submitted.
        keep = not submitting and base.state is UpdateState.SUBMITTED
        state_now = UpdateState.SUBMITTED if keep else state
        return replace(
            base,
            state=state_now,
            rag=form.rag,
            answers=form.answers,
            metric_values=form.metric_values,
            author=context.person.email,
            updated_at=now,
            submitted_at=now if submitting else base.submitted_at,
            late=late or (base.late and not submitting),
            skip_reason="",
        )

    saved = await _store(turn, context, change)
    await turn.audit(
        "update.submit" if submitting else "update.draft",
        target=f"{context.project.project_id}@{context.week}",
    )
    if submitting:
        await _mark_republish(turn, context)
        return CardReply(await summary_card(turn, context, saved))
    fresh = replace(context, update=saved)
    return CardReply(
        update_card(fresh, notice=f"Draft saved at {_local_time(context, now)}. Submit when ready.")
    )


def _local_time(context: ProjectWeek, now: Any) -> str:
    from zoneinfo import ZoneInfo

    return str(now.astimezone(ZoneInfo(context.organisation.timezone)).strftime("%H:%M"))


async def submit(turn: Turn, data: Mapping[str, Any]) -> Reply:
    """``update.submit``."""
    return await _save_answers(turn, data, submitting=True)


async def save_draft(turn: Turn, data: Mapping[str, Any]) -> Reply:
    """``update.draft``."""
    return await _save_answers(turn, data, submitting=False)


async def skip(turn: Turn, data: Mapping[str, Any]) -> Reply:
    """``update.skip``: no section this week, with an optional reason (drafted answers are kept)."""
    context = await check_card(turn, data)
    if isinstance(context, ErrorReply):
        return context
    reason = data.get("skip_reason") if isinstance(data.get("skip_reason"), str) else ""
    reason = str(reason).strip()[:500]
    now = turn.services.clock()

    def change(stored: Update | None) -> Update:
        base = stored or Update(week=context.week, project_id=context.project.project_id)
        return replace(
            base, state=UpdateState.SKIPPED, skip_reason=reason, author=context.person.email, updated_at=now
        )

    saved = await _store(turn, context, change)
    await turn.audit("update.skip", target=f"{context.project.project_id}@{context.week}")
    await _mark_republish(turn, context)
    return CardReply(await summary_card(turn, context, saved))


async def edit(turn: Turn, data: Mapping[str, Any]) -> Reply:
    """``update.edit``: the input card again, prefilled with what is stored."""
    context = await check_card(turn, data)
    if isinstance(context, ErrorReply):
        return context
    return CardReply(update_card(context))


async def hand_over(turn: Turn, data: Mapping[str, Any]) -> Reply:
    """``update.handover``: the owner passes this week's update to the deputy, who gets the card."""
    context = await check_card(turn, data)
    if isinstance(context, ErrorReply):
        return context
    project = context.project
    if not context.is_owner or not project.deputy:
        return ErrorReply("Only the project's owner can hand over, and only to a named deputy.", status=403)
    now = turn.services.clock()

    def change(stored: Update | None) -> Update:
        base = stored or Update(week=context.week, project_id=project.project_id)
        return replace(base, handed_over_to=project.deputy, updated_at=now)

    await _store(turn, context, change)
    await turn.audit("update.handover", target=f"{project.project_id}@{context.week}", detail=project.deputy)
    people = await people_by_email(turn.services)
    deputy = people.get(project.deputy)
    deputy_name = deputy.name if deputy else project.deputy
    if deputy is not None:
        deputy_context = await load_project_week(turn.services, project, context.week, deputy)
        card = update_card(
            deputy_context, notice=f"{context.person.name} handed this week's update over to you."
        )
        # A proactive send retries a throttled connector for up to a minute: after answering, never before.
        turn.services.tasks.start(
            _send_hand_over(turn, deputy.email, card, target=f"{project.project_id}@{context.week}"),
            name=f"handover-{project.project_id}-{context.week}",
        )
    return TextReply(f"Done: {deputy_name} has been sent this week's card for {project.name}.")


async def _send_hand_over(turn: Turn, email: str, card: Card, *, target: str) -> None:
    try:
        await turn.services.messenger.send_to_person(email=email, card=card)
    except WeeknotesError as error:
        await turn.audit("update.handover", target=target, outcome="failed", detail=type(error).__name__)
        raise


async def send_cards(turn: Turn) -> Reply:
    """``update`` (typed or the button): one card per project the person owns or deputises."""
    mine = await my_week(turn)
    if isinstance(mine, TextReply):
        return mine
    for project in mine.projects:
        context = await load_project_week(turn.services, project, mine.week, mine.person)
        if context.update is not None and context.update.state is not UpdateState.DRAFT:
            await turn.send_card(await summary_card(turn, context, context.update))
        else:
            await turn.send_card(update_card(context))
    return TextReply(
        f"Here {'is your card' if len(mine.projects) == 1 else 'are your cards'} for {week_label(mine.week)}."
    )
