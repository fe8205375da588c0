"""Report periods: a week (`2027-W05`), two weeks (`2027-W05/06`) or a calendar month
(`2027-02`). Pure Python, no Django.

Weeks are ISO weeks, Monday to Sunday. Two-week periods run from every other Monday, counted
from Monday 8 January 2001, so every project and every year agree on them (2027-W05/06,
2027-W07/08, ...); a period whose second week falls in the next ISO year names it in full
(`2026-W53/2027-W01`)."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

FIRST_YEAR, LAST_YEAR = 1900, 2999  # the dates a plan can hold

BIWEEKLY_EPOCH = date(2001, 1, 8)  # a Monday: the first day of a two-week period

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_TWO_WEEKS = re.compile(r"^(\d{4})-W(\d{2})/(?:(\d{4})-W)?(\d{2})$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class PeriodKind(StrEnum):
    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"
    MONTHLY = "monthly"


def _week_label(monday: date) -> str:
    iso = monday.isocalendar()
    return f"{iso.year:04d}-W{iso.week:02d}"


def _iso_monday(year: int, week: int) -> date:
    """ValueError for a week the year does not have (W53 of a 52-week year)."""
    return date.fromisocalendar(year, week, 1)


def _check_year(day: date, text: str) -> None:
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ValueError(text)


@dataclass(frozen=True, order=True)
class ReportPeriod:
    """The days one report covers, `start` to `end` inclusive."""

    start: date
    end: date
    kind: PeriodKind

    # ------------------------------------------------------------ making one

    @classmethod
    def containing(cls, kind: PeriodKind | str, day: date) -> ReportPeriod:
        """The period of this kind that holds `day`."""
        kind = PeriodKind(kind)
        if kind == PeriodKind.WEEKLY:
            monday = day - timedelta(days=day.weekday())
            return cls(monday, monday + timedelta(days=6), kind)
        if kind == PeriodKind.BIWEEKLY:
            index = (day - BIWEEKLY_EPOCH).days // 14
            start = BIWEEKLY_EPOCH + timedelta(days=14 * index)
            return cls(start, start + timedelta(days=13), kind)
        last = calendar.monthrange(day.year, day.month)[1]
        return cls(day.replace(day=1), day.replace(day=last), kind)

    @classmethod
    def parse(cls, text: str) -> ReportPeriod:
        """`2027-W05`, `2027-W05/06` (or `2026-W53/2027-W01`) or `2027-02`; ValueError for
        anything else, including a week the year does not have and two weeks that are not
        one two-week period (`misaligned` tells those apart)."""
        text = text.strip()
        if m := _WEEK.match(text):
            try:
                monday = _iso_monday(int(m[1]), int(m[2]))
            except ValueError:
                raise ValueError(text) from None
            _check_year(monday, text)
            return cls.containing(PeriodKind.WEEKLY, monday)
        if m := _TWO_WEEKS.match(text):
            try:
                monday = _iso_monday(int(m[1]), int(m[2]))
                second = _iso_monday(int(m[3] or m[1]), int(m[4]))
            except ValueError:
                raise ValueError(text) from None
            _check_year(monday, text)
            period = cls.containing(PeriodKind.BIWEEKLY, monday)
            if period.start != monday or second != monday + timedelta(days=7):
                raise MisalignedPeriod(text, period)
            if period.label != text:  # `2026-W53/01` for `2026-W53/2027-W01`, say
                raise ValueError(text)
            return period
        if m := _MONTH.match(text):
            year, month = int(m[1]), int(m[2])
            if not 1 <= month <= 12:
                raise ValueError(text)
            first = date(year, month, 1)
            _check_year(first, text)
            return cls.containing(PeriodKind.MONTHLY, first)
        raise ValueError(text)

    # ------------------------------------------------------------ reading one

    @property
    def label(self) -> str:
        if self.kind == PeriodKind.WEEKLY:
            return _week_label(self.start)
        if self.kind == PeriodKind.BIWEEKLY:
            first = _week_label(self.start)
            second = _week_label(self.start + timedelta(days=7))
            same_year = first[:4] == second[:4]
            return f"{first}/{second[-2:]}" if same_year else f"{first}/{second}"
        return f"{self.start.year:04d}-{self.start.month:02d}"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def previous(self) -> ReportPeriod:
        return ReportPeriod.containing(self.kind, self.start - timedelta(days=1))

    @property
    def next(self) -> ReportPeriod:
        return ReportPeriod.containing(self.kind, self.end + timedelta(days=1))

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end

    def __str__(self) -> str:
        return self.label


class MisalignedPeriod(ValueError):
    """Two weeks that are not one two-week period; `period` is the one holding the first."""

    def __init__(self, text: str, period: ReportPeriod) -> None:
        super().__init__(text)
        self.period = period


def last_ended(kind: PeriodKind | str, today: date) -> ReportPeriod:
    """The latest period of this kind that is over by `today` (the one before today's)."""
    return ReportPeriod.containing(kind, today).previous
