"""Metric values as typed, percentage changes and the week-on-week sentences."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.metrics import (
    MetricValueError,
    change_summary,
    format_number,
    format_quantity,
    metric_sentence,
    parse_metric_value,
    percent_change,
)
from bot.errors import InputError


@pytest.mark.parametrize(
    ("current", "previous", "expected"),
    [
        (1350, 1200, "Licences issued increased by 12.5% (from 1,200 to 1,350 users)"),
        (1200, 1350, "Licences issued decreased by 11.1% (from 1,350 to 1,200 users)"),
        (1200, 1200, "Licences issued unchanged at 1,200 users"),
        (1350, None, "Licences issued: 1,350 users"),
        (None, 1200, "Licences issued: not reported"),
        (None, None, "Licences issued: not reported"),
        (5, 0, "Licences issued increased from 0 to 5 users"),
        (0, 5, "Licences issued decreased by 100.0% (from 5 to 0 users)"),
        (0, 0, "Licences issued unchanged at 0 users"),
        (2_000_000, 1_000_000, "Licences issued increased by 100.0% (from 1,000,000 to 2,000,000 users)"),
        (
            1_000_001,
            1_000_000,
            "Licences issued increased slightly by less than 0.1% (from 1,000,000 to 1,000,001 users)",
        ),
    ],
)
def test_sentences(current: float | None, previous: float | None, expected: str) -> None:
    assert metric_sentence("Licences issued", "users", current, previous) == expected


def test_reference_sentences() -> None:
    assert (
        metric_sentence("Active file viewing and editing", "users", 2409, 2562)
        == "Active file viewing and editing decreased by 6.0% (from 2,562 to 2,409 users)"
    )
    assert (
        metric_sentence("File syncing activity", "users", 1263, 1260)
        == "File syncing activity increased slightly by 0.2% (from 1,260 to 1,263 users)"
    )
    assert (
        metric_sentence("Internal file sharing", "users", 620, 649)
        == "Internal file sharing decreased by 4.5% (from 649 to 620 users)"
    )


def test_non_integers_show_up_to_two_decimals() -> None:
    assert (
        metric_sentence("Time saved", "hours", 3.75, 2.5)
        == "Time saved increased by 50.0% (from 2.5 to 3.75 hours)"
    )
    assert metric_sentence("Score", "", 1.999, 1.5) == "Score increased by 33.3% (from 1.5 to 2)"
    assert metric_sentence("Score", "", 1.001, 1.004) == "Score unchanged at 1"


def test_stored_non_finite_values_read_as_not_reported() -> None:
    assert metric_sentence("M", "u", float("nan"), 5) == "M: not reported"
    assert metric_sentence("M", "u", 5, float("inf")) == "M: 5 u"
    assert percent_change(float("inf"), 5) is None


def test_no_unit_means_no_trailing_unit() -> None:
    assert metric_sentence("Tickets", "", 110, 100) == "Tickets increased by 10.0% (from 100 to 110)"
    assert metric_sentence("Tickets", "  ", 110, None) == "Tickets: 110"


def test_percent_unit_sits_on_both_numbers() -> None:
    assert metric_sentence("Uptime", "%", 99.5, 99) == "Uptime increased slightly by 0.5% (from 99% to 99.5%)"


def test_negative_values_have_no_percentage() -> None:
    assert metric_sentence("Balance", "", -3, 2) == "Balance decreased from 2 to -3"
    assert metric_sentence("Balance", "", 2, -3) == "Balance increased from -3 to 2"
    assert metric_sentence("Balance", "k", -5, -10) == "Balance increased from -10 to -5 k"
    assert metric_sentence("Balance", "k", -5, -5) == "Balance unchanged at -5 k"
    assert metric_sentence("Balance", "k", -1234.5, None) == "Balance: -1,234.5 k"


@pytest.mark.parametrize(
    ("current", "previous", "expected"),
    [
        (110, 100, 10.0),
        (90, 100, -10.0),
        (100, 100, 0.0),
        (5, 0, None),
        (None, 5, None),
        (5, None, None),
        (-5, -10, 50.0),
        (-15, -10, -50.0),
        (2, -2, 200.0),
    ],
)
def test_percent_change(current: float | None, previous: float | None, expected: float | None) -> None:
    assert percent_change(current, previous) == expected


def test_change_summary_only_for_moves_over_ten_percent() -> None:
    assert change_summary("Tickets", 110, 100) is None
    assert change_summary("Tickets", 111, 100) == "Tickets up 11.0%"
    assert change_summary("Tickets", 50, 100) == "Tickets down 50.0%"
    assert change_summary("Tickets", 5, 0) is None
    assert change_summary("Tickets", None, 100) is None
    assert change_summary("Tickets", -50, -10) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1350, "1,350"),
        (2.5, "2.5"),
        (3.75, "3.75"),
        (0, "0"),
        (-0.001, "0"),
        (-1234.5, "-1,234.5"),
        (2.999, "3"),
    ],
)
def test_format_number(value: float, expected: str) -> None:
    assert format_number(value) == expected


def test_format_quantity() -> None:
    assert format_quantity(1350, "users") == "1,350 users"
    assert format_quantity(7.5, "%") == "7.5%"
    assert format_quantity(7, "") == "7"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1,350", 1350.0),
        (" 1350 ", 1350.0),
        ("12.5", 12.5),
        ("-3", -3.0),
        ("\u22123", -3.0),
        ("+4", 4.0),
        ("1,234,567.25", 1234567.25),
        (".5", 0.5),
        ("0", 0.0),
        ("", None),
        ("   ", None),
        ("1000000000000", 1e12),
    ],
)
def test_parse_metric_value_accepts(text: str, expected: float | None) -> None:
    assert parse_metric_value(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("abc", "is not a number"),
        ("1,35,0", "comma in the wrong place"),
        ("1,35", "comma in the wrong place"),
        ("12,5", "comma in the wrong place"),
        ("nan", "is not a number"),
        ("inf", "is not a number"),
        ("-Infinity", "is not a number"),
        ("1e5", "is not a number"),
        ("1 350", "is not a number"),
        ("12.5%", "is not a number"),
        ("0x10", "is not a number"),
        ("1000000000001", "too large"),
        ("9" * 400, "too large"),
        ("--3", "is not a number"),
        ("1.2.3", "is not a number"),
    ],
)
def test_parse_metric_value_refuses_in_plain_english(text: str, message: str) -> None:
    with pytest.raises(MetricValueError, match=message) as raised:
        parse_metric_value(text)
    assert isinstance(raised.value, InputError)
    assert isinstance(raised.value, ValueError)
    assert len(str(raised.value)) < 120


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_formatted_integers_parse_back(value: int) -> None:
    assert parse_metric_value(format_number(value)) == value


@given(
    st.floats(min_value=0.01, max_value=1e9, allow_nan=False),
    st.floats(min_value=0, max_value=1e9, allow_nan=False),
)
def test_sentences_always_name_the_metric_and_never_show_nan(current: float, previous: float) -> None:
    sentence = metric_sentence("M", "u", current, previous)
    assert sentence.startswith("M ")
    assert "nan" not in sentence
    assert "inf" not in sentence
