"""Resource rows -> the engine's leveling input, and its answer back to dates.

A project's plan becomes an engine `Plan` (formats.leveling_problem then picks the time unit
and the demand scale): every leaf task with its duration, links and dated constraints, each
assigned resource a demand of its assignment's units. A resource's capacity is 100 units (one
person), or its largest single assignment when that is more (a team resource booked at 200%
is two people). Tasks whose work is over (done, cancelled) demand nothing."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from keel.apps.planning.adapters import task_in
from keel.apps.planning.models import Task, TaskStatus
from keel.apps.projects.models import Project
from keel.engine.calendars import WorkCalendar
from keel.engine.formats import LevelingProblem, Plan, PlanTask, leveling_problem
from keel.engine.formats import Resource as PlanResource
from keel.engine.scheduling.leveling import LevelingResult
from keel.engine.types import LinkIn

PERSON = Decimal("100")  # units of one person's full day


@dataclass(frozen=True)
class Demand:
    task_id: int
    resource_id: int
    units: Decimal


def leveling_plan(
    project: Project,
    calendar: WorkCalendar,
    tasks: Sequence[Task],
    links: Sequence[LinkIn],
    demands: Iterable[Demand],
    resource_names: Mapping[int, str],
) -> Plan:
    working = {t.pk for t in tasks if t.status not in (TaskStatus.DONE, TaskStatus.CANCELLED)}
    by_task: dict[int, list[tuple[str, float]]] = {}
    capacity: dict[int, Decimal] = {}
    for d in demands:
        if d.task_id not in working:
            continue
        by_task.setdefault(d.task_id, []).append((str(d.resource_id), float(d.units)))
        capacity[d.resource_id] = max(capacity.get(d.resource_id, PERSON), d.units)
    return Plan(
        name=project.name,
        start=project.start_date,
        calendar=calendar,
        tasks=tuple(
            PlanTask(
                key=str(t.pk),
                name=t.name,
                task=task_in(t),
                demands=tuple(by_task.get(t.pk, ())),
            )
            for t in tasks
        ),
        links=tuple(links),
        resources=tuple(
            PlanResource(id=str(rid), name=resource_names.get(rid, str(rid)), capacity=float(c))
            for rid, c in sorted(capacity.items())
        ),
        status_date=project.status_date,
    )


def problem_of(plan: Plan) -> LevelingProblem:
    return leveling_problem(plan)


def leveled_starts(plan: Plan, problem: LevelingProblem, result: LevelingResult) -> dict[int, date]:
    """Each activity's leveled start as a date: the working day its offset falls in."""
    cal = plan.calendar
    origin = cal.day_index(plan.start)
    return {
        tid: cal.day_at(origin + int(units * problem.unit_days + 1e-9))
        for tid, units in result.starts.items()
    }


def overload_hours(
    problem: LevelingProblem, overload: Mapping[str, int], hours_per_day: Decimal
) -> dict[int, Decimal]:
    """The engine's over-allocation (unit x time above capacity) as hours per resource."""
    out: dict[int, Decimal] = {}
    for rid, value in overload.items():
        if value:
            days = Decimal(str(value * problem.unit_days)) / problem.scale / PERSON
            out[int(rid)] = (days * hours_per_day).quantize(Decimal("0.01"))
    return out
