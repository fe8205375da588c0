"""Reads about time: entries, a person's weekly timesheet, the weeks waiting for approval and
the approved hours that are a task's actual work. Each read checks permission and owns its
joins; the pages built from them run a fixed number of queries however many rows they show.

Who sees what: a person sees their own entries; a project's managers see everyone's entries
in that project; everyone who can see a project sees its tasks' hour totals."""

from __future__ import annotations

import zoneinfo
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from keel.apps.accounts.models import User, WorkspaceMembership, WorkspaceRole
from keel.apps.planning.costing import actual_costs
from keel.apps.planning.models import Baseline, BaselineTask, Task, TaskStatus
from keel.apps.projects.adapters import project_calendar
from keel.apps.projects.models import Project, ProjectMembership, ProjectRole
from keel.apps.projects.permissions import (
    PROJECT_MATRIX,
    ProjectAction,
    require,
    visible_projects_q,
)
from keel.common.errors import NotFound, PermissionDenied, ValidationFailed
from keel.common.pagination import apply_ordering
from keel.engine.earned_value import EarnedValue, EvTask, Measurement, Period, earned_value

from .models import EntryStatus, HealthThresholds, TimeEntry
from .weeks import Week

P = ProjectAction
ZERO = Decimal("0.00")
ENTRY_ORDERING = ("date", "hours", "status", "created_at", "updated_at")
MSG_BAD_WEEK = _("Give the week as YYYY-Www, e.g. 2027-W05.")
MSG_NOT_YOUR_ENTRY = _("Only the person who logged this time and the project's managers see it.")
MSG_NOT_YOUR_TIMESHEET = _("Only the project's managers see other people's timesheets.")


def parse_week(text: str, field_name: str = "iso_week") -> Week:
    try:
        return Week.parse(text)
    except ValueError:
        raise ValidationFailed(fields={field_name: [MSG_BAD_WEEK]}) from None


def project_today(project: Project) -> date:
    """Today where the project is: the last day time can be logged for."""
    return timezone.localdate(timezone=zoneinfo.ZoneInfo(project.timezone))


# ---------------------------------------------------------------- roles, in bulk


def project_roles(user: Any, projects: Iterable[Project]) -> dict[int, ProjectRole]:
    """`projects.permissions.project_role` for many projects in two queries, so a timesheet
    spanning many projects costs the same as one spanning a few. Same rules: workspace owners
    and admins manage every project of the workspace; others have their membership's role;
    leaving the workspace takes every role in it."""
    projects = list(projects)
    if not projects or user is None or not user.is_authenticated or not user.is_active:
        return {}
    ws_roles = dict(
        WorkspaceMembership.objects.filter(
            user=user, workspace_id__in={p.workspace_id for p in projects}
        ).values_list("workspace_id", "role")
    )
    memberships = dict(
        ProjectMembership.objects.filter(
            user=user, project_id__in={p.pk for p in projects}
        ).values_list("project_id", "role")
    )
    roles: dict[int, ProjectRole] = {}
    for p in projects:
        ws_role = ws_roles.get(p.workspace_id)
        if ws_role is None:
            continue
        if ws_role in (WorkspaceRole.OWNER, WorkspaceRole.ADMIN):
            roles[p.pk] = ProjectRole.MANAGER
        elif p.pk in memberships:
            roles[p.pk] = ProjectRole(memberships[p.pk])
    return roles


def allows(roles: dict[int, ProjectRole], project: Project, action: ProjectAction) -> bool:
    """`projects.permissions.can` on roles read by `project_roles`."""
    role = roles.get(project.pk)
    if role is None:
        return False
    if project.is_archived and action not in (P.VIEW, P.ARCHIVE):
        return False
    return action in PROJECT_MATRIX[role]


def managed_projects_q(user: Any) -> Q:
    """Projects the user manages (archived ones included: managers still read them)."""
    admin_ws = WorkspaceMembership.objects.filter(
        user=user, role__in=[WorkspaceRole.OWNER, WorkspaceRole.ADMIN]
    ).values("workspace_id")
    manager_of = ProjectMembership.objects.filter(
        user=user, role=ProjectRole.MANAGER, project__workspace__memberships__user=user
    ).values("project_id")
    return Q(workspace_id__in=admin_ws) | Q(id__in=manager_of)


# ---------------------------------------------------------------- entries


def _entry_qs() -> QuerySet[TimeEntry]:
    return TimeEntry.objects.select_related("task", "project", "user", "reviewer")


def entries_for(
    actor: Any,
    *,
    project: Project | None = None,
    task_id: int | None = None,
    user_id: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    status: str | None = None,
    ordering: str | None = None,
) -> QuerySet[TimeEntry]:
    """The entries the actor may see: their own, and everyone's in the projects they
    manage. Narrowed to one project (404 when it is invisible) and by the filters."""
    if project is not None:
        require(actor, P.VIEW, project)
    if not getattr(actor, "is_authenticated", False):
        return TimeEntry.objects.none()
    visible = Project.objects.filter(visible_projects_q(actor)).values("pk")
    managed = Project.objects.filter(managed_projects_q(actor)).values("pk")
    qs = _entry_qs().filter(Q(project_id__in=visible) & (Q(user=actor) | Q(project_id__in=managed)))
    if project is not None:
        qs = qs.filter(project=project)
    if task_id is not None:
        qs = qs.filter(task_id=task_id)
    if user_id is not None:
        qs = qs.filter(user_id=user_id)
    if date_from is not None:
        qs = qs.filter(date__gte=date_from)
    if date_to is not None:
        qs = qs.filter(date__lte=date_to)
    if status:
        qs = qs.filter(status=status)
    if ordering:
        return apply_ordering(qs, ordering, ENTRY_ORDERING)
    return qs.order_by("-date", "pk")


def entry_get(actor: Any, entry_id: int) -> TimeEntry:
    """404 when the entry's project is invisible; 403 when it is another person's and the
    actor does not manage the project."""
    entry = _entry_qs().select_related("project__workspace").filter(pk=entry_id).first()
    if entry is None:
        raise NotFound()
    require(actor, P.VIEW, entry.project)
    if entry.user_id != actor.pk:
        roles = project_roles(actor, [entry.project])
        if roles.get(entry.project_id) != ProjectRole.MANAGER:
            raise PermissionDenied(MSG_NOT_YOUR_ENTRY)
    return entry


def entry_for_cell(person: Any, task_id: int, day: date) -> TimeEntry | None:
    """The person's own entry for a task and day (the cell of their timesheet), if any."""
    return _entry_qs().filter(user=person, task_id=task_id, date=day).first()


# ---------------------------------------------------------------- the weekly timesheet


@dataclass
class Cell:
    day: date
    entry: TimeEntry | None
    editable: bool

    @property
    def hours(self) -> Decimal | None:
        return None if self.entry is None else self.entry.hours


@dataclass
class Row:
    task: Task
    cells: list[Cell]
    can_log: bool  # the person may log time on this task's project now

    @property
    def entries(self) -> list[TimeEntry]:
        return [c.entry for c in self.cells if c.entry is not None]

    @property
    def total(self) -> Decimal:
        return sum((e.hours for e in self.entries), ZERO)

    @property
    def status(self) -> str | None:
        """The state of the row as one word: rejected or draft while anything is still the
        person's to fix or send, then submitted, then approved; None when empty."""
        found = {e.status for e in self.entries}
        for status in (
            EntryStatus.REJECTED,
            EntryStatus.DRAFT,
            EntryStatus.SUBMITTED,
            EntryStatus.APPROVED,
        ):
            if status in found:
                return str(status)
        return None

    @property
    def status_label(self) -> str:
        return str(EntryStatus(self.status).label) if self.status else ""

    @property
    def comments(self) -> list[str]:
        """The managers' reasons for sending entries of this row back."""
        seen = [e.review_comment for e in self.entries if e.status == EntryStatus.REJECTED]
        return list(dict.fromkeys(c for c in seen if c))


@dataclass
class Timesheet:
    person: User
    week: Week
    rows: list[Row]
    editable: bool  # the actor is the person: cells can be typed in
    choices: list[Task] = field(default_factory=list)  # tasks the row picker offers

    @property
    def days(self) -> list[date]:
        return self.week.days

    @property
    def day_totals(self) -> list[Decimal]:
        totals = [ZERO] * 7
        for row in self.rows:
            for i, cell in enumerate(row.cells):
                if cell.entry is not None:
                    totals[i] += cell.entry.hours
        return totals

    @property
    def total(self) -> Decimal:
        return sum((row.total for row in self.rows), ZERO)

    @property
    def can_submit(self) -> bool:
        """Something is the person's to send: a draft or rejected entry they may still log."""
        return self.editable and any(
            row.can_log and e.is_open for row in self.rows for e in row.entries
        )

    def row_for(self, task_id: int) -> Row | None:
        return next((r for r in self.rows if r.task.pk == task_id), None)


# Tasks that stay on a person's timesheet without entries: open work assigned to them.
_CLOSED = (TaskStatus.DONE, TaskStatus.CANCELLED)


def _leaf_tasks() -> QuerySet[Task]:
    """Tasks time can be logged on: not summaries (their hours roll up), not milestones."""
    return (
        Task.objects.filter(is_summary=False, is_milestone=False, children__isnull=True)
        .select_related("project__workspace")
        .order_by("project__code", "project_id", "wbs_code", "pk")
    )


def timesheet(actor: Any, person: Any, week: Week, *, add_task_id: int | None = None) -> Timesheet:
    """A person's week: one row per task (the open tasks they own or are assigned to in
    active projects, every task they logged time on that week, and `add_task_id` when the
    row picker asked for it), a cell per day. The person sees every project they are in;
    a manager reading someone else's timesheet sees only the projects they manage (404 when
    they share none with the person, 403 when they manage none of those). A fixed number
    of queries however many tasks, entries and projects."""
    own = actor.pk == person.pk
    if not own:
        shared = list(
            Project.objects.filter(visible_projects_q(actor))
            .filter(visible_projects_q(person))
            .select_related("workspace")
        )
        if not shared:
            raise NotFound()
        roles = project_roles(actor, shared)
        scope = [p.pk for p in shared if roles.get(p.pk) == ProjectRole.MANAGER]
        if not scope:
            raise PermissionDenied(MSG_NOT_YOUR_TIMESHEET)
        in_scope = Q(project_id__in=scope)
    else:
        in_scope = Q(project_id__in=Project.objects.filter(visible_projects_q(person)).values("pk"))
    days = week.days
    entries = list(
        TimeEntry.objects.filter(in_scope, user=person, date__gte=days[0], date__lte=days[-1])
        .select_related("task__project__workspace", "reviewer")
        .order_by("date", "pk")
    )
    tasks: dict[int, Task] = {}
    assigned = (
        _leaf_tasks()
        .filter(in_scope, Q(owner=person) | Q(assignees=person), project__archived_at__isnull=True)
        .exclude(status__in=_CLOSED)
        .distinct()
    )
    for t in assigned:
        tasks[t.pk] = t
    for e in entries:
        tasks.setdefault(e.task_id, e.task)
    choices: list[Task] = []
    if own:
        pickable = list(
            _leaf_tasks()
            .filter(in_scope, project__archived_at__isnull=True)
            .exclude(status=TaskStatus.CANCELLED)
        )
        projects = {t.project_id: t.project for t in [*tasks.values(), *pickable]}
        person_roles = project_roles(person, projects.values())
        loggable = {pk for pk, p in projects.items() if allows(person_roles, p, P.LOG_TIME)}
        if add_task_id is not None and add_task_id not in tasks:
            added = next((t for t in pickable if t.pk == add_task_id), None)
            if added is not None and added.project_id in loggable:
                tasks[added.pk] = added
        choices = [t for t in pickable if t.project_id in loggable and t.pk not in tasks]
    else:
        loggable = set()
    todays: dict[int, date] = {}
    by_cell: dict[tuple[int, date], TimeEntry] = {(e.task_id, e.date): e for e in entries}
    rows = []
    for task in sorted(
        tasks.values(), key=lambda t: (t.project.code, t.project_id, _wbs_key(t.wbs_code), t.pk)
    ):
        project = task.project
        if project.pk not in todays:
            todays[project.pk] = project_today(project)
        can_log = project.pk in loggable
        cells = []
        for day in days:
            entry = by_cell.get((task.pk, day))
            editable = (
                can_log
                and project.start_date <= day <= todays[project.pk]
                and (entry is None or entry.is_open)
            )
            cells.append(Cell(day=day, entry=entry, editable=editable))
        rows.append(Row(task=task, cells=cells, can_log=can_log))
    return Timesheet(person=person, week=week, rows=rows, editable=own, choices=choices)


def timesheet_for(
    actor: Any, week: Week, *, user_id: int | None = None, add_task_id: int | None = None
) -> Timesheet:
    """`timesheet` of the actor, or of the person `user_id` (404 when there is none)."""
    if user_id is None or user_id == actor.pk:
        return timesheet(actor, actor, week, add_task_id=add_task_id)
    person = User.objects.filter(pk=user_id).first()
    if person is None:
        raise NotFound()
    return timesheet(actor, person, week)


def _wbs_key(code: str) -> list[int]:
    return [int(p) for p in code.split(".") if p.isdigit()] if code else []


# ---------------------------------------------------------------- approval


@dataclass
class PersonWeek:
    """One person's entries of one ISO week in one project: what a manager approves."""

    person: User
    week: Week
    entries: list[TimeEntry]
    # Set by the Time page when a review of this week was refused, to show why.
    problems: list[str] = field(default_factory=list)
    comment: str = ""

    @property
    def total(self) -> Decimal:
        return sum((e.hours for e in self.entries), ZERO)

    @property
    def status(self) -> str:
        statuses = {e.status for e in self.entries}
        return str(statuses.pop()) if len(statuses) == 1 else "mixed"

    @property
    def key(self) -> str:
        return f"{self.week}-{self.person.pk}"


def group_person_weeks(entries: Iterable[TimeEntry]) -> list[PersonWeek]:
    """Entries grouped by person and ISO week: newest week first, then by name."""
    groups: dict[tuple[int, Week], list[TimeEntry]] = defaultdict(list)
    people: dict[int, User] = {}
    for e in entries:
        groups[(e.user_id, Week.of(e.date))].append(e)
        people[e.user_id] = e.user
    weeks = [PersonWeek(people[uid], week, rows) for (uid, week), rows in groups.items()]
    weeks.sort(key=lambda w: (-w.week.monday.toordinal(), w.person.display_name.lower()))
    return weeks


def person_weeks(
    actor: Any,
    project: Project,
    *,
    status: str = EntryStatus.SUBMITTED,
    week: Week | None = None,
    user_id: int | None = None,
    since: date | None = None,
) -> list[PersonWeek]:
    """The project's entries in `status`, as person-weeks: by default the weeks waiting for
    the manager's approval. Managers only."""
    require(actor, P.APPROVE_TIME, project)
    qs = (
        TimeEntry.objects.filter(project=project, status=status)
        .select_related("task", "user", "reviewer")
        .order_by("date", "task__wbs_code", "pk")
    )
    if week is not None:
        qs = qs.filter(date__gte=week.monday, date__lte=week.sunday)
    if user_id is not None:
        qs = qs.filter(user_id=user_id)
    if since is not None:
        qs = qs.filter(date__gte=since)
    return group_person_weeks(qs)


def person_week_entries(
    project: Project, person: Any, week: Week, statuses: Sequence[str]
) -> QuerySet[TimeEntry]:
    """For the approval services: a person-week's entries in the given statuses."""
    return TimeEntry.objects.filter(
        project=project,
        user=person,
        date__gte=week.monday,
        date__lte=week.sunday,
        status__in=list(statuses),
    ).order_by("date", "pk")


# ---------------------------------------------------------------- actual work


def actual_hours_by_task(project: Project) -> dict[int, Decimal]:
    """Approved hours per task of the project ({task_id: hours}; leaf tasks only, as time is
    logged on them; summaries roll up). The seam earned value and cost read actual work
    through. No permission check: for services and reports that already hold the project."""
    rows = (
        TimeEntry.objects.filter(project=project, status=EntryStatus.APPROVED)
        .values_list("task_id")
        .annotate(total=Sum("hours"))
        .order_by()
    )
    return {task_id: total for task_id, total in rows}


def actual_hours(project: Project) -> Decimal:
    """The project's approved hours."""
    total = TimeEntry.objects.filter(project=project, status=EntryStatus.APPROVED).aggregate(
        total=Sum("hours")
    )["total"]
    return total if total is not None else ZERO


@dataclass(frozen=True)
class TaskHours:
    logged: Decimal  # every entry, whatever its state
    submitted: Decimal  # waiting for approval
    approved: Decimal  # the task's actual work


def task_hours(actor: Any, task: Task) -> TaskHours:
    """The hours logged on a task, for everyone who can see its project; one query."""
    require(actor, P.VIEW, task.project)
    sums = TimeEntry.objects.filter(task=task).aggregate(
        logged=Sum("hours"),
        submitted=Sum("hours", filter=Q(status=EntryStatus.SUBMITTED)),
        approved=Sum("hours", filter=Q(status=EntryStatus.APPROVED)),
    )
    return TaskHours(
        logged=sums["logged"] or ZERO,
        submitted=sums["submitted"] or ZERO,
        approved=sums["approved"] or ZERO,
    )


# ---------------------------------------------------------------- earned value

EV_UNIT = "hours"  # the default measure: planned work and approved timesheet hours
EV_UNITS = ("hours", "cost")  # cost: the baseline's planned costs and actual cost in money
MSG_NO_BASELINE_COST = _(
    "The primary baseline has no costs: plan the costs (people's rates, planned costs), then "
    "save a baseline to measure earned value in money."
)


@dataclass(frozen=True)
class TrendPoint:
    end: date
    pv: float
    ev: float | None
    ac: float | None
    spi: float | None
    cpi: float | None


@dataclass(frozen=True)
class EarnedValueReport:
    """The engine's earned value for a project against its primary baseline, in hours of
    work (approved timesheet hours are the actual cost), with the health signal."""

    baseline: Baseline
    value: EarnedValue
    trend: list[TrendPoint]
    thresholds: HealthThresholds
    spi_health: str  # green, amber, red, or unknown (nothing to measure yet)
    cpi_health: str
    untracked_tasks: int  # tasks added since the baseline: not in its budget
    unit: str = EV_UNIT  # hours, or cost in the project's currency

    @property
    def health(self) -> str:
        order = ["unknown", "green", "amber", "red"]
        return max(self.spi_health, self.cpi_health, key=order.index)


def thresholds_for(project: Project) -> HealthThresholds:
    # Unsaved defaults carry version 0, which is what the first save must be sent with.
    return HealthThresholds.objects.filter(project=project).first() or HealthThresholds(
        project=project, version=0
    )


def _signal(index: float | None, amber: Decimal, red: Decimal) -> str:
    if index is None:
        return "unknown"
    if index >= float(amber):
        return "green"
    return "amber" if index >= float(red) else "red"


def earned_value_for(
    actor: Any, project: Project, *, period: Period = Period.WEEK, unit: str = EV_UNIT
) -> EarnedValueReport | None:
    """Earned value at the project's status date (today when it has none) against the
    primary baseline; None without a baseline. Past EV comes from the tasks' progress history
    and past AC from approved time by date, so the trend is what was true each week. In
    `unit` "cost" the budgets are the baseline's planned costs and AC the actual cost (for
    those who may see the money). A constant number of queries."""
    require(actor, P.VIEW_FINANCE if unit == "cost" else P.VIEW, project)
    if unit not in EV_UNITS:
        raise ValidationFailed(fields={"unit": [_("Choose hours or cost.")]})
    baseline = Baseline.objects.filter(project=project, is_primary=True).first()
    if baseline is None:
        return None
    if unit == "cost" and baseline.cost is None:
        raise ValidationFailed(fields={"unit": [MSG_NO_BASELINE_COST]})
    rows = [
        r
        for r in BaselineTask.objects.filter(baseline=baseline, is_summary=False)
        if r.start is not None and r.finish is not None
    ]
    if not rows:
        return None
    status_date = project.status_date or project_today(project)
    live = dict(Task.objects.filter(project=project).values_list("id", "percent_complete"))
    untracked = len(
        Task.objects.filter(project=project, is_summary=False)
        .exclude(pk__in=[r.task_key for r in rows])
        .values_list("id", flat=True)
    )
    spent = _spending(project, status_date, unit)
    actual: dict[int | None, float] = {}
    for task_id, _day, amount in spent:
        actual[task_id] = actual.get(task_id, 0.0) + amount
    tasks = [
        EvTask(
            id=r.task_key,
            budget=_budget(r, unit),
            baseline_start=r.start,  # type: ignore[arg-type]
            baseline_finish=r.finish,  # type: ignore[arg-type]
            percent_complete=float(live.get(r.task_key, 0)),
            actual_cost=actual.get(r.task_key, 0.0),
        )
        for r in rows
    ]
    # What was spent outside the baseline's tasks (on tasks added since, or an expense on no
    # task) is actual cost too, with no budget of its own.
    measured = {r.task_key for r in rows}
    elsewhere = sum(a for t, a in actual.items() if t not in measured)
    if elsewhere > 0:
        first = min(r.start for r in rows if r.start)
        tasks.append(
            EvTask(
                id=0, budget=0.0, baseline_start=first, baseline_finish=first, actual_cost=elsewhere
            )
        )
    calendar = project_calendar(
        project, until=max(d for d in [baseline.finish, project.scheduled_finish, status_date] if d)
    )
    history = _measurements(project, rows, status_date, period, unit, spent)
    value = earned_value(
        project_start=min(project.start_date, min(r.start for r in rows if r.start)),
        calendar=calendar,
        tasks=tasks,
        status_date=status_date,
        period=period,
        history=history,
    )
    trend = [
        TrendPoint(
            end=p.end,
            pv=p.pv,
            ev=p.ev,
            ac=p.ac,
            spi=(p.ev / p.pv) if p.ev is not None and p.pv > 0 else None,
            cpi=(p.ev / p.ac) if p.ev is not None and p.ac else None,
        )
        for p in value.series
    ]
    thresholds = thresholds_for(project)
    return EarnedValueReport(
        baseline=baseline,
        value=value,
        trend=trend,
        thresholds=thresholds,
        spi_health=_signal(value.spi, thresholds.spi_amber, thresholds.spi_red),
        cpi_health=_signal(value.cpi, thresholds.cpi_amber, thresholds.cpi_red),
        untracked_tasks=untracked,
        unit=unit,
    )


def primary_baseline_cost(project: Project) -> Decimal | None:
    """The planned cost the primary baseline saved (None: no baseline, or no costs)."""
    return (
        Baseline.objects.filter(project=project, is_primary=True)
        .values_list("cost", flat=True)
        .first()
    )


def _budget(row: BaselineTask, unit: str) -> float:
    return float(row.cost or 0) if unit == "cost" else float(row.work_hours)


def _spending(project: Project, until: date, unit: str) -> list[tuple[int | None, date, float]]:
    """What was spent, by task and day up to `until`: approved hours, or actual cost."""
    if unit == "cost":
        return [(t, d, float(a)) for t, d, a in actual_costs(project, until)]
    return [
        (task_id, day, float(hours))
        for task_id, day, hours in TimeEntry.objects.filter(
            project=project, status=EntryStatus.APPROVED, date__lte=until
        )
        .values_list("task_id", "date")
        .annotate(total=Sum("hours"))
        .order_by()
    ]


def _measurements(
    project: Project,
    rows: list[BaselineTask],
    status_date: date,
    period: Period,
    unit: str,
    spent: list[tuple[int | None, date, float]],
) -> list[Measurement]:
    """EV and AC at the end of each past period: progress read back from the tasks'
    history, what was spent by the day it was spent."""
    budget = {r.task_key: _budget(r, unit) for r in rows}
    tz = zoneinfo.ZoneInfo(project.timezone)
    changes: list[tuple[date, int, float]] = [
        (timezone.localtime(when, tz).date(), pk, float(percent))
        for pk, when, percent in Task.history.filter(id__in=list(budget))
        .order_by("history_date", "history_id")
        .values_list("id", "history_date", "percent_complete")
    ]
    worked = sorted((day, amount) for _task, day, amount in spent if day < status_date)
    ends: list[date] = []
    d = project.start_date
    step = {Period.DAY: 1, Period.WEEK: 7}.get(period, 30)
    if period == Period.WEEK:
        d = d + timedelta(days=6 - d.weekday())
    while d < status_date:
        ends.append(d)
        d = d + timedelta(days=step)
    out: list[Measurement] = []
    percent: dict[int, float] = {}
    i = j = 0
    ac = 0.0
    for end in ends:
        while i < len(changes) and changes[i][0] <= end:
            percent[changes[i][1]] = changes[i][2]
            i += 1
        while j < len(worked) and worked[j][0] <= end:
            ac += worked[j][1]
            j += 1
        ev = sum(budget[k] * p / 100 for k, p in percent.items())
        out.append(Measurement(status_date=end, ev=ev, ac=ac))
    return out
