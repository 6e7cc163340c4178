"""Which week people are answering for, and whether a week's answers can still change."""

from __future__ import annotations

from datetime import datetime

from bot.domain.calendar import organisation_phase_times
from bot.domain.models import Edition, EditionState, Organisation, Phase
from bot.domain.weeks import previous_week, week_of


def current_week(organisation: Organisation, now: datetime) -> str:
    """The week whose card ``update`` shows: this ISO week once it is prompted, else last week."""
    from zoneinfo import ZoneInfo

    week = week_of(now.astimezone(ZoneInfo(organisation.timezone)).date())
    if now < organisation_phase_times(organisation, week)[Phase.PROMPT]:
        return previous_week(week)
    return week


def is_late(organisation: Organisation, week: str, now: datetime) -> bool:
    """True once ``week`` has passed its close time."""
    return now >= organisation_phase_times(organisation, week)[Phase.CLOSE]


def accepts_answers(edition: Edition | None, week: str, current: str) -> bool:
    """Whether answers for ``week`` can be stored: not a future week, and an older week only until published.

    The current week's answers stay editable after publishing (the director is then asked to republish).
    """
    if week > current:
        return False
    if week == current:
        return True
    return edition is None or edition.state is not EditionState.PUBLISHED
