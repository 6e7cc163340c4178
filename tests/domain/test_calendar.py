"""The cadence calendar: phase times, bank holidays, clock changes and what is due."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.calendar import (
    ScheduleError,
    Slot,
    due_phases,
    is_working_day,
    organisation_due_phases,
    organisation_phase_times,
    parse_slot,
    phase_times,
    validate_holidays,
    validate_schedule,
    validate_timezone,
)
from bot.domain.models import Organisation, Phase, Schedule
from bot.errors import InputError

DEFAULT = Schedule()
LONDON = ZoneInfo("Europe/London")


def utc(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def local(times: dict[Phase, datetime], zone: ZoneInfo = LONDON) -> dict[Phase, str]:
    return {phase: at.astimezone(zone).strftime("%a %d %b %H:%M %Z") for phase, at in times.items()}


def test_default_week_prompts_thursday_reminds_friday_closes_next_monday() -> None:
    times = phase_times("2026-W20", DEFAULT)
    assert times == {
        Phase.PROMPT: utc(2026, 5, 14, 9, 0),  # 10:00 BST
        Phase.REMIND: utc(2026, 5, 15, 9, 0),
        Phase.CLOSE: utc(2026, 5, 18, 8, 0),  # Monday 09:00 BST of 2026-W21
    }
    assert all(at.tzinfo is UTC for at in times.values())


def test_spring_clock_change_keeps_local_wall_clock_times() -> None:
    # Clocks go forward on Sunday 29 March 2026, between the remind and the close.
    times = phase_times("2026-W13", DEFAULT)
    assert local(times) == {
        Phase.PROMPT: "Thu 26 Mar 10:00 GMT",
        Phase.REMIND: "Fri 27 Mar 10:00 GMT",
        Phase.CLOSE: "Mon 30 Mar 09:00 BST",
    }
    assert times[Phase.PROMPT] == utc(2026, 3, 26, 10, 0)
    assert times[Phase.CLOSE] == utc(2026, 3, 30, 8, 0)


def test_autumn_clock_change_keeps_local_wall_clock_times() -> None:
    # Clocks go back on Sunday 25 October 2026.
    times = phase_times("2026-W43", DEFAULT)
    assert times == {
        Phase.PROMPT: utc(2026, 10, 22, 9, 0),  # 10:00 BST
        Phase.REMIND: utc(2026, 10, 23, 9, 0),
        Phase.CLOSE: utc(2026, 10, 26, 9, 0),  # 09:00 GMT
    }


def test_good_friday_remind_and_easter_monday_close_move_and_stay_in_order() -> None:
    # Good Friday 3 April and Easter Monday 6 April 2026 are both bank holidays in England.
    assert local(phase_times("2026-W14", DEFAULT)) == {
        Phase.PROMPT: "Thu 02 Apr 10:00 BST",
        Phase.REMIND: "Tue 07 Apr 10:00 BST",
        # Tuesday 09:00 would come before the reminder, so the close moves on a working day.
        Phase.CLOSE: "Wed 08 Apr 09:00 BST",
    }


def test_monday_prompt_on_spring_bank_holiday_moves_to_tuesday() -> None:
    schedule = Schedule(prompt="mon 09:00", remind="wed 10:00", close="fri 16:00")
    assert local(phase_times("2026-W22", schedule)) == {
        Phase.PROMPT: "Tue 26 May 09:00 BST",  # Monday 25 May 2026 is the Spring bank holiday
        Phase.REMIND: "Wed 27 May 10:00 BST",
        Phase.CLOSE: "Fri 29 May 16:00 BST",
    }


def test_close_on_spring_bank_holiday_moves_to_tuesday() -> None:
    assert local(phase_times("2026-W21", DEFAULT))[Phase.CLOSE] == "Tue 26 May 09:00 BST"


def test_christmas_week_2025_pushes_every_phase_past_the_holidays() -> None:
    # Thursday 25 and Friday 26 December 2025 are Christmas Day and Boxing Day.
    assert local(phase_times("2025-W52", DEFAULT)) == {
        Phase.PROMPT: "Mon 29 Dec 10:00 GMT",
        Phase.REMIND: "Tue 30 Dec 10:00 GMT",
        Phase.CLOSE: "Wed 31 Dec 09:00 GMT",
    }


def test_christmas_week_2026_with_boxing_day_observed_on_monday() -> None:
    # Friday 25 December 2026, then Boxing Day observed on Monday 28 December.
    assert local(phase_times("2026-W52", DEFAULT)) == {
        Phase.PROMPT: "Thu 24 Dec 10:00 GMT",
        Phase.REMIND: "Tue 29 Dec 10:00 GMT",
        Phase.CLOSE: "Wed 30 Dec 09:00 GMT",
    }


def test_new_year_prompt_pushes_the_remind_off_the_same_slot() -> None:
    # New Year's Day 2026 is a Thursday: the prompt moves to Friday 10:00, where the reminder would be.
    assert local(phase_times("2026-W01", DEFAULT)) == {
        Phase.PROMPT: "Fri 02 Jan 10:00 GMT",
        Phase.REMIND: "Mon 05 Jan 10:00 GMT",
        Phase.CLOSE: "Tue 06 Jan 09:00 GMT",
    }


def test_another_time_zone_and_holiday_calendar() -> None:
    zone = ZoneInfo("America/New_York")
    times = phase_times("2026-W20", DEFAULT, "America/New_York", "US", "NY")
    assert times[Phase.PROMPT] == utc(2026, 5, 14, 14, 0)  # 10:00 EDT
    # Thanksgiving, Thursday 26 November 2026, moves the prompt; US clocks went back on 1 November.
    assert local(phase_times("2026-W48", DEFAULT, "America/New_York", "US", ""), zone) == {
        Phase.PROMPT: "Fri 27 Nov 10:00 EST",
        Phase.REMIND: "Mon 30 Nov 10:00 EST",
        Phase.CLOSE: "Tue 01 Dec 09:00 EST",
    }


def test_schedule_within_one_week() -> None:
    schedule = Schedule(prompt="mon 09:00", remind="mon 15:30", close="wednesday 17:00")
    assert local(phase_times("2026-W20", schedule)) == {
        Phase.PROMPT: "Mon 11 May 09:00 BST",
        Phase.REMIND: "Mon 11 May 15:30 BST",
        Phase.CLOSE: "Wed 13 May 17:00 BST",
    }


def test_weekend_phase_that_is_not_a_holiday_stays_put() -> None:
    schedule = Schedule(prompt="fri 16:00", remind="sat 10:00", close="mon 09:00")
    assert local(phase_times("2026-W20", schedule))[Phase.REMIND] == "Sat 16 May 10:00 BST"


def test_phases_always_strictly_increase_over_two_years() -> None:
    week_times = [
        phase_times(f"{year}-W{week:02d}", DEFAULT) for year in (2026, 2027) for week in range(1, 53)
    ]
    for times in week_times:
        assert times[Phase.PROMPT] < times[Phase.REMIND] < times[Phase.CLOSE]
        for at in times.values():
            assert is_working_day(at.astimezone(LONDON).date())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("thu 10:00", Slot(3, time(10, 0))),
        ("  FRI   9:05 ", Slot(4, time(9, 5))),
        ("sunday 23:59", Slot(6, time(23, 59))),
        ("mon 00:00", Slot(0, time(0, 0))),
    ],
)
def test_parse_slot_accepts(text: str, expected: Slot) -> None:
    assert parse_slot(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "should be a day and a 24-hour time"),
        ("thu", "should be a day and a 24-hour time"),
        ("10:00 thu", "should be a day and a 24-hour time"),
        ("thu 10", "should be a day and a 24-hour time"),
        ("thu 10:0", "should be a day and a 24-hour time"),
        ("thu 10am", "should be a day and a 24-hour time"),
        ("thu 24:00", "is not a time"),
        ("thu 09:60", "is not a time"),
        ("th 10:00", "is not a day"),
        ("thurs 10:00", "is not a day"),
        ("xyz 10:00", "is not a day"),
    ],
)
def test_parse_slot_refuses_with_a_clear_message(text: str, message: str) -> None:
    with pytest.raises(ScheduleError, match=message):
        parse_slot(text)


def test_validate_schedule_names_the_bad_field() -> None:
    with pytest.raises(ScheduleError, match=r"^remind ") as raised:
        validate_schedule(Schedule(remind="friday at ten"))
    assert isinstance(raised.value, InputError)
    assert isinstance(raised.value, ValueError)
    with pytest.raises(ScheduleError, match="close: 25:00 is not a time"):
        phase_times("2026-W20", Schedule(close="mon 25:00"))


def test_invalid_time_zone_and_holiday_calendar() -> None:
    with pytest.raises(ScheduleError, match=r"time zone .Mars/Olympus. is not known"):
        validate_timezone("Mars/Olympus")
    with pytest.raises(ScheduleError, match="time zone"):
        validate_timezone("../../etc/passwd")
    with pytest.raises(ScheduleError, match=r"country .XX. is not supported"):
        validate_holidays("XX")
    with pytest.raises(ScheduleError, match="not a subdivision of GB"):
        validate_holidays("GB", "XXX")
    validate_holidays("GB", "SCT")


def test_scotland_has_different_bank_holidays() -> None:
    # Easter Monday is not a bank holiday in Scotland: the reminder moves from Good Friday to Monday 6 April,
    # and the close, due that Monday at 09:00 (before the reminder), moves on to Tuesday.
    times = phase_times("2026-W14", DEFAULT, country="GB", subdiv="SCT")
    assert local(times)[Phase.REMIND] == "Mon 06 Apr 10:00 BST"
    assert local(times)[Phase.CLOSE] == "Tue 07 Apr 09:00 BST"


# --- what is due -------------------------------------------------------------------------------------


def test_nothing_but_last_weeks_phases_before_the_prompt() -> None:
    # Thursday 14 May 2026 08:59 UTC, a minute before 2026-W20's prompt: 2026-W19 is still the current week.
    assert due_phases(utc(2026, 5, 14, 8, 59), DEFAULT) == [
        ("2026-W19", Phase.PROMPT),
        ("2026-W19", Phase.REMIND),
        ("2026-W19", Phase.CLOSE),
    ]


def test_prompt_due_at_its_time_and_last_weeks_prompt_no_longer() -> None:
    assert due_phases(utc(2026, 5, 14, 9, 0), DEFAULT) == [
        ("2026-W19", Phase.CLOSE),
        ("2026-W20", Phase.PROMPT),
    ]


def test_phases_missed_while_down_are_still_due_within_the_week() -> None:
    # Down from Wednesday to Saturday: the prompt and the reminder are both still due.
    assert due_phases(utc(2026, 5, 16, 12, 0), DEFAULT) == [
        ("2026-W19", Phase.CLOSE),
        ("2026-W20", Phase.PROMPT),
        ("2026-W20", Phase.REMIND),
    ]


def test_close_is_due_for_seven_days() -> None:
    close = phase_times("2026-W20", DEFAULT)[Phase.CLOSE]
    assert ("2026-W20", Phase.CLOSE) not in due_phases(close - timedelta(seconds=1), DEFAULT)
    assert ("2026-W20", Phase.CLOSE) in due_phases(close, DEFAULT)
    assert ("2026-W20", Phase.CLOSE) in due_phases(close + timedelta(days=7, seconds=-1), DEFAULT)
    assert ("2026-W20", Phase.CLOSE) not in due_phases(close + timedelta(days=7), DEFAULT)


def test_due_phases_accepts_any_aware_time_and_refuses_naive() -> None:
    in_london = datetime(2026, 5, 14, 10, 0, tzinfo=LONDON)
    assert due_phases(in_london, DEFAULT) == due_phases(utc(2026, 5, 14, 9, 0), DEFAULT)
    with pytest.raises(ValueError, match="timezone-aware"):
        due_phases(datetime(2026, 5, 14, 10, 0), DEFAULT)


def test_due_phases_at_the_turn_of_the_year() -> None:
    # Wednesday 31 December 2025 09:30 GMT, in 2026-W01: 2025-W52's holiday-delayed phases have all come
    # (prompt Monday, remind Tuesday, close Wednesday 09:00); 2025-W51's close expired on Monday 29 December;
    # 2026-W01's prompt is not until Friday 2 January.
    assert due_phases(utc(2025, 12, 31, 9, 30), DEFAULT) == [
        ("2025-W52", Phase.PROMPT),
        ("2025-W52", Phase.REMIND),
        ("2025-W52", Phase.CLOSE),
    ]


def test_organisation_helpers_use_its_settings() -> None:
    organisation = Organisation(
        name="Test",
        timezone="America/New_York",
        schedule=Schedule(prompt="tue 08:00", remind="wed 08:00", close="thu 08:00"),
        holidays_country="US",
        holidays_subdivision="",
    )
    times = organisation_phase_times(organisation, "2026-W20")
    assert times[Phase.PROMPT] == utc(2026, 5, 12, 12, 0)
    assert organisation_due_phases(organisation, utc(2026, 5, 12, 12, 0))[-1] == ("2026-W20", Phase.PROMPT)
