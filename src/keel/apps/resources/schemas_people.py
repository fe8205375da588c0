"""Shapes of the people API: resources, skills, cost rates, leave and assignments."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from ninja import Schema
from pydantic import Field

from keel.common.api import Day, Decimal2, Id, In, ListQuery, Page, Version, omittable

from .models.people import MAX_SKILL_LEVEL

Weekdays = Annotated[str, Field(pattern=r"^[1-7]{0,7}$", description="ISO weekdays, 1 = Monday.")]
Hours = Annotated[Decimal, Field(ge=0, le=24, max_digits=4, decimal_places=2)]
Amount = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)]
Units = Annotated[Decimal, Field(gt=0, le=1000, max_digits=6, decimal_places=2)]
WorkHours = Annotated[Decimal, Field(gt=0, max_digits=12, decimal_places=2)]
Level = Annotated[int, Field(ge=1, le=MAX_SKILL_LEVEL, description="1 = learning ... 5 = expert")]


# ---------------------------------------------------------------- resources


class ResourceSkillOut(Schema):
    skill_id: int
    name: str
    level: int

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return str(obj.skill.name)


class ResourceOut(Schema):
    id: int
    workspace_id: int
    user_id: int | None
    name: str
    email: str
    organisation: str
    role: str
    capacity_hours: Decimal2
    working_weekdays: str
    is_active: bool
    notes: str
    skills: list[ResourceSkillOut]
    version: int
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_skills(obj: Any) -> list[Any]:
        return list(obj.skills.all())


class ResourcePage(Page[ResourceOut]):
    pass


class ResourceQuery(ListQuery):
    search: str | None = Field(None, max_length=100, description="In name, e-mail, organisation.")
    skill_id: Id | None = None
    role: str | None = Field(None, max_length=80)
    active: bool | None = None


class ResourceCreate(In):
    user_id: Id | None = Field(None, description="A user of the workspace, or null.")
    name: str = Field("", max_length=120, description="Defaults to the user's name.")
    email: str = Field("", max_length=254)
    organisation: str = Field("", max_length=120)
    role: str = Field("", max_length=80)
    capacity_hours: Hours = Decimal("8")
    working_weekdays: Weekdays = "12345"
    is_active: bool = True
    notes: str = Field("", max_length=20_000)


class ResourcePatch(In):
    user_id: Id | None = omittable()
    name: str = omittable(max_length=120)
    email: str = omittable(max_length=254)
    organisation: str = omittable(max_length=120)
    role: str = omittable(max_length=80)
    capacity_hours: Hours = omittable()
    working_weekdays: Weekdays = omittable()
    is_active: bool = omittable()
    notes: str = omittable(max_length=20_000)
    version: Version


class VersionIn(In):
    version: Version


# ---------------------------------------------------------------- skills


class TaskSkillOut(Schema):
    skill_id: int
    name: str
    min_level: int = Field(description="The least level wanted, 1 (learning) to 5 (expert).")

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return str(obj.skill.name)


class TaskSkillPage(Page[TaskSkillOut]):
    pass


class TaskSkillIn(In):
    min_level: int = Field(1, ge=1, le=5)


class SkillOut(Schema):
    id: int
    workspace_id: int
    name: str


class SkillPage(Page[SkillOut]):
    pass


class SkillCreate(In):
    name: str = Field(min_length=1, max_length=80)


class ResourceSkillPage(Page[ResourceSkillOut]):
    pass


class ResourceSkillSet(In):
    skill_id: Id | None = Field(None, description="An existing skill; or give `name`.")
    name: str | None = Field(None, max_length=80, description="Created when new.")
    level: Level = 3


# ---------------------------------------------------------------- rates and leave


class RateOut(Schema):
    id: int
    resource_id: int
    effective_from: Day
    standard_rate: Decimal2
    overtime_rate: Decimal2
    currency: str
    version: int


class RatePage(Page[RateOut]):
    pass


class RateCreate(In):
    effective_from: Day
    standard_rate: Amount
    overtime_rate: Amount
    currency: str = Field(min_length=3, max_length=3, description="ISO 4217, e.g. CNY.")


class RatePatch(In):
    effective_from: Day = omittable()
    standard_rate: Amount = omittable()
    overtime_rate: Amount = omittable()
    currency: str = omittable(min_length=3, max_length=3)
    version: Version


class LeaveOut(Schema):
    id: int
    resource_id: int
    start: Day
    finish: Day
    reason: str
    version: int


class LeavePage(Page[LeaveOut]):
    pass


class LeaveCreate(In):
    start: Day
    finish: Day
    reason: str = Field("", max_length=200)


# ---------------------------------------------------------------- assignments


class AssignmentOut(Schema):
    id: int
    task_id: int
    project_id: int
    resource_id: int
    resource_name: str
    units: Decimal2
    work_hours: Decimal2 = Field(description="Duration x hours per day x units / 100.")
    version: int

    @staticmethod
    def resolve_project_id(obj: Any) -> int:
        return int(obj.task.project_id)

    @staticmethod
    def resolve_resource_name(obj: Any) -> str:
        return str(obj.resource.name)


class AssignmentPage(Page[AssignmentOut]):
    pass


class AssignmentCreate(In):
    resource_id: Id
    units: Units | None = Field(None, description="Percent of a working day; default 100.")
    work_hours: WorkHours | None = Field(None, description="Sets the units instead.")


class AssignmentPatch(In):
    units: Units | None = None
    work_hours: WorkHours | None = None
    version: Version
