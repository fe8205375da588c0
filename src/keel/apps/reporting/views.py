"""The project's Reports tab: the history of its progress reports, preparing one, a report's
page (its sections, the narrative editor while it is a draft, issuing it), its PDF, and the
report settings."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from keel.apps.projects.forms import project_for
from keel.apps.projects.permissions import page_flags
from keel.common.errors import KeelError
from keel.common.pages import apply_service_errors, service_errors, service_messages

from . import documents, selectors, services
from .forms import NarrativeForm, PrepareForm, ReportSettingsForm
from .selectors import MANAGE

HISTORY_SHOWN = 100


@login_required
@require_http_methods(["GET", "POST"])
@service_errors
def reports(request: HttpRequest, pk: int) -> HttpResponse:
    """The history, newest first, and (managers) preparing the report of a period."""
    project = project_for(request.user, pk)
    flags = page_flags(request.user, project)
    status = 200
    problems: list[str] = []
    if request.method == "POST":
        project = project_for(request.user, pk, MANAGE)
        form = PrepareForm(request.POST)
        if form.is_valid():
            try:
                period = selectors.parse_period(form.cleaned_data["period"])
                report = services.report_create(
                    actor=request.user,  # type: ignore[arg-type]
                    project=project,
                    period=period,
                )
            except KeelError as exc:
                if isinstance(exc, services.ReportExists):
                    found = selectors.report_for_period(project, period)
                    if found is not None:
                        return redirect("reporting:report", pk=found.pk)
                problems = service_messages(exc)
                status = exc.status
            else:
                messages.success(
                    request,
                    _("The report for %(period)s is ready to edit.") % {"period": report.label},
                )
                return redirect("reporting:report", pk=report.pk)
        else:
            problems = [str(selectors.MSG_BAD_PERIOD)]
            status = 422
    cadence = selectors.settings_for(project).cadence
    history = list(selectors.reports_for(request.user, project)[:HISTORY_SHOWN])
    ctx: dict[str, Any] = {
        "project": project,
        "tab": "reports",
        "reports": history,
        "to_prepare": selectors.periods_to_prepare(project, cadence) if flags["can_edit"] else [],
        "cadence": cadence,
        "problems": problems,
        **flags,
    }
    return render(request, "reporting/reports.html", ctx, status=status)


@login_required
@require_http_methods(["GET", "POST"])
@service_errors
def report(request: HttpRequest, pk: int) -> HttpResponse:
    """A report: its sections (live for a draft), the narrative editor for managers while it
    is a draft (save, or save and issue), and who an issued one was e-mailed to."""
    item = selectors.report_get(request.user, pk)
    project = item.project
    flags = page_flags(request.user, project)
    form = NarrativeForm(initial={"narrative": item.narrative, "version": item.version})
    status = 200
    problems: list[str] = []
    if request.method == "POST":
        selectors.report_get(request.user, pk, MANAGE)
        form = NarrativeForm(request.POST)
        status = 422
        if form.is_valid():
            narrative = form.cleaned_data["narrative"]
            version = form.cleaned_data["version"]
            issuing = request.POST.get("action") == "issue"
            try:
                if issuing:
                    services.report_issue(
                        actor=request.user,  # type: ignore[arg-type]
                        report=item,
                        version=version,
                        narrative=narrative,
                        language=get_language(),
                    )
                else:
                    services.report_narrative_set(
                        actor=request.user,  # type: ignore[arg-type]
                        report=item,
                        narrative=narrative,
                        version=version,
                    )
            except KeelError as exc:
                status = apply_service_errors(form, exc)
                if isinstance(exc, services.ReportIssued):
                    status = exc.status
                    problems = service_messages(exc)
                item = selectors.report_get(request.user, pk)
            else:
                if issuing:
                    messages.success(
                        request,
                        _("The report was issued; it is being e-mailed to the recipients."),
                    )
                else:
                    messages.success(request, _("The narrative was saved."))
                return redirect("reporting:report", pk=pk)
    content = selectors.report_content(request.user, item)
    deliveries = (
        selectors.deliveries_for(request.user, item) if item.is_issued and flags["can_edit"] else []
    )
    ctx: dict[str, Any] = {
        "project": project,
        "tab": "reports",
        "report": item,
        "content": content,
        "charts": content.charts,
        "form": form,
        "deliveries": deliveries,
        "problems": problems,
        "recipients": (
            selectors.report_recipients(project) if flags["can_edit"] and not item.is_issued else []
        ),
        **flags,
    }
    return render(request, "reporting/report.html", ctx, status=status)


@login_required
@require_GET
@service_errors
def report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The report as a PDF in the reader's language (an issued report's is made once)."""
    item = selectors.report_get(request.user, pk)
    pdf = services.report_pdf(report=item, reader=request.user, language=get_language())
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{documents.pdf_filename(item)}"'
    return response


@login_required
@require_POST
@service_errors
def report_delete(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.report_get(request.user, pk, MANAGE)
    try:
        services.report_delete(actor=request.user, report=item)  # type: ignore[arg-type]
    except services.ReportIssued as exc:
        raise DjangoPermissionDenied(str(exc.message)) from exc
    messages.success(request, _("The draft for %(period)s was deleted.") % {"period": item.label})
    return redirect("reporting:reports", pk=item.project_id)


@login_required
@require_http_methods(["GET", "POST"])
@service_errors
def report_settings(request: HttpRequest, pk: int) -> HttpResponse:
    """How often the project reports, whether on schedule, and to whom (managers)."""
    project = project_for(request.user, pk, MANAGE)
    flags = page_flags(request.user, project)
    row = selectors.report_settings_get(request.user, project)
    initial = {
        "cadence": row.cadence,
        "enabled": row.enabled,
        "auto_issue": row.auto_issue,
        "extra_recipients": "\n".join(row.extra_recipients or []),
        "language": row.language,
        "version": row.version,
    }
    form = ReportSettingsForm(initial=initial)
    status = 200
    if request.method == "POST":
        form = ReportSettingsForm(request.POST, initial=initial)
        status = 422
        if form.is_valid():
            values = dict(form.cleaned_data)
            version = values.pop("version")
            try:
                services.report_settings_set(
                    actor=request.user,  # type: ignore[arg-type]
                    project=project,
                    version=version,
                    values=values,
                )
            except KeelError as exc:
                status = apply_service_errors(form, exc)
            else:
                messages.success(request, _("The report settings were saved."))
                return redirect("reporting:reports", pk=pk)
    ctx: dict[str, Any] = {
        "project": project,
        "tab": "reports",
        "form": form,
        "recipients": selectors.report_recipients(project),
        "reports_url": reverse("reporting:reports", args=[pk]),
        **flags,
    }
    return render(request, "reporting/settings.html", ctx, status=status)
