"""Writes to the plan. Every change that can move dates ends with `schedule_changed`, the
single seam through which the engine places tasks (at once, or in the background for a big
plan)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Literal

from django.conf import settings
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from keel.apps.accounts.models import User, WorkspaceMembership
from keel.apps.projects.models import Goal, Project, SchedulePhase, ScheduleState
from keel.apps.projects.permissions import ProjectAction, can, require
from keel.apps.projects.services import MSG_NOT_WS_MEMBER
from keel.common.db import prepared_update
from keel.common.errors import (
    Conflict,
    PermissionDenied,
    ValidationFailed,
    check_version,
    validate_instance,
)
from keel.engine.errors import CycleError, DomainError
from keel.engine.graph import find_cycle
from keel.engine.types import LinkIn, ScheduleResult
from keel.engine.wbs import descendants, rollup_percent, wbs_codes

from .adapters import LINK_COLUMNS, compute_schedule, link_row, planned_work_hours, wbs_nodes
from .costing import planned_costs
from .models import (
    SCHEDULE_OUTPUTS,
    Baseline,
    BaselineTask,
    ChangeRequest,
    ChangeRequestStatus,
    Constraint,
    Dependency,
    SavedView,
    Task,
    TaskStatus,
    WorkflowColumn,
)
from .permissions import require_task_edit
from .selectors import (
    CHANGE_FIELDS,
    ERROR_ENGINE,
    ERROR_LOOP,
    Impact,
    change_impact,
    people_per_task,
    project_today,
    workflow_columns,
)

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
MSG_REMAINING = _(
    "Between 0 and the planned work (%(planned)s hours); for more, make the task longer."
)
MSG_MANAGER_ONLY = _("Only the project's managers can change this.")
MSG_BLOCKED_REASON = _("Say what blocks the task.")
MSG_ACTUAL_FUTURE = _("An actual date cannot be in the future.")
MSG_ACTUAL_ORDER = _("The actual finish cannot be before the actual start.")
MSG_ACTUAL_FINISH_NOT_DONE = _("Only a task that is done has an actual finish.")
MSG_ACTUAL_START_TODO = _("A task that has not started has no actual start.")
MSG_STATUS_NOT_IN_WORKFLOW = _("This project's workflow does not use this status.")
MSG_WORKFLOW_ENDS = _("The workflow needs the statuses To do and Done.")
MSG_WORKFLOW_DUPLICATE = _("Each status can appear once.")
MSG_WORKFLOW_IN_USE = ngettext_lazy(
    "%(count)d task has the status %(status)s; move it first.",
    "%(count)d tasks have the status %(status)s; move them first.",
    "count",
)
MSG_BOARD_SUMMARY = _("Summary tasks are not on the board; their progress rolls up.")
MSG_BEFORE_TASK = _("That card is not in this column.")
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
    "blocked_reason",
    "actual_start",
    "actual_finish",
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
    "status",
    "actual_start",
    "actual_finish",
}


# ---------------------------------------------------------------- the schedule seam
#
# Every change to a plan's schedule inputs calls `schedule_changed` in its transaction. A plan
# of up to settings.KEEL_SCHEDULE_SYNC_MAX_TASKS tasks is recalculated there and then
# (`schedule_recalculate`). A bigger one is marked stale ("queued") and, after commit, a
# background task (tasks.py) runs `schedule_run`: it reads and computes outside any
# transaction, reporting its phase and percentage on the project, then writes every date in
# one transaction, and only if no change came after the plan it read. Each change adds one to
# the project's `schedule_generation`, which is how a run knows it is out of date; changes
# made while a run waits in the queue ride on it, so many edits cause at most one more run.
# docs/scheduling.md, "Recalculation in the background", has the measurements.

RunOutcome = Literal["current", "superseded", "failed", "idle"]
Progress = Callable[[str, int], None]  # (SchedulePhase value, percent) as a run goes

# A queued run whose task was lost (a worker's database went away while enqueueing) is
# queued again by the next change after this long. A duplicate finds nothing to do.
REQUEUE_AFTER = timedelta(minutes=10)
READ_CHUNK = 2_000  # rows per query while reading a plan in the background
# Shares of a background run's progress bar, from the measurements: reading the rows, then
# computing (the engine and the comparison with the stored dates), then saving.
COMPUTING_AT = 45
SAVING_AT = 85
# Saving never waits for a task row while it holds the project's row: an edit holding one
# may be waiting for the project in turn. It tries again after 0.05, 0.1, 0.2 ... seconds.
SAVE_ATTEMPTS = 8

logger = logging.getLogger(__name__)


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
def schedule_changed(project: Project) -> None:
    """The one call of every service that changes what the schedule depends on (durations,
    links, the outline, progress, the calendar), inside its transaction. Internal: callers
    have already checked permission. A small plan is recalculated at once (a loop or dates
    out of range refuse the change); a bigger one in the background after commit."""
    size = Task.objects.filter(project_id=project.pk).count()
    if size <= settings.KEEL_SCHEDULE_SYNC_MAX_TASKS:
        schedule_recalculate(project)
        return
    locked = Project.objects.select_for_update().get(pk=project.pk)
    now = timezone.now()
    waiting = locked.schedule_state == ScheduleState.QUEUED
    lost = waiting and (
        locked.schedule_requested_at is None or locked.schedule_requested_at < now - REQUEUE_AFTER
    )
    changes: dict[str, Any] = {"schedule_generation": locked.schedule_generation + 1}
    if not waiting or lost:
        # A running run is out of date now: it stops at its next progress report and leaves
        # the dates to the run queued here, which reads the plan with this change in it.
        changes.update(
            schedule_state=ScheduleState.QUEUED,
            schedule_progress=0,
            schedule_phase="",
            schedule_requested_at=now,
            schedule_error_code="",
            schedule_error_detail="",
        )
        # robust: the change is committed whatever happens; a task that could not be queued
        # is queued again by a later change (REQUEUE_AFTER).
        pk = project.pk
        transaction.on_commit(lambda: _enqueue(pk), robust=True)
    Project.objects.filter(pk=project.pk).update(**changes)


def _enqueue(project_id: int) -> None:
    from .tasks import recalculate_schedule  # tasks.py imports this module: import it late

    recalculate_schedule.enqueue(project_id)


@transaction.atomic
def schedule_recalculate(project: Project, *, status_date: date | None = None) -> None:
    """Recompute every task's dates, floats and roll-ups with the engine and store them now,
    in the caller's transaction, whatever the plan's size; the schedule is then current.
    Internal: callers have already checked permission."""
    # Read the project afresh (the caller's copy may predate a calendar change), and lock it
    # so two recalculations of one plan do not interleave their writes.
    project = Project.objects.select_for_update().get(pk=project.pk)
    tasks = list(Task.objects.filter(project=project))
    links = Dependency.objects.filter(project=project).values_list(*LINK_COLUMNS)
    try:
        result = _compute(project, tasks, [link_row(*r) for r in links], status_date=status_date)
    except CycleError as exc:
        raise ValidationFailed(
            MSG_LOOP % {"loop": _names(exc.cycle)},
            code="dependency_cycle",
            fields={"predecessor_id": [MSG_LOOP % {"loop": _names(exc.cycle)}]},
        ) from None
    except DomainError as exc:
        message = ENGINE_MESSAGES.get(exc.code, str(exc))
        raise ValidationFailed(message, code=exc.code, fields={"non_field": [message]}) from None
    generation = project.schedule_generation + 1
    _store(project, _dates(tasks, result), generation=generation, requested_at=timezone.now())


def _compute(
    project: Project, tasks: list[Task], links: list[LinkIn], *, status_date: date | None
) -> ScheduleResult:
    result, _calendar = compute_schedule(
        project, tasks, links, status_date=status_date or project.status_date
    )
    return result


def _changed(tasks: list[Task], result: ScheduleResult) -> tuple[list[Task], list[Task]]:
    """Set the engine's outputs on the tasks whose stored ones differ: (summaries, others)."""
    parents = {t.parent_id for t in tasks if t.parent_id is not None}
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
    return [t for t in changed if t.pk in parents], [t for t in changed if t.pk not in parents]


@dataclass(frozen=True)
class _Dates:
    """What a recalculation writes: the changed tasks' outputs, ready to run, and the
    project's finish."""

    writes: tuple[Callable[[], None], ...]
    changed: int  # tasks
    finish: date | None


def _dates(tasks: list[Task], result: ScheduleResult) -> _Dates:
    summaries, leaves = _changed(tasks, result)
    return _Dates(
        writes=(
            prepared_update(Task, summaries, [*SCHEDULE_OUTPUTS, "percent_complete"]),
            prepared_update(Task, leaves, SCHEDULE_OUTPUTS),
        ),
        changed=len(summaries) + len(leaves),
        finish=result.project_finish if tasks else None,
    )


def _store(
    project: Project, dates: _Dates, *, generation: int, requested_at: datetime | None
) -> None:
    """Write the dates and mark the schedule of `generation` current. In the caller's
    transaction, holding the project's row."""
    for write in dates.writes:
        write()
    now = timezone.now()
    Project.objects.filter(pk=project.pk).update(
        scheduled_finish=dates.finish,
        schedule_generation=generation,
        schedule_state=ScheduleState.CURRENT,
        schedule_progress=100,
        schedule_phase="",
        schedule_requested_at=requested_at or now,
        schedule_finished_at=now,
        schedule_error_code="",
        schedule_error_detail="",
    )
    project.scheduled_finish = dates.finish


def schedule_run(
    *, project_id: int, force: bool = False, progress: Progress | None = None
) -> RunOutcome:
    """Recalculate a plan outside any request: the background task of a queued plan, or
    `keel recalculate` (force: whatever its state). "idle" when nothing was queued,
    "superseded" when a change came meanwhile (the run it queued writes the dates), "failed"
    when the engine refused the plan (the project says why), "current" otherwise."""
    run = _Run.claim(project_id, force=force, progress=progress)
    if run is None:
        return "idle"
    try:
        tasks, links = run.read()
        run.report(SchedulePhase.COMPUTING, COMPUTING_AT)
        result = _compute(run.project, tasks, links, status_date=None)
        dates = _dates(tasks, result)
        run.report(SchedulePhase.SAVING, SAVING_AT)
        return run.save(dates)
    except _Superseded:
        return "superseded"
    except CycleError as exc:
        return run.fail(ERROR_LOOP, _names(exc.cycle))
    except DomainError as exc:
        # Out of range: people can fix it. Others are the engine refusing rows it should
        # never have been given: a bug, for the log.
        logger.warning("The engine refused the plan of project %s: %s", project_id, exc)
        return run.fail(exc.code, "")
    except Exception:
        logger.exception("Recalculating the schedule of project %s failed", project_id)
        return run.fail(ERROR_ENGINE, "")


class _Superseded(Exception):
    """A change came after the plan the run read: the run it queued takes over."""


class _Run:
    """One background recalculation of one generation of a plan."""

    def __init__(self, project: Project, generation: int, progress: Progress | None) -> None:
        self.project = project
        self.generation = generation
        self.progress = progress
        self.shown: tuple[str, int] | None = None

    @classmethod
    def claim(cls, project_id: int, *, force: bool, progress: Progress | None) -> _Run | None:
        with transaction.atomic():
            project = Project.objects.select_for_update().filter(pk=project_id).first()
            if project is None or (not force and project.schedule_state != ScheduleState.QUEUED):
                return None  # recalculated meanwhile, or a duplicate of a running run
            now = timezone.now()
            if project.schedule_state != ScheduleState.QUEUED:
                project.schedule_requested_at = now
            Project.objects.filter(pk=project_id).update(
                schedule_state=ScheduleState.RUNNING,
                schedule_phase=SchedulePhase.READING,
                schedule_progress=0,
                schedule_requested_at=project.schedule_requested_at or now,
                schedule_error_code="",
                schedule_error_detail="",
            )
        run = cls(project, project.schedule_generation, progress)
        run.shown = (SchedulePhase.READING, 0)
        if progress is not None:
            progress(SchedulePhase.READING, 0)
        return run

    def report(self, phase: str, percent: int) -> None:
        """Show how far the run is, in a short update of its own that other requests see,
        and stop the run (_Superseded) if a change has come since it started."""
        if self.shown == (phase, percent):
            return
        self.shown = (phase, percent)
        shown = Project.objects.filter(
            pk=self.project.pk,
            schedule_generation=self.generation,
            schedule_state=ScheduleState.RUNNING,
        ).update(schedule_phase=phase, schedule_progress=percent)
        if not shown:
            raise _Superseded
        if self.progress is not None:
            self.progress(phase, percent)

    def read(self) -> tuple[list[Task], list[LinkIn]]:
        """The plan's rows, a chunk per query (each its own moment: a change committed in
        between also changes the generation, so such a mixed read is never saved). A task
        costs about five times a link to read."""
        pid = self.project.pk
        total = 5 * Task.objects.filter(project_id=pid).count()
        total += Dependency.objects.filter(project_id=pid).count()
        tasks: list[Task] = []
        links: list[LinkIn] = []

        def done() -> None:
            read = 5 * len(tasks) + len(links)
            self.report(SchedulePhase.READING, COMPUTING_AT * read // max(total, read, 1))

        after = 0
        while chunk := list(
            Task.objects.filter(project_id=pid, pk__gt=after).order_by("pk")[:READ_CHUNK]
        ):
            tasks.extend(chunk)
            after = chunk[-1].pk
            done()
        after = 0
        columns = ("pk", *LINK_COLUMNS)
        deps = Dependency.objects.filter(project_id=pid).order_by("pk").values_list(*columns)
        while rows := list(deps.filter(pk__gt=after)[:READ_CHUNK]):
            links.extend(link_row(*r[1:]) for r in rows)
            after = rows[-1][0]
            done()
        return tasks, links

    def save(self, dates: _Dates) -> RunOutcome:
        """Write every date in one transaction, unless a change came meanwhile."""
        attempt = 0
        while True:
            try:
                with transaction.atomic():
                    locked = Project.objects.select_for_update().get(pk=self.project.pk)
                    if locked.schedule_generation != self.generation:
                        return "superseded"
                    if dates.changed:
                        # PostgreSQL: take every task row now or not at all (see SAVE_ATTEMPTS).
                        rows = Task.objects.select_for_update(nowait=True, no_key=True)
                        list(rows.filter(project_id=self.project.pk).values_list("pk"))
                    requested = locked.schedule_requested_at
                    _store(locked, dates, generation=self.generation, requested_at=requested)
                    return "current"
            except OperationalError:  # a row taken, or (SQLite) the database busy
                attempt += 1
                if attempt == SAVE_ATTEMPTS:
                    raise
                time.sleep(0.05 * 2 ** (attempt - 1))

    def fail(self, code: str, detail: str) -> RunOutcome:
        with transaction.atomic():
            locked = Project.objects.select_for_update().filter(pk=self.project.pk).first()
            if locked is None or locked.schedule_generation != self.generation:
                return "superseded"  # a change came meanwhile: its run will try again
            Project.objects.filter(pk=self.project.pk).update(
                schedule_state=ScheduleState.FAILED,
                schedule_phase="",
                schedule_progress=0,
                schedule_finished_at=timezone.now(),
                schedule_error_code=code[:40],
                schedule_error_detail=detail,
            )
        return "failed"


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


def _apply_status(task: Task, old_status: str | None, given: Mapping[str, Any]) -> None:
    """Work starting and finishing sets the actual dates (unless they are given), and a
    task's progress follows its status: done is 100%, back to "to do" is 0%."""
    new = task.status
    if new == old_status:
        return
    day = project_today(task.project)
    if new == TaskStatus.TODO:
        if "actual_start" not in given:
            task.actual_start = None
        if "actual_finish" not in given:
            task.actual_finish = None
        if "percent_complete" not in given:
            task.percent_complete = 0
        return
    if new == TaskStatus.CANCELLED:
        return
    if new == TaskStatus.BLOCKED and task.actual_start is None:
        # Work that has not started can be blocked too; it has not started because of it.
        if "actual_finish" not in given:
            task.actual_finish = None
        return
    # As MS Project does when progress is entered: work began when it was scheduled to, and
    # ended when it was scheduled to, unless that is still ahead (then: today). People
    # correct the dates where reality differed.
    if task.actual_start is None and "actual_start" not in given:
        task.actual_start = min(task.start or day, day)
    if new == TaskStatus.DONE:
        if task.actual_finish is None and "actual_finish" not in given:
            task.actual_finish = max(min(task.finish or day, day), task.actual_start or day)
    else:
        if "actual_finish" not in given:
            task.actual_finish = None
        if old_status == TaskStatus.DONE and "percent_complete" not in given:
            # Reopened: the work is no longer finished, but how much remains is not known.
            task.percent_complete = min(task.percent_complete, 99)


def _percent_from_remaining(task: Task, remaining: Decimal) -> int:
    """Progress from the work said to remain (MS Project's "remaining work"): what is not
    remaining of the planned work is done."""
    people = task.assignees.count()
    planned = planned_work_hours(task, task.project.hours_per_day, people)
    if remaining < 0 or remaining > planned:
        raise ValidationFailed(
            fields={
                "remaining_work_hours": [
                    MSG_REMAINING % {"planned": planned.normalize() if planned else 0}
                ]
            }
        )
    if planned == 0:
        return task.percent_complete
    return max(0, min(100, round(100 * (1 - remaining / planned))))


def _check_actuals(task: Task, errors: dict[str, list[Any]]) -> None:
    day = project_today(task.project)
    if task.status != TaskStatus.BLOCKED:
        task.blocked_reason = ""
    else:
        task.blocked_reason = (task.blocked_reason or "").strip()
        if not task.blocked_reason:
            errors.setdefault("blocked_reason", []).append(MSG_BLOCKED_REASON)
    if task.status == TaskStatus.TODO and task.actual_start is not None:
        errors.setdefault("actual_start", []).append(MSG_ACTUAL_START_TODO)
    if task.actual_finish is not None and task.status != TaskStatus.DONE:
        errors.setdefault("actual_finish", []).append(MSG_ACTUAL_FINISH_NOT_DONE)
    for name in ("actual_start", "actual_finish"):
        value = getattr(task, name)
        if isinstance(value, date) and value > day:
            errors.setdefault(name, []).append(MSG_ACTUAL_FUTURE)
    a, f = task.actual_start, task.actual_finish
    if isinstance(a, date) and isinstance(f, date) and f < a:
        errors.setdefault("actual_finish", []).append(MSG_ACTUAL_ORDER)


def _check_status_in_workflow(task: Task) -> None:
    if task.status not in {c.status for c in workflow_columns(task.project)}:
        raise ValidationFailed(fields={"status": [MSG_STATUS_NOT_IN_WORKFLOW]})


def _validate_task(
    task: Task, old_status: str | None = None, supplied: Mapping[str, Any] | None = None
) -> None:
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
    supplied = supplied or {}
    # A status someone chose sets progress and actual dates first; then status and percent
    # complete tell one story: done is 100%, 100% is done, and progress means started.
    if "status" in supplied:
        _apply_status(task, old_status, supplied)
    chosen = task.status
    if task.status == TaskStatus.DONE:
        task.percent_complete = 100
    elif task.percent_complete >= 100 and task.status != TaskStatus.CANCELLED:
        task.status = TaskStatus.DONE
    elif task.percent_complete > 0 and task.status == TaskStatus.TODO:
        task.status = TaskStatus.IN_PROGRESS
    if "status" not in supplied or task.status != chosen:
        _apply_status(task, chosen if "status" in supplied else old_status, supplied)
    _check_actuals(task, errors)
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
    if not can(actor, ProjectAction.EDIT_ANY_TASK, project):
        # Members change only their own tasks: what they create is theirs, they cannot hand
        # work to others, and a subtask turns its parent into a summary, so the parent
        # must be theirs too.
        if fields.get("owner_id") not in (None, actor.pk):
            raise ValidationFailed(fields={"owner_id": [MSG_MANAGER_ONLY]})
        if set(assignee_ids or []) - {actor.pk}:
            raise ValidationFailed(fields={"assignee_ids": [MSG_MANAGER_ONLY]})
        fields["owner_id"] = actor.pk
        if parent is not None:
            require_task_edit(actor, parent)
    task = Task(project=project, name=name, parent=parent, **fields)
    task.position = _next_position(project, parent_id) if position is None else position
    task.board_position = _next_board_position(project, task.status)
    _validate_task(task, None, fields)
    _check_status_in_workflow(task)
    task.save()
    if position is not None:
        _reorder_siblings(project, parent_id, task)
    if assignee_ids:
        task.assignees.set(assignee_ids)
    if goals:
        task.goals.set(goals)
    if recalculate:
        wbs_renumber(project)
        schedule_changed(project)
        task.refresh_from_db()
    return task


@transaction.atomic
def task_update(
    *, actor: User, task: Task, version: int | None, changes: Mapping[str, Any]
) -> Task:
    require_task_edit(actor, task)
    project = task.project
    task = Task.objects.select_for_update().get(pk=task.pk)
    check_version(task.version, version)
    changes = dict(changes)
    old_status = task.status
    unknown = set(changes) - set(TASK_FIELDS) - {"remaining_work_hours"}
    if unknown:
        raise ValidationFailed(fields={k: [_("This field cannot be changed.")] for k in unknown})
    if "remaining_work_hours" in changes:
        remaining = changes.pop("remaining_work_hours")
        if remaining is not None and "percent_complete" not in changes:
            changes["percent_complete"] = _percent_from_remaining(task, Decimal(str(remaining)))
    assignee_ids, goal_ids = _split_relations(changes)
    _check_people(project, [changes.get("owner_id")], "owner_id")
    _check_people(project, assignee_ids or [], "assignee_ids")
    goals = None if goal_ids is None else _check_goals(project, goal_ids)
    if changes.get("is_milestone") and task.children.exists():
        raise ValidationFailed(fields={"is_milestone": [MSG_PARENT_MILESTONE]})
    moves_dates = any(k in SCHEDULE_FIELDS and getattr(task, k) != v for k, v in changes.items())
    # A member cannot hand a task over (and so lose it) or take others onto it.
    manager = can(actor, ProjectAction.EDIT_ANY_TASK, project)
    if (
        assignee_ids is not None
        and not manager
        and set(assignee_ids) != set(task.assignees.values_list("id", flat=True))
    ):
        raise ValidationFailed(fields={"assignee_ids": [MSG_MANAGER_ONLY]})
    if "owner_id" in changes and changes["owner_id"] != task.owner_id and not manager:
        raise ValidationFailed(fields={"owner_id": [MSG_MANAGER_ONLY]})
    task.bump(**changes)
    _validate_task(task, old_status, changes)
    if task.status != old_status:
        _check_status_in_workflow(task)
        task.board_position = _next_board_position(project, task.status)
    task.save()
    if assignee_ids is not None:
        task.assignees.set(assignee_ids)
    if goals is not None:
        task.goals.set(goals)
    if moves_dates or "status" in changes:
        schedule_changed(project)
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
    require_task_edit(actor, task)
    project = task.project
    task = Task.objects.select_for_update().get(pk=task.pk)
    check_version(task.version, version)
    parent = _check_parent(project, task, parent_id)
    old_parent = task.parent_id
    if parent is not None and parent.pk != old_parent:
        require_task_edit(actor, parent)  # it becomes (or grows) a summary of theirs
    task.bump(parent=parent, position=max(0, position))
    task.save()
    _reorder_siblings(project, parent_id, task)
    if old_parent != parent_id:
        _reorder_siblings(project, old_parent)
    wbs_renumber(project)
    schedule_changed(project)
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
    schedule_changed(project)


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
    assert succ is not None
    require_task_edit(actor, succ)  # a link moves its successor
    dep = Dependency(
        project=project, predecessor=pred, successor=succ, type=type, lag_days=lag_days
    )
    validate_instance(dep, exclude=["project", "predecessor", "successor"])
    dep.save()
    schedule_changed(project)
    return dep


@transaction.atomic
def dependency_update(
    *, actor: User, dependency: Dependency, version: int | None, changes: Mapping[str, Any]
) -> Dependency:
    require_task_edit(actor, dependency.successor)
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
        require_task_edit(actor, Task.objects.select_related("project").get(pk=dep.successor_id))
    validate_instance(dep, exclude=["project", "predecessor", "successor"])
    dep.save()
    schedule_changed(dependency.project)
    return dep


@transaction.atomic
def dependency_delete(*, actor: User, dependency: Dependency) -> None:
    require_task_edit(actor, dependency.successor)
    project = dependency.project
    dependency.delete()
    schedule_changed(project)


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


# ---------------------------------------------------------------- workflow and board


def _next_board_position(project: Project, status: str) -> int:
    top = Task.objects.filter(project=project, status=status).aggregate(m=Max("board_position"))[
        "m"
    ]
    return 0 if top is None else top + 1


@transaction.atomic
def workflow_set(
    *, actor: User, project: Project, columns: Sequence[Mapping[str, Any]]
) -> list[WorkflowColumn]:
    """Replace the project's workflow: the statuses it uses, in order, with their column
    names and WIP limits. A status still held by tasks cannot be dropped."""
    require(actor, ProjectAction.EDIT, project)
    Project.objects.select_for_update().filter(pk=project.pk).first()
    rows: list[WorkflowColumn] = []
    errors: dict[str, list[Any]] = {}
    seen: set[str] = set()
    for i, col in enumerate(columns):
        row = WorkflowColumn(
            project=project,
            status=col.get("status", ""),
            position=i,
            label=(col.get("label") or "").strip(),
            wip_limit=col.get("wip_limit"),
        )
        try:
            validate_instance(row, exclude=["project"])
        except ValidationFailed as exc:
            for k, v in exc.fields.items():
                errors.setdefault(f"columns.{i}.{k}", []).extend(v)
            continue
        if row.status in seen:
            errors.setdefault(f"columns.{i}.status", []).append(MSG_WORKFLOW_DUPLICATE)
        seen.add(row.status)
        rows.append(row)
    if not errors and not {TaskStatus.TODO, TaskStatus.DONE} <= seen:
        errors["columns"] = [MSG_WORKFLOW_ENDS]
    if not errors:
        dropped = (
            Task.objects.filter(project=project, children__isnull=True)
            .exclude(status__in=seen)
            .values_list("status")
            .annotate(n=Count("id"))
        )
        for status, n in dropped:
            errors.setdefault("columns", []).append(
                MSG_WORKFLOW_IN_USE % {"count": n, "status": TaskStatus(status).label}
            )
    if errors:
        raise ValidationFailed(fields=errors)
    WorkflowColumn.objects.filter(project=project).delete()
    WorkflowColumn.objects.bulk_create(rows)
    return rows


@transaction.atomic
def board_move(
    *,
    actor: User,
    task: Task,
    version: int | None,
    status: str,
    before_id: int | None = None,
    blocked_reason: str | None = None,
) -> Task:
    """Move a card to a column (a status change, through `task_update` with its rules and
    version check) and to a place in it: before the card `before_id`, or last."""
    if Task.objects.filter(parent_id=task.pk).exists():
        raise ValidationFailed(fields={"task_id": [MSG_BOARD_SUMMARY]})
    changes: dict[str, Any] = {}
    if status != task.status:
        changes["status"] = status
    if blocked_reason is not None:
        changes["blocked_reason"] = blocked_reason
    if changes:
        task = task_update(actor=actor, task=task, version=version, changes=changes)
    else:
        require_task_edit(actor, task)
        task = Task.objects.select_for_update().get(pk=task.pk)
        check_version(task.version, version)
    column = list(
        Task.objects.filter(project_id=task.project_id, status=task.status, children__isnull=True)
        .exclude(pk=task.pk)
        .order_by("board_position", "pk")
    )
    index = len(column)
    if before_id is not None:
        ids = [t.pk for t in column]
        if before_id not in ids:
            raise ValidationFailed(fields={"before_id": [MSG_BEFORE_TASK]})
        index = ids.index(before_id)
    column.insert(index, task)
    # The order on the board is not content: renumbering it leaves versions and history alone.
    moved = []
    for i, t in enumerate(column):
        if t.board_position != i:
            t.board_position = i
            moved.append(t)
    Task.objects.bulk_update(moved, ["board_position"], batch_size=500)
    return task


# ---------------------------------------------------------------- baselines

MSG_BASELINE_EMPTY = _("The plan has no tasks to save yet.")
MAX_BASELINES = 99


@transaction.atomic
def baseline_save(
    *, actor: User, project: Project, name: str = "", note: str = "", primary: bool = True
) -> Baseline:
    """Save the plan as it is now as the next numbered baseline (the primary one unless told
    otherwise). The schedule is current: every change recalculates it."""
    require(actor, ProjectAction.SAVE_BASELINE, project)
    project = Project.objects.select_for_update().get(pk=project.pk)
    tasks = list(Task.objects.filter(project=project).order_by("wbs_code"))
    if not tasks:
        raise ValidationFailed(fields={"non_field": [MSG_BASELINE_EMPTY]})
    number = (Baseline.objects.filter(project=project).aggregate(m=Max("number"))["m"] or 0) + 1
    if number > MAX_BASELINES:
        raise ValidationFailed(
            fields={
                "non_field": [_("A project keeps at most %(n)d baselines.") % {"n": MAX_BASELINES}]
            }
        )
    baseline = Baseline(
        project=project,
        number=number,
        name=(name or "").strip() or _("Baseline %(n)d") % {"n": number},
        note=note or "",
        is_primary=primary,
        created_by=actor,
    )
    validate_instance(baseline, exclude=["project", "created_by"])
    if primary:
        Baseline.objects.filter(project=project, is_primary=True).update(is_primary=False)
    hours = project.hours_per_day
    people = people_per_task(project)
    parents = {t.parent_id for t in tasks if t.parent_id is not None}
    work = {
        t.pk: planned_work_hours(t, hours, people.get(t.pk, 0))
        for t in tasks
        if t.pk not in parents
    }
    # Summaries carry the work of their leaves, added up the outline.
    parent_of = {t.pk: t.parent_id for t in tasks}
    totals = dict.fromkeys(parents, Decimal("0"))
    for pk, w in work.items():
        node = parent_of.get(pk)
        while node is not None:
            totals[node] += w
            node = parent_of.get(node)
    known = planned_costs(project)
    cost: dict[int, Decimal] = {}
    if known is not None:
        cost = {pk: Decimal(known.get(pk, 0)) for pk in work}
        for pk, c in list(cost.items()):
            node = parent_of.get(pk)
            while node is not None:
                cost[node] = cost.get(node, Decimal("0")) + c
                node = parent_of.get(node)
    starts = [t.start for t in tasks if t.start]
    finishes = [t.finish for t in tasks if t.finish]
    baseline.cost = sum((cost[pk] for pk in work), Decimal("0")) if known is not None else None
    baseline.start = min(starts) if starts else None
    baseline.finish = max(finishes) if finishes else None
    baseline.task_count = len(tasks)
    baseline.work_hours = sum(work.values(), Decimal("0"))
    baseline.save()
    BaselineTask.objects.bulk_create(
        [
            BaselineTask(
                baseline=baseline,
                task=t,
                task_key=t.pk,
                wbs_code=t.wbs_code,
                name=t.name,
                is_milestone=t.is_milestone,
                is_summary=t.pk in parents,
                start=t.start,
                finish=t.finish,
                duration_days=t.duration_days,
                work_hours=totals[t.pk] if t.pk in parents else work[t.pk],
                cost=cost.get(t.pk, Decimal("0")) if known is not None else None,
            )
            for t in tasks
        ],
        batch_size=500,
    )
    return baseline


@transaction.atomic
def baseline_update(
    *, actor: User, baseline: Baseline, version: int | None, changes: Mapping[str, Any]
) -> Baseline:
    """Rename, annotate, or make the primary baseline. The saved dates never change."""
    require(actor, ProjectAction.SAVE_BASELINE, baseline.project)
    row = Baseline.objects.select_for_update().get(pk=baseline.pk)
    check_version(row.version, version)
    unknown = set(changes) - {"name", "note", "is_primary"}
    if unknown:
        raise ValidationFailed(fields={k: [_("This field cannot be changed.")] for k in unknown})
    changes = dict(changes)
    if "name" in changes:
        changes["name"] = (changes["name"] or "").strip()
    if changes.get("is_primary") and not row.is_primary:
        Baseline.objects.filter(project_id=row.project_id, is_primary=True).update(is_primary=False)
    row.bump(**changes)
    validate_instance(row, exclude=["project", "created_by"])
    row.save()
    return row


@transaction.atomic
def baseline_delete(*, actor: User, baseline: Baseline) -> None:
    require(actor, ProjectAction.SAVE_BASELINE, baseline.project)
    baseline.delete()


# ---------------------------------------------------------------- what-if and change requests

MSG_CHANGE_OP = _("Unknown change: use update, add, remove, link or unlink.")
MSG_CHANGE_TASK = _("No such task in this project.")
MSG_CHANGE_FIELD = _("This field cannot be changed here.")
MSG_CHANGE_REMOVED = _("An earlier change in this list removes this task.")
MSG_CHANGE_EMPTY = _("Say what changes: at least one change to the plan, or a cost change.")
MSG_CHANGE_STATE = _("This change request is %(status)s and can no longer be changed.")
MSG_CHANGE_COMMENT = _("Say why the request is rejected.")
MSG_CHANGE_STALE = _("The plan changed since this request was written: %(problem)s")
MAX_CHANGES = 200


def normalize_changes(project: Project, raw: Any) -> list[dict[str, Any]]:
    """Check a list of changes against the plan and convert its values; field errors are
    keyed `changes.N.field`. Nothing is saved."""
    if not isinstance(raw, list) or len(raw) > MAX_CHANGES:
        raise ValidationFailed(fields={"changes": [_("A list of at most 200 changes.")]})
    task_ids = set(Task.objects.filter(project=project).values_list("id", flat=True))
    dep_ids = set(Dependency.objects.filter(project=project).values_list("id", flat=True))
    errors: dict[str, list[Any]] = {}
    out: list[dict[str, Any]] = []

    def err(i: int, field: str, message: Any) -> None:
        errors.setdefault(f"changes.{i}.{field}", []).append(message)

    parent_of = dict(Task.objects.filter(project=project).values_list("id", "parent_id"))
    removed: set[int] = set()

    def task_ref(i: int, op: dict[str, Any], key: str, required: bool = True) -> int | None:
        value = op.get(key)
        if value is None and not required:
            return None
        if not isinstance(value, int) or value not in task_ids:
            err(i, key, MSG_CHANGE_TASK)
            return None
        if value in removed:
            err(i, key, MSG_CHANGE_REMOVED)
            return None
        return value

    def remove(pk: int) -> None:
        """The task and everything under it are gone for the changes after this one."""
        gone = {pk}
        grew = True
        while grew:
            more = {i for i, p in parent_of.items() if p in gone} - gone
            gone |= more
            grew = bool(more)
        removed.update(gone)

    def fields_of(i: int, values: Any, allowed: Sequence[str]) -> dict[str, Any]:
        if not isinstance(values, dict):
            err(i, "fields", MSG_CHANGE_FIELD)
            return {}
        probe = Task(project=project, name="x")
        clean: dict[str, Any] = {}
        for k, v in values.items():
            if k not in allowed:
                err(i, k, MSG_CHANGE_FIELD)
                continue
            field = Task._meta.get_field(k)
            try:
                value = field.clean(v, probe)  # type: ignore[union-attr]
            except Exception as exc:  # Django's ValidationError, with its own message
                err(i, k, getattr(exc, "messages", [str(exc)])[0])
                continue
            clean[k] = value
        if (
            clean.get("constraint_type", "asap") != Constraint.ASAP
            and clean.get("constraint_date") is None
            and "constraint_type" in clean
        ):
            err(i, "constraint_date", MSG_CONSTRAINT_DATE)
        return clean

    for i, op in enumerate(raw):
        if not isinstance(op, dict) or op.get("op") not in (
            "update",
            "add",
            "remove",
            "link",
            "unlink",
        ):
            err(i, "op", MSG_CHANGE_OP)
            continue
        kind = op["op"]
        if kind == "update":
            pk = task_ref(i, op, "task_id")
            fields = fields_of(i, op.get("fields"), CHANGE_FIELDS)
            if pk is not None and fields:
                out.append({"op": kind, "task_id": pk, "fields": fields})
            elif pk is not None and not fields:
                err(i, "fields", MSG_CHANGE_FIELD)
        elif kind == "add":
            values = {k: v for k, v in op.items() if k in ("name", "duration_days", "is_milestone")}
            fields = fields_of(i, values, ("name", "duration_days", "is_milestone"))
            if not str(fields.get("name", "")).strip():
                err(i, "name", _("This field is required."))
            parent = task_ref(i, op, "parent_id", required=False)
            after = task_ref(i, op, "after_id", required=False)
            out.append({"op": kind, **fields, "parent_id": parent, "after_id": after})
        elif kind == "remove":
            pk = task_ref(i, op, "task_id")
            if pk is not None:
                out.append({"op": kind, "task_id": pk})
                remove(pk)
        elif kind == "link":
            a, b = task_ref(i, op, "predecessor_id"), task_ref(i, op, "successor_id")
            link = Dependency(
                project=project,
                predecessor_id=a or 0,
                successor_id=b or 0,
                type=op.get("type", "FS"),
                lag_days=op.get("lag_days", 0),
            )
            try:
                validate_instance(link, exclude=["project", "predecessor", "successor"])
            except ValidationFailed as exc:
                for k, v in exc.fields.items():
                    for m in v:
                        err(i, k, m)
            if a is not None and b is not None:
                if a == b:
                    err(i, "successor_id", MSG_LINK_SAME)
                out.append(
                    {
                        "op": kind,
                        "predecessor_id": a,
                        "successor_id": b,
                        "type": link.type,
                        "lag_days": Decimal(str(link.lag_days)),
                    }
                )
        elif kind == "unlink":
            dep = op.get("dependency_id")
            if not isinstance(dep, int) or dep not in dep_ids:
                err(i, "dependency_id", _("No such dependency in this project."))
            else:
                out.append({"op": kind, "dependency_id": dep})
    if errors:
        raise ValidationFailed(fields=errors)
    return out


def _impact(actor: User, project: Project, ops: list[dict[str, Any]]) -> Impact:
    try:
        return change_impact(actor, project, ops)
    except CycleError as exc:
        message = MSG_LOOP % {"loop": _names(exc.cycle)}
        raise ValidationFailed(
            message, code="dependency_cycle", fields={"changes": [message]}
        ) from None
    except DomainError as exc:
        text = str(ENGINE_MESSAGES.get(exc.code, str(exc)))
        raise ValidationFailed(text, code=exc.code, fields={"changes": [text]}) from None


def what_if(*, actor: User, project: Project, changes: Any) -> Impact:
    """Preview changes to the plan with the engine, without saving anything."""
    require(actor, ProjectAction.VIEW, project)
    return _impact(actor, project, normalize_changes(project, changes))


CR_FIELDS = (
    "title",
    "reason",
    "affects_scope",
    "affects_schedule",
    "affects_cost",
    "cost_delta",
    "changes",
)


def _check_cr(cr: ChangeRequest) -> None:
    cr.title = (cr.title or "").strip()
    cr.reason = (cr.reason or "").strip()
    validate_instance(cr, exclude=["project", "requested_by", "decided_by", "baseline"])
    if cr.changes:
        cr.changes = _json_ops(normalize_changes(cr.project, cr.changes))
    if not cr.changes and not cr.cost_delta:
        raise ValidationFailed(fields={"changes": [MSG_CHANGE_EMPTY]})
    if any(op["op"] in ("add", "remove") for op in cr.changes):
        cr.affects_scope = True
    if cr.changes:
        cr.affects_schedule = True
    if cr.cost_delta:
        cr.affects_cost = True


def _json_ops(ops: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Validated operations as JSON values (dates and decimals as strings)."""

    def plain(v: Any) -> Any:
        if isinstance(v, dict):
            return {k: plain(x) for k, x in v.items()}
        if isinstance(v, (date, Decimal)):
            return str(v)
        return v

    return [plain(op) for op in ops]


@transaction.atomic
def change_request_create(*, actor: User, project: Project, **fields: Any) -> ChangeRequest:
    require(actor, ProjectAction.EDIT_TASKS, project)
    unknown = set(fields) - set(CR_FIELDS)
    if unknown:
        raise ValidationFailed(fields={k: [_("Unknown field.")] for k in unknown})
    Project.objects.select_for_update().filter(pk=project.pk).first()
    number = (
        ChangeRequest.objects.filter(project=project).aggregate(m=Max("number"))["m"] or 0
    ) + 1
    cr = ChangeRequest(project=project, number=number, requested_by=actor, **fields)
    _check_cr(cr)
    cr.save()
    return cr


def _require_cr_edit(actor: User, cr: ChangeRequest) -> None:
    require(actor, ProjectAction.EDIT_TASKS, cr.project)
    if cr.requested_by_id != actor.pk and not can(actor, ProjectAction.EDIT, cr.project):
        raise PermissionDenied(_("Only the requester or a manager can change this request."))


def _require_state(cr: ChangeRequest, *states: str) -> None:
    if cr.status not in states:
        raise ValidationFailed(
            fields={"status": [MSG_CHANGE_STATE % {"status": cr.get_status_display()}]}
        )


@transaction.atomic
def change_request_update(
    *, actor: User, cr: ChangeRequest, version: int | None, changes: Mapping[str, Any]
) -> ChangeRequest:
    _require_cr_edit(actor, cr)
    row = ChangeRequest.objects.select_for_update().select_related("project").get(pk=cr.pk)
    check_version(row.version, version)
    _require_state(row, ChangeRequestStatus.DRAFT)
    unknown = set(changes) - set(CR_FIELDS)
    if unknown:
        raise ValidationFailed(fields={k: [_("This field cannot be changed.")] for k in unknown})
    row.bump(**changes)
    _check_cr(row)
    row.save()
    return row


@transaction.atomic
def change_request_submit(*, actor: User, cr: ChangeRequest, version: int | None) -> ChangeRequest:
    """Send a draft for decision, with the impact the engine computes now."""
    _require_cr_edit(actor, cr)
    row = ChangeRequest.objects.select_for_update().select_related("project").get(pk=cr.pk)
    check_version(row.version, version)
    _require_state(row, ChangeRequestStatus.DRAFT)
    ops = normalize_changes(row.project, row.changes)
    impact = _impact(actor, row.project, ops)
    row.bump(
        status=ChangeRequestStatus.SUBMITTED,
        submitted_at=timezone.now(),
        impact={"submitted": impact.as_json()},
    )
    row.save()
    return row


@transaction.atomic
def change_request_withdraw(
    *, actor: User, cr: ChangeRequest, version: int | None
) -> ChangeRequest:
    _require_cr_edit(actor, cr)
    row = ChangeRequest.objects.select_for_update().get(pk=cr.pk)
    check_version(row.version, version)
    _require_state(row, ChangeRequestStatus.DRAFT, ChangeRequestStatus.SUBMITTED)
    row.bump(status=ChangeRequestStatus.WITHDRAWN)
    row.save()
    return row


@transaction.atomic
def change_request_decide(
    *,
    actor: User,
    cr: ChangeRequest,
    version: int | None,
    approve: bool,
    comment: str = "",
    save_baseline: bool = False,
) -> ChangeRequest:
    """Approve (apply every change in this one transaction, optionally saving a baseline
    after) or reject (with a comment). Managers only."""
    require(actor, ProjectAction.EDIT, cr.project)
    row = ChangeRequest.objects.select_for_update().select_related("project").get(pk=cr.pk)
    check_version(row.version, version)
    _require_state(row, ChangeRequestStatus.SUBMITTED)
    comment = (comment or "").strip()
    if not approve and not comment:
        raise ValidationFailed(fields={"comment": [MSG_CHANGE_COMMENT]})
    project = row.project
    impact = dict(row.impact or {})
    if approve:
        try:
            ops = normalize_changes(project, row.changes)
        except ValidationFailed as exc:
            problem = "; ".join(f"{k}: {v[0]}" for k, v in exc.fields.items())
            raise ValidationFailed(
                fields={"changes": [MSG_CHANGE_STALE % {"problem": problem}]}
            ) from None
        impact["approved"] = _impact(actor, project, ops).as_json()
        _apply_changes(actor, project, ops)
        if save_baseline:
            row.baseline = baseline_save(
                actor=actor, project=project, name=str(row)[:100], note=row.reason[:2000]
            )
    row.bump(
        status=ChangeRequestStatus.APPROVED if approve else ChangeRequestStatus.REJECTED,
        decided_by=actor,
        decided_at=timezone.now(),
        decision_comment=comment,
        impact=impact,
    )
    row.save()
    return row


def _apply_changes(actor: User, project: Project, ops: list[dict[str, Any]]) -> None:
    """Carry out validated operations through the same services as the pages (permissions,
    rules, history), inside the caller's transaction."""
    for op in ops:
        kind = op["op"]
        if kind == "update":
            task = Task.objects.select_related("project").get(pk=op["task_id"])
            task_update(actor=actor, task=task, version=task.version, changes=op["fields"])
        elif kind == "add":
            fields = {k: op[k] for k in ("duration_days", "is_milestone") if k in op}
            task = task_create(
                actor=actor, project=project, name=op["name"], parent_id=op["parent_id"], **fields
            )
            if op.get("after_id") is not None:
                dependency_create(
                    actor=actor,
                    project=project,
                    predecessor_id=op["after_id"],
                    successor_id=task.pk,
                )
        elif kind == "remove":
            gone = Task.objects.select_related("project").filter(pk=op["task_id"]).first()
            if gone is not None:  # may have gone with a summary removed before it
                task_delete(actor=actor, task=gone)
        elif kind == "link":
            dependency_create(
                actor=actor,
                project=project,
                predecessor_id=op["predecessor_id"],
                successor_id=op["successor_id"],
                type=op["type"],
                lag_days=op["lag_days"],
            )
        elif kind == "unlink":
            dep = Dependency.objects.select_related("project", "successor__project").get(
                pk=op["dependency_id"]
            )
            dependency_delete(actor=actor, dependency=dep)


# ---------------------------------------------------------------- saved views


@transaction.atomic
def saved_view_save(
    *, actor: User, project: Project, name: str, query: str, shared: bool = False
) -> SavedView:
    """Save (or replace, by name) the person's view of the task list. Anyone who can see the
    project keeps views of their own; sharing one with the project is for managers."""
    require(actor, ProjectAction.VIEW, project)
    if shared and not can(actor, ProjectAction.EDIT, project):
        raise ValidationFailed(fields={"shared": [MSG_MANAGER_ONLY]})
    name = (name or "").strip()
    view = SavedView.objects.filter(project=project, owner=actor, name=name).first()
    view = view or SavedView(project=project, owner=actor, name=name)
    view.query, view.shared = query, shared
    validate_instance(view, exclude=["project", "owner"])
    try:
        with transaction.atomic():
            view.save()
    except IntegrityError:
        # The same name saved twice at once: the other one won.
        raise Conflict() from None
    return view


@transaction.atomic
def saved_view_delete(*, actor: User, view: SavedView) -> None:
    if view.owner_id != actor.pk and not can(actor, ProjectAction.EDIT, view.project):
        raise PermissionDenied(_("Only its owner or a manager can delete this view."))
    view.delete()
