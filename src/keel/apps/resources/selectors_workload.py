"""Reads of the workload area: people by week with the hours their assignments load them
with against their capacity, the tasks behind one person's week, and the people who could
take a task. Each read checks permission and runs a fixed number of queries however many
people, projects and tasks it covers.

The load model (docs/workload.md): an assignment loads its resource with the task's work
(duration x the project's hours per day x units / 100), spread evenly over the project's
working days from the task's start to its finish. Done and cancelled tasks load nobody; a
task in progress loads only its remaining share ((100 - % complete) / 100 of the work),
spread from the day after the project's status date (or its start) to its finish. Capacity
is the resource's hours per day on each of its own working weekdays, less its leave."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from keel.apps.accounts.models import Workspace
from keel.apps.planning.models import Task, TaskStatus
from keel.apps.projects.adapters import project_calendar
from keel.apps.projects.models import Project
from keel.apps.projects.permissions import ProjectAction, require, visible_projects_q
from keel.apps.tracking.weeks import Week
from keel.common.errors import NotFound, ValidationFailed
from keel.common.models import EARLIEST_DATE, LATEST_DATE, MSG_DATE_RANGE
from keel.engine.calendars import WorkCalendar

from . import models as resource_models
from .adapters import load_span
from .models import Assignment, Leave, Resource, ResourceSkill, Skill
from .selectors import workspace_for

ZERO = Decimal("0")
CENT = Decimal("0.01")
DEFAULT_WEEKS = 12
MAX_WEEKS = 52
MSG_WEEKS = _("Show between 1 and %(max)s weeks.")
MSG_BAD_WEEK = _("Give the week as YYYY-Www, e.g. 2027-W05.")
MSG_NO_DATES = _("This task has no dates yet: recalculate the schedule first.")
MSG_SUMMARY = _("A summary task takes no people; find people for its subtasks.")
MSG_UNKNOWN_SKILL = _("This skill is not one of the workspace's skills.")
MSG_UNKNOWN_PROJECT = _("This project is not one you can see in the workspace.")

# Statuses whose work is over: they load nobody.
FINISHED = (TaskStatus.DONE, TaskStatus.CANCELLED)
ASSIGNMENT_COLUMNS = (
    "resource_id",
    "units",
    "task_id",
    "task__name",
    "task__wbs_code",
    "task__start",
    "task__finish",
    "task__duration_days",
    "task__percent_complete",
    "task__project_id",
)


def parse_week(text: str, field_name: str = "week") -> Week:
    try:
        return Week.parse(text)
    except ValueError:
        raise ValidationFailed(fields={field_name: [MSG_BAD_WEEK]}) from None


def check_weeks(weeks: int) -> int:
    if not 1 <= weeks <= MAX_WEEKS:
        raise ValidationFailed(fields={"weeks": [MSG_WEEKS % {"max": MAX_WEEKS}]})
    return weeks


# ---------------------------------------------------------------- the load model


@dataclass(frozen=True)
class AssignmentLoad:
    """One assignment as the load model reads it (a row of ASSIGNMENT_COLUMNS)."""

    resource_id: int
    units: Decimal
    task_id: int
    task_name: str
    wbs_code: str
    start: date
    finish: date
    duration_days: Decimal
    percent_complete: int
    project_id: int


class Calendars:
    """Each project's working calendar, built once per read from rows fetched together."""

    def __init__(self, projects: Iterable[Project]) -> None:
        self.projects = {p.pk: p for p in projects}
        self._calendars: dict[int, WorkCalendar] = {}

    def of(self, project_id: int) -> WorkCalendar:
        if project_id not in self._calendars:
            self._calendars[project_id] = project_calendar(self.projects[project_id])
        return self._calendars[project_id]


def assignment_loads(rows: Iterable[Sequence[Any]]) -> list[AssignmentLoad]:
    return [AssignmentLoad(*row) for row in rows]


def daily_hours(
    a: AssignmentLoad, project: Project, calendar: WorkCalendar, first: date, last: date
) -> Iterator[tuple[date, Decimal]]:
    """The hours the assignment puts on each working day of [first, last]."""
    work = a.duration_days * project.hours_per_day * a.units / 100
    if a.percent_complete:
        work = work * (100 - a.percent_complete) / 100
    if work <= 0:
        return
    begin, end, count = load_span(
        a.start, a.finish, a.percent_complete, project.status_date, calendar
    )
    per_day = work / count
    day = max(begin, first)
    stop = min(end, last)
    while day <= stop:
        if calendar.is_working_day(day):
            yield day, per_day
        day += timedelta(days=1)


def capacity_hours(resource: Resource, leave_days: set[date], days: Iterable[date]) -> Decimal:
    weekdays = resource.working_weekdays
    worked = sum(1 for d in days if str(d.isoweekday()) in weekdays and d not in leave_days)
    return resource.capacity_hours * worked


def leave_days_of(resource_ids: Iterable[int], first: date, last: date) -> dict[int, set[date]]:
    """Each resource's days of leave within [first, last], in one query."""
    out: dict[int, set[date]] = defaultdict(set)
    rows = Leave.objects.filter(
        resource_id__in=list(resource_ids), start__lte=last, finish__gte=first
    ).values_list("resource_id", "start", "finish")
    for rid, start, finish in rows:
        day = max(start, first)
        while day <= min(finish, last):
            out[rid].add(day)
            day += timedelta(days=1)
    return out


def _load_rows(resource_ids: Iterable[int], first: date, last: date) -> list[AssignmentLoad]:
    """The assignments that may load the resources within [first, last], in one query."""
    rows = (
        Assignment.objects.filter(
            resource_id__in=list(resource_ids),
            task__start__isnull=False,
            task__finish__isnull=False,
            task__is_summary=False,
            task__is_milestone=False,
            task__start__lte=last,
        )
        .filter(Q(task__finish__gte=first) | Q(task__percent_complete__gt=0))
        .exclude(task__status__in=FINISHED)
        .order_by("task__project_id", "task__wbs_code", "task_id")
        .values_list(*ASSIGNMENT_COLUMNS)
    )
    return assignment_loads(rows)


def _calendars(project_ids: Iterable[int]) -> Calendars:
    """The projects of some assignments with their calendar exceptions: two queries."""
    projects = Project.objects.filter(pk__in=set(project_ids)).prefetch_related(
        "calendar_exceptions"
    )
    return Calendars(projects)


def _visible_ids(actor: Any, workspace_id: int) -> set[int]:
    return set(
        Project.objects.filter(visible_projects_q(actor), workspace_id=workspace_id).values_list(
            "pk", flat=True
        )
    )


# ---------------------------------------------------------------- the workload grid


@dataclass
class Cell:
    week: Week
    hours: Decimal = ZERO
    capacity: Decimal = ZERO
    other_hours: Decimal = ZERO  # from projects the viewer cannot see

    @property
    def over(self) -> bool:
        return self.hours > self.capacity

    @property
    def percent(self) -> int | None:
        return round(self.hours * 100 / self.capacity) if self.capacity else None


@dataclass
class Row:
    resource: Resource
    cells: list[Cell]

    @property
    def hours(self) -> Decimal:
        return sum((c.hours for c in self.cells), ZERO)

    @property
    def capacity(self) -> Decimal:
        return sum((c.capacity for c in self.cells), ZERO)

    @property
    def over_weeks(self) -> int:
        return sum(1 for c in self.cells if c.over)


@dataclass
class Workload:
    workspace: Workspace
    weeks: list[Week]
    rows: list[Row]
    week_hours: list[Decimal] = field(default_factory=list)
    week_capacity: list[Decimal] = field(default_factory=list)
    skills: list[Skill] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)
    projects: list[Project] = field(default_factory=list)

    @property
    def hours(self) -> Decimal:
        return sum(self.week_hours, ZERO)

    @property
    def capacity(self) -> Decimal:
        return sum(self.week_capacity, ZERO)

    @property
    def first_day(self) -> date:
        return self.weeks[0].monday

    @property
    def last_day(self) -> date:
        return self.weeks[-1].sunday


def workload_choices(
    actor: Any, workspace_id: int
) -> tuple[Workspace, list[Skill], list[str], list[Project]]:
    """The workspace (permission checked) and what its workload can be filtered by: its
    skills, its people's roles and the projects the actor can see in it."""
    ws = workspace_for(actor, workspace_id)
    skills = list(Skill.objects.filter(workspace=ws))
    roles = sorted(
        set(Resource.objects.filter(workspace=ws, is_active=True).values_list("role", flat=True))
        - {""}
    )
    projects = list(
        Project.objects.filter(visible_projects_q(actor), workspace_id=ws.pk).order_by("code", "pk")
    )
    return ws, skills, roles, projects


def week_span(start: date | None, weeks: int) -> list[Week]:
    """`weeks` ISO weeks from the one holding `start` (today when None)."""
    if start is not None and not EARLIEST_DATE <= start <= LATEST_DATE:
        raise ValidationFailed(fields={"start": [MSG_DATE_RANGE]})
    first = Week.of(start or timezone.localdate())
    out = [first]
    while len(out) < check_weeks(weeks):
        out.append(out[-1].next)
    return out


def _people(
    workspace: Workspace, *, skill_id: int | None, role: str | None, project_id: int | None
) -> list[Resource]:
    qs = Resource.objects.filter(workspace=workspace, is_active=True)
    if skill_id is not None:
        qs = qs.filter(skills__skill_id=skill_id)
    if role:
        qs = qs.filter(role=role)
    if project_id is not None:
        qs = qs.filter(assignments__task__project_id=project_id)
    return list(qs.distinct().order_by("name", "pk"))


def workload(
    actor: Any,
    workspace_id: int,
    *,
    start: date | None = None,
    weeks: int = DEFAULT_WEEKS,
    skill_id: int | None = None,
    role: str | None = None,
    project_id: int | None = None,
    over_only: bool = False,
) -> Workload:
    """People (active resources) by week: hours assigned against capacity. Load from the
    projects the actor cannot see counts, as `other_hours`, without naming them."""
    ws, skills, roles, projects = workload_choices(actor, workspace_id)
    span = week_span(start, weeks)
    visible = {p.pk for p in projects}
    if skill_id is not None and skill_id not in {s.pk for s in skills}:
        raise ValidationFailed(fields={"skill": [MSG_UNKNOWN_SKILL]})
    if project_id is not None and project_id not in visible:
        raise ValidationFailed(fields={"project": [MSG_UNKNOWN_PROJECT]})
    people = _people(ws, skill_id=skill_id, role=role, project_id=project_id)
    first, last = span[0].monday, span[-1].sunday
    ids = [r.pk for r in people]
    loads = _load_rows(ids, first, last)
    calendars = _calendars(a.project_id for a in loads)
    leave = leave_days_of(ids, first, last)
    index = {w.monday: i for i, w in enumerate(span)}
    grid = {rid: [Cell(week=w) for w in span] for rid in ids}
    for r in people:
        for cell in grid[r.pk]:
            cell.capacity = capacity_hours(r, leave.get(r.pk, set()), cell.week.days)
    for a in loads:
        cells = grid[a.resource_id]
        hidden = a.project_id not in visible
        project = calendars.projects[a.project_id]
        for day, hours in daily_hours(a, project, calendars.of(a.project_id), first, last):
            cell = cells[index[day - timedelta(days=day.weekday())]]
            cell.hours += hours
            if hidden:
                cell.other_hours += hours
    rows = []
    for r in people:
        for cell in grid[r.pk]:
            cell.hours = cell.hours.quantize(CENT)
            cell.other_hours = cell.other_hours.quantize(CENT)
        rows.append(Row(resource=r, cells=grid[r.pk]))
    if over_only:
        rows = [row for row in rows if row.over_weeks]
    return Workload(
        workspace=ws,
        weeks=span,
        rows=rows,
        week_hours=[sum((row.cells[i].hours for row in rows), ZERO) for i in range(len(span))],
        week_capacity=[
            sum((row.cells[i].capacity for row in rows), ZERO) for i in range(len(span))
        ],
        skills=skills,
        roles=roles,
        projects=projects,
    )


# ---------------------------------------------------------------- one cell's tasks


@dataclass(frozen=True)
class CellTask:
    task_id: int
    task_name: str
    wbs_code: str
    project_id: int
    project_code: str
    project_name: str
    units: Decimal
    hours: Decimal


@dataclass
class CellDetail:
    resource: Resource
    week: Week
    capacity: Decimal
    tasks: list[CellTask]
    other_hours: Decimal

    @property
    def hours(self) -> Decimal:
        return sum((t.hours for t in self.tasks), ZERO) + self.other_hours

    @property
    def over(self) -> bool:
        return self.hours > self.capacity


def resource_for_workload(actor: Any, resource_id: int) -> Resource:
    resource = Resource.objects.select_related("workspace").filter(pk=resource_id).first()
    if resource is None:
        raise NotFound()
    workspace_for(actor, resource.workspace_id)
    return resource


def workload_cell(actor: Any, resource_id: int, week: Week) -> CellDetail:
    """The tasks behind one person's week: those of projects the actor can see by name, the
    others' hours together."""
    resource = resource_for_workload(actor, resource_id)
    visible = _visible_ids(actor, resource.workspace_id)
    first, last = week.monday, week.sunday
    loads = _load_rows([resource.pk], first, last)
    calendars = _calendars(a.project_id for a in loads)
    tasks: list[CellTask] = []
    other = ZERO
    for a in loads:
        project = calendars.projects[a.project_id]
        hours = sum(
            (h for _d, h in daily_hours(a, project, calendars.of(a.project_id), first, last)),
            ZERO,
        )
        if not hours:
            continue
        if a.project_id in visible:
            tasks.append(
                CellTask(
                    task_id=a.task_id,
                    task_name=a.task_name,
                    wbs_code=a.wbs_code,
                    project_id=project.pk,
                    project_code=project.code,
                    project_name=project.name,
                    units=a.units,
                    hours=hours.quantize(CENT),
                )
            )
        else:
            other += hours
    leave = leave_days_of([resource.pk], first, last)
    return CellDetail(
        resource=resource,
        week=week,
        capacity=capacity_hours(resource, leave.get(resource.pk, set()), week.days),
        tasks=tasks,
        other_hours=other.quantize(CENT),
    )


# ---------------------------------------------------------------- find a person


@dataclass(frozen=True)
class SkillMatch:
    skill: Skill
    wanted_level: int
    level: int | None  # the resource's, None without the skill

    @property
    def met(self) -> bool:
        return self.level is not None and self.level >= self.wanted_level


@dataclass
class Candidate:
    resource: Resource
    matches: list[SkillMatch]
    capacity: Decimal  # hours in the task's dates
    load: Decimal  # hours other tasks already take then
    task_work: Decimal  # the task's work in hours (what one full-time person would do)

    @property
    def free(self) -> Decimal:
        return max(ZERO, self.capacity - self.load).quantize(CENT)

    @property
    def share(self) -> int:
        """Percent of the task's work the free hours cover (at most 100)."""
        if self.task_work <= 0:
            return 100 if self.free > 0 else 0
        return min(100, round(self.free * 100 / self.task_work))

    @property
    def skills_met(self) -> int:
        return sum(1 for m in self.matches if m.met)

    @property
    def skill_score(self) -> int:
        """0..100: the wanted skills held at the wanted level, partly for a lower level."""
        if not self.matches:
            return 100
        points = sum(min(m.level, m.wanted_level) / m.wanted_level for m in self.matches if m.level)
        return round(points * 100 / len(self.matches))

    @property
    def score(self) -> int:
        """Skills weigh 60%, free capacity 40% (docs/workload.md, Find a person)."""
        return round(self.skill_score * 0.6 + self.share * 0.4)


@dataclass
class Candidates:
    task: Task
    wanted: list[tuple[Skill, int]]  # (skill, minimum level)
    from_task: bool  # the wanted skills are the task's own (TaskSkill), not a query
    candidates: list[Candidate]
    skills: list[Skill]


def _task_for_staffing(actor: Any, task_id: int) -> Task:
    task = Task.objects.select_related("project__workspace").filter(pk=task_id).first()
    if task is None:
        raise NotFound()
    require(actor, ProjectAction.ASSIGN_RESOURCES, task.project)
    return task


def _task_skills(task: Task) -> list[tuple[int, int]]:
    """The skills the task needs, from the TaskSkill rows when the model exists (it comes
    with the people area)."""
    model = getattr(resource_models, "TaskSkill", None)
    if model is None:
        return []
    return list(model.objects.filter(task=task).values_list("skill_id", "min_level"))


def candidates_for(
    actor: Any, task_id: int, *, skill_ids: Sequence[int] = (), min_level: int = 1
) -> Candidates:
    """The workspace's active people ranked for a task: the skills it needs (the task's
    own, else `skill_ids` at `min_level`) and their free hours in its dates."""
    task = _task_for_staffing(actor, task_id)
    if task.is_summary:
        raise ValidationFailed(fields={"task": [MSG_SUMMARY]})
    if task.start is None or task.finish is None:
        raise ValidationFailed(fields={"task": [MSG_NO_DATES]})
    ws_id = task.project.workspace_id
    skills = list(Skill.objects.filter(workspace_id=ws_id))
    by_id = {s.pk: s for s in skills}
    own = _task_skills(task)
    wanted_ids = own or [(sid, min_level) for sid in dict.fromkeys(skill_ids)]
    for sid, _level in wanted_ids:
        if sid not in by_id:
            raise ValidationFailed(fields={"skill": [MSG_UNKNOWN_SKILL]})
    wanted = [(by_id[sid], lvl) for sid, lvl in wanted_ids]
    people = list(Resource.objects.filter(workspace_id=ws_id, is_active=True).order_by("name"))
    ids = [r.pk for r in people]
    levels: dict[tuple[int, int], int] = {
        (rid, sid): lvl
        for rid, sid, lvl in ResourceSkill.objects.filter(resource_id__in=ids).values_list(
            "resource_id", "skill_id", "level"
        )
    }
    first, last = task.start, task.finish
    loads = [a for a in _load_rows(ids, first, last) if a.task_id != task.pk]
    calendars = _calendars([task.project_id, *(a.project_id for a in loads)])
    busy: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for a in loads:
        project = calendars.projects[a.project_id]
        for _d, hours in daily_hours(a, project, calendars.of(a.project_id), first, last):
            busy[a.resource_id] += hours
    leave = leave_days_of(ids, first, last)
    task_calendar = calendars.of(task.project_id)
    days = [
        first + timedelta(days=i)
        for i in range((last - first).days + 1)
        if task_calendar.is_working_day(first + timedelta(days=i))
    ]
    work = (task.duration_days * task.project.hours_per_day).quantize(CENT)
    out = [
        Candidate(
            resource=r,
            matches=[SkillMatch(s, lvl, levels.get((r.pk, s.pk))) for s, lvl in wanted],
            capacity=capacity_hours(r, leave.get(r.pk, set()), days),
            load=busy[r.pk].quantize(CENT),
            task_work=work,
        )
        for r in people
    ]
    out.sort(key=lambda c: (-c.score, -c.skills_met, -c.free, c.resource.name, c.resource.pk))
    return Candidates(task=task, wanted=wanted, from_task=bool(own), candidates=out, skills=skills)
