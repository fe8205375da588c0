"""Working time: which days are worked, and conversions between dates, moments and
integer working minutes.

A calendar is a weekly pattern (`weekdays`) with two kinds of exceptions: `holidays`
(non-working even on a working weekday) and `working_days` (make-up days worked even on a
weekend, as China's 调休). A date in both sets is a holiday. Holiday lists come from the
caller; the engine knows no country.

Every day-level question is answered by arithmetic, never by walking day by day: a day's
*working-day index* is the number of working days before it since 0001-01-01 (a Monday),
computed from whole weeks plus a bisect over the sorted exceptions.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field
from datetime import date, datetime, time, tzinfo

from .errors import DateOutOfRange, DomainError

MINUTES_PER_CALENDAR_DAY = 1440

BAD_WEEKDAYS = "A calendar needs at least one working weekday, each between 0 (Monday) and 6."
DATE_OUT_OF_RANGE = "The schedule runs past the calendar's range (years 1 to 9999)."
BAD_MINUTES = "Minutes per working day must be between 1 and 1440."
BAD_PERIODS = (
    "Working periods must be sorted, non-overlapping minute-of-day ranges within 0..1440 "
    "whose lengths add up to minutes_per_day."
)


def _day_number(d: date) -> int:
    """Days since 0001-01-01, which is a Monday, so `n % 7` is the weekday."""
    return d.toordinal() - 1


def _from_day_number(n: int) -> date:
    if not 0 <= n < date.max.toordinal():
        raise DateOutOfRange(DATE_OUT_OF_RANGE)
    return date.fromordinal(n + 1)


def default_periods(minutes_per_day: int) -> tuple[tuple[int, int], ...]:
    """09:00-13:00 then 14:00 onwards; a day too long for that starts at midnight."""
    if minutes_per_day <= 240:
        return ((540, 540 + minutes_per_day),)
    if minutes_per_day <= 840:
        return ((540, 780), (840, 840 + minutes_per_day - 240))
    return ((0, minutes_per_day),)


class _DayIndex:
    """Working-day index arithmetic for one calendar (see the module docstring)."""

    __slots__ = ("cum", "exc", "k", "prefix", "starts", "weekdays")

    def __init__(
        self, weekdays: frozenset[int], holidays: frozenset[date], extra: frozenset[date]
    ) -> None:
        self.weekdays = sorted(weekdays)
        self.k = len(self.weekdays)
        self.prefix = [sum(1 for w in self.weekdays if w < r) for r in range(8)]
        signs: dict[int, int] = {}
        for d in holidays:
            if d.weekday() in weekdays:
                signs[_day_number(d)] = -1
        for d in extra:
            if d.weekday() not in weekdays and d not in holidays:
                signs[_day_number(d)] = 1
        self.exc = sorted(signs)
        # cum[j]: net change of the count from exceptions exc[0..j-1].
        self.cum = [0]
        for x in self.exc:
            self.cum.append(self.cum[-1] + signs[x])
        # starts[i]: index of day exc[i] + 1, non-decreasing, so it can be bisected.
        self.starts = [self._pattern(x + 1) + self.cum[i + 1] for i, x in enumerate(self.exc)]

    def _pattern(self, n: int) -> int:
        """Working weekdays of the weekly pattern before day n."""
        weeks, rem = divmod(n, 7)
        return weeks * self.k + self.prefix[rem]

    def _pattern_reach(self, count: int) -> int:
        """Smallest day n with _pattern(n) >= count."""
        weeks, r = divmod(count - 1, self.k)
        return weeks * 7 + self.weekdays[r] + 1

    def index(self, n: int) -> int:
        """Working days before day n."""
        return self._pattern(n) + self.cum[bisect_left(self.exc, n)]

    def day_at(self, i: int) -> int:
        """The working day whose index is i."""
        target = i + 1
        j = bisect_left(self.starts, target)
        n = self._pattern_reach(target - self.cum[j])
        if j < len(self.exc):
            n = min(n, self.exc[j] + 1)
        return n - 1


@dataclass(frozen=True)
class WorkCalendar:
    """Working days and working hours.

    `periods` are minute-of-day ranges worked on every working day; empty means
    `default_periods(minutes_per_day)` (09:00-13:00, 14:00-18:00 for 480 minutes).
    Invalid settings raise DomainError.
    """

    weekdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})  # Monday = 0
    minutes_per_day: int = 480
    holidays: frozenset[date] = frozenset()
    working_days: frozenset[date] = frozenset()
    periods: tuple[tuple[int, int], ...] = ()
    _index: _DayIndex = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        # Accept any iterable from callers but keep the frozen, hashable forms.
        object.__setattr__(self, "weekdays", frozenset(self.weekdays))
        object.__setattr__(self, "holidays", frozenset(self.holidays))
        object.__setattr__(self, "working_days", frozenset(self.working_days))
        if not self.weekdays or not all(0 <= w <= 6 for w in self.weekdays):
            raise DomainError(BAD_WEEKDAYS)
        if not 1 <= self.minutes_per_day <= MINUTES_PER_CALENDAR_DAY:
            raise DomainError(BAD_MINUTES)
        periods = tuple(tuple(p) for p in self.periods) or default_periods(self.minutes_per_day)
        _check_periods(periods, self.minutes_per_day)
        object.__setattr__(self, "periods", periods)
        object.__setattr__(
            self, "_index", _DayIndex(self.weekdays, self.holidays, self.working_days)
        )

    # ---- days -------------------------------------------------------------------------

    def is_working_day(self, d: date) -> bool:
        if d in self.holidays:
            return False
        return d.weekday() in self.weekdays or d in self.working_days

    def day_index(self, d: date) -> int:
        """Working days before `d` since 0001-01-01. For a non-working `d` this equals the
        index of the next working day. Differences of indexes count working days."""
        return self._index.index(_day_number(d))

    def day_at(self, index: int) -> date:
        """The working day with this index (inverse of `day_index` on working days)."""
        return _from_day_number(self._index.day_at(index))

    def next_working_day(self, d: date) -> date:
        """`d` itself if it is worked, else the first working day after it."""
        return d if self.is_working_day(d) else self.day_at(self.day_index(d))

    def previous_working_day(self, d: date) -> date:
        """`d` itself if it is worked, else the last working day before it."""
        return d if self.is_working_day(d) else self.day_at(self.day_index(d) - 1)

    def add_working_days(self, start: date, days: int) -> date:
        """The working day `days` working days after (before, if negative) `start`.

        `start` is the boundary at the beginning of that date, so a non-working start
        behaves like the next working day: Mon + 1 = Tue, Fri + 1 = next Mon,
        Sat + 0 = Mon, Sat - 1 = Fri, Mon - 1 = previous Fri. The result is always a
        working day.
        """
        return self.day_at(self.day_index(start) + days)

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in [start, end); negative when end is before start."""
        return self.day_index(end) - self.day_index(start)

    # ---- minutes ----------------------------------------------------------------------

    def to_offset(self, moment: datetime, origin: date) -> int:
        """Working minutes from the start of the first working day on or after `origin` to
        `moment` (negative before it). The wall-clock date and time of `moment` are used,
        seconds are dropped, and a moment outside working hours counts the minutes worked
        before it (13:30 on a default day is 240, a Saturday is the next Monday's 0)."""
        d = moment.date()
        days = self.day_index(d) - self.day_index(origin)
        within = 0
        if self.is_working_day(d):
            minute = moment.hour * 60 + moment.minute
            for lo, hi in self.periods:
                if minute <= lo:
                    break
                within += min(minute, hi) - lo
        return days * self.minutes_per_day + within

    def from_offset(self, origin: date, minutes: int, tz: tzinfo | None = None) -> datetime:
        """The moment at which working minute `minutes` (counted as in `to_offset`) begins.
        A whole-day boundary is the start of the next working day, so
        `to_offset(from_offset(o, m), o) == m` for every m."""
        days, within = divmod(minutes, self.minutes_per_day)
        day = self.day_at(self.day_index(origin) + days)
        minute = self.periods[-1][1]
        for lo, hi in self.periods:
            if within < hi - lo:
                minute = lo + within
                break
            within -= hi - lo
        return datetime.combine(day, time(minute // 60, minute % 60), tz)


def _check_periods(periods: tuple[tuple[int, ...], ...], minutes_per_day: int) -> None:
    total = 0
    previous_end = 0
    for period in periods:
        if len(period) != 2:
            raise DomainError(BAD_PERIODS)
        lo, hi = period
        if not previous_end <= lo < hi <= MINUTES_PER_CALENDAR_DAY:
            raise DomainError(BAD_PERIODS)
        total += hi - lo
        previous_end = hi
    if total != minutes_per_day:
        raise DomainError(BAD_PERIODS)
