"""API shapes for tasks, dependencies and milestones."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from ninja import Schema
from pydantic import Field

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

from .models import Constraint, LinkType, Priority, TaskStatus

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
    percent_complete: int
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
    percent_complete: Percent = omittable()
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
