"""The cadence calendar: when each week's edition is prompted, reminded and closed.

The organisation's :class:`~bot.domain.models.Schedule` names a weekday and a local 24-hour time for each
phase (``"thu 10:00"``, ``"fri 10:00"``, ``"mon 09:00"``), read in the organisation's time zone.

Rules, for the edition of ISO week W:

1. **Nominal times.** PROMPT is on W's prompt weekday at the prompt time. REMIND is the first remind
   weekday-and-time strictly after the prompt; CLOSE the first close weekday-and-time strictly after the
   remind. With the default schedule that is Thursday and Friday of W, then Monday of W+1.
2. **Bank holidays.** A phase whose day is a public holiday (``holidays`` package, by default England and
   Wales: ``GB``/``ENG``) moves to the next working day (Monday to Friday, not a holiday) at the same local
   time. A phase on a weekend that is not a holiday stays where the schedule put it.
3. **Order.** Each phase stays strictly after the one before it: if moving the prompt pushed it to or past
   the remind, the remind moves on to the next working day after its own date (same local time), and so on
   for the close. So Good Friday 3 April 2026 (remind) and Easter Monday 6 April 2026 (close) give a remind
   on Tuesday 7 April at 10:00 and a close on Wednesday 8 April at 09:00, never a close before the remind.
4. **Wall-clock time.** Times are local: 10:00 stays 10:00 in London across the last Sundays of March and
   October, so the UTC instant moves by an hour. A local time that does not exist (skipped by a clock
   change) resolves as ``zoneinfo`` does with ``fold=0``: one hour later in the new offset. Returned
   datetimes are timezone-aware, in UTC.

Which phases are due (:func:`due_phases`): a phase is due once its time has passed and while its week is
still current, so a phase missed while the service was down still runs when it comes back, but never a
week late:

- PROMPT and REMIND of week W are due while ``phase time <= now < PROMPT of week W+1``;
- CLOSE of week W is due while ``close time <= now < close time + 7 days``.

Callers make each (week, phase) happen at most once (a claim in storage); this module only says what is due.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

from bot.domain.models import Organisation, Phase, Schedule
from bot.domain.weeks import add_weeks, monday_of, week_of
from bot.errors import InputError

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
CADENCE_PHASES = (Phase.PROMPT, Phase.REMIND, Phase.CLOSE)
DEFAULT_TIMEZONE = "Europe/London"
DEFAULT_COUNTRY = "GB"
DEFAULT_SUBDIVISION = "ENG"

_SLOT_RE = re.compile(r"^([a-z]+)\s+(\d{1,2}):(\d{2})$")
# How far a holiday can push a phase: long enough for any real run of holidays, short enough to stop a
# misconfigured calendar from looping for ever.
_MAX_SHIFT_DAYS = 31


class ScheduleError(InputError, ValueError):
    """A schedule, time zone or holiday calendar is invalid; the message names the field and the problem."""


@dataclass(frozen=True)
class Slot:
    """A weekday (0 = Monday) and a local time of day."""

    weekday: int
    at: time


def parse_slot(text: str, *, field: str = "schedule") -> Slot:
    """Parses a schedule entry such as ``"thu 10:00"``.

    Day names are ``mon`` to ``sun`` (longer names such as ``thursday`` and any case are accepted);
    times are 24-hour ``HH:MM``.

    Args:
        text: The schedule entry.
        field: The name of the setting, used in the error message.

    Returns:
        The weekday and time.

    Raises:
        ScheduleError: The entry is not a day and a time.
    """
    cleaned = " ".join(text.strip().lower().split())
    match = _SLOT_RE.match(cleaned)
    if match is None:
        raise ScheduleError(
            f"{field} \u201c{text.strip()[:40]}\u201d should be a day and a 24-hour time, "
            "like \u201cthu 10:00\u201d."
        )
    day_name, hours, minutes = match.group(1), int(match.group(2)), int(match.group(3))
    weekday = _weekday(day_name)
    if weekday is None:
        raise ScheduleError(
            f"{field}: \u201c{match.group(1)}\u201d is not a day; use mon, tue, wed, thu, fri, sat or sun."
        )
    if hours > 23 or minutes > 59:
        raise ScheduleError(
            f"{field}: {hours}:{minutes:02d} is not a time; use 24-hour times from 00:00 to 23:59."
        )
    return Slot(weekday, time(hours, minutes))


def validate_schedule(schedule: Schedule) -> dict[Phase, Slot]:
    """Checks every entry of a schedule and returns them parsed.

    Args:
        schedule: The organisation's schedule.

    Returns:
        The slot of each cadence phase.

    Raises:
        ScheduleError: One entry is invalid (the first found; the message names it).
    """
    return {
        Phase.PROMPT: parse_slot(schedule.prompt, field="prompt"),
        Phase.REMIND: parse_slot(schedule.remind, field="remind"),
        Phase.CLOSE: parse_slot(schedule.close, field="close"),
    }


def validate_timezone(name: str) -> ZoneInfo:
    """Returns the time zone of an IANA name (``Europe/London``).

    Raises:
        ScheduleError: No such time zone is known.
    """
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ScheduleError(
            f"time zone \u201c{name[:60]}\u201d is not known; use a name like Europe/London."
        ) from None


def validate_holidays(country: str, subdiv: str = "") -> None:
    """Checks that the ``holidays`` package knows a country (and subdivision).

    Raises:
        ScheduleError: The country or subdivision is not supported.
    """
    _holiday_calendar(country, subdiv)


def is_working_day(day: date, *, country: str = DEFAULT_COUNTRY, subdiv: str = DEFAULT_SUBDIVISION) -> bool:
    """True if ``day`` is Monday to Friday and not a public holiday in ``country``/``subdiv``."""
    return day.weekday() < 5 and day not in _holiday_calendar(country, subdiv)


def phase_times(
    week: str,
    schedule: Schedule,
    tz: str = DEFAULT_TIMEZONE,
    country: str = DEFAULT_COUNTRY,
    subdiv: str = DEFAULT_SUBDIVISION,
) -> dict[Phase, datetime]:
    """Returns when the edition of ``week`` is prompted, reminded and closed (see the module rules).

    Args:
        week: The edition's ISO week id.
        schedule: The organisation's schedule.
        tz: The organisation's time zone (IANA name).
        country: The holiday calendar's country code (``GB``).
        subdiv: The holiday calendar's subdivision (``ENG``), or ``""`` for the whole country.

    Returns:
        The UTC time of PROMPT, REMIND and CLOSE, in that order and strictly increasing.

    Raises:
        WeekError: ``week`` is not a week id.
        ScheduleError: The schedule, time zone or holiday calendar is invalid.
    """
    slots = validate_schedule(schedule)
    zone = validate_timezone(tz)
    holiday_days = _holiday_calendar(country, subdiv)

    def working(day: date) -> bool:
        return day.weekday() < 5 and day not in holiday_days

    def next_working(day: date, *, after: bool) -> date:
        candidate = day + timedelta(days=1) if after else day
        for _ in range(_MAX_SHIFT_DAYS):
            if working(candidate):
                return candidate
            candidate += timedelta(days=1)
        raise ScheduleError(f"no working day within {_MAX_SHIFT_DAYS} days of {day} in {country} {subdiv}")

    prompt_slot = slots[Phase.PROMPT]
    nominal_day = monday_of(week) + timedelta(days=prompt_slot.weekday)
    times: dict[Phase, datetime] = {}
    previous_nominal: datetime | None = None
    previous_actual: datetime | None = None
    for phase in CADENCE_PHASES:
        slot = slots[phase]
        if previous_nominal is not None:
            nominal_day = _first_after(previous_nominal, slot)
        nominal = datetime.combine(nominal_day, slot.at, tzinfo=zone)
        day = nominal_day if nominal_day not in holiday_days else next_working(nominal_day, after=True)
        actual = datetime.combine(day, slot.at, tzinfo=zone)
        while previous_actual is not None and actual <= previous_actual:
            day = next_working(day, after=True)
            actual = datetime.combine(day, slot.at, tzinfo=zone)
        times[phase] = actual.astimezone(UTC)
        previous_nominal, previous_actual = nominal, actual
    return times


def due_phases(
    now: datetime,
    schedule: Schedule,
    tz: str = DEFAULT_TIMEZONE,
    country: str = DEFAULT_COUNTRY,
    subdiv: str = DEFAULT_SUBDIVISION,
) -> list[tuple[str, Phase]]:
    """Returns every (week, phase) that is due at ``now`` (see the module docstring for "due").

    Args:
        now: The current time; must be timezone-aware.
        schedule: The organisation's schedule.
        tz: The organisation's time zone (IANA name).
        country: The holiday calendar's country code.
        subdiv: The holiday calendar's subdivision.

    Returns:
        The due (week id, phase) pairs, earliest phase time first.

    Raises:
        ValueError: ``now`` is naive.
        ScheduleError: The schedule, time zone or holiday calendar is invalid.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    zone = validate_timezone(tz)
    this_week = week_of(now.astimezone(zone).date())
    due: list[tuple[datetime, str, Phase]] = []
    # A week's close runs into the next week (plus a 7-day window), so look a few weeks back.
    for offset in range(-3, 1):
        week = add_weeks(this_week, offset)
        times = phase_times(week, schedule, tz, country, subdiv)
        next_prompt = phase_times(add_weeks(week, 1), schedule, tz, country, subdiv)[Phase.PROMPT]
        for phase, at in times.items():
            until = at + timedelta(days=7) if phase is Phase.CLOSE else next_prompt
            if at <= now < until:
                due.append((at, week, phase))
    due.sort()
    return [(week, phase) for _, week, phase in due]


def organisation_phase_times(organisation: Organisation, week: str) -> dict[Phase, datetime]:
    """:func:`phase_times` with the organisation's schedule, time zone and holiday calendar."""
    return phase_times(
        week,
        organisation.schedule,
        organisation.timezone,
        organisation.holidays_country,
        organisation.holidays_subdivision,
    )


def organisation_due_phases(organisation: Organisation, now: datetime) -> list[tuple[str, Phase]]:
    """:func:`due_phases` with the organisation's schedule, time zone and holiday calendar."""
    return due_phases(
        now,
        organisation.schedule,
        organisation.timezone,
        organisation.holidays_country,
        organisation.holidays_subdivision,
    )


_DAY_NAMES = {
    **{day: index for index, day in enumerate(DAYS)},
    **{
        day: index
        for index, day in enumerate(
            ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
        )
    },
}


def _weekday(name: str) -> int | None:
    return _DAY_NAMES.get(name)


def _first_after(previous: datetime, slot: Slot) -> date:
    """The date of the first ``slot`` strictly after ``previous`` (local wall-clock comparison)."""
    days_ahead = (slot.weekday - previous.weekday()) % 7
    candidate = previous.date() + timedelta(days=days_ahead)
    if days_ahead == 0 and slot.at <= previous.time():
        candidate += timedelta(days=7)
    return candidate


@lru_cache(maxsize=16)
def _holiday_calendar(country: str, subdiv: str) -> holidays.HolidayBase:
    if country not in holidays.list_supported_countries():
        raise ScheduleError(
            f"holidays: country \u201c{country[:20]}\u201d is not supported; use a code like GB."
        )
    try:
        return holidays.country_holidays(country, subdiv=subdiv or None)
    except NotImplementedError:
        raise ScheduleError(
            f"holidays: \u201c{subdiv[:20]}\u201d is not a subdivision of {country}; for England use ENG."
        ) from None
