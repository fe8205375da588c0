"""Report periods: weeks, two-week periods and months, across year boundaries and ISO week
53; parsing their labels and refusing what is not one."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from keel.apps.reporting.periods import (
    MisalignedPeriod,
    PeriodKind,
    ReportPeriod,
    last_ended,
)

W, B, M = PeriodKind.WEEKLY, PeriodKind.BIWEEKLY, PeriodKind.MONTHLY


@pytest.mark.parametrize(
    ("day", "label", "start", "end"),
    [
        (date(2027, 2, 3), "2027-W05", date(2027, 2, 1), date(2027, 2, 7)),
        # 2026 has 53 ISO weeks: its last runs into 2027.
        (date(2027, 1, 2), "2026-W53", date(2026, 12, 28), date(2027, 1, 3)),
        (date(2026, 12, 28), "2026-W53", date(2026, 12, 28), date(2027, 1, 3)),
        (date(2027, 1, 4), "2027-W01", date(2027, 1, 4), date(2027, 1, 10)),
        # 31 December 2024 belongs to ISO week 1 of 2025.
        (date(2024, 12, 31), "2025-W01", date(2024, 12, 30), date(2025, 1, 5)),
        (date(2020, 12, 31), "2020-W53", date(2020, 12, 28), date(2021, 1, 3)),
    ],
)
def test_weeks(day: date, label: str, start: date, end: date) -> None:
    period = ReportPeriod.containing(W, day)
    assert (period.label, period.start, period.end, period.days) == (label, start, end, 7)
    assert ReportPeriod.parse(label) == period
    assert day in period


@pytest.mark.parametrize(
    ("day", "label", "start"),
    [
        (date(2027, 2, 1), "2027-W05/06", date(2027, 2, 1)),
        (date(2027, 2, 14), "2027-W05/06", date(2027, 2, 1)),
        (date(2027, 2, 15), "2027-W07/08", date(2027, 2, 15)),
        (date(2027, 1, 11), "2027-W01/02", date(2027, 1, 4)),
        # 2026 ends with ISO week 53: W52 and W53 make a period.
        (date(2027, 1, 3), "2026-W52/53", date(2026, 12, 21)),
        # Across a year the second week is named in full.
        (date(2021, 1, 3), "2020-W53/2021-W01", date(2020, 12, 28)),
        (date(2025, 12, 31), "2025-W52/2026-W01", date(2025, 12, 22)),
    ],
)
def test_two_weeks(day: date, label: str, start: date) -> None:
    period = ReportPeriod.containing(B, day)
    assert (period.label, period.start, period.days) == (label, start, 14)
    assert period.end == start + timedelta(days=13)
    assert ReportPeriod.parse(label) == period


def test_two_week_periods_follow_each_other_over_the_years() -> None:
    period = ReportPeriod.containing(B, date(2019, 12, 1))
    for _ in range(200):  # about 7.7 years, over three 53-week years
        nxt = period.next
        assert nxt.start == period.end + timedelta(days=1)
        assert nxt.days == 14 and nxt.start.weekday() == 0
        assert ReportPeriod.parse(nxt.label) == nxt
        assert nxt.previous == period
        period = nxt


@pytest.mark.parametrize(
    ("day", "label", "start", "end"),
    [
        (date(2027, 2, 14), "2027-02", date(2027, 2, 1), date(2027, 2, 28)),
        (date(2028, 2, 29), "2028-02", date(2028, 2, 1), date(2028, 2, 29)),
        (date(2026, 12, 31), "2026-12", date(2026, 12, 1), date(2026, 12, 31)),
    ],
)
def test_months(day: date, label: str, start: date, end: date) -> None:
    period = ReportPeriod.containing(M, day)
    assert (period.label, period.start, period.end) == (label, start, end)
    assert ReportPeriod.parse(label) == period


def test_previous_and_next_cross_the_year() -> None:
    assert ReportPeriod.parse("2027-01").previous.label == "2026-12"
    assert ReportPeriod.parse("2026-12").next.label == "2027-01"
    assert ReportPeriod.parse("2027-W01").previous.label == "2026-W53"
    assert ReportPeriod.parse("2026-W53").next.label == "2027-W01"
    assert ReportPeriod.parse("2026-W52").next.label == "2026-W53"


def test_the_last_period_that_ended() -> None:
    # On Monday 1 February 2027 the week before is over; the current one is not.
    assert last_ended(W, date(2027, 2, 1)).label == "2027-W04"
    assert last_ended(W, date(2027, 2, 7)).label == "2027-W04"
    assert last_ended(M, date(2027, 1, 1)).label == "2026-12"
    assert last_ended(B, date(2027, 2, 1)).label == "2027-W03/04"
    assert last_ended(W, date(2027, 1, 4)).label == "2026-W53"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "2027",
        "2027-W5",
        "2027-W00",
        "2027-W53",  # 2027 has 52 ISO weeks
        "2027-13",
        "2027-00",
        "27-02",
        "2027-W05/07",
        "2020-W53/01",  # across the year the second week is named in full
        "2026-W53/2027-W01",  # not a period: 2026-W52/53 and 2027-W01/02 are
        "3000-01",
        "1899-W10",
        "2027-02-01",
    ],
)
def test_what_is_not_a_period(text: str) -> None:
    with pytest.raises(ValueError):
        ReportPeriod.parse(text)


def test_two_weeks_out_of_step_name_the_period_that_holds_them() -> None:
    with pytest.raises(MisalignedPeriod) as caught:
        ReportPeriod.parse("2027-W06/07")
    assert caught.value.period.label == "2027-W05/06"
