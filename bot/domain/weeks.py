"""ISO week arithmetic: week ids (``2026-W20``), their dates, and the labels people read.

A weeknote is named by the ISO 8601 week it reports on: weeks start on Monday, and week 1 is the week that
holds the year's first Thursday, so ``2026-W01`` starts on Monday 29 December 2025. The label people read is
the Friday of that week ("week ending 15 May 2026"); date ranges read the way the reference weeknote writes
them ("6 to 12 April 2026", "28 April to 4 May 2026", "29 December 2025 to 4 January 2026").
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from bot.errors import InputError

_WEEK_RE = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


class WeekError(InputError, ValueError):
    """A week id is not a valid ISO week such as ``2026-W20``; the message is safe to show."""


def parse_week(text: str) -> tuple[int, int]:
    """Parses an ISO week id into its ISO year and week number.

    Surrounding spaces and a lower-case ``w`` are accepted (``" 2026-w5 "``); anything else is refused.

    Args:
        text: A week id such as ``2026-W20``.

    Returns:
        ``(iso_year, week_number)``, e.g. ``(2026, 20)``.

    Raises:
        WeekError: The text is not a week id, or that year has no such week (``2026-W53``).
    """
    match = _WEEK_RE.match(text.strip())
    if match is None:
        raise WeekError(f"\u201c{text.strip()[:40]}\u201d is not a week: write it like 2026-W20.")
    year, week = int(match.group(1)), int(match.group(2))
    if year < 1 or week < 1:
        raise WeekError(f"{year}-W{week:02d} is not a week: weeks are numbered from 1.")
    try:
        date.fromisocalendar(year, week, 1)
    except ValueError:
        raise WeekError(f"{year} has no week {week}: it has {_weeks_in_year(year)} weeks.") from None
    return year, week


def validate_week(text: str) -> str:
    """Returns the canonical form of a week id (``2026-W05``), refusing anything that is not one.

    Args:
        text: A week id, possibly with spaces or a lower-case ``w``.

    Returns:
        The week id as stored and shown, e.g. ``2026-W05``.

    Raises:
        WeekError: The text is not a valid ISO week.
    """
    return format_week(*parse_week(text))


def format_week(year: int, week: int) -> str:
    """Formats an ISO year and week number as a week id.

    Args:
        year: The ISO year (not always the calendar year of every day in the week).
        week: The ISO week number, 1 to 52 or 53.

    Returns:
        The week id, e.g. ``2026-W05``.
    """
    return f"{year:04d}-W{week:02d}"


def monday_of(week: str) -> date:
    """Returns the Monday a week starts on.

    Args:
        week: A week id.

    Returns:
        The Monday of that ISO week.

    Raises:
        WeekError: ``week`` is not a valid week id.
    """
    year, number = parse_week(week)
    return date.fromisocalendar(year, number, 1)


def week_dates(week: str) -> tuple[date, ...]:
    """Returns the seven dates of a week, Monday to Sunday.

    Args:
        week: A week id.

    Returns:
        Seven consecutive dates starting on the week's Monday.

    Raises:
        WeekError: ``week`` is not a valid week id.
    """
    monday = monday_of(week)
    return tuple(monday + timedelta(days=offset) for offset in range(7))


def week_of(day: date) -> str:
    """Returns the id of the ISO week that contains a date.

    Args:
        day: Any date (a ``datetime`` is read by its date in its own time zone).

    Returns:
        The week id, e.g. ``week_of(date(2026, 1, 1)) == "2026-W01"``.
    """
    iso = day.isocalendar()
    return format_week(iso.year, iso.week)


def next_week(week: str) -> str:
    """Returns the id of the week after ``week`` (``2026-W53`` -> ``2027-W01``; 2025 has no W53)."""
    return week_of(monday_of(week) + timedelta(days=7))


def previous_week(week: str) -> str:
    """Returns the id of the week before ``week`` (``2027-W01`` -> ``2026-W53``, as 2026 has 53 weeks)."""
    return week_of(monday_of(week) - timedelta(days=7))


def add_weeks(week: str, count: int) -> str:
    """Returns the id of the week ``count`` weeks after (or, if negative, before) ``week``."""
    return week_of(monday_of(week) + timedelta(days=7 * count))


def long_date(day: date) -> str:
    """Formats a date the way the weeknote writes it: ``15 May 2026`` (no leading zero, full month name).

    Independent of the process locale, so a server set to another language still writes UK English.
    """
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def week_label(week: str) -> str:
    """Returns the label people read for a week: ``week ending 15 May 2026``.

    The label names the Friday of the ISO week, the last working day the weeknote reports on.

    Args:
        week: A week id.

    Returns:
        The label, in lower case so it reads inside a sentence ("the weeknote for week ending ...").

    Raises:
        WeekError: ``week`` is not a valid week id.
    """
    return f"week ending {long_date(monday_of(week) + timedelta(days=4))}"


def date_range_text(start: date, end: date) -> str:
    """Writes a range of dates as the weeknote does, naming the month and year only once where shared.

    Examples: ``6 to 12 April 2026``, ``28 April to 4 May 2026``,
    ``29 December 2025 to 4 January 2026``; a single day is just ``6 April 2026``.

    Args:
        start: The first day.
        end: The last day, not before ``start``.

    Returns:
        The range as text.

    Raises:
        ValueError: ``end`` is before ``start``.
    """
    if end < start:
        raise ValueError(f"the range ends ({end}) before it starts ({start})")
    if start == end:
        return long_date(start)
    if start.year != end.year:
        return f"{long_date(start)} to {long_date(end)}"
    if start.month != end.month:
        return f"{start.day} {MONTHS[start.month - 1]} to {long_date(end)}"
    return f"{start.day} to {long_date(end)}"


def week_range_text(week: str) -> str:
    """Writes a week's Monday-to-Sunday range, e.g. ``6 to 12 April 2026`` for ``2026-W15``."""
    days = week_dates(week)
    return date_range_text(days[0], days[-1])


def _weeks_in_year(year: int) -> int:
    # 28 December is always in the last ISO week of its year.
    return date(year, 12, 28).isocalendar().week
