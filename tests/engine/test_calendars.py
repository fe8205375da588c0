"""Working calendars: day arithmetic checked by hand and against a day-by-day model."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from keel.engine.calendars import BAD_PERIODS, BAD_WEEKDAYS, WorkCalendar
from keel.engine.errors import DomainError

MAY_1 = date(2026, 5, 1)  # a Friday
# China, National Day 2026 as an example: Oct 1-8 off, Saturday Oct 10 worked instead.
CHINA_2026 = WorkCalendar(
    holidays=frozenset(date(2026, 10, d) for d in range(1, 9)),
    working_days=frozenset({date(2026, 10, 10)}),
)

days = st.dates(min_value=date(2020, 1, 1), max_value=date(2032, 12, 31))
calendars = st.builds(
    WorkCalendar,
    weekdays=st.frozensets(st.integers(0, 6), min_size=1),
    holidays=st.frozensets(days, max_size=40),
    working_days=st.frozensets(days, max_size=20),
    minutes_per_day=st.sampled_from([60, 240, 450, 480, 600, 1440]),
)


def test_weekends_and_holidays() -> None:
    cal = WorkCalendar(holidays=frozenset({date(2026, 5, 11)}))
    assert cal.is_working_day(date(2026, 5, 8))
    assert not cal.is_working_day(date(2026, 5, 9))
    assert not cal.is_working_day(date(2026, 5, 11))
    assert cal.next_working_day(date(2026, 5, 9)) == date(2026, 5, 12)
    assert cal.previous_working_day(date(2026, 5, 11)) == date(2026, 5, 8)
    assert cal.next_working_day(date(2026, 5, 8)) == date(2026, 5, 8)


def test_add_working_days_semantics() -> None:
    cal = WorkCalendar()
    mon, fri, sat = date(2026, 5, 4), date(2026, 5, 8), date(2026, 5, 9)
    assert cal.add_working_days(mon, 1) == date(2026, 5, 5)
    assert cal.add_working_days(fri, 1) == date(2026, 5, 11)
    assert cal.add_working_days(sat, 0) == date(2026, 5, 11)
    assert cal.add_working_days(sat, -1) == fri
    assert cal.add_working_days(mon, -1) == MAY_1
    assert cal.add_working_days(mon, 260) == date(2027, 5, 3)


def test_china_make_up_day() -> None:
    cal = CHINA_2026
    assert cal.is_working_day(date(2026, 10, 10))  # Saturday, worked
    assert not cal.is_working_day(date(2026, 10, 5))  # Monday, holiday
    assert cal.add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 9)
    assert cal.add_working_days(date(2026, 10, 9), 1) == date(2026, 10, 10)
    assert cal.add_working_days(date(2026, 10, 10), 1) == date(2026, 10, 12)
    assert cal.working_days_between(date(2026, 9, 28), date(2026, 10, 12)) == 5
    assert cal.working_days_between(date(2026, 10, 12), date(2026, 9, 28)) == -5


def test_a_date_both_holiday_and_make_up_is_a_holiday() -> None:
    sat = date(2026, 10, 10)
    cal = WorkCalendar(holidays=frozenset({sat}), working_days=frozenset({sat}))
    assert not cal.is_working_day(sat)


def test_minutes_default_periods() -> None:
    cal = WorkCalendar()
    mon = date(2026, 5, 4)
    assert cal.periods == ((540, 780), (840, 1080))
    assert cal.to_offset(datetime(2026, 5, 4, 9, 0), mon) == 0
    assert cal.to_offset(datetime(2026, 5, 4, 13, 30), mon) == 240  # lunch
    assert cal.to_offset(datetime(2026, 5, 4, 20, 0), mon) == 480
    assert cal.to_offset(datetime(2026, 5, 9, 10, 0), mon) == 5 * 480  # Saturday
    assert cal.to_offset(datetime(2026, 5, 1, 17, 0), mon) == -60
    assert cal.from_offset(mon, 240) == datetime(2026, 5, 4, 14, 0)
    assert cal.from_offset(mon, 480) == datetime(2026, 5, 5, 9, 0)
    assert cal.from_offset(mon, -1) == datetime(2026, 5, 1, 17, 59)
    assert cal.from_offset(date(2026, 5, 2), 0) == datetime(2026, 5, 4, 9, 0)


def test_explicit_periods() -> None:
    cal = WorkCalendar(minutes_per_day=450, periods=((480, 720), (780, 990)))
    assert cal.from_offset(date(2026, 5, 4), 240) == datetime(2026, 5, 4, 13, 0)
    with pytest.raises(DomainError, match="periods"):
        WorkCalendar(minutes_per_day=480, periods=((480, 720),))
    with pytest.raises(DomainError) as info:
        WorkCalendar(minutes_per_day=480, periods=((600, 840), (700, 940)))
    assert str(info.value) == BAD_PERIODS


def test_bad_weekdays() -> None:
    with pytest.raises(DomainError) as info:
        WorkCalendar(weekdays=frozenset())
    assert str(info.value) == BAD_WEEKDAYS


@given(calendars, days, st.integers(-400, 400))
def test_add_working_days_lands_on_a_working_day(cal: WorkCalendar, d: date, n: int) -> None:
    result = cal.add_working_days(d, n)
    assert cal.is_working_day(result)
    assert cal.working_days_between(d, result) == n


@given(calendars, days)
def test_day_index_matches_a_day_by_day_count(cal: WorkCalendar, d: date) -> None:
    start = d - timedelta(days=60)
    walked = sum(cal.is_working_day(start + timedelta(days=i)) for i in range(60))
    assert cal.working_days_between(start, d) == walked
    nxt = cal.next_working_day(d)
    assert cal.is_working_day(nxt)
    assert all(not cal.is_working_day(d + timedelta(days=i)) for i in range((nxt - d).days))
    prev = cal.previous_working_day(d)
    assert cal.is_working_day(prev) and prev <= d


@given(calendars, days, st.integers(-200_000, 200_000))
def test_offsets_round_trip(cal: WorkCalendar, origin: date, minutes: int) -> None:
    moment = cal.from_offset(origin, minutes)
    assert cal.is_working_day(moment.date())
    assert cal.to_offset(moment, origin) == minutes
