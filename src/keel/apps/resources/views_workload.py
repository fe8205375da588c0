"""Workload pages: people by week across a workspace (a cell opens the tasks behind it), the
people who could take a task, and a project's resource leveling (preview, then apply or
discard). Thin: parse a form, call one selector or service, map its refusals."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from keel.apps.projects.forms import project_for
from keel.apps.projects.permissions import ProjectAction, page_flags
from keel.apps.tracking.weeks import Week
from keel.common.errors import Conflict, ValidationFailed
from keel.common.pages import (
    apply_service_errors,
    render_page_or_partial,
    service_errors,
    service_messages,
)

from . import selectors_workload as selectors
from . import services_workload as services
from .forms_workload import CandidateForm, LevelingApplyForm, WorkloadFilterForm

WORKLOAD = "resources/workload.html"
CELL = "resources/workload_cell.html"
FIND = "resources/find_people.html"
LEVELING = "resources/leveling.html"


def _filters(form: WorkloadFilterForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "start": data.get("start"),
        "weeks": data.get("weeks") or selectors.DEFAULT_WEEKS,
        "skill_id": data.get("skill"),
        "role": data.get("role") or None,
        "project_id": data.get("project"),
        "over_only": bool(data.get("over_only")),
    }


def _shifted(request: HttpRequest, start: Any) -> str:
    query = request.GET.copy()
    query["start"] = start.isoformat()
    return "?" + query.urlencode()


@login_required
@require_GET
@service_errors
def workload(request: HttpRequest, pk: int) -> HttpResponse:
    workspace, skills, roles, projects = selectors.workload_choices(request.user, pk)
    form = WorkloadFilterForm(request.GET or None, skills=skills, roles=roles, projects=projects)
    status = 200
    data = None
    if form.is_bound and not form.is_valid():
        status = 422
    else:
        filters = _filters(form) if form.is_bound else {}
        try:
            data = selectors.workload(request.user, pk, **filters)
        except ValidationFailed as exc:
            status = apply_service_errors(form, exc)
    ctx: dict[str, Any] = {"workspace": workspace, "form": form, "data": data}
    if data is not None:
        span = timedelta(weeks=len(data.weeks))
        ctx.update(
            previous=_shifted(request, data.first_day - span),
            next=_shifted(request, data.first_day + span),
            today=_shifted(request, selectors.week_span(None, 1)[0].monday),
        )
    return render_page_or_partial(request, WORKLOAD, "grid", ctx, status=status)


@login_required
@require_GET
@service_errors
def workload_cell(request: HttpRequest, pk: int, week: str) -> HttpResponse:
    """The tasks behind one person's week (a partial under htmx)."""
    try:
        the_week = Week.parse(week)
    except (ValueError, OverflowError):
        raise Http404 from None
    detail = selectors.workload_cell(request.user, pk, the_week)
    back = reverse("resources:workload", args=[detail.resource.workspace_id])
    back += "?" + urlencode({"start": the_week.monday.isoformat()})
    return render_page_or_partial(request, CELL, "detail", {"detail": detail, "back": back})


@login_required
@require_GET
@service_errors
def find_people(request: HttpRequest, pk: int) -> HttpResponse:
    """People ranked for a task by skills and free capacity in its dates."""
    ctx: dict[str, Any] = {"found": None}
    status = 200
    first = selectors.candidates_for(request.user, pk)  # the permission check and the skills
    form = CandidateForm(request.GET or None, skills=first.skills)
    found = first
    if form.is_bound:
        if form.is_valid():
            skill = form.cleaned_data["skill"]
            try:
                found = selectors.candidates_for(
                    request.user,
                    pk,
                    skill_ids=[skill] if skill else [],
                    min_level=form.cleaned_data["min_level"],
                )
            except ValidationFailed as exc:
                status = apply_service_errors(form, exc)
        else:
            status = 422
    project = found.task.project
    ctx.update(
        found=found,
        task=found.task,
        project=project,
        form=form,
        tab="resources",
        **page_flags(request.user, project),
    )
    return render_page_or_partial(request, FIND, "candidates", ctx, status=status)


def _leveling_context(request: HttpRequest, project: Any, **extra: Any) -> dict[str, Any]:
    return {"project": project, "tab": "leveling", **page_flags(request.user, project), **extra}


@login_required
@require_http_methods(["GET", "POST"])
@service_errors
def leveling(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the preview. POST: apply the preview of the generation sent back; a plan changed
    since is refused (409) with a fresh preview to look at."""
    project = project_for(request.user, pk, ProjectAction.ASSIGN_RESOURCES)
    status = 200
    problems: list[str] = []
    if request.method == "POST":
        form = LevelingApplyForm(request.POST)
        if not form.is_valid():
            raise Http404
        try:
            applied = services.leveling_apply(
                actor=request.user, project=project, generation=form.cleaned_data["generation"]
            )
        except (Conflict, ValidationFailed) as exc:
            status, problems = exc.status, service_messages(exc)
        else:
            count = len(applied.moves)
            messages.success(
                request,
                ngettext(
                    "Leveling applied: %(count)s task starts later.",
                    "Leveling applied: %(count)s tasks start later.",
                    count,
                )
                % {"count": count},
            )
            return redirect("resources:leveling", pk=pk)
    preview = None
    try:
        preview = services.leveling_preview(actor=request.user, project=project)
    except ValidationFailed as exc:
        problems.extend(service_messages(exc))
        status = status if status != 200 else 422
    ctx = _leveling_context(request, project, preview=preview, problems=problems)
    return render(request, LEVELING, ctx, status=status)
