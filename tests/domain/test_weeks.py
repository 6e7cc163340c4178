"""ISO week ids, their dates and labels."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain.weeks import (
    WeekError,
    add_weeks,
    date_range_text,
    format_week,
    long_date,
    monday_of,
    next_week,
    parse_week,
    previous_week,
    validate_week,
    week_dates,
    week_label,
    week_of,
    week_range_text,
)
from bot.errors import InputError


def test_parse_and_format_round_trip() -> None:
    assert parse_week("2026-W20") == (2026, 20)
    assert format_week(2026, 5) == "2026-W05"
    assert validate_week(" 2026-w5 ") == "2026-W05"
    assert validate_week("2026W05") == "2026-W05"


@pytest.mark.parametrize(
    "text", ["", "2026", "2026-20", "W20-2026", "2026-W", "2026-W100", "2026-W00", "26-W20", "2026-W2O"]
)
def test_invalid_week_ids_are_refused_with_a_readable_message(text: str) -> None:
    with pytest.raises(WeekError) as raised:
        parse_week(text)
    assert "2026-W20" in str(raised.value) or "week" in str(raised.value)


def test_week_53_exists_only_in_long_years() -> None:
    assert validate_week("2026-W53") == "2026-W53"  # 2026 starts on a Thursday
    with pytest.raises(WeekError, match="2025 has no week 53: it has 52 weeks"):
        parse_week("2025-W53")


def test_week_error_is_both_an_input_error_and_a_value_error() -> None:
    with pytest.raises(InputError):
        parse_week("nonsense")
    with pytest.raises(ValueError, match="write it like 2026-W20"):
        parse_week("nonsense")


def test_next_and_previous_cross_year_boundaries() -> None:
    assert next_week("2026-W20") == "2026-W21"
    assert next_week("2026-W53") == "2027-W01"
    assert next_week("2025-W52") == "2026-W01"
    assert previous_week("2027-W01") == "2026-W53"
    assert previous_week("2026-W01") == "2025-W52"
    assert add_weeks("2026-W20", -20) == "2025-W52"
    assert add_weeks("2026-W20", 0) == "2026-W20"


def test_week_of_a_date_uses_the_iso_year() -> None:
    assert week_of(date(2026, 5, 13)) == "2026-W20"
    assert week_of(date(2025, 12, 29)) == "2026-W01"
    assert week_of(date(2027, 1, 3)) == "2026-W53"
    assert week_of(date(2026, 4, 12)) == "2026-W15"


def test_week_dates_run_monday_to_sunday() -> None:
    days = week_dates("2026-W01")
    assert days[0] == date(2025, 12, 29) == monday_of("2026-W01")
    assert days[-1] == date(2026, 1, 4)
    assert [d.weekday() for d in days] == list(range(7))


def test_label_names_the_friday() -> None:
    assert week_label("2026-W20") == "week ending 15 May 2026"
    assert week_label("2026-W15") == "week ending 10 April 2026"
    assert week_label("2026-W01") == "week ending 2 January 2026"
    assert long_date(date(2026, 5, 1)) == "1 May 2026"


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2026, 4, 6), date(2026, 4, 12), "6 to 12 April 2026"),
        (date(2026, 4, 28), date(2026, 5, 4), "28 April to 4 May 2026"),
        (date(2025, 12, 29), date(2026, 1, 4), "29 December 2025 to 4 January 2026"),
        (date(2026, 4, 6), date(2026, 4, 6), "6 April 2026"),
    ],
)
def test_date_range_text(start: date, end: date, expected: str) -> None:
    assert date_range_text(start, end) == expected


def test_date_range_text_refuses_a_backwards_range() -> None:
    with pytest.raises(ValueError, match="before it starts"):
        date_range_text(date(2026, 4, 12), date(2026, 4, 6))


def test_week_range_text() -> None:
    assert week_range_text("2026-W15") == "6 to 12 April 2026"
    assert week_range_text("2026-W01") == "29 December 2025 to 4 January 2026"
