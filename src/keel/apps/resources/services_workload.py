"""Resource leveling of a project from the page, the API and the CLI: a preview of what the
engine's leveler would move and how the finish changes, and applying it as "start no earlier
than" constraints through the planning services (which recalculate the schedule).

The preview is computed again when it is applied, from the same rows (the leveler is
deterministic), and applied only if the plan is still the one previewed: the project's
`schedule_generation` changes with every recalculation, so a plan edited since is refused
(409) rather than moved on the strength of an out-of-date picture."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from keel.apps.planning.adapters import LINK_COLUMNS, compute_schedule, link_row
from keel.apps.planning.models import Constraint, Dependency, Task
from keel.apps.planning.services import task_update
from keel.apps.projects.models import Project, ScheduleState
from keel.apps.projects.permissions import ProjectAction, require
from keel.common.errors import Conflict, NotFound, ValidationFailed
from keel.engine.errors import CycleError, DomainError
from keel.engine.scheduling.leveling import level

from .adapters import (
    Demand,
    capacities,
    daily_demand,
    is_movable,
    leveled_starts,
    leveling_input,
    overload_hours,
)
from .models import Assignment, Resource

MSG_PLAN_CHANGED = _(
    "The plan changed since this preview was made. Preview the leveling again, then apply it."
)
MSG_SCHEDULE_PENDING = _(
    "The schedule is being recalculated. Wait until it is current, then preview again."
)
MSG_NO_TASKS = _("This project has no tasks to level.")
MSG_LEVELING_FAILED = _("The plan cannot be leveled: %(reason)s")


@dataclass(frozen=True)
class Move:
    task_id: int
    task_name: str
    wbs_code: str
    version: int
    old_start: date
    new_start: date
    days: int  # working days later
    resources: tuple[str, ...]  # whose capacity held it back


@dataclass(frozen=True)
class LevelingPreview:
    project: Project
    generation: int
    moves: tuple[Move, ...]
    old_finish: date | None
    new_finish: date | None
    overload_before: dict[str, Decimal] = field(default_factory=dict)  # hours, by name
    overload_after: dict[str, Decimal] = field(default_factory=dict)

    @property
    def finish_days(self) -> int | None:
        """Calendar days the finish moves (positive: later)."""
        if self.old_finish is None or self.new_finish is None:
            return None
        return (self.new_finish - self.old_finish).days

    @property
    def is_level(self) -> bool:
        """Nothing to move (some started work may still overlap: `overload_before`)."""
        return not self.moves


def project_for_leveling(actor: Any, project_id: int) -> Project:
    project = Project.objects.select_related("workspace").filter(pk=project_id).first()
    if project is None:
        raise NotFound()
    require(actor, ProjectAction.ASSIGN_RESOURCES, project)
    return project


def _compute(project: Project) -> LevelingPreview:
    if project.schedule_state != ScheduleState.CURRENT:
        raise ValidationFailed(MSG_SCHEDULE_PENDING, code="schedule_pending")
    tasks = list(Task.objects.filter(project=project).order_by("wbs_code", "pk"))
    if not tasks:
        raise ValidationFailed(MSG_NO_TASKS, code="nothing_to_level")
    links = [
        link_row(*r) for r in Dependency.objects.filter(project=project).values_list(*LINK_COLUMNS)
    ]
    demands = [
        Demand(task_id=t, resource_id=r, units=u)
        for t, r, u in Assignment.objects.filter(task__project=project).values_list(
            "task_id", "resource_id", "units"
        )
    ]
    names = dict(
        Resource.objects.filter(pk__in={d.resource_id for d in demands}).values_list("pk", "name")
    )
    before, calendar = compute_schedule(project, tasks, links, status_date=project.status_date)
    # Leveling works on the schedule as it is (Task.start/finish): started work stays put
    # and is leveled around, the rest may only move later (see adapters).
    data = leveling_input(project, calendar, tasks, links, demands)
    try:
        result = level(
            activities=data.problem.activities,
            precedences=data.problem.precedences,
            capacities=data.problem.capacities,
        )
    except (CycleError, DomainError) as exc:
        message = MSG_LEVELING_FAILED % {"reason": str(exc)}
        raise ValidationFailed(message, code="leveling_failed") from None
    starts = leveled_starts(calendar, data, result)
    moves = []
    for t in tasks:
        new = starts.get(t.pk)
        if new is None or not is_movable(t) or t.start is None or new <= t.start:
            continue
        delay = result.delays.get(t.pk)
        held_by = names.get(int(delay.resource), "") if delay and delay.resource else ""
        moves.append(
            Move(
                task_id=t.pk,
                task_name=t.name,
                wbs_code=t.wbs_code,
                version=t.version,
                old_start=t.start,
                new_start=new,
                days=calendar.working_days_between(t.start, new),
                resources=(held_by,) if held_by else (),
            )
        )
    # Over-allocation is measured on real dates, day by day, as the workload page does:
    # before, the current schedule; after, the schedule recalculated with the moves.
    capacity = capacities(demands)
    status_date = project.status_date
    load_before = daily_demand(tasks, demands, calendar, status_date)
    load_after = load_before
    new_finish = before.project_finish
    if moves:
        by_id = {m.task_id: m for m in moves}
        shifted = []
        for t in tasks:
            if t.pk in by_id:
                t = copy.copy(t)
                t.constraint_type = Constraint.SNET
                t.constraint_date = by_id[t.pk].new_start
            shifted.append(t)
        after, _cal = compute_schedule(project, shifted, links, status_date=status_date)
        new_finish = after.project_finish
        dates = {tid: (o.early_start, o.early_finish) for tid, o in after.tasks.items()}
        load_after = daily_demand(tasks, demands, calendar, status_date, dates)

    def by_name(hours: dict[int, Decimal]) -> dict[str, Decimal]:
        return {names.get(rid, str(rid)): h for rid, h in sorted(hours.items())}

    hpd = project.hours_per_day
    return LevelingPreview(
        project=project,
        generation=project.schedule_generation,
        moves=tuple(moves),
        old_finish=before.project_finish,
        new_finish=new_finish,
        overload_before=by_name(overload_hours(load_before, capacity, hpd)),
        overload_after=by_name(overload_hours(load_after, capacity, hpd)),
    )


def leveling_preview(*, actor: Any, project: Project) -> LevelingPreview:
    """What leveling would move, without changing anything."""
    require(actor, ProjectAction.ASSIGN_RESOURCES, project)
    fresh = Project.objects.select_related("workspace").get(pk=project.pk)
    return _compute(fresh)


@transaction.atomic
def leveling_apply(*, actor: Any, project: Project, generation: int) -> LevelingPreview:
    """Write the preview's moves as "start no earlier than" constraints, all or none, if the
    plan is still the one of `generation`; returns what was applied."""
    require(actor, ProjectAction.ASSIGN_RESOURCES, project)
    locked = Project.objects.select_for_update().select_related("workspace").get(pk=project.pk)
    if locked.schedule_generation != generation:
        raise Conflict(
            MSG_PLAN_CHANGED,
            code="plan_changed",
            fields={"generation": [_("Expected %(g)s.") % {"g": locked.schedule_generation}]},
        )
    preview = _compute(locked)
    for move in preview.moves:
        task = Task.objects.select_related("project").get(pk=move.task_id)
        task_update(
            actor=actor,
            task=task,
            version=move.version,
            changes={"constraint_type": Constraint.SNET, "constraint_date": move.new_start},
        )
    return preview
