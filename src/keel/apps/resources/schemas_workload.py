"""API shapes of the workload area: people by week, one cell's tasks, the people who could
take a task, and resource leveling."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from ninja import Schema
from pydantic import Field

from keel.apps.tracking.weeks import WEEK_PATTERN
from keel.common.api import MAX_INT, Day, Decimal2, Id, In, ListQuery, Page

from .models.people import MAX_SKILL_LEVEL
from .selectors_workload import DEFAULT_WEEKS, MAX_WEEKS

IsoWeek = Annotated[str, Field(pattern=WEEK_PATTERN, description="An ISO week, e.g. `2027-W05`.")]


class WorkloadQuery(ListQuery):
    start: Day | None = Field(None, description="A day of the first week [default: today].")
    weeks: int = Field(DEFAULT_WEEKS, ge=1, le=MAX_WEEKS, description="Weeks shown (1..52).")
    skill: Id | None = Field(None, description="Only people with this skill (id).")
    role: str | None = Field(None, max_length=80, description="Only people with this role.")
    project: Id | None = Field(None, description="Only people assigned in this project (id).")
    over_only: bool = Field(False, description="Only people over-allocated in some week.")


class WeekOut(Schema):
    week: str = Field(examples=["2027-W05"])
    start: dt.date
    end: dt.date

    @staticmethod
    def resolve_week(obj: Any) -> str:
        return str(obj)

    @staticmethod
    def resolve_start(obj: Any) -> dt.date:
        return obj.monday  # type: ignore[no-any-return]

    @staticmethod
    def resolve_end(obj: Any) -> dt.date:
        return obj.sunday  # type: ignore[no-any-return]


class WorkloadCellOut(Schema):
    week: str
    hours: Decimal2 = Field(description="Hours assigned, from every project.")
    capacity: Decimal2 = Field(description="Working hours less leave.")
    other_hours: Decimal2 = Field(description="Of `hours`, those of projects you cannot see.")
    over: bool

    @staticmethod
    def resolve_week(obj: Any) -> str:
        return str(obj.week)


class WorkloadRowOut(Schema):
    resource_id: int
    name: str
    role: str
    hours: Decimal2
    capacity: Decimal2
    over_weeks: int
    cells: list[WorkloadCellOut]

    @staticmethod
    def resolve_resource_id(obj: Any) -> int:
        return int(obj.resource.pk)

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return str(obj.resource.name)

    @staticmethod
    def resolve_role(obj: Any) -> str:
        return str(obj.resource.role)


class WorkloadPage(Page[WorkloadRowOut]):
    weeks: list[WeekOut]
    week_hours: list[Decimal2]
    week_capacity: list[Decimal2]


class CellQuery(In):
    resource: Id
    week: IsoWeek


class CellTaskOut(Schema):
    task_id: int
    task_name: str
    wbs_code: str
    project_id: int
    project_code: str
    project_name: str
    units: Decimal2
    hours: Decimal2


class CellDetailOut(Schema):
    resource_id: int
    week: str
    capacity: Decimal2
    hours: Decimal2
    over: bool
    other_hours: Decimal2 = Field(description="Hours of projects you cannot see, together.")
    tasks: list[CellTaskOut]

    @staticmethod
    def resolve_resource_id(obj: Any) -> int:
        return int(obj.resource.pk)

    @staticmethod
    def resolve_week(obj: Any) -> str:
        return str(obj.week)


class CandidateQuery(ListQuery):
    skill: Id | None = Field(
        None, description="The skill wanted (id), when the task does not name its own."
    )
    min_level: int = Field(1, ge=1, le=MAX_SKILL_LEVEL, description="Level wanted (1..5).")


class SkillMatchOut(Schema):
    skill_id: int
    skill: str
    wanted_level: int
    level: int | None
    met: bool

    @staticmethod
    def resolve_skill_id(obj: Any) -> int:
        return int(obj.skill.pk)

    @staticmethod
    def resolve_skill(obj: Any) -> str:
        return str(obj.skill.name)


class CandidateOut(Schema):
    resource_id: int
    name: str
    role: str
    score: int = Field(description="0..100: skills 60%, free capacity 40%.")
    skill_score: int
    skills: list[SkillMatchOut]
    capacity: Decimal2 = Field(description="Working hours in the task's dates, less leave.")
    load: Decimal2 = Field(description="Hours other tasks take in those dates.")
    free: Decimal2
    share: int = Field(description="Percent of the task's work the free hours cover.")

    @staticmethod
    def resolve_resource_id(obj: Any) -> int:
        return int(obj.resource.pk)

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return str(obj.resource.name)

    @staticmethod
    def resolve_role(obj: Any) -> str:
        return str(obj.resource.role)

    @staticmethod
    def resolve_skills(obj: Any) -> list[Any]:
        return list(obj.matches)


class CandidatePage(Page[CandidateOut]):
    task_id: int
    start: dt.date
    finish: dt.date
    skills_from_task: bool = Field(description="The wanted skills are the task's own.")


class MoveOut(Schema):
    task_id: int
    task_name: str
    wbs_code: str
    old_start: dt.date
    new_start: dt.date
    days: int = Field(description="Working days later.")
    resources: list[str] = Field(description="Whose capacity holds the task back.")


class LevelingOut(Schema):
    project_id: int
    generation: int = Field(description="Send it back to apply this preview.")
    moves: list[MoveOut]
    old_finish: dt.date | None
    new_finish: dt.date | None
    overload_before: dict[str, Decimal2] = Field(description="Hours over capacity, by person.")
    overload_after: dict[str, Decimal2]

    @staticmethod
    def resolve_project_id(obj: Any) -> int:
        return int(obj.project.pk)


class LevelingApplyIn(In):
    generation: int = Field(ge=0, le=MAX_INT, description="The preview's `generation`.")
