"""API shapes for projects, project members and goals."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from ninja import Schema
from pydantic import Field

from keel.common.api import (
    Day,
    Decimal2,
    Decimal4,
    Id,
    In,
    ListQuery,
    OrderedListQuery,
    Page,
    Version,
    omittable,
)

from .models import Direction, GoalKind, Phase, ProjectRole

# Decimal shapes mirror the model columns so an oversized number is refused before it is used.
HoursPerDay = Annotated[Decimal, Field(max_digits=4, decimal_places=2)]
GoalValue = Annotated[Decimal, Field(max_digits=16, decimal_places=4)]

# ---------------------------------------------------------------- projects


class ProjectOut(Schema):
    id: int
    workspace_id: int
    code: str
    name: str
    description: str
    phase: Phase
    start_date: date
    target_finish: date | None
    status_date: date | None = Field(description="Unfinished work is scheduled after this day.")
    scheduled_finish: date | None = Field(description="Computed by the schedule.")
    timezone: str
    currency: str
    working_weekdays: str = Field(description="ISO weekday digits, 1 = Monday ... 7 = Sunday.")
    hours_per_day: Decimal2
    holiday_country: str
    archived_at: datetime | None
    is_archived: bool
    version: int
    created_at: datetime
    updated_at: datetime


class ProjectListItem(ProjectOut):
    task_count: int = Field(description="Tasks that are not summary tasks.")
    done_count: int


class ProjectPage(Page[ProjectListItem]):
    pass


class ProjectQuery(OrderedListQuery):
    workspace_id: Id | None = None
    phase: Phase | None = None
    archived: bool = Field(False, description="true: archived projects only; false: active ones.")
    search: str | None = Field(None, max_length=200, description="Part of the name or code.")


class ProjectCreate(In):
    workspace_id: Id
    code: str = Field(max_length=20, examples=["WEB"])
    name: str = Field(max_length=200)
    start_date: Day
    description: str = omittable()
    phase: Phase = omittable()
    target_finish: Day | None = None
    timezone: str = omittable(max_length=64, examples=["Asia/Shanghai"])
    currency: str = omittable(max_length=3, examples=["CNY"])
    working_weekdays: str = omittable(max_length=7, examples=["12345"])
    hours_per_day: HoursPerDay = omittable()
    holiday_country: str = omittable(max_length=2, examples=["CN"])
    status_date: Day | None = None


class ProjectPatch(In):
    """Only the fields sent are changed."""

    code: str = omittable(max_length=20)
    name: str = omittable(max_length=200)
    description: str = omittable()
    phase: Phase = omittable()
    start_date: Day = omittable()
    target_finish: Day | None = None
    timezone: str = omittable(max_length=64)
    currency: str = omittable(max_length=3)
    working_weekdays: str = omittable(max_length=7)
    hours_per_day: HoursPerDay = omittable()
    holiday_country: str = omittable(max_length=2)
    status_date: Day | None = None
    version: Version


class VersionIn(In):
    version: Version


# ---------------------------------------------------------------- project members


class ProjectMemberOut(Schema):
    id: int
    user_id: int
    email: str
    name: str
    role: ProjectRole
    version: int
    created_at: datetime

    @staticmethod
    def resolve_email(obj: Any) -> str:
        return str(obj.user.email)

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return str(obj.user.name)


class ProjectMemberPage(Page[ProjectMemberOut]):
    pass


class ProjectMemberCreate(In):
    user_id: Id = Field(description="A member of the project's workspace.")
    role: ProjectRole = ProjectRole.MEMBER


class ProjectMemberPatch(In):
    role: ProjectRole = omittable()
    version: Version


# ---------------------------------------------------------------- goals


class GoalOut(Schema):
    id: int
    project_id: int
    title: str
    description: str
    kind: GoalKind
    metric: str
    unit: str
    baseline_value: Decimal4
    target_value: Decimal4 | None
    current_value: Decimal4 | None
    direction: Direction
    due_date: date | None
    owner_id: int | None
    progress: float | None = Field(
        description="0..1 from baseline to target; null if unmeasurable."
    )
    is_measurable: bool
    task_ids: list[int]
    version: int
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_task_ids(obj: Any) -> list[int]:
        return [t.pk for t in obj.tasks.all()]


class GoalPage(Page[GoalOut]):
    pass


class GoalQuery(OrderedListQuery):
    pass


class GoalCreate(In):
    title: str = Field(max_length=200)
    description: str = omittable()
    kind: GoalKind = omittable()
    metric: str = omittable(max_length=120)
    unit: str = omittable(max_length=30)
    baseline_value: GoalValue = omittable()
    target_value: GoalValue | None = None
    current_value: GoalValue | None = None
    direction: Direction = omittable()
    due_date: Day | None = None
    owner_id: Id | None = None


class GoalPatch(In):
    """Only the fields sent are changed."""

    title: str = omittable(max_length=200)
    description: str = omittable()
    kind: GoalKind = omittable()
    metric: str = omittable(max_length=120)
    unit: str = omittable(max_length=30)
    baseline_value: GoalValue = omittable()
    target_value: GoalValue | None = None
    current_value: GoalValue | None = None
    direction: Direction = omittable()
    due_date: Day | None = None
    owner_id: Id | None = None
    version: Version


__all__ = [
    "GoalCreate",
    "GoalOut",
    "GoalPage",
    "GoalPatch",
    "GoalQuery",
    "ListQuery",
    "ProjectCreate",
    "ProjectListItem",
    "ProjectMemberCreate",
    "ProjectMemberOut",
    "ProjectMemberPage",
    "ProjectMemberPatch",
    "ProjectOut",
    "ProjectPage",
    "ProjectPatch",
    "ProjectQuery",
    "VersionIn",
]
