"""Project rows -> engine inputs."""

from __future__ import annotations

from datetime import date

import holidays as public_holidays

from keel.engine.calendars import WorkCalendar

from .models import CalendarExceptionKind, Project


def project_calendar(project: Project, *, until: date | None = None) -> WorkCalendar:
    """The project's working calendar over its span: weekdays, hours, public holidays and
    make-up working days of its country (from the `holidays` package, refreshed by upgrading
    it), then the project's own exceptions, which win."""
    weekdays = frozenset(int(d) - 1 for d in project.working_weekdays)
    holidays: set[date] = set()
    working: set[date] = set()
    if project.holiday_country:
        first = project.start_date.year
        last = holidays_known_until(project, until=until).year
        country = public_holidays.country_holidays(
            project.holiday_country, years=range(first - 1, last + 1)
        )
        holidays.update(country.keys())
        working.update(getattr(country, "weekend_workdays", set()))
    for exc in project.calendar_exceptions.all():
        if exc.kind == CalendarExceptionKind.HOLIDAY:
            holidays.add(exc.date)
            working.discard(exc.date)
        else:
            working.add(exc.date)
            holidays.discard(exc.date)
    return WorkCalendar(
        weekdays=weekdays,
        minutes_per_day=round(float(project.hours_per_day) * 60),
        holidays=frozenset(holidays),
        working_days=frozenset(working),
    )


def holidays_known_until(project: Project, *, until: date | None = None) -> date:
    """The last day whose public holidays `project_calendar(project, until=until)` includes:
    two years past the later of the target finish and `until`."""
    last = max(project.start_date, until or project.target_finish or project.start_date).year
    return date(last + 2, 12, 31)


def holiday_countries() -> list[tuple[str, str]]:
    # The package also answers to three-letter aliases (CHN, UKR...); offer each country once.
    codes = public_holidays.list_supported_countries()
    return sorted((code, code) for code in codes if len(code) == 2)
