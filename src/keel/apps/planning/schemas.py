"""API shapes for tasks, dependencies and milestones."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from ninja import Schema
from pydantic import Field

from keel.apps.projects.models import SchedulePhase, ScheduleState
from keel.apps.projects.permissions import ProjectAction as P
from keel.apps.projects.permissions import can
from keel.common.api import (
    MAX_INT,
    Day,
    Decimal2,
    Id,
    In,
    ListQuery,
    OrderedListQuery,
    Page,
    Version,
    omittable,
)
from keel.engine.milestones import MilestoneStatus

from .adapters import remaining_work_hours
from .models import ChangeRequestStatus, Constraint, LinkType, Priority, TaskStatus

# Mirror the model columns (max_digits=8, decimal_places=2) so 1e20 is a 422, not an overflow.
Days = Annotated[Decimal, Field(max_digits=8, decimal_places=2)]
Duration = Annotated[Decimal, Field(ge=0, max_digits=8, decimal_places=2)]
Position = Annotated[int, Field(ge=0, le=MAX_INT)]
Percent = Annotated[int, Field(ge=0, le=100)]
Tag = Annotated[str, Field(max_length=40)]

# ---------------------------------------------------------------- tasks


class TaskOut(Schema):
    id: int
    project_id: int
    parent_id: int | None
    position: int
    wbs_code: str
    name: str
    description: str
    owner_id: int | None
    assignee_ids: list[int]
    is_milestone: bool
    is_summary: bool
    duration_days: Decimal2
    optimistic_days: Decimal2 | None
    most_likely_days: Decimal2 | None
    pessimistic_days: Decimal2 | None
    constraint_type: Constraint
    constraint_date: date | None
    deadline: date | None
    priority: Priority
    status: TaskStatus
    blocked_reason: str
    percent_complete: int
    actual_start: date | None = Field(
        description="Set when work starts (status leaves To do) unless given; editable."
    )
    actual_finish: date | None = Field(description="Set when the task is done unless given.")
    board_position: int
    remaining_work_hours: Decimal2 = Field(
        description="Planned work (duration x hours per day x people) not yet done."
    )
    tags: list[str]
    goal_ids: list[int]
    start: date | None = Field(description="Computed by the schedule, like the fields below.")
    finish: date | None
    late_start: date | None
    late_finish: date | None
    total_float: Decimal2 | None
    free_float: Decimal2 | None
    is_critical: bool
    version: int
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_assignee_ids(obj: Any) -> list[int]:
        return [u.pk for u in obj.assignees.all()]

    @staticmethod
    def resolve_remaining_work_hours(obj: Any) -> Decimal:
        return remaining_work_hours(obj, len(obj.assignees.all()))

    @staticmethod
    def resolve_goal_ids(obj: Any) -> list[int]:
        return [g.pk for g in obj.goals.all()]


class TaskPage(Page[TaskOut]):
    pass


class TaskQuery(OrderedListQuery):
    status: TaskStatus | None = None
    milestone: bool | None = None
    critical: bool | None = None
    parent_id: Id | None = Field(None, description="Direct subtasks of this summary task.")
    assignee_id: Id | None = Field(None, description="Tasks this person owns or is assigned to.")
    search: str | None = Field(
        None, max_length=200, description="Part of the name or a WBS prefix."
    )


class _TaskFields(In):
    description: str = omittable()
    owner_id: Id | None = None
    assignee_ids: list[Id] = omittable(max_length=500)
    is_milestone: bool = omittable()
    duration_days: Duration = omittable()
    optimistic_days: Duration | None = None
    most_likely_days: Duration | None = None
    pessimistic_days: Duration | None = None
    constraint_type: Constraint = omittable()
    constraint_date: Day | None = None
    deadline: Day | None = None
    priority: Priority = omittable()
    status: TaskStatus = omittable()
    blocked_reason: str = omittable(max_length=255)
    percent_complete: Percent = omittable()
    actual_start: Day | None = None
    actual_finish: Day | None = None
    tags: list[Tag] = omittable(max_length=100)
    goal_ids: list[Id] = omittable(max_length=500)


class TaskCreate(_TaskFields):
    name: str = Field(max_length=255)
    parent_id: Id | None = Field(None, description="The summary task to put it under.")
    position: Position | None = Field(
        None, description="Place among its siblings; last if left out."
    )


class TaskPatch(_TaskFields):
    """Only the fields sent are changed. Use `POST /tasks/{id}/move` to change the outline."""

    name: str = omittable(max_length=255)
    remaining_work_hours: Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=2)] = (
        omittable(description="Sets the progress: what is not remaining is done.")
    )
    version: Version


class TaskMove(In):
    parent_id: Id | None = Field(description="The new summary task, or null for the top level.")
    position: Position = Field(description="Place among the new siblings, 0 first.")
    version: Version


# ---------------------------------------------------------------- dependencies


class DependencyOut(Schema):
    id: int
    project_id: int
    predecessor_id: int
    predecessor_name: str
    successor_id: int
    successor_name: str
    type: LinkType
    lag_days: Decimal2
    version: int
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_predecessor_name(obj: Any) -> str:
        return str(obj.predecessor.name)

    @staticmethod
    def resolve_successor_name(obj: Any) -> str:
        return str(obj.successor.name)


class DependencyPage(Page[DependencyOut]):
    pass


class DependencyQuery(OrderedListQuery):
    task_id: Id | None = Field(None, description="Links into or out of this task.")


class DependencyCreate(In):
    predecessor_id: Id
    successor_id: Id
    type: LinkType = LinkType.FS
    lag_days: Days = Field(Decimal("0"), description="Working days; negative for a lead.")


class DependencyPatch(In):
    predecessor_id: Id = omittable()
    successor_id: Id = omittable()
    type: LinkType = omittable()
    lag_days: Days = omittable()
    version: Version


# ---------------------------------------------------------------- the schedule's state


class ScheduleOut(Schema):
    """Whether the project's task dates are current, or how far their recalculation is."""

    state: ScheduleState = Field(
        description="current; queued or running (a big plan is recalculated in the "
        "background and its dates are provisional meanwhile); failed (see error)."
    )
    progress: int = Field(description="Percent done of the recalculation; 100 when current.")
    phase: SchedulePhase | None = Field(description="What a running recalculation is doing.")
    requested_at: datetime | None = Field(description="When the pending or last one was asked.")
    finished_at: datetime | None = Field(description="When the last one ended.")
    error_code: str | None = Field(
        description="Why the last one failed, for programs: dependency_cycle, "
        "schedule_out_of_range or engine_error."
    )
    error: str | None = Field(description="Why the last one failed, in your language.")


# ---------------------------------------------------------------- milestones


class MilestoneOut(Schema):
    id: int = Field(description="The milestone task's id.")
    wbs_code: str
    name: str
    target: date | None = Field(description="The deadline the milestone is measured against.")
    forecast: date | None = Field(description="The scheduled finish.")
    total_float: Decimal2 | None
    percent_complete: int
    status: MilestoneStatus
    version: int

    @staticmethod
    def resolve_id(obj: Any) -> int:
        return int(obj.task.pk)

    @staticmethod
    def resolve_wbs_code(obj: Any) -> str:
        return str(obj.task.wbs_code)

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return str(obj.task.name)

    @staticmethod
    def resolve_forecast(obj: Any) -> date | None:
        return obj.task.finish  # type: ignore[no-any-return]

    @staticmethod
    def resolve_total_float(obj: Any) -> Decimal | None:
        return obj.task.total_float  # type: ignore[no-any-return]

    @staticmethod
    def resolve_percent_complete(obj: Any) -> int:
        return int(obj.task.percent_complete)

    @staticmethod
    def resolve_version(obj: Any) -> int:
        return int(obj.task.version)


class MilestonePage(Page[MilestoneOut]):
    pass


class MilestoneQuery(ListQuery):
    status: MilestoneStatus | None = None


class GoalTasksIn(In):
    task_ids: list[Id] = Field(max_length=5000, description="Replaces the goal's linked tasks.")


# ---------------------------------------------------------------- workflow and board


class WorkflowColumnOut(Schema):
    status: TaskStatus
    label: str = Field(description="The column's own name; empty for the status's name.")
    name: str = Field(description="What the board shows: the label, or the status's name.")
    wip_limit: int | None

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return str(obj)


class WorkflowColumnIn(In):
    status: TaskStatus
    label: str = Field("", max_length=40)
    wip_limit: Annotated[int, Field(ge=1, le=10_000)] | None = None


class WorkflowIn(In):
    columns: list[WorkflowColumnIn] = Field(
        min_length=2,
        max_length=len(TaskStatus.values),
        description="The statuses the project uses, in board order; To do and Done required.",
    )


class BoardColumnOut(Schema):
    status: TaskStatus
    name: str
    wip_limit: int | None
    count: int
    over_limit: bool
    task_ids: list[int] = Field(description="The cards in board order.")

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return str(obj.label)

    @staticmethod
    def resolve_wip_limit(obj: Any) -> int | None:
        return obj.column.wip_limit  # type: ignore[no-any-return]

    @staticmethod
    def resolve_count(obj: Any) -> int:
        return len(obj.cards)

    @staticmethod
    def resolve_task_ids(obj: Any) -> list[int]:
        return [t.pk for t in obj.cards]


class BoardOut(Schema):
    columns: list[BoardColumnOut]
    tasks: list[TaskOut] = Field(description="Every card once.")


class BoardQuery(Schema):
    assignee_id: Id | None = Field(None, description="Cards this person owns or is assigned to.")
    search: str | None = Field(None, max_length=200)


class BoardMove(In):
    status: TaskStatus = Field(description="The column to move the card to.")
    before_id: Id | None = Field(
        None, description="Put the card before this card of the column; last if left out."
    )
    blocked_reason: str | None = Field(
        None, max_length=255, description="Needed when moving to Blocked."
    )
    version: Version


class MyWorkOut(Schema):
    overdue: list[TaskOut]
    blocked: list[TaskOut]
    due_soon: list[TaskOut] = Field(description="Due within the next 7 days.")
    in_progress: list[TaskOut]
    upcoming: list[TaskOut]


# ---------------------------------------------------------------- baselines


class BaselineOut(Schema):
    id: int
    project_id: int
    number: int
    name: str
    note: str
    is_primary: bool = Field(description="The baseline earned value and slippage compare with.")
    created_by_id: int | None
    created_at: datetime
    start: date | None
    finish: date | None
    task_count: int
    work_hours: Decimal2
    cost: Decimal2 | None = Field(
        description="Planned cost in the project's currency; null when the plan had no costs "
        "or you may not see the project's finances."
    )
    version: int

    @staticmethod
    def resolve_cost(obj: Any, context: Any) -> Decimal | None:
        if obj.cost is None or not can(context["request"].auth, P.VIEW_FINANCE, obj.project):
            return None
        return obj.cost  # type: ignore[no-any-return]


class BaselinePage(Page[BaselineOut]):
    pass


class BaselineCreate(In):
    name: str = Field("", max_length=100, description="Defaults to “Baseline N”.")
    note: str = Field("", max_length=20_000)
    primary: bool = Field(True, description="Make it the primary baseline.")


class BaselinePatch(In):
    name: str = omittable(max_length=100)
    note: str = omittable(max_length=20_000)
    is_primary: bool = omittable()
    version: Version


class VarianceOut(Schema):
    task_id: int | None = Field(description="Null: deleted since the baseline.")
    wbs_code: str
    name: str
    baseline_start: date | None
    baseline_finish: date | None
    start: date | None = Field(description="Null also for a task added since the baseline.")
    finish: date | None
    start_variance_days: int | None = Field(description="Working days; positive is later.")
    finish_variance_days: int | None
    duration_variance_days: Decimal2 | None
    work_variance_hours: Decimal2 | None
    cost_variance: Decimal2 | None = Field(
        description="Project currency; null unless both costs are known and you may see them."
    )

    @staticmethod
    def resolve_task_id(obj: Any) -> int | None:
        return obj.task.pk if obj.task else None

    @staticmethod
    def resolve_baseline_start(obj: Any) -> date | None:
        return obj.saved.start if obj.saved else None

    @staticmethod
    def resolve_baseline_finish(obj: Any) -> date | None:
        return obj.saved.finish if obj.saved else None

    @staticmethod
    def resolve_start(obj: Any) -> date | None:
        return obj.task.start if obj.task else None

    @staticmethod
    def resolve_finish(obj: Any) -> date | None:
        return obj.task.finish if obj.task else None

    @staticmethod
    def resolve_start_variance_days(obj: Any) -> int | None:
        return obj.start_variance  # type: ignore[no-any-return]

    @staticmethod
    def resolve_finish_variance_days(obj: Any) -> int | None:
        return obj.finish_variance  # type: ignore[no-any-return]

    @staticmethod
    def resolve_duration_variance_days(obj: Any) -> Decimal | None:
        return obj.duration_variance  # type: ignore[no-any-return]

    @staticmethod
    def resolve_work_variance_hours(obj: Any) -> Decimal | None:
        return obj.work_variance  # type: ignore[no-any-return]

    @staticmethod
    def resolve_cost_variance(obj: Any) -> Decimal | None:
        return obj.cost_variance  # type: ignore[no-any-return]


class ComparisonOut(Schema):
    baseline: BaselineOut
    finish_variance_days: int | None = Field(
        description="The project's finish now against the baseline, in working days."
    )
    rows: list[VarianceOut] = Field(description="Every task in outline order, then deleted ones.")
    slipped_task_ids: list[int] = Field(description="Leaf tasks finishing later, most first.")
    late_milestone_ids: list[int]


# ---------------------------------------------------------------- what-if and change requests

Changes = Annotated[
    list[dict[str, Any]],
    Field(
        max_length=200,
        description=(
            "Operations on the plan, applied in order: "
            '{"op": "update", "task_id", "fields": {name, duration_days, constraint_type, '
            "constraint_date, deadline, is_milestone}}; "
            '{"op": "add", "name", "duration_days"?, "is_milestone"?, "parent_id"?, '
            '"after_id"?}; {"op": "remove", "task_id"}; '
            '{"op": "link", "predecessor_id", "successor_id", "type"?, "lag_days"?}; '
            '{"op": "unlink", "dependency_id"}. Errors name the operation: changes.N.field.'
        ),
    ),
]


class MovedTaskOut(Schema):
    task_id: int
    name: str
    start_before: date | None
    start_after: date | None
    finish_before: date | None
    finish_after: date | None


class ImpactOut(Schema):
    finish_before: date | None
    finish_after: date | None
    finish_delta_days: int = Field(description="Working days; positive is later.")
    work_delta_hours: Decimal2
    moved: list[MovedTaskOut]
    added: list[str]
    removed: list[str]
    critical_after: list[str] = Field(description="The critical tasks after, in order.")


class WhatIfIn(In):
    changes: Changes


class ChangeRequestOut(Schema):
    id: int
    project_id: int
    number: int
    title: str
    reason: str
    affects_scope: bool
    affects_schedule: bool
    affects_cost: bool
    cost_delta: Decimal2
    changes: list[dict[str, Any]]
    status: ChangeRequestStatus
    requested_by_id: int | None
    submitted_at: datetime | None
    decided_by_id: int | None
    decided_at: datetime | None
    decision_comment: str
    impact: dict[str, Any] = Field(
        description="The engine's impact when submitted (`submitted`) and approved (`approved`)."
    )
    baseline_id: int | None
    version: int
    created_at: datetime


class ChangeRequestPage(Page[ChangeRequestOut]):
    pass


class ChangeRequestQuery(ListQuery):
    status: ChangeRequestStatus | None = None


class ChangeRequestCreate(In):
    title: str = Field(max_length=200)
    reason: str = Field(max_length=20_000)
    affects_scope: bool = False
    affects_schedule: bool = False
    affects_cost: bool = False
    cost_delta: Days = Field(Decimal("0"), description="In the project's currency.")
    changes: Changes = Field(default_factory=list)


class ChangeRequestPatch(In):
    title: str = omittable(max_length=200)
    reason: str = omittable(max_length=20_000)
    affects_scope: bool = omittable()
    affects_schedule: bool = omittable()
    affects_cost: bool = omittable()
    cost_delta: Days = omittable()
    changes: Changes = omittable()
    version: Version


class VersionIn(In):
    version: Version


class DecisionIn(In):
    approve: bool
    comment: str = Field("", max_length=20_000, description="Needed to reject.")
    save_baseline: bool = Field(False, description="Save a new primary baseline after applying.")
    version: Version
