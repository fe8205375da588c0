"""ISO weeks ("2027-W05"), the unit of a timesheet: Monday to Sunday. Pure Python, no Django."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

WEEK_PATTERN = r"^\d{4}-W\d{2}$"
_WEEK = re.compile(WEEK_PATTERN)


@dataclass(frozen=True, order=True)
class Week:
    year: int
    number: int

    @classmethod
    def parse(cls, text: str) -> Week:
        """`2027-W05` -> Week(2027, 5); ValueError for anything else, W53 of a 52-week year
        included."""
        text = text.strip()
        if not _WEEK.match(text):
            raise ValueError(text)
        year, number = int(text[:4]), int(text[6:])
        try:
            date.fromisocalendar(year, number, 1)
        except ValueError:
            raise ValueError(text) from None
        if not 1900 <= year <= 2999:
            raise ValueError(text)
        return cls(year, number)

    @classmethod
    def of(cls, day: date) -> Week:
        iso = day.isocalendar()
        return cls(iso.year, iso.week)

    @property
    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.number, 1)

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)

    @property
    def days(self) -> list[date]:
        start = self.monday
        return [start + timedelta(days=i) for i in range(7)]

    @property
    def previous(self) -> Week:
        return Week.of(self.monday - timedelta(days=7))

    @property
    def next(self) -> Week:
        return Week.of(self.monday + timedelta(days=7))

    def __str__(self) -> str:
        return f"{self.year:04d}-W{self.number:02d}"
