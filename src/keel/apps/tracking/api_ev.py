"""Earned value and the project's health thresholds."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from keel.apps.projects import selectors as project_selectors
from keel.common.api import MAX_INT, Decimal2, In, PathId, errors

from . import selectors, services

router = Router(tags=["earned value"])


class TrendOut(Schema):
    end: date = Field(description="The last day of the period.")
    pv: float
    ev: float | None = Field(description="Null after the status date.")
    ac: float | None
    spi: float | None
    cpi: float | None


class EarnedValueOut(Schema):
    baseline_id: int
    unit: str = Field(
        description="What budgets and costs count: hours of work, or cost in the project's "
        "currency."
    )
    status_date: date
    health: str = Field(description="green, amber, red, or unknown (nothing measured yet).")
    spi_health: str
    cpi_health: str
    bac: float
    pv: float
    ev: float
    ac: float
    sv: float
    cv: float
    spi: float | None
    cpi: float | None
    eac: float | None = Field(description="BAC / CPI.")
    eac_budget_rate: float = Field(description="AC + (BAC - EV).")
    eac_cpi_spi: float | None = Field(description="AC + (BAC - EV) / (CPI x SPI).")
    etc: float | None
    vac: float | None
    tcpi_bac: float | None
    tcpi_eac: float | None
    percent_complete: float
    percent_spent: float
    planned_duration_days: float
    actual_time_days: float
    earned_schedule_days: float
    sv_t_days: float
    spi_t: float | None
    planned_finish: date
    forecast_finish: date | None = Field(description="By earned schedule: PD / SPI(t).")
    untracked_tasks: int = Field(description="Tasks added since the baseline, not measured.")
    trend: list[TrendOut]


class ThresholdsOut(Schema):
    spi_amber: Decimal2
    spi_red: Decimal2
    cpi_amber: Decimal2
    cpi_red: Decimal2
    version: int


Index = Field(ge=0, le=2, max_digits=4, decimal_places=2)


class ThresholdsIn(In):
    spi_amber: Decimal2 = Index
    spi_red: Decimal2 = Index
    cpi_amber: Decimal2 = Index
    cpi_red: Decimal2 = Index
    version: int = Field(ge=0, le=MAX_INT, description="0 while the project uses the defaults.")


@router.get(
    "/projects/{project_id}/earned-value",
    response={200: EarnedValueOut, 204: None, **errors(401, 403, 404, 422)},
)
def earned_value(
    request: HttpRequest,
    project_id: PathId,
    unit: Query[Literal["hours", "cost"]] = "hours",
) -> Any:
    """Earned value at the status date against the primary baseline (204 without one), with
    the weekly trend and the health signal. `unit=cost` measures money (those who may see
    the project's finances; 422 when the baseline has no costs)."""
    actor = request.auth  # type: ignore[attr-defined]
    project = project_selectors.project_get(actor, project_id)
    report = selectors.earned_value_for(actor, project, unit=unit)
    if report is None:
        return Status(204, None)
    v = report.value
    body = {k: getattr(v, k) for k in EarnedValueOut.model_fields if hasattr(v, k)}
    body.update(
        baseline_id=report.baseline.pk,
        unit=report.unit,
        health=report.health,
        spi_health=report.spi_health,
        cpi_health=report.cpi_health,
        untracked_tasks=report.untracked_tasks,
        trend=report.trend,
    )
    return body


@router.get(
    "/projects/{project_id}/health-thresholds",
    response={200: ThresholdsOut, **errors(401, 404, 422)},
)
def thresholds_get(request: HttpRequest, project_id: PathId) -> Any:
    project = project_selectors.project_get(request.auth, project_id)  # type: ignore[attr-defined]
    return selectors.thresholds_for(project)


@router.put(
    "/projects/{project_id}/health-thresholds",
    response={200: ThresholdsOut, **errors(400, 401, 403, 404, 409, 422)},
)
def thresholds_put(request: HttpRequest, project_id: PathId, payload: ThresholdsIn) -> Any:
    """Where SPI and CPI turn amber and red (managers); red must not be above amber."""
    actor = request.auth  # type: ignore[attr-defined]
    project = project_selectors.project_get(actor, project_id)
    values = payload.model_dump(exclude={"version"})
    return services.thresholds_set(
        actor=actor, project=project, version=payload.version, values=values
    )
