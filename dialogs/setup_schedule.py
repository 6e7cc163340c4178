"""Setup from chat: the schedule form (``setup.schedule``), the week's three times and the time zone."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from bot import messages
from bot.domain.calendar import ScheduleError, parse_slot, validate_timezone
from bot.domain.models import Schedule
from bot.errors import ConcurrencyError
from cards.setup import build_schedule_form
from dialogs.context import load_organisation
from dialogs.setup_common import form_text, require_admin
from dialogs.turn import CardReply, ErrorReply, Reply, TextReply, Turn

_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_NAMES = ("Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays", "Sundays")


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
    refused = await require_admin(turn, "setup.schedule")
    if isinstance(refused, ErrorReply):
        return refused
    errors: dict[str, str] = {}
    typed = {key: form_text(data, key)[:64] for key in ("prompt", "remind", "close", "timezone")}
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
