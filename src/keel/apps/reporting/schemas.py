"""API shapes for progress reports and their settings."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from ninja import Schema
from pydantic import Field

from keel.common.api import MAX_INT, In, ListQuery, Page, Version, omittable
from keel.common.models import LONG_TEXT

from .models import MAX_EXTRA_RECIPIENTS, Cadence, ReportStatus

PeriodLabel = Annotated[
    str,
    Field(
        max_length=30,
        description="`2027-W05` (an ISO week), `2027-W05/06` (two weeks; `2026-W53/2027-W01` "
        "across a year) or `2027-02` (a month).",
        examples=["2027-W05"],
    ),
]
Narrative = Annotated[str, Field(max_length=LONG_TEXT)]


class ReportSummaryOut(Schema):
    id: int
    project_id: int
    period: str = Field(description="The period's label, e.g. `2027-W05`.")
    period_kind: Cadence
    period_start: dt.date
    period_end: dt.date
    status: ReportStatus
    issued_at: dt.datetime | None
    issued_by_id: int | None = Field(description="Null when Keel issued it on schedule.")
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_period(obj: Any) -> str:
        return str(obj["period"] if isinstance(obj, dict) else obj.label)


class ReportPage(Page[ReportSummaryOut]):
    pass


class ReportListQuery(ListQuery):
    status: ReportStatus | None = None


class SectionOut(Schema):
    key: str = Field(
        description="summary, goals, milestones, variance, earned_value, done, "
        "next, time; and those other apps add (risks, quality)."
    )
    title: str
    data: dict[str, Any]


class ReportOut(ReportSummaryOut):
    narrative: str
    live: bool = Field(
        description="True for a draft: the sections are computed from live data now."
    )
    computed_on: dt.date | None
    sections: list[SectionOut]
    charts: dict[str, str] = Field(description="SVG markup of the charts, by name.")


class ReportCreate(In):
    period: PeriodLabel


class ReportPatch(In):
    narrative: Narrative = omittable()
    version: Version


class ReportIssue(In):
    version: Version
    narrative: Narrative | None = Field(
        None, description="Saved first when given (what is in the editor)."
    )


class RecipientOut(Schema):
    email: str
    name: str
    language: str
    user_id: int | None


class ReportSettingsOut(Schema):
    cadence: Cadence
    enabled: bool
    auto_issue: bool
    extra_recipients: list[str]
    language: str = Field(
        description="Of e-mails to addresses that are not Keel users'; empty: the site's."
    )
    version: int = Field(description="0 while the project uses the defaults.")
    recipients: list[RecipientOut] = Field(description="Who issued reports go to now.")


class ReportSettingsIn(In):
    cadence: Cadence = Cadence.WEEKLY
    enabled: bool = True
    auto_issue: bool = False
    extra_recipients: list[Annotated[str, Field(max_length=254)]] = Field(
        default_factory=list, max_length=MAX_EXTRA_RECIPIENTS
    )
    language: str = Field("", max_length=10, description="`en`, `zh-hans` or empty.")
    version: int = Field(ge=0, le=MAX_INT, description="0 while the project uses the defaults.")
