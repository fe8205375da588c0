"""Resource rows -> the engine's leveling input, and its answer back to dates.

Leveling starts from the project's CURRENT schedule (Task.start/finish, written by the
progress-aware schedule service), not from a schedule of its own, so that the leveler's
picture of who overlaps is the one the workload page shows:

* Work that has started (an actual start, some progress, or status in progress / blocked /
  in review) and tasks that must start on a day (MSO) are fixed: they keep their dates and
  still use their people over the rest of their span (the workload page's span: from the
  day after the status date for work in progress). The engine has no fixed activities and
  only constant capacities, so that use is handed to it as pre-booked capacity: one dummy
  activity per resource and run of working days with the same fixed load, released on its
  first day and placed before every real task (a higher priority; dummies have no links,
  so each is eligible at once and, never exceeding the capacity and never overlapping on
  their resource, lands exactly on its release). Fixed load above a capacity is clipped:
  that day is simply full for the leveler.
* Tasks not started are released on their current scheduled start (they never move
  earlier, which is all a "start no earlier than" constraint can express) and on no day
  before the one after the status date. Links between them are kept; links to and from
  fixed tasks are already met by the current dates, which the releases keep.
* Done and cancelled tasks use nobody and are left out.

Time is in whole working days from the project start, each duration and lag rounded up:
the workload counts a person on every day a task touches, so a task only "fits" where its
whole days are free, and the schedule service (which knows fractions) then starts no task
later than the leveler placed it.

A resource's capacity is 100 units (one person), or its largest single assignment when
that is more (a team resource booked at 200% is two people)."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from keel.apps.planning.models import Constraint, Task, TaskStatus
from keel.apps.projects.models import Project
from keel.engine.calendars import WorkCalendar
from keel.engine.formats import LevelingProblem
from keel.engine.scheduling.leveling import Activity, LevelingResult, Precedence
from keel.engine.types import LinkIn, LinkType

PERSON = Decimal("100")  # units of one person's full day
SCALE = 100  # units are given to the engine in hundredths (50.5% -> 5050)
FINISHED = (TaskStatus.DONE, TaskStatus.CANCELLED)
STARTED = (TaskStatus.IN_PROGRESS, TaskStatus.BLOCKED, TaskStatus.IN_REVIEW)
DUMMY_PRIORITY = 1  # pre-booked capacity goes before every real task (priority 0)


def load_span(
    start: date,
    finish: date,
    percent_complete: int,
    status_date: date | None,
    calendar: WorkCalendar,
) -> tuple[date, date, int]:
    """The days a task's remaining work loads its people: (first, last, working days).
    Work in progress is spread from the day after the status date; resource leveling
    (daily_demand below) and the workload page (selectors_workload) read the same span, so
    their pictures match."""
    begin = start
    if percent_complete and status_date is not None:
        begin = max(begin, status_date + timedelta(days=1))
    end = finish
    count = calendar.working_days_between(begin, end + timedelta(days=1)) if begin <= end else 0
    if count <= 0:
        # The schedule has not caught up with the status date: what is left is due now.
        begin = end = calendar.next_working_day(max(begin, end))
        count = 1
    return begin, end, count


@dataclass(frozen=True)
class Demand:
    task_id: int
    resource_id: int
    units: Decimal


@dataclass(frozen=True)
class LevelingInput:
    """The engine's problem and how to read its answer: `origin` is the working-day index
    of offset 0; `movable` the tasks the leveler may place (all others are fixed)."""

    problem: LevelingProblem
    origin: int
    movable: frozenset[int]


def is_started(task: Task) -> bool:
    return task.actual_start is not None or task.percent_complete > 0 or task.status in STARTED


def is_movable(task: Task) -> bool:
    """A leaf task not started, not finished, with dates and not pinned to its start."""
    return (
        task.status not in FINISHED
        and not is_started(task)
        and task.constraint_type != Constraint.MSO
        and not task.is_summary
        and task.start is not None
        and task.finish is not None
    )


def capacities(demands: Iterable[Demand]) -> dict[int, Decimal]:
    out: dict[int, Decimal] = {}
    for d in demands:
        out[d.resource_id] = max(out.get(d.resource_id, PERSON), d.units)
    return out


def daily_demand(
    tasks: Iterable[Task],
    demands: Iterable[Demand],
    calendar: WorkCalendar,
    status_date: date | None,
    dates: Mapping[int, tuple[date, date]] | None = None,
) -> dict[int, dict[date, Decimal]]:
    """Each resource's units booked on each working day of its tasks' remaining spans (the
    workload page's load model: done and cancelled tasks, summaries and milestones load
    nobody). `dates` overrides tasks' (start, finish), e.g. with a leveled schedule."""
    spans: dict[int, list[date]] = {}
    for t in tasks:
        start, finish = (dates or {}).get(t.pk, (t.start, t.finish))
        if (
            t.status in FINISHED
            or t.is_summary
            or t.is_milestone
            or t.percent_complete >= 100
            or start is None
            or finish is None
        ):
            continue
        begin, end, _count = load_span(start, finish, t.percent_complete, status_date, calendar)
        days = []
        day = begin
        while day <= end:
            if calendar.is_working_day(day):
                days.append(day)
            day += timedelta(days=1)
        spans[t.pk] = days
    out: dict[int, dict[date, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for d in demands:
        for day in spans.get(d.task_id, ()):
            out[d.resource_id][day] += d.units
    return {rid: dict(days) for rid, days in out.items()}


def overload_hours(
    load: Mapping[int, Mapping[date, Decimal]],
    capacity: Mapping[int, Decimal],
    hours_per_day: Decimal,
) -> dict[int, Decimal]:
    """Hours booked beyond capacity, by resource: the units above capacity on each day, as
    shares of a person's day at the project's hours per day."""
    out: dict[int, Decimal] = {}
    for rid, days in load.items():
        cap = capacity.get(rid, PERSON)
        over = sum((max(Decimal(0), u - cap) for u in days.values()), Decimal(0))
        if over > 0:
            out[rid] = (over / PERSON * hours_per_day).quantize(Decimal("0.01"))
    return out


def _whole_days(days: Decimal | float) -> int:
    return math.ceil(Decimal(str(days)) - Decimal("1e-9"))


def leveling_input(
    project: Project,
    calendar: WorkCalendar,
    tasks: Sequence[Task],
    links: Sequence[LinkIn],
    demands: Sequence[Demand],
) -> LevelingInput:
    """The leveling problem of the project's current schedule (rules in the module)."""
    status_date = project.status_date
    origin = calendar.day_index(project.start_date)
    movable = {t.pk: t for t in tasks if is_movable(t)}
    floor = 0
    if status_date is not None:
        floor = calendar.day_index(status_date + timedelta(days=1)) - origin
    cap = capacities(demands)
    by_task: dict[int, dict[str, int]] = defaultdict(dict)
    for d in demands:
        if d.task_id in movable:
            q = by_task[d.task_id]
            q[str(d.resource_id)] = q.get(str(d.resource_id), 0) + round(d.units * SCALE)
    activities: list[Activity] = []
    for tid, t in movable.items():
        assert t.start is not None  # is_movable
        release = max(0, floor, calendar.day_index(t.start) - origin)
        duration = 0 if t.is_milestone else _whole_days(t.duration_days)
        activities.append(
            Activity(id=tid, duration=duration, demands=dict(by_task.get(tid, {})), release=release)
        )
    # Fixed work as pre-booked capacity: runs of equal load per resource become dummies.
    fixed = [t for t in tasks if t.pk not in movable]
    load = daily_demand(
        fixed, [d for d in demands if d.task_id not in movable], calendar, status_date
    )
    dummy_id = -1
    for rid in sorted(load):
        offsets = sorted(
            (calendar.day_index(day) - origin, min(units, cap[rid]))
            for day, units in load[rid].items()
            if units > 0 and calendar.day_index(day) >= origin
        )
        run: list[tuple[int, Decimal]] = []
        for off, units in [*offsets, (-1, Decimal(0))]:
            if run and (off != run[-1][0] + 1 or units != run[0][1]):
                activities.append(
                    Activity(
                        id=dummy_id,
                        duration=len(run),
                        demands={str(rid): round(run[0][1] * SCALE)},
                        release=run[0][0],
                        priority=DUMMY_PRIORITY,
                    )
                )
                dummy_id -= 1
                run = []
            run.append((off, units))
    # Links between movable leaves (a link on a summary applies to each leaf under it).
    children: dict[int, list[int]] = defaultdict(list)
    for t in tasks:
        if t.parent_id is not None:
            children[t.parent_id].append(t.pk)

    def leaves(tid: int) -> list[int]:
        if tid not in children:
            return [tid]
        return [x for c in children[tid] for x in leaves(c)]

    precedences = tuple(
        Precedence(p, s, LinkType(link.type), _whole_days(link.lag_days))
        for link in links
        for p in leaves(link.predecessor_id)
        for s in leaves(link.successor_id)
        if p in movable and s in movable
    )
    problem = LevelingProblem(
        activities=tuple(activities),
        precedences=precedences,
        capacities={str(rid): round(c * SCALE) for rid, c in sorted(cap.items())},
        unit_days=1.0,
        scale=SCALE,
    )
    return LevelingInput(problem=problem, origin=origin, movable=frozenset(movable))


def leveled_starts(
    calendar: WorkCalendar, data: LevelingInput, result: LevelingResult
) -> dict[int, date]:
    """Each movable task's leveled start as a date (dummies left out)."""
    return {
        tid: calendar.day_at(data.origin + units)
        for tid, units in result.starts.items()
        if tid in data.movable
    }
