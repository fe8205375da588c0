"""Reads about the plan; each checks permission and owns its joins."""

from __future__ import annotations

import math
import zoneinfo
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from keel.apps.projects.adapters import project_calendar
from keel.apps.projects.models import Project, SchedulePhase, ScheduleState
from keel.apps.projects.permissions import ProjectAction, can, require
from keel.common.errors import NotFound
from keel.common.pagination import apply_ordering
from keel.engine.milestones import MilestoneStatus, milestone_status

from .adapters import planned_work_hours
from .costing import planned_costs
from .models import (
    Baseline,
    BaselineTask,
    ChangeRequest,
    Dependency,
    SavedView,
    Task,
    TaskStatus,
    WorkflowColumn,
)

TASK_ORDERING = (
    "wbs_code",
    "name",
    "start",
    "finish",
    "deadline",
    "priority",
    "status",
    "percent_complete",
    "total_float",
    "created_at",
)


def _task_qs() -> QuerySet[Task]:
    return Task.objects.select_related("owner", "parent", "project").prefetch_related(
        "assignees", "goals"
    )


def tasks_for(
    actor: Any,
    project: Project,
    *,
    status: str | None = None,
    milestone: bool | None = None,
    critical: bool | None = None,
    parent_id: int | None = None,
    assignee_id: int | None = None,
    search: str | None = None,
    ordering: str | None = None,
    priority: str | None = None,
    overdue_on: date | None = None,
) -> QuerySet[Task]:
    require(actor, ProjectAction.VIEW, project)
    qs = _task_qs().filter(project=project)
    if status:
        qs = qs.filter(status=status)
    if priority:
        qs = qs.filter(priority=priority)
    if overdue_on is not None:
        # Open work whose finish (or deadline) has passed.
        qs = qs.filter(Q(finish__lt=overdue_on) | Q(deadline__lt=overdue_on)).exclude(
            status__in=[TaskStatus.DONE, TaskStatus.CANCELLED]
        )
    if milestone is not None:
        qs = qs.filter(is_milestone=milestone)
    if critical is not None:
        qs = qs.filter(is_critical=critical)
    if parent_id is not None:
        qs = qs.filter(parent_id=parent_id)
    if assignee_id is not None:
        qs = qs.filter(Q(assignees__id=assignee_id) | Q(owner_id=assignee_id)).distinct()
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(wbs_code__startswith=search))
    return apply_ordering(qs, ordering, TASK_ORDERING) if ordering else qs


def task_tree(actor: Any, project: Project) -> list[Task]:
    """Every task in outline order with `depth` set, for the tree page; one query per
    relation however many tasks there are."""
    tasks = list(
        tasks_for(actor, project).prefetch_related(
            Prefetch(
                "predecessor_links",
                queryset=Dependency.objects.select_related("predecessor"),
            )
        )
    )
    for t in tasks:
        t.depth = t.wbs_code.count(".") if t.wbs_code else 0  # type: ignore[attr-defined]
    tasks.sort(key=lambda t: [int(p) for p in t.wbs_code.split(".")] if t.wbs_code else [0])
    return tasks


def critical_path(actor: Any, project: Project, *, limit: int | None = None) -> list[Task]:
    """The engine's critical tasks (no summaries) in the order they run, with predecessors;
    the first `limit` of them when given (the relations are read for those only)."""
    qs = (
        tasks_for(actor, project, critical=True)
        .filter(is_summary=False)
        .prefetch_related(
            Prefetch("predecessor_links", queryset=Dependency.objects.select_related("predecessor"))
        )
        .order_by("start", "finish", "wbs_code", "pk")
    )
    return list(qs[:limit] if limit is not None else qs)


def critical_count(project: Project) -> int:
    return Task.objects.filter(project=project, is_critical=True, is_summary=False).count()


def task_get(actor: Any, task_id: int, action: ProjectAction = ProjectAction.VIEW) -> Task:
    task = (
        _task_qs()
        .select_related("project__workspace")
        .prefetch_related(
            Prefetch(
                "predecessor_links", queryset=Dependency.objects.select_related("predecessor")
            ),
            Prefetch("successor_links", queryset=Dependency.objects.select_related("successor")),
        )
        .filter(pk=task_id)
        .first()
    )
    if task is None:
        raise NotFound()
    require(actor, action, task.project)
    return task


def dependencies_for(
    actor: Any, project: Project, *, task_id: int | None = None, ordering: str | None = None
) -> QuerySet[Dependency]:
    require(actor, ProjectAction.VIEW, project)
    qs = Dependency.objects.filter(project=project).select_related("predecessor", "successor")
    if task_id is not None:
        qs = qs.filter(Q(predecessor_id=task_id) | Q(successor_id=task_id))
    return apply_ordering(qs, ordering, ("created_at", "type", "lag_days")) if ordering else qs


def dependency_get(
    actor: Any, dep_id: int, action: ProjectAction = ProjectAction.VIEW
) -> Dependency:
    dep = (
        Dependency.objects.select_related("predecessor", "successor", "project__workspace")
        .filter(pk=dep_id)
        .first()
    )
    if dep is None:
        raise NotFound()
    require(actor, action, dep.project)
    return dep


@dataclass(frozen=True)
class MilestoneRow:
    task: Task
    status: MilestoneStatus

    @property
    def target(self) -> date | None:
        return self.task.deadline


def milestones_for(
    actor: Any, project: Project, *, today: date | None = None, status: str | None = None
) -> list[MilestoneRow]:
    today = today or timezone.localdate(timezone=zoneinfo.ZoneInfo(project.timezone))
    calendar = project_calendar(project, until=project.scheduled_finish)

    def slack(t: Task) -> float | None:
        if t.finish is None or t.deadline is None or t.deadline < t.finish:
            return None
        return float(calendar.working_days_between(t.finish, t.deadline))

    rows = [
        MilestoneRow(
            task=t,
            status=milestone_status(
                done=t.status == "done" or t.percent_complete >= 100,
                forecast=t.finish,
                target=t.deadline,
                today=today,
                slack_days=slack(t),
            ),
        )
        for t in tasks_for(actor, project, milestone=True).order_by("finish", "wbs_code", "pk")
    ]
    if status:
        rows = [r for r in rows if r.status == status]
    return rows


# ---------------------------------------------------------------- the schedule's state

# Codes of a failed recalculation (Project.schedule_error_code, written by services).
ERROR_LOOP = "dependency_cycle"
ERROR_OUT_OF_RANGE = "schedule_out_of_range"
ERROR_ENGINE = "engine_error"
MSG_SCHEDULE_LOOP = _(
    "The dependencies form a loop: %(loop)s. Remove one of these links and the schedule is "
    "recalculated."
)
# The text of services.MSG_OUT_OF_RANGE (one translation): services may read selectors, not
# the other way round.
MSG_SCHEDULE_OUT_OF_RANGE = _(
    "The schedule would run past the year 9999; check durations, lags and dates."
)
MSG_SCHEDULE_ERROR = _(
    "Something went wrong on the server while scheduling this plan (it is logged). The next "
    "change to the plan tries again."
)


@dataclass(frozen=True)
class ScheduleStatus:
    """Whether a project's dates are current, or how far their recalculation is."""

    state: ScheduleState
    progress: int  # percent; 100 when current
    phase: SchedulePhase | None  # while running
    requested_at: datetime | None
    finished_at: datetime | None
    error_code: str | None
    error: str | None  # why it failed, in the reader's language

    @property
    def is_busy(self) -> bool:
        """Queued or running: the page polls until it is done."""
        return self.state in (ScheduleState.QUEUED, ScheduleState.RUNNING)


def schedule_status(actor: Any, project: Project) -> ScheduleStatus:
    """Read from the project row the caller holds (no query beyond the permission check)."""
    require(actor, ProjectAction.VIEW, project)
    return schedule_status_of(project)


def schedule_status_of(project: Project) -> ScheduleStatus:
    """schedule_status without a permission check, for the operator's `keel recalculate`."""
    state = ScheduleState(project.schedule_state)
    code = project.schedule_error_code or None
    error: str | None = None
    if state == ScheduleState.FAILED:
        if code == ERROR_LOOP:
            error = str(MSG_SCHEDULE_LOOP % {"loop": project.schedule_error_detail})
        elif code == ERROR_OUT_OF_RANGE:
            error = str(MSG_SCHEDULE_OUT_OF_RANGE)
        else:
            error = str(MSG_SCHEDULE_ERROR)
    return ScheduleStatus(
        state=state,
        progress=project.schedule_progress,
        phase=SchedulePhase(project.schedule_phase) if project.schedule_phase else None,
        requested_at=project.schedule_requested_at,
        finished_at=project.schedule_finished_at,
        error_code=code if state == ScheduleState.FAILED else None,
        error=error,
    )


def project_today(project: Project) -> date:
    """Today where the project is."""
    return timezone.localdate(timezone=zoneinfo.ZoneInfo(project.timezone))


def workflow_columns(project: Project) -> list[WorkflowColumn]:
    """The project's workflow in order; every status when the project has not chosen."""
    rows = list(WorkflowColumn.objects.filter(project=project).order_by("position"))
    if rows:
        return rows
    return [
        WorkflowColumn(project=project, status=s, position=i)
        for i, s in enumerate(TaskStatus.values)
    ]


@dataclass
class BoardColumn:
    column: WorkflowColumn
    cards: list[Task]

    @property
    def status(self) -> str:
        return self.column.status

    @property
    def label(self) -> str:
        return str(self.column)

    @property
    def over_limit(self) -> bool:
        limit = self.column.wip_limit
        return limit is not None and len(self.cards) > limit

    @property
    def at_limit(self) -> bool:
        limit = self.column.wip_limit
        return limit is not None and len(self.cards) >= limit


@dataclass
class Swimlane:
    key: str
    label: str
    columns: list[BoardColumn]


@dataclass
class Board:
    columns: list[BoardColumn]  # every card, for the column totals and WIP limits
    lanes: list[Swimlane]  # the same cards split by the chosen swimlanes


SWIMLANES = ("none", "assignee", "summary")


def board(
    actor: Any,
    project: Project,
    *,
    swimlanes: str = "none",
    assignee_id: int | None = None,
    search: str | None = None,
) -> Board:
    """The project's leaf tasks by workflow column, in board order; a constant number of
    queries however many cards."""
    cols = workflow_columns(project)
    qs = tasks_for(actor, project, assignee_id=assignee_id, search=search).filter(is_summary=False)
    cards = list(qs.order_by("board_position", "pk"))
    by_status: dict[str, list[Task]] = {c.status: [] for c in cols}
    for t in cards:
        by_status.setdefault(t.status, []).append(t)
    columns = [BoardColumn(c, by_status.get(c.status, [])) for c in cols]
    if swimlanes not in SWIMLANES or swimlanes == "none":
        return Board(columns, [Swimlane("all", "", columns)])
    lane_of: dict[int, tuple[str, str]] = {}
    for t in cards:
        if swimlanes == "assignee":
            people = list(t.assignees.all()) or ([t.owner] if t.owner else [])
            person = people[0] if people else None
            lane_of[t.pk] = (f"u{person.pk}", person.display_name) if person else ("none", "")
        else:
            parent = t.parent
            lane_of[t.pk] = (f"t{parent.pk}", str(parent)) if parent else ("none", "")
    keys: dict[str, str] = {}
    for t in cards:
        key, label = lane_of[t.pk]
        keys.setdefault(key, label)
    ordered = sorted(keys.items(), key=lambda kv: (kv[0] == "none", kv[1].lower()))
    lanes = [
        Swimlane(
            key,
            label,
            [
                BoardColumn(c.column, [t for t in c.cards if lane_of[t.pk][0] == key])
                for c in columns
            ],
        )
        for key, label in ordered
    ]
    return Board(columns, lanes)


@dataclass
class MyWork:
    overdue: list[Task]
    blocked: list[Task]
    due_soon: list[Task]
    in_progress: list[Task]
    upcoming: list[Task]


def my_work(actor: Any, *, today: date | None = None, horizon_days: int = 7) -> MyWork:
    """The person's open leaf tasks across every project they can see: overdue, blocked, due
    within `horizon_days`, in progress, and the rest by start. One query for all projects."""
    from keel.apps.projects.permissions import visible_projects_q

    today = today or timezone.localdate()
    open_statuses = [
        TaskStatus.TODO,
        TaskStatus.IN_PROGRESS,
        TaskStatus.BLOCKED,
        TaskStatus.IN_REVIEW,
    ]
    visible = Project.objects.filter(visible_projects_q(actor), archived_at__isnull=True)
    tasks = list(
        _task_qs()
        .select_related("project")
        .filter(
            Q(assignees=actor) | Q(owner=actor),
            project__in=visible,
            is_summary=False,
            status__in=open_statuses,
        )
        .distinct()
        .order_by("finish", "project__code", "wbs_code", "pk")
    )
    soon = today + timedelta(days=horizon_days)

    def due(t: Task) -> date | None:
        return t.deadline or t.finish

    out = MyWork([], [], [], [], [])
    for t in tasks:
        d = due(t)
        if d is not None and d < today:
            out.overdue.append(t)
        elif t.status == TaskStatus.BLOCKED:
            out.blocked.append(t)
        elif d is not None and d <= soon:
            out.due_soon.append(t)
        elif t.status in (TaskStatus.IN_PROGRESS, TaskStatus.IN_REVIEW):
            out.in_progress.append(t)
        else:
            out.upcoming.append(t)
    return out


# ---------------------------------------------------------------- baselines


def baselines_for(actor: Any, project: Project) -> QuerySet[Baseline]:
    require(actor, ProjectAction.VIEW, project)
    return (
        Baseline.objects.filter(project=project)
        .select_related("created_by", "project__workspace")
        .order_by("-number")
    )


def baseline_get(
    actor: Any, baseline_id: int, action: ProjectAction = ProjectAction.VIEW
) -> Baseline:
    baseline = (
        Baseline.objects.select_related("project__workspace", "created_by")
        .filter(pk=baseline_id)
        .first()
    )
    if baseline is None:
        raise NotFound()
    require(actor, action, baseline.project)
    return baseline


def people_per_task(project: Project) -> Counter[int]:
    """How many people each task of the project has, without loading them."""
    return Counter(
        Task.assignees.through.objects.filter(task__project=project).values_list(
            "task_id", flat=True
        )
    )


def _refresh_finish(project: Project) -> None:
    """The finish as scheduled now: the caller's copy of the project may predate a change."""
    project.scheduled_finish = (
        Project.objects.filter(pk=project.pk).values_list("scheduled_finish", flat=True).first()
    )


def primary_baseline(project: Project) -> Baseline | None:
    return Baseline.objects.filter(project=project, is_primary=True).first()


@dataclass
class VarianceRow:
    """A task now against the baseline. Variances are in working days of the project
    calendar, positive when later or longer than the baseline."""

    task: Task | None  # None: deleted since the baseline
    saved: BaselineTask | None  # None: added since the baseline
    start_variance: int | None
    finish_variance: int | None
    duration_variance: Decimal | None
    work_variance: Decimal | None
    cost_variance: Decimal | None = None  # in the project's currency, when both are known

    @property
    def name(self) -> str:
        return self.task.name if self.task else self.saved.name if self.saved else ""

    @property
    def wbs_code(self) -> str:
        return self.task.wbs_code if self.task else self.saved.wbs_code if self.saved else ""

    @property
    def slipped(self) -> bool:
        return (self.finish_variance or 0) > 0


@dataclass
class Comparison:
    baseline: Baseline
    rows: list[VarianceRow]
    finish_variance: int | None  # of the whole project
    slipped: list[VarianceRow]  # leaf tasks finishing later than saved, most slipped first
    late_milestones: list[VarianceRow]


def baseline_comparison(
    actor: Any, baseline: Baseline, *, work_of: dict[int, Decimal] | None = None
) -> Comparison:
    """Every task against the baseline, in outline order (tasks deleted since at the end),
    with the slipped tasks and late milestones picked out. Three queries however big."""
    project = baseline.project
    require(actor, ProjectAction.VIEW, project)
    _refresh_finish(project)
    tasks = list(Task.objects.filter(project=project).order_by("wbs_code"))
    people = people_per_task(project)
    saved = {r.task_key: r for r in BaselineTask.objects.filter(baseline=baseline)}
    last = max(
        [d for d in [project.scheduled_finish, baseline.finish] if d is not None],
        default=None,
    )
    calendar = project_calendar(project, until=last)
    parents = {t.parent_id for t in tasks if t.parent_id is not None}
    # Costs are finance data: shown only to those who may see the project's money.
    costs = planned_costs(project) if can(actor, ProjectAction.VIEW_FINANCE, project) else None

    def days(a: date | None, b: date | None) -> int | None:
        if a is None or b is None:
            return None
        return calendar.working_days_between(a, b)

    rows: list[VarianceRow] = []
    for t in sorted(
        tasks, key=lambda t: [int(p) for p in t.wbs_code.split(".")] if t.wbs_code else [0]
    ):
        b = saved.pop(t.pk, None)
        work = cost = None
        if b is not None and t.pk not in parents:
            now = planned_work_hours(t, project.hours_per_day, people.get(t.pk, 0))
            work = now - b.work_hours
            if costs is not None and b.cost is not None:
                cost = Decimal(costs.get(t.pk, 0)) - b.cost
        rows.append(
            VarianceRow(
                task=t,
                saved=b,
                start_variance=days(b.start, t.start) if b else None,
                finish_variance=days(b.finish, t.finish) if b else None,
                duration_variance=(t.duration_days - b.duration_days) if b else None,
                work_variance=work,
                cost_variance=cost,
            )
        )
    for b in sorted(saved.values(), key=lambda r: r.wbs_code):
        rows.append(VarianceRow(None, b, None, None, None, None))
    leaves = [r for r in rows if r.task is not None and r.task.pk not in parents]
    slipped = sorted(
        (r for r in leaves if r.slipped and not (r.task and r.task.is_milestone)),
        key=lambda r: -(r.finish_variance or 0),
    )
    late = [r for r in leaves if r.task and r.task.is_milestone and r.slipped]
    return Comparison(
        baseline=baseline,
        rows=rows,
        finish_variance=days(baseline.finish, project.scheduled_finish),
        slipped=slipped,
        late_milestones=late,
    )


# ---------------------------------------------------------------- burndown and burnup


@dataclass
class ProgressCurves:
    """Work (planned hours) of the scope over time, read back from the tasks' history:
    what remained, what was done, and the scope itself (which grows when work is added)."""

    days: list[date]
    remaining: list[float]
    completed: list[float]
    scope: list[float]
    ideal: list[tuple[date, float]]  # from the scope on the first day to 0 on the target
    target: date | None
    task_count: int


def _scope_ids(project: Project, milestone: Task | None) -> set[int]:
    rows = list(Task.objects.filter(project=project).values_list("id", "parent_id", "is_milestone"))
    parents = {p for _i, p, _m in rows if p is not None}
    leaves = {i for i, _p, m in rows if i not in parents and not m}
    if milestone is None:
        return leaves
    children: dict[int, list[int]] = {}
    for i, p, _m in rows:
        if p is not None:
            children.setdefault(p, []).append(i)
    preds: dict[int, list[int]] = {}
    for a, b in Dependency.objects.filter(project=project).values_list(
        "predecessor_id", "successor_id"
    ):
        preds.setdefault(b, []).append(a)
    # Everything the milestone waits for: its predecessors, theirs, and a summary's subtasks.
    seen: set[int] = set()
    stack = [milestone.pk]
    while stack:
        node = stack.pop()
        for nxt in preds.get(node, []) + children.get(node, []):
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return seen & leaves


def progress_curves(
    actor: Any,
    project: Project,
    *,
    milestone: Task | None = None,
    start: date | None = None,
    end: date | None = None,
    max_points: int = 200,
) -> ProgressCurves:
    """Burndown (remaining) and burnup (completed against scope) for the work a milestone
    waits for, or for the whole plan, from `start` (the project start) to `end` (today, or
    the target if it is earlier). Two queries for the history however long the range."""
    require(actor, ProjectAction.VIEW, project)
    ids = _scope_ids(project, milestone)
    today = project_today(project)
    target = (milestone.deadline or milestone.finish) if milestone else project.scheduled_finish
    start = start or project.start_date
    end = end or today
    if end < start:
        start, end = end, start
    span = (end - start).days
    stride = max(1, math.ceil((span + 1) / max_points))
    days = [start + timedelta(days=i) for i in range(0, span + 1, stride)]
    if days[-1] != end:
        days.append(end)
    people = Counter(
        Task.assignees.through.objects.filter(task_id__in=ids).values_list("task_id", flat=True)
    )
    hours = project.hours_per_day
    # Each task's states in time order; a state holds from its history_date on.
    states: dict[int, list[tuple[date, float, float, bool]]] = {}
    records = (
        Task.history.filter(id__in=ids)
        .order_by("id", "history_date", "history_id")
        .values_list(
            "id", "history_date", "history_type", "duration_days", "percent_complete", "status"
        )
    )
    tz = zoneinfo.ZoneInfo(project.timezone)
    for pk, when, kind, duration, percent, status in records:
        day = timezone.localtime(when, tz).date()
        gone = kind == "-" or status == TaskStatus.CANCELLED
        work = 0.0 if gone else float(duration * hours * max(1, people.get(pk, 0)))
        states.setdefault(pk, []).append((day, work, float(percent), gone))
    remaining, completed, scope = [], [], []
    for d in days:
        r = c = s = 0.0
        for rows in states.values():
            current = None
            for row in rows:
                if row[0] > d:
                    break
                current = row
            if current is None or current[3]:
                continue
            _day, work, percent, _gone = current
            s += work
            c += work * percent / 100
            r += work * (1 - percent / 100)
        remaining.append(round(r, 2))
        completed.append(round(c, 2))
        scope.append(round(s, 2))
    ideal: list[tuple[date, float]] = []
    # From the first day there was work (tasks are often added after the project starts)
    # down to nothing on the target.
    first = next((i for i, v in enumerate(scope) if v > 0), None)
    if target is not None and first is not None and target > days[first]:
        ideal = [(days[first], scope[first]), (target, 0.0)]
    return ProgressCurves(days, remaining, completed, scope, ideal, target, len(ids))


# ---------------------------------------------------------------- what-if and change impact

# What a change request (or a what-if) can do to the plan, and which task fields it may set.
CHANGE_OPS = ("update", "add", "remove", "link", "unlink")
CHANGE_FIELDS = (
    "name",
    "duration_days",
    "constraint_type",
    "constraint_date",
    "deadline",
    "is_milestone",
)


@dataclass
class MovedTask:
    task_id: int
    name: str
    start_before: date | None
    start_after: date | None
    finish_before: date | None
    finish_after: date | None


@dataclass
class Impact:
    """What the engine says a set of changes would do: the finish, the work, which tasks
    move, and the critical path after."""

    finish_before: date | None
    finish_after: date | None
    finish_delta_days: int  # working days, positive is later
    work_delta_hours: Decimal
    moved: list[MovedTask]
    added: list[str]
    removed: list[str]
    critical_after: list[str]

    def as_json(self) -> dict[str, Any]:
        def iso(d: date | None) -> str | None:
            return d.isoformat() if d else None

        return {
            "finish_before": iso(self.finish_before),
            "finish_after": iso(self.finish_after),
            "finish_delta_days": self.finish_delta_days,
            "work_delta_hours": str(self.work_delta_hours),
            "moved": [
                {
                    "task_id": m.task_id,
                    "name": m.name,
                    "start_before": iso(m.start_before),
                    "start_after": iso(m.start_after),
                    "finish_before": iso(m.finish_before),
                    "finish_after": iso(m.finish_after),
                }
                for m in self.moved
            ],
            "added": self.added,
            "removed": self.removed,
            "critical_after": self.critical_after,
        }


def _apply_ops(
    project: Project, tasks: dict[int, Task], deps: dict[int, Dependency], ops: list[dict[str, Any]]
) -> tuple[list[str], list[str]]:
    """Apply validated operations to copies of the plan's rows, in memory. New tasks get
    negative ids."""
    import copy

    added: list[str] = []
    removed: list[str] = []
    new_id = -1
    link_id = -1
    for op in ops:
        kind = op["op"]
        if kind == "update":
            if op["task_id"] not in tasks:
                continue  # removed by an earlier change (services refuse such lists)
            t = copy.copy(tasks[op["task_id"]])
            for k, v in op["fields"].items():
                setattr(t, k, v)
            if t.is_milestone:
                t.duration_days = Decimal("0")
            tasks[t.pk] = t
        elif kind == "add":
            t = Task(
                pk=new_id,
                project=project,
                name=op["name"],
                parent_id=op.get("parent_id"),
                duration_days=op.get("duration_days", Decimal("1")),
                is_milestone=op.get("is_milestone", False),
            )
            tasks[new_id] = t
            added.append(t.name)
            if op.get("after_id") is not None:
                deps[link_id] = Dependency(
                    pk=link_id, predecessor_id=op["after_id"], successor_id=new_id
                )
                link_id -= 1
            new_id -= 1
        elif kind == "remove":
            gone = {op["task_id"]}
            grew = True
            while grew:
                more = {i for i, t in tasks.items() if t.parent_id in gone} - gone
                gone |= more
                grew = bool(more)
            for i in gone:
                if i in tasks:
                    removed.append(tasks.pop(i).name)
            for k in [k for k, d in deps.items() if {d.predecessor_id, d.successor_id} & gone]:
                deps.pop(k)
        elif kind == "link":
            deps[link_id] = Dependency(
                pk=link_id,
                predecessor_id=op["predecessor_id"],
                successor_id=op["successor_id"],
                type=op.get("type", "FS"),
                lag_days=op.get("lag_days", Decimal("0")),
            )
            link_id -= 1
        elif kind == "unlink":
            deps.pop(op["dependency_id"], None)
    return added, removed


def change_impact(actor: Any, project: Project, ops: list[dict[str, Any]]) -> Impact:
    """The engine's verdict on `ops` (already validated by services.normalize_changes),
    computed on a copy of the plan: nothing is saved. Raises the engine's CycleError and
    DomainError for changes that cannot be scheduled."""
    require(actor, ProjectAction.VIEW, project)
    from .adapters import compute_schedule, link_in

    _refresh_finish(project)
    current = {t.pk: t for t in Task.objects.filter(project=project)}
    people = people_per_task(project)
    deps = {d.pk: d for d in Dependency.objects.filter(project=project)}
    tasks = dict(current)
    added, removed = _apply_ops(project, tasks, deps, ops)
    result, calendar = compute_schedule(
        project,
        list(tasks.values()),
        [link_in(d) for d in deps.values()],
        status_date=project.status_date,
    )
    parents_now = {t.parent_id for t in current.values() if t.parent_id is not None}
    parents_after = {t.parent_id for t in tasks.values() if t.parent_id is not None}

    def work(rows: dict[int, Task], parents: set[int]) -> Decimal:
        return sum(
            (
                planned_work_hours(t, project.hours_per_day, people.get(t.pk, 0))
                for t in rows.values()
                if t.pk not in parents
            ),
            Decimal("0"),
        )

    moved = []
    for pk, t in sorted(tasks.items(), key=lambda kv: (kv[1].wbs_code or "~", kv[0])):
        if pk < 0 or pk not in current:
            continue
        out = result.tasks[pk]
        before = current[pk]
        if (before.start, before.finish) != (out.early_start, out.early_finish):
            moved.append(
                MovedTask(
                    pk, t.name, before.start, out.early_start, before.finish, out.early_finish
                )
            )
    finish_before = project.scheduled_finish
    finish_after = result.project_finish if tasks else None
    delta = (
        calendar.working_days_between(finish_before, finish_after)
        if finish_before and finish_after
        else 0
    )
    critical = [
        tasks[o.id].name
        for o in sorted(result.tasks.values(), key=lambda o: (o.early_start, o.early_finish))
        if o.critical and not o.is_summary and o.id in tasks
    ]
    return Impact(
        finish_before=finish_before,
        finish_after=finish_after,
        finish_delta_days=delta,
        work_delta_hours=work(tasks, parents_after) - work(current, parents_now),
        moved=moved,
        added=added,
        removed=removed,
        critical_after=critical,
    )


def change_requests_for(
    actor: Any, project: Project, *, status: str | None = None
) -> QuerySet[ChangeRequest]:
    require(actor, ProjectAction.VIEW, project)
    qs = ChangeRequest.objects.filter(project=project).select_related("requested_by", "decided_by")
    return qs.filter(status=status) if status else qs


def change_request_get(
    actor: Any, cr_id: int, action: ProjectAction = ProjectAction.VIEW
) -> ChangeRequest:
    cr = (
        ChangeRequest.objects.select_related("project__workspace", "requested_by", "decided_by")
        .filter(pk=cr_id)
        .first()
    )
    if cr is None:
        raise NotFound()
    require(actor, action, cr.project)
    return cr


# ---------------------------------------------------------------- the task list

LIST_SORTS = {
    "wbs": None,  # outline order
    "name": "name",
    "start": "start",
    "finish": "finish",
    "deadline": "deadline",
    "priority": "priority",
    "status": "status",
    "percent": "percent_complete",
    "float": "total_float",
}
LIST_GROUPS = ("none", "status", "assignee", "summary", "priority")
PRIORITY_ORDER = {"critical": 0, "high": 1, "medium": 2, "low": 3}


@dataclass
class ListGroup:
    key: str
    label: str
    tasks: list[Task]


def task_list(
    actor: Any,
    project: Project,
    *,
    status: str | None = None,
    assignee_id: int | None = None,
    priority: str | None = None,
    critical: bool | None = None,
    milestone: bool | None = None,
    overdue: bool = False,
    search: str | None = None,
    sort: str = "wbs",
    descending: bool = False,
    group: str = "none",
) -> list[ListGroup]:
    """The project's tasks filtered, sorted and grouped for the list page; a constant number
    of queries however many tasks."""
    qs = tasks_for(
        actor,
        project,
        status=status or None,
        assignee_id=assignee_id,
        priority=priority or None,
        critical=critical,
        milestone=milestone,
        search=search or None,
        overdue_on=project_today(project) if overdue else None,
    ).select_related("parent")
    tasks = list(qs)

    def wbs_key(t: Task) -> list[int]:
        return [int(p) for p in t.wbs_code.split(".")] if t.wbs_code else [0]

    field = LIST_SORTS.get(sort)
    if field is None:
        tasks.sort(key=wbs_key, reverse=descending)
    elif field == "priority":
        tasks.sort(
            key=lambda t: (PRIORITY_ORDER.get(t.priority, 9), wbs_key(t)), reverse=descending
        )
    else:
        # Empty values last, whichever the direction.
        present = [t for t in tasks if getattr(t, field) is not None]
        absent = [t for t in tasks if getattr(t, field) is None]
        present.sort(key=lambda t: (getattr(t, field), wbs_key(t)), reverse=descending)
        tasks = present + absent
    if group not in LIST_GROUPS or group == "none":
        return [ListGroup("all", "", tasks)]
    groups: dict[str, ListGroup] = {}
    for t in tasks:
        keys: list[tuple[str, str]]
        if group == "status":
            keys = [(t.status, str(t.get_status_display()))]
        elif group == "priority":
            keys = [(t.priority, str(t.get_priority_display()))]
        elif group == "summary":
            keys = [(f"t{t.parent_id}", str(t.parent)) if t.parent else ("none", "")]
        else:
            people = list(t.assignees.all()) or ([t.owner] if t.owner else [])
            keys = [(f"u{u.pk}", u.display_name) for u in people] or [("none", "")]
        for key, label in keys:
            groups.setdefault(key, ListGroup(key, label, [])).tasks.append(t)
    if group == "status":
        order = {s: i for i, s in enumerate(TaskStatus.values)}
        return sorted(groups.values(), key=lambda g: order.get(g.key, 99))
    if group == "priority":
        return sorted(groups.values(), key=lambda g: PRIORITY_ORDER.get(g.key, 9))
    return sorted(groups.values(), key=lambda g: (g.key == "none", g.label.lower()))


def saved_views_for(actor: Any, project: Project) -> QuerySet[SavedView]:
    """The person's own views and those shared on the project."""
    require(actor, ProjectAction.VIEW, project)
    return (
        SavedView.objects.filter(project=project)
        .filter(Q(owner=actor) | Q(shared=True))
        .select_related("owner")
    )


# ---------------------------------------------------------------- calendar month


@dataclass
class CalendarDay:
    day: date
    in_month: bool
    working: bool
    events: list[tuple[str, Task]]  # ("milestone" | "start" | "finish" | "deadline", task)


def month_calendar(actor: Any, project: Project, year: int, month: int) -> list[list[CalendarDay]]:
    """Weeks (Monday first) covering the month, each day with the tasks that start, finish,
    reach a milestone or fall due on it; non-working days of the project calendar marked.
    One query for the tasks."""
    first = date(year, month, 1)
    last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    grid_start = first - timedelta(days=first.weekday())
    grid_end = last + timedelta(days=6 - last.weekday())
    tasks = list(
        tasks_for(actor, project)
        .filter(
            Q(start__range=(grid_start, grid_end))
            | Q(finish__range=(grid_start, grid_end))
            | Q(deadline__range=(grid_start, grid_end))
        )
        .order_by("wbs_code")
    )
    events: dict[date, list[tuple[str, Task]]] = {}
    for t in tasks:
        if t.is_milestone:
            if t.finish:
                events.setdefault(t.finish, []).append(("milestone", t))
        else:
            # A one-day task shows once, as starting.
            if t.start:
                events.setdefault(t.start, []).append(("start", t))
            if t.finish and t.finish != t.start:
                events.setdefault(t.finish, []).append(("finish", t))
        if t.deadline and not t.is_milestone:
            events.setdefault(t.deadline, []).append(("deadline", t))
    calendar = project_calendar(project, until=grid_end)
    weeks: list[list[CalendarDay]] = []
    d = grid_start
    while d <= grid_end:
        week = []
        for _i in range(7):
            week.append(
                CalendarDay(d, d.month == month, calendar.is_working_day(d), events.get(d, []))
            )
            d += timedelta(days=1)
        weeks.append(week)
    return weeks
