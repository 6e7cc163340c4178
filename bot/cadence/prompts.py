"""Sending a person their cards for a week: the weekly prompt, a reminder, or a chase from the director."""

from __future__ import annotations

from bot.domain.models import Person, UpdateState
from bot.ports import Sent, Services
from dialogs.context import load_project_week, projects_of
from dialogs.update import update_card

PROMPT_NOTICE = "It's time for this week's update. Fill it in here; you can save a draft and come back."
REMIND_NOTICE = "A gentle reminder: this week's update hasn't been sent yet. It only takes a few minutes."
CHASE_NOTICE = "{director} is putting the weeknote together and would love your update for this project."


async def prompt_person(
    services: Services, *, week: str, person: Person, notice: str = PROMPT_NOTICE, only_missing: bool = False
) -> list[Sent]:
    """Send ``person`` one card per project they answer for in ``week``.

    Args:
        services: The app's services.
        week: The ISO week the cards are for.
        person: Who to send to (owner or deputy).
        notice: The line shown at the top of each card.
        only_missing: Skip projects already submitted or skipped (reminders and chases).

    Returns:
        What was sent (empty if nothing was due).
    """
    sent: list[Sent] = []
    for project in await projects_of(services, person.email):
        context = await load_project_week(services, project, week, person)
        if only_missing and context.update is not None and context.update.state is not UpdateState.DRAFT:
            continue
        card = update_card(context, notice=notice)
        sent.append(await services.messenger.send_to_person(email=person.email, card=card))
    return sent
