"""API shapes for time entries, timesheets and their approval."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from ninja import Schema
from ninja.params.functions import Path
from pydantic import Field

from keel.common.api import (
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

from .models import NOTE_LENGTH, EntryStatus
from .weeks import WEEK_PATTERN

# The column holds 4 digits with 2 decimals; the 24-hour rules (for the entry and for the
# person's day) are the service's, with messages in the caller's language.
Hours = Annotated[
    Decimal,
    Field(
        max_digits=4,
        decimal_places=2,
        description="More than 0 and at most 24, with up to two decimals (`1.25`). One "
        "person's entries of one day add up to at most 24.",
        examples=["7.5"],
    ),
]
Note = Annotated[str, Field(max_length=NOTE_LENGTH)]
IsoWeek = Annotated[str, Path(pattern=WEEK_PATTERN, description="An ISO week, e.g. `2027-W05`.")]
Comment = Annotated[str, Field(max_length=NOTE_LENGTH)]


class TimeEntryOut(Schema):
    id: int
    project_id: int
    task_id: int
    task_name: str
    user_id: int
    date: dt.date
    hours: Decimal2
    note: str
    status: EntryStatus
    reviewer_id: int | None
    reviewed_at: dt.datetime | None
    review_comment: str = Field(description="Why a manager sent the entry back.")
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_task_name(obj: Any) -> str:
        return str(obj.task.name)


class TimeEntryPage(Page[TimeEntryOut]):
    pass


class TimeEntryQuery(OrderedListQuery):
    project_id: Id | None = None
    task_id: Id | None = None
    user_id: Id | None = Field(
        None, description="Someone else's entries: in the projects you manage only."
    )
    date_from: Day | None = None
    date_to: Day | None = None
    status: EntryStatus | None = None


class TimeEntryCreate(In):
    task_id: Id
    date: Day
    hours: Hours
    note: Note = ""


class TimeEntryPatch(In):
    task_id: Id = omittable()
    date: Day = omittable()
    hours: Hours = omittable()
    note: Note = omittable()
    version: Version


# ---------------------------------------------------------------- timesheets


class CellOut(Schema):
    date: dt.date
    hours: Decimal2 | None
    entry_id: int | None
    status: EntryStatus | None
    version: int | None
    note: str
    editable: bool = Field(description="The person can type hours into this cell now.")

    @staticmethod
    def resolve_hours(obj: Any) -> Decimal | None:
        return None if obj.entry is None else obj.entry.hours

    @staticmethod
    def resolve_date(obj: Any) -> dt.date:
        return obj.day  # type: ignore[no-any-return]

    @staticmethod
    def resolve_entry_id(obj: Any) -> int | None:
        return None if obj.entry is None else int(obj.entry.pk)

    @staticmethod
    def resolve_status(obj: Any) -> str | None:
        return None if obj.entry is None else str(obj.entry.status)

    @staticmethod
    def resolve_version(obj: Any) -> int | None:
        return None if obj.entry is None else int(obj.entry.version)

    @staticmethod
    def resolve_note(obj: Any) -> str:
        return "" if obj.entry is None else str(obj.entry.note)


class RowOut(Schema):
    task_id: int
    task_name: str
    wbs_code: str
    project_id: int
    project_code: str
    status: EntryStatus | None = Field(
        description="rejected or draft while anything is left to fix or send, then "
        "submitted, then approved; null for a row without entries."
    )
    total: Decimal2
    can_log: bool
    cells: list[CellOut]

    @staticmethod
    def resolve_task_id(obj: Any) -> int:
        return int(obj.task.pk)

    @staticmethod
    def resolve_task_name(obj: Any) -> str:
        return str(obj.task.name)

    @staticmethod
    def resolve_wbs_code(obj: Any) -> str:
        return str(obj.task.wbs_code)

    @staticmethod
    def resolve_project_id(obj: Any) -> int:
        return int(obj.task.project_id)

    @staticmethod
    def resolve_project_code(obj: Any) -> str:
        return str(obj.task.project.code)


class TimesheetOut(Schema):
    user_id: int
    user_name: str
    week: str = Field(examples=["2027-W05"])
    start: dt.date
    end: dt.date
    days: list[dt.date]
    rows: list[RowOut]
    day_totals: list[Decimal2]
    total: Decimal2
    can_submit: bool

    @staticmethod
    def resolve_user_id(obj: Any) -> int:
        return int(obj.person.pk)

    @staticmethod
    def resolve_user_name(obj: Any) -> str:
        return str(obj.person.display_name)

    @staticmethod
    def resolve_week(obj: Any) -> str:
        return str(obj.week)

    @staticmethod
    def resolve_start(obj: Any) -> dt.date:
        return obj.week.monday  # type: ignore[no-any-return]

    @staticmethod
    def resolve_end(obj: Any) -> dt.date:
        return obj.week.sunday  # type: ignore[no-any-return]


class TimesheetQuery(In):
    user_id: Id | None = Field(
        None, description="Someone else's timesheet: the projects of theirs you manage."
    )


class SubmitIn(In):
    project_id: Id | None = Field(
        None, description="Submit only this project's time; every project's when left out."
    )


# ---------------------------------------------------------------- approval


class PersonWeekOut(Schema):
    user_id: int
    user_name: str
    week: str = Field(examples=["2027-W05"])
    start: dt.date
    end: dt.date
    status: str = Field(description="The entries' status, or `mixed`.")
    total: Decimal2
    entries: list[TimeEntryOut]

    @staticmethod
    def resolve_user_id(obj: Any) -> int:
        return int(obj.person.pk)

    @staticmethod
    def resolve_user_name(obj: Any) -> str:
        return str(obj.person.display_name)

    @staticmethod
    def resolve_week(obj: Any) -> str:
        return str(obj.week)

    @staticmethod
    def resolve_start(obj: Any) -> dt.date:
        return obj.week.monday  # type: ignore[no-any-return]

    @staticmethod
    def resolve_end(obj: Any) -> dt.date:
        return obj.week.sunday  # type: ignore[no-any-return]


class PersonWeekPage(Page[PersonWeekOut]):
    pass


class PersonWeekQuery(ListQuery):
    status: EntryStatus = Field(
        EntryStatus.SUBMITTED, description="`submitted` (the default): waiting for approval."
    )
    week: str | None = Field(None, pattern=WEEK_PATTERN, description="e.g. `2027-W05`.")
    user_id: Id | None = None


class EntryRef(In):
    id: Id
    version: Version


class ReviewIn(In):
    user_id: Id = Field(description="Whose week.")
    entries: list[EntryRef] = Field(
        max_length=500,
        description="The entries you reviewed, with the versions you read. Approving needs "
        "every submitted entry of the week; if anything changed meanwhile the answer is 409.",
    )


class RejectIn(ReviewIn):
    comment: Comment = Field(description="What to correct; required.")
