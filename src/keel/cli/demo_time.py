"""The demo's timesheets: each team member logs the weeks since the project started on the
tasks they own that have progress, through the same services people use. Older weeks are
approved, last week waits for approval, this week is a draft, and one person's week was sent
back with a comment to correct."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from keel.apps.accounts.models import User
from keel.apps.audit.context import acting_as
from keel.apps.planning.models import Task
from keel.apps.projects.models import Project, ProjectMembership, ProjectRole
from keel.apps.tracking.models import TimeEntry
from keel.apps.tracking.selectors import project_today
from keel.apps.tracking.services import entry_create, week_approve, week_reject, week_submit
from keel.apps.tracking.weeks import Week

OVERRUN = Decimal("1.1")  # time logged against the work earned: estimates run short
HALF_HOUR = Decimal("0.5")
LONG_DAY = Decimal("10")
ZERO = Decimal("0")
NOTES = {
    "zh-hans": ["现场沟通", "", "图纸修改", "与供应商电话会议", "", "内部评审"],
    "en": ["Pairing", "", "Code review", "Customer call", "", "Fixing test failures"],
}
REJECTION = {
    "zh-hans": "周三的工时请拆分到具体任务，并补充备注。",  # noqa: RUF001  (Chinese punctuation)
    "en": "Wednesday looks high: please split it across the tasks you worked on.",
}


def _working_days(first: dt.date, last: dt.date) -> list[dt.date]:
    days = []
    day = first
    while day <= last:
        if day.weekday() < 5:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def _log_person(person: User, project: Project, last: dt.date) -> int:
    """Log the person's work on each task they own that has progress, on the working days
    it ran (from its actual start to its finish or `last`): the work earned so far and a
    tenth more, as estimates tend to be short. At most a long day on any one task."""
    tasks = sorted(
        Task.objects.filter(
            project=project,
            owner=person,
            is_summary=False,
            is_milestone=False,
            percent_complete__gt=0,
        ),
        key=lambda t: [int(p) for p in t.wbs_code.split(".") if p.isdigit()],
    )
    notes = NOTES.get(person.language, NOTES["en"])
    used: dict[dt.date, Decimal] = {}
    count = 0
    for task in tasks:
        first = task.actual_start or task.start
        end = min(task.actual_finish or task.finish or last, last)
        if first is None or end < first:
            continue
        days = _working_days(first, end)
        if not days:
            continue
        earned = task.duration_days * project.hours_per_day * task.percent_complete / 100
        per_day = (earned * OVERRUN / len(days) * 2).quantize(Decimal("1")) / 2  # half hours
        for d, day in enumerate(days):
            hours = min(max(per_day, HALF_HOUR), LONG_DAY, Decimal(24) - used.get(day, ZERO))
            if hours <= 0:
                continue
            entry_create(
                actor=person, task_id=task.pk, date=day, hours=hours, note=notes[d % len(notes)]
            )
            used[day] = used.get(day, ZERO) + hours
            count += 1
    return count


def _refs(entries: Sequence[TimeEntry]) -> list[tuple[int, int]]:
    return [(e.pk, e.version) for e in entries]


def load_timesheets(*, manager: User, projects: Sequence[Project], today: dt.date) -> int:
    """Log, submit and review the demo teams' time; returns the number of entries."""
    this_week = Week.of(today)
    total = 0
    for project in projects:
        last = min(today, project_today(project))
        members = list(
            ProjectMembership.objects.filter(project=project, role=ProjectRole.MEMBER)
            .select_related("user")
            .order_by("pk")
        )
        for n, membership in enumerate(members):
            person = membership.user
            with acting_as(person):
                total += _log_person(person, project, last)
                weeks = sorted(
                    {
                        Week.of(d)
                        for d in TimeEntry.objects.filter(project=project, user=person)
                        .values_list("date", flat=True)
                        .distinct()
                    }
                )
                submitted: list[tuple[Week, list[TimeEntry]]] = []
                for week in weeks:
                    if week < this_week:
                        submitted.append((week, week_submit(actor=person, week=week)))
            with acting_as(manager):
                for week, entries in submitted:
                    age = (this_week.monday - week.monday).days // 7
                    review: dict[str, Any] = {
                        "actor": manager,
                        "project": project,
                        "user_id": person.pk,
                        "week": week,
                        "entries": _refs(entries),
                    }
                    if age == 2 and n == 1:
                        language = person.language if person.language in REJECTION else "en"
                        week_reject(**review, comment=REJECTION[language])
                    elif age >= 2:
                        week_approve(**review)
    return total
