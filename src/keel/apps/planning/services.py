"""Writes to the plan. Every change that can move dates ends with `schedule_recalculate`,
the single seam through which the engine places tasks."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max, Q
from django.utils.translation import gettext_lazy as _

from keel.apps.accounts.models import User, WorkspaceMembership
from keel.apps.projects.models import Goal, Project
from keel.apps.projects.permissions import ProjectAction, require
from keel.apps.projects.services import MSG_NOT_WS_MEMBER
from keel.common.errors import ValidationFailed, check_version, validate_instance
from keel.engine.errors import CycleError, DomainError
from keel.engine.graph import find_cycle
from keel.engine.wbs import descendants, rollup_percent, wbs_codes

from .adapters import compute_schedule, wbs_nodes
from .models import SCHEDULE_OUTPUTS, Constraint, Dependency, Task, TaskStatus

MSG_LOOP = _("This dependency would close a loop: %(loop)s.")
MSG_PARENT_OTHER_PROJECT = _("The summary task belongs to another project.")
MSG_PARENT_DESCENDANT = _("A task cannot be moved under itself or one of its subtasks.")
MAX_DEPTH = 12
MSG_TOO_DEEP = _("The WBS may be at most %(max)d levels deep.")
MSG_PARENT_MILESTONE = _("A milestone cannot have subtasks.")
MSG_CONSTRAINT_DATE = _("This constraint needs a date.")
MSG_THREE_POINT = _("Optimistic <= most likely <= pessimistic, all three or none.")
MSG_LINK_SAME = _("A task cannot depend on itself.")
MSG_LINK_EXISTS = _("These tasks are already linked.")
MSG_LINK_PROJECT = _("Both tasks must belong to this project.")
MSG_LINK_SUMMARY = _("A summary task cannot be linked to one of its own subtasks.")
MSG_TAGS = _("Tags are a list of short words.")
MSG_GOAL_PROJECT = _("The goal belongs to another project.")
MSG_OUT_OF_RANGE = _("The schedule would run past the year 9999; check durations, lags and dates.")
# Engine errors people can cause with their input, in their language.
ENGINE_MESSAGES = {"schedule_out_of_range": MSG_OUT_OF_RANGE}

TASK_FIELDS = (
    "name",
    "description",
    "owner_id",
    "assignee_ids",
    "is_milestone",
    "duration_days",
    "optimistic_days",
    "most_likely_days",
    "pessimistic_days",
    "constraint_type",
    "constraint_date",
    "deadline",
    "priority",
    "status",
    "percent_complete",
    "tags",
    "goal_ids",
)
SCHEDULE_FIELDS = {
    "is_milestone",
    "duration_days",
    "constraint_type",
    "constraint_date",
    "deadline",
    "percent_complete",
}


# ---------------------------------------------------------------- schedule and outline


def wbs_renumber(project: Project) -> None:
    rows = list(
        Task.objects.filter(project=project).values_list("id", "parent_id", "position", "wbs_code")
    )
    codes = wbs_codes(wbs_nodes((i, p, pos) for i, p, pos, _code in rows))
    current = {i: code for i, _p, _pos, code in rows}
    updates = [Task(pk=pk, wbs_code=code) for pk, code in codes.items() if current.get(pk) != code]
    if updates:
        Task.objects.bulk_update(updates, ["wbs_code"], batch_size=500)


@transaction.atomic
def schedule_recalculate(project: Project, *, status_date: date | None = None) -> None:
    """Recompute every task's dates, floats and roll-ups with the engine and store them.
    Internal: callers have already checked permission."""
    # Read the project afresh (the caller's copy may predate a calendar change), and lock it
    # so two recalculations of one plan do not interleave their writes.
    project = Project.objects.select_for_update().get(pk=project.pk)
    tasks = list(Task.objects.filter(project=project))
    deps = list(Dependency.objects.filter(project=project))
    parents = {t.parent_id for t in tasks if t.parent_id is not None}
    try:
        result, _calendar = compute_schedule(
            project, tasks, deps, status_date=status_date or project.status_date
        )
    except CycleError as exc:
        raise ValidationFailed(
            MSG_LOOP % {"loop": _names(exc.cycle)},
            code="dependency_cycle",
            fields={"predecessor_id": [MSG_LOOP % {"loop": _names(exc.cycle)}]},
        ) from None
    except DomainError as exc:
        message = ENGINE_MESSAGES.get(exc.code, str(exc))
        raise ValidationFailed(message, code=exc.code, fields={"non_field": [message]}) from None
    nodes = wbs_nodes((t.pk, t.parent_id, t.position) for t in tasks)
    percents = rollup_percent(
        nodes,
        {t.pk: float(t.percent_complete) for t in tasks},
        {t.pk: float(t.duration_days) for t in tasks},
    )
    changed: list[Task] = []
    for t in tasks:
        out = result.tasks[t.pk]
        new = {
            "start": out.early_start,
            "finish": out.early_finish,
            "late_start": out.late_start,
            "late_finish": out.late_finish,
            "total_float": Decimal(str(round(out.total_float_days, 2))),
            "free_float": Decimal(str(round(out.free_float_days, 2))),
            "is_critical": out.critical,
            "is_summary": t.pk in parents,
        }
        if t.pk in parents:
            new["percent_complete"] = round(percents.get(t.pk, 0.0))
        if any(getattr(t, k) != v for k, v in new.items()):
            for k, v in new.items():
                setattr(t, k, v)
            changed.append(t)
    # Only summaries get a computed percent complete; a leaf's is people's input, and writing
    # back the value read above could undo an edit made meanwhile.
    summaries = [t for t in changed if t.pk in parents]
    leaves = [t for t in changed if t.pk not in parents]
    if summaries:
        Task.objects.bulk_update(summaries, [*SCHEDULE_OUTPUTS, "percent_complete"], batch_size=500)
    if leaves:
        Task.objects.bulk_update(leaves, list(SCHEDULE_OUTPUTS), batch_size=500)
    finish = result.project_finish if tasks else None
    if project.scheduled_finish != finish:
        Project.objects.filter(pk=project.pk).update(scheduled_finish=finish)
        project.scheduled_finish = finish


def _names(ids: Sequence[object]) -> str:
    names = dict(
        Task.objects.filter(pk__in=[i for i in ids if isinstance(i, int)]).values_list("id", "name")
    )
    return " → ".join(str(names.get(i, i)) for i in ids)  # type: ignore[call-overload]


# ---------------------------------------------------------------- tasks


def _check_people(project: Project, ids: Iterable[int | None], field: str) -> None:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return
    found = set(
        WorkspaceMembership.objects.filter(
            workspace_id=project.workspace_id, user_id__in=wanted
        ).values_list("user_id", flat=True)
    )
    if wanted - found:
        raise ValidationFailed(fields={field: [MSG_NOT_WS_MEMBER]})


def _check_goals(project: Project, ids: Iterable[int]) -> list[int]:
    wanted = set(ids)
    found = set(Goal.objects.filter(project=project, pk__in=wanted).values_list("id", flat=True))
    if wanted - found:
        raise ValidationFailed(fields={"goal_ids": [MSG_GOAL_PROJECT]})
    return sorted(wanted)


def _validate_task(task: Task) -> None:
    errors: dict[str, list[Any]] = {}
    task.name = (task.name or "").strip()
    if task.is_milestone:
        task.duration_days = Decimal("0")
    if task.constraint_type != Constraint.ASAP and task.constraint_date is None:
        errors["constraint_date"] = [MSG_CONSTRAINT_DATE]
    if task.constraint_type == Constraint.ASAP:
        task.constraint_date = None
    o, m, p = task.optimistic_days, task.most_likely_days, task.pessimistic_days
    given = [v for v in (o, m, p) if v is not None]
    if given and (len(given) < 3 or not given[0] <= given[1] <= given[2]):
        errors["optimistic_days"] = [MSG_THREE_POINT]
    if not isinstance(task.tags, list) or not all(
        isinstance(t, str) and 0 < len(t.strip()) <= 40 for t in task.tags
    ):
        errors["tags"] = [MSG_TAGS]
    else:
        task.tags = list(dict.fromkeys(t.strip() for t in task.tags))[:20]
    # Status and percent complete tell one story: done is 100%, 100% is done, and a task
    # with progress is no longer "to do".
    if task.status == TaskStatus.DONE:
        task.percent_complete = 100
    elif task.percent_complete >= 100 and task.status != TaskStatus.CANCELLED:
        task.status = TaskStatus.DONE
    elif task.percent_complete > 0 and task.status == TaskStatus.TODO:
        task.status = TaskStatus.IN_PROGRESS
    try:
        validate_instance(
            task,
            exclude=[
                "project",
                "parent",
                "owner",
                "start",
                "finish",
                "late_start",
                "late_finish",
                "total_float",
                "free_float",
                *errors,
            ],
        )
    except ValidationFailed as exc:
        for k, v in exc.fields.items():
            errors.setdefault(k, []).extend(v)
    if errors:
        raise ValidationFailed(fields=errors)


def _check_parent(project: Project, task: Task | None, parent_id: int | None) -> Task | None:
    if parent_id is None:
        return None
    parent = Task.objects.filter(pk=parent_id).first()
    if parent is None or parent.project_id != project.pk:
        raise ValidationFailed(fields={"parent_id": [MSG_PARENT_OTHER_PROJECT]})
    if parent.is_milestone:
        raise ValidationFailed(fields={"parent_id": [MSG_PARENT_MILESTONE]})
    height = 1  # levels the task (with its subtasks) adds under the parent
    if task is not None and task.pk is not None:
        rows = list(Task.objects.filter(project=project).values_list("id", "parent_id", "position"))
        below = descendants(wbs_nodes(rows), task.pk)
        if parent.pk == task.pk or parent.pk in below:
            raise ValidationFailed(fields={"parent_id": [MSG_PARENT_DESCENDANT]})
        parent_of = {i: p for i, p, _pos in rows}
        above: set[int] = set()
        node: int | None = parent.pk
        while node is not None:
            above.add(node)
            node = parent_of.get(node)
        moving = {task.pk, *below}
        if Dependency.objects.filter(
            Q(predecessor_id__in=moving, successor_id__in=above)
            | Q(predecessor_id__in=above, successor_id__in=moving)
        ).exists():
            raise ValidationFailed(fields={"parent_id": [MSG_LINK_SUMMARY]})
        own = task.wbs_code.count(".")
        codes = Task.objects.filter(pk__in=below).values_list("wbs_code", flat=True)
        height += max((c.count(".") - own for c in codes), default=0)
    if parent.wbs_code.count(".") + 1 + height > MAX_DEPTH:
        raise ValidationFailed(fields={"parent_id": [MSG_TOO_DEEP % {"max": MAX_DEPTH}]})
    return parent


def _next_position(project: Project, parent_id: int | None) -> int:
    top = Task.objects.filter(project=project, parent_id=parent_id).aggregate(m=Max("position"))[
        "m"
    ]
    return 0 if top is None else top + 1


def _split_relations(fields: dict[str, Any]) -> tuple[list[int] | None, list[int] | None]:
    assignees = fields.pop("assignee_ids", None)
    goals = fields.pop("goal_ids", None)
    return (
        None if assignees is None else list(assignees),
        None if goals is None else list(goals),
    )


@transaction.atomic
def task_create(
    *,
    actor: User,
    project: Project,
    name: str,
    parent_id: int | None = None,
    position: int | None = None,
    recalculate: bool = True,
    **fields: Any,
) -> Task:
    require(actor, ProjectAction.EDIT_TASKS, project)
    unknown = set(fields) - set(TASK_FIELDS)
    if unknown:
        raise ValidationFailed(fields={k: [_("Unknown field.")] for k in unknown})
    assignee_ids, goal_ids = _split_relations(fields)
    parent = _check_parent(project, None, parent_id)
    _check_people(project, [fields.get("owner_id")], "owner_id")
    _check_people(project, assignee_ids or [], "assignee_ids")
    goals = _check_goals(project, goal_ids or [])
    task = Task(project=project, name=name, parent=parent, **fields)
    task.position = _next_position(project, parent_id) if position is None else position
    _validate_task(task)
    task.save()
    if position is not None:
        _reorder_siblings(project, parent_id, task)
    if assignee_ids:
        task.assignees.set(assignee_ids)
    if goals:
        task.goals.set(goals)
    if recalculate:
        wbs_renumber(project)
        schedule_recalculate(project)
        task.refresh_from_db()
    return task


@transaction.atomic
def task_update(
    *, actor: User, task: Task, version: int | None, changes: Mapping[str, Any]
) -> Task:
    require(actor, ProjectAction.EDIT_TASKS, task.project)
    project = task.project
    task = Task.objects.select_for_update().get(pk=task.pk)
    check_version(task.version, version)
    changes = dict(changes)
    unknown = set(changes) - set(TASK_FIELDS)
    if unknown:
        raise ValidationFailed(fields={k: [_("This field cannot be changed.")] for k in unknown})
    assignee_ids, goal_ids = _split_relations(changes)
    _check_people(project, [changes.get("owner_id")], "owner_id")
    _check_people(project, assignee_ids or [], "assignee_ids")
    goals = None if goal_ids is None else _check_goals(project, goal_ids)
    if changes.get("is_milestone") and task.children.exists():
        raise ValidationFailed(fields={"is_milestone": [MSG_PARENT_MILESTONE]})
    moves_dates = any(k in SCHEDULE_FIELDS and getattr(task, k) != v for k, v in changes.items())
    task.bump(**changes)
    _validate_task(task)
    task.save()
    if assignee_ids is not None:
        task.assignees.set(assignee_ids)
    if goals is not None:
        task.goals.set(goals)
    if moves_dates or "status" in changes:
        schedule_recalculate(project)
        task.refresh_from_db()
    return task


def _reorder_siblings(project: Project, parent_id: int | None, moved: Task | None = None) -> None:
    """Number a task's siblings 0, 1, 2...: closing gaps, and putting `moved` (if given) at
    the position it asks for."""
    siblings = Task.objects.filter(project=project, parent_id=parent_id).order_by("position", "pk")
    rows = list(siblings.exclude(pk=moved.pk) if moved is not None else siblings)
    if moved is not None:
        rows.insert(max(0, min(moved.position, len(rows))), moved)
    for i, t in enumerate(rows):
        t.position = i
    Task.objects.bulk_update(rows, ["position"])


@transaction.atomic
def task_move(
    *, actor: User, task: Task, parent_id: int | None, position: int, version: int | None
) -> Task:
    """Move a task (with its subtasks) under another summary task and/or to another place
    among its siblings; WBS codes follow."""
    require(actor, ProjectAction.EDIT_TASKS, task.project)
    project = task.project
    task = Task.objects.select_for_update().get(pk=task.pk)
    check_version(task.version, version)
    parent = _check_parent(project, task, parent_id)
    old_parent = task.parent_id
    task.bump(parent=parent, position=max(0, position))
    task.save()
    _reorder_siblings(project, parent_id, task)
    if old_parent != parent_id:
        _reorder_siblings(project, old_parent)
    wbs_renumber(project)
    schedule_recalculate(project)
    task.refresh_from_db()
    return task


@transaction.atomic
def task_delete(*, actor: User, task: Task) -> None:
    """Deletes the task, its subtasks and their dependencies."""
    require(actor, ProjectAction.DELETE_TASKS, task.project)
    project = task.project
    parent_id = task.parent_id
    task.delete()
    _reorder_siblings(project, parent_id)
    wbs_renumber(project)
    schedule_recalculate(project)


# ---------------------------------------------------------------- dependencies


def _check_link(
    project: Project, pred: Task | None, succ: Task | None, exclude_pk: int | None
) -> None:
    if (
        pred is None
        or succ is None
        or pred.project_id != project.pk
        or succ.project_id != project.pk
    ):
        raise ValidationFailed(fields={"predecessor_id": [MSG_LINK_PROJECT]})
    if pred.pk == succ.pk:
        raise ValidationFailed(fields={"successor_id": [MSG_LINK_SAME]})
    others = Dependency.objects.filter(project=project)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    if others.filter(predecessor=pred, successor=succ).exists():
        raise ValidationFailed(fields={"successor_id": [MSG_LINK_EXISTS]})
    nodes = wbs_nodes(
        Task.objects.filter(project=project).values_list("id", "parent_id", "position")
    )
    if succ.pk in descendants(nodes, pred.pk) or pred.pk in descendants(nodes, succ.pk):
        raise ValidationFailed(fields={"successor_id": [MSG_LINK_SUMMARY]})
    edges = list(others.values_list("predecessor_id", "successor_id"))
    loop = find_cycle([], [*edges, (pred.pk, succ.pk)])
    if loop:
        message = MSG_LOOP % {"loop": _names(loop)}
        raise ValidationFailed(
            message, code="dependency_cycle", fields={"predecessor_id": [message]}
        )


@transaction.atomic
def dependency_create(
    *,
    actor: User,
    project: Project,
    predecessor_id: int,
    successor_id: int,
    type: str = "FS",
    lag_days: Decimal = Decimal("0"),
) -> Dependency:
    require(actor, ProjectAction.EDIT_TASKS, project)
    pred = Task.objects.filter(pk=predecessor_id).first()
    succ = Task.objects.filter(pk=successor_id).first()
    _check_link(project, pred, succ, None)
    dep = Dependency(
        project=project, predecessor=pred, successor=succ, type=type, lag_days=lag_days
    )
    validate_instance(dep, exclude=["project", "predecessor", "successor"])
    dep.save()
    schedule_recalculate(project)
    return dep


@transaction.atomic
def dependency_update(
    *, actor: User, dependency: Dependency, version: int | None, changes: Mapping[str, Any]
) -> Dependency:
    require(actor, ProjectAction.EDIT_TASKS, dependency.project)
    dep = Dependency.objects.select_for_update().get(pk=dependency.pk)
    check_version(dep.version, version)
    allowed = {"type", "lag_days", "predecessor_id", "successor_id"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationFailed(fields={k: [_("This field cannot be changed.")] for k in unknown})
    dep.bump(**changes)
    if {"predecessor_id", "successor_id"} & set(changes):
        _check_link(
            dependency.project,
            Task.objects.filter(pk=dep.predecessor_id).first(),
            Task.objects.filter(pk=dep.successor_id).first(),
            dep.pk,
        )
    validate_instance(dep, exclude=["project", "predecessor", "successor"])
    dep.save()
    schedule_recalculate(dependency.project)
    return dep


@transaction.atomic
def dependency_delete(*, actor: User, dependency: Dependency) -> None:
    require(actor, ProjectAction.EDIT_TASKS, dependency.project)
    project = dependency.project
    dependency.delete()
    schedule_recalculate(project)


# ---------------------------------------------------------------- goals <-> tasks


@transaction.atomic
def goal_set_tasks(*, actor: User, goal: Goal, task_ids: Iterable[int]) -> Goal:
    """Link a goal to the tasks and milestones that deliver it."""
    require(actor, ProjectAction.EDIT_GOALS, goal.project)
    ids = set(task_ids)
    tasks = list(Task.objects.filter(project=goal.project, pk__in=ids))
    if len(tasks) != len(ids):
        raise ValidationFailed(fields={"task_ids": [MSG_LINK_PROJECT]})
    goal.tasks.set(tasks)
    return goal
