"""Progress reports: the history, preparing one, its narrative, issuing it, its PDF, and the
project's report settings. Reads through selectors, writes through services."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language
from ninja import Query, Router, Status

from keel.apps.projects import selectors as project_selectors
from keel.common.api import PathId, errors, paginate

from . import documents, selectors, services
from .models import ProgressReport
from .schemas import (
    ReportCreate,
    ReportIssue,
    ReportListQuery,
    ReportOut,
    ReportPage,
    ReportPatch,
    ReportSettingsIn,
    ReportSettingsOut,
)

router = Router(tags=["reports"])

PDF_RESPONSE = {
    "responses": {
        200: {  # the int key ninja uses: a "200" string would be a second, duplicate key
            "description": "The report as an A4 PDF.",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


def _actor(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


def _out(actor: Any, report: ProgressReport) -> dict[str, Any]:
    content = selectors.report_content(actor, report)
    return {
        **{name: getattr(report, name) for name in ("id", "project_id", "period_kind")},
        "period": report.label,
        "period_start": report.period_start,
        "period_end": report.period_end,
        "status": report.status,
        "issued_at": report.issued_at,
        "issued_by_id": report.issued_by_id,
        "version": report.version,
        "created_at": report.created_at,
        "updated_at": report.updated_at,
        "narrative": report.narrative,
        "live": content.live,
        "computed_on": content.computed_on,
        "sections": [{"key": s.key, "title": s.title, "data": s.data} for s in content.sections],
        "charts": {k: str(v) for k, v in content.charts.items()},
    }


@router.get("/projects/{project_id}/reports", response={200: ReportPage, **errors(401, 404, 422)})
def report_list(request: HttpRequest, project_id: PathId, query: Query[ReportListQuery]) -> Any:
    """The project's progress reports, newest period first (without their sections)."""
    actor = _actor(request)
    project = project_selectors.project_get(actor, project_id)
    return paginate(selectors.reports_for(actor, project, status=query.status), query)


@router.post(
    "/projects/{project_id}/reports",
    response={201: ReportOut, **errors(400, 401, 403, 404, 409, 422)},
)
def report_create(request: HttpRequest, project_id: PathId, payload: ReportCreate) -> Any:
    """Prepare the report of a period (managers): a draft computed from live data until it
    is issued. 409 `report_exists` when the period has one."""
    actor = _actor(request)
    project = project_selectors.project_get(actor, project_id)
    period = selectors.parse_period(payload.period)
    report = services.report_create(actor=actor, project=project, period=period)
    return Status(201, _out(actor, report))


@router.get("/reports/{report_id}", response={200: ReportOut, **errors(401, 404, 422)})
def report_detail(request: HttpRequest, report_id: PathId) -> Any:
    """A report with its sections: computed now for a draft, as issued otherwise."""
    actor = _actor(request)
    return _out(actor, selectors.report_get(actor, report_id))


@router.patch(
    "/reports/{report_id}", response={200: ReportOut, **errors(400, 401, 403, 404, 409, 422)}
)
def report_update(request: HttpRequest, report_id: PathId, payload: ReportPatch) -> Any:
    """Change a draft's narrative (managers); an issued report is a 409 `report_issued`."""
    actor = _actor(request)
    report = selectors.report_get(actor, report_id)
    narrative = payload.narrative if "narrative" in payload.model_fields_set else report.narrative
    report = services.report_narrative_set(
        actor=actor, report=report, narrative=narrative, version=payload.version
    )
    return _out(actor, report)


@router.post(
    "/reports/{report_id}/issue",
    response={200: ReportOut, **errors(400, 401, 403, 404, 409, 422)},
)
def report_issue(request: HttpRequest, report_id: PathId, payload: ReportIssue) -> Any:
    """Issue a draft (managers): its sections, charts and PDF are kept as they are now and
    never change, and it is e-mailed to the project's recipients."""
    actor = _actor(request)
    report = services.report_issue(
        actor=actor,
        report=selectors.report_get(actor, report_id),
        version=payload.version,
        narrative=payload.narrative,
        language=get_language(),
    )
    return _out(actor, report)


@router.delete("/reports/{report_id}", response={204: None, **errors(401, 403, 404, 409, 422)})
def report_delete(request: HttpRequest, report_id: PathId) -> Any:
    """Delete a draft (managers); an issued report stays (409 `report_issued`)."""
    actor = _actor(request)
    services.report_delete(actor=actor, report=selectors.report_get(actor, report_id))
    return Status(204, None)


@router.get(
    "/reports/{report_id}/pdf",
    response={200: None, **errors(401, 404, 422)},
    openapi_extra=PDF_RESPONSE,
)
def report_pdf(request: HttpRequest, report_id: PathId) -> HttpResponse:
    """The report as a PDF (`application/pdf`) in your language."""
    actor = _actor(request)
    report = selectors.report_get(actor, report_id)
    pdf = services.report_pdf(report=report, reader=actor, language=get_language())
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{documents.pdf_filename(report)}"'
    return response


def _settings_out(project: Any, row: Any) -> dict[str, Any]:
    return {
        "cadence": row.cadence,
        "enabled": row.enabled,
        "auto_issue": row.auto_issue,
        "extra_recipients": list(row.extra_recipients or []),
        "language": row.language,
        "version": row.version,
        "recipients": selectors.report_recipients(project),
    }


@router.get(
    "/projects/{project_id}/report-settings",
    response={200: ReportSettingsOut, **errors(401, 403, 404, 422)},
)
def report_settings_get(request: HttpRequest, project_id: PathId) -> Any:
    """The project's report settings and who its reports go to (managers)."""
    actor = _actor(request)
    project = project_selectors.project_get(actor, project_id)
    return _settings_out(project, selectors.report_settings_get(actor, project))


@router.put(
    "/projects/{project_id}/report-settings",
    response={200: ReportSettingsOut, **errors(400, 401, 403, 404, 409, 422)},
)
def report_settings_put(request: HttpRequest, project_id: PathId, payload: ReportSettingsIn) -> Any:
    """Set the cadence, whether reports are prepared (and issued) on schedule, the other
    recipients and their language (managers)."""
    actor = _actor(request)
    project = project_selectors.project_get(actor, project_id)
    row = services.report_settings_set(
        actor=actor,
        project=project,
        version=payload.version,
        values=payload.model_dump(exclude={"version"}),
    )
    return _settings_out(project, row)
