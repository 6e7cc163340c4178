"""Metric values: reading what a PM typed, and the week-on-week sentences the weeknote prints.

Sentences follow the reference weeknote:

- ``Licences issued increased by 12.5% (from 1,200 to 1,350 users)``; the percentage has one decimal and is
  measured against last week's value;
- a change under 1% reads ``increased slightly by 0.2%``; one that rounds to 0.0% reads
  ``increased slightly by less than 0.1%``;
- equal values: ``Licences issued unchanged at 1,200 users``;
- no value last week: ``Licences issued: 1,350 users``; no value this week: ``Licences issued: not reported``;
- a percentage only means something against a positive base, so when last week was 0 or either value is
  negative there is none: ``Licences issued increased from 0 to 5 users``, ``Balance decreased from 2 to -3``;
- values are compared as shown, rounded to two decimals (1.001 and 1.004 are "unchanged at 1");
- numbers have thousands separators; non-integers show up to two decimals with trailing zeros trimmed
  (``2.5``, ``3.75``); the unit follows the second number (none if the unit is empty; ``%`` sits on both
  numbers without a space: ``from 5% to 7.5%``).
"""

from __future__ import annotations

import math
import re

from bot.errors import InputError

MAX_METRIC_VALUE = 1e12
SIGNIFICANT_CHANGE_PERCENT = 10.0
"""A metric moving by more than this (either way) is called out in the section's changes."""

_NUMBER_RE = re.compile(r"^[+-]?(?:(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+)$")


class MetricValueError(InputError, ValueError):
    """A metric value typed by a PM is not a usable number; the message is plain English, safe to show."""


def parse_metric_value(text: str) -> float | None:
    """Reads a metric value as typed on the card.

    Accepted: plain or comma-grouped numbers with an optional sign and decimals (``1,350``, `` 1350 ``,
    ``12.5``, ``-3``, ``−3`` with a Unicode minus). Blank text means "not reported".

    Args:
        text: What the PM typed.

    Returns:
        The value, or ``None`` for blank text.

    Raises:
        MetricValueError: The text is not a number, its commas are misplaced (``1,35,0``), it is not finite,
            or it is larger than a trillion.
    """
    cleaned = text.strip().replace("\u2212", "-")
    if not cleaned:
        return None
    shown = cleaned[:40]
    if not _NUMBER_RE.match(cleaned):
        if "," in cleaned and _NUMBER_RE.match(cleaned.replace(",", "")):
            raise MetricValueError(
                f"\u201c{shown}\u201d has a comma in the wrong place: write it like 1,350 or 1350."
            )
        raise MetricValueError(f"\u201c{shown}\u201d is not a number: write it like 1,350 or 12.5.")
    value = float(cleaned.replace(",", ""))
    if not math.isfinite(value) or abs(value) > MAX_METRIC_VALUE:
        raise MetricValueError(f"\u201c{shown}\u201d is too large: metric values must be under a trillion.")
    return value


def percent_change(current: float | None, previous: float | None) -> float | None:
    """Returns the change from ``previous`` to ``current`` as a percentage of ``previous``'s size.

    Args:
        current: This week's value.
        previous: Last week's value.

    Returns:
        ``(current - previous) / |previous| * 100``, so positive means "went up" even from a negative base;
        ``None`` if either value is missing or ``previous`` is 0.
    """
    if current is None or previous is None or previous == 0:
        return None
    change = (current - previous) / abs(previous) * 100
    return change if math.isfinite(change) else None


def format_number(value: float) -> str:
    """Formats a value for a sentence: ``1,350``, ``2.5``, ``3.75``, ``-1,234.5`` (at most two decimals)."""
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def format_quantity(value: float, unit: str) -> str:
    """Formats a value with its unit: ``1,350 users``, ``7.5%``, or just ``1,350`` with no unit."""
    number = format_number(value)
    unit = unit.strip()
    if not unit:
        return number
    if unit == "%":
        return f"{number}%"
    return f"{number} {unit}"


def metric_sentence(name: str, unit: str, current: float | None, previous: float | None) -> str:
    """Writes the week-on-week sentence for one metric (rules in the module docstring).

    Args:
        name: The metric's name, e.g. ``Licences issued``.
        unit: Its unit, e.g. ``users`` (may be empty).
        current: This week's value, or ``None`` if not reported.
        previous: Last week's value, or ``None`` if there is none.

    Returns:
        The sentence, without a full stop (the reference prints them as bullets).

    Example:
        >>> metric_sentence("Licences issued", "users", 1350, 1200)
        'Licences issued increased by 12.5% (from 1,200 to 1,350 users)'
    """
    unit = unit.strip()
    current, previous = _finite(current), _finite(previous)
    if current is None:
        return f"{name}: not reported"
    if previous is None:
        return f"{name}: {format_quantity(current, unit)}"
    # Work with the values as shown (two decimals), so the sentence agrees with its own numbers.
    current, previous = round(current, 2), round(previous, 2)
    if current == previous:
        return f"{name} unchanged at {format_quantity(current, unit)}"
    direction = "increased" if current > previous else "decreased"
    first = format_quantity(previous, unit) if unit == "%" else format_number(previous)
    span = f"from {first} to {format_quantity(current, unit)}"
    change = percent_change(current, previous)
    if change is None or previous <= 0 or current < 0:
        return f"{name} {direction} {span}"
    size = abs(change)
    if round(size, 1) == 0:
        amount = "slightly by less than 0.1%"
    elif size < 1:
        amount = f"slightly by {size:.1f}%"
    else:
        amount = f"by {size:.1f}%"
    return f"{name} {direction} {amount} ({span})"


def change_summary(name: str, current: float | None, previous: float | None) -> str | None:
    """A short note for a metric that moved more than :data:`SIGNIFICANT_CHANGE_PERCENT`, else ``None``.

    Example: ``Licences issued up 12.5%``.
    """
    change = percent_change(current, previous)
    if change is None or previous is None or previous <= 0 or abs(change) <= SIGNIFICANT_CHANGE_PERCENT:
        return None
    return f"{name} {'up' if change > 0 else 'down'} {abs(change):.1f}%"


def _finite(value: float | None) -> float | None:
    # A stored NaN or infinity (never accepted from a card) reads as "not reported" rather than as "nan".
    return value if value is not None and math.isfinite(value) else None
