"""Pages that belong to no single practice area: home, health check, error pages, and the
project overview, which gathers what every app knows about a project (keel.web may read
every app; the apps may not read each other in both directions)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_htmx.http import reswap, retarget

from keel.apps.planning.selectors import (
    baseline_comparison,
    change_requests_for,
    critical_count,
    critical_path,
    milestones_for,
    primary_baseline,
    schedule_status,
)
from keel.apps.projects.forms import ArchiveForm, project_for
from keel.apps.projects.permissions import page_flags
from keel.apps.projects.selectors import goals_for, project_members, projects_for
from keel.apps.tracking.selectors import earned_value_for
from keel.common.pages import service_errors


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers: 200 when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("account_login")
    return redirect("projects:list")


CRITICAL_PATH_SHOWN = 12


@login_required
@require_GET
@service_errors
def project_overview(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    project = project_for(user, pk)
    counted = projects_for(user, archived=None).filter(pk=pk).first()
    task_count = getattr(counted, "task_count", 0)
    done_count = getattr(counted, "done_count", 0)
    critical = critical_path(user, project, limit=CRITICAL_PATH_SHOWN)
    baseline = primary_baseline(project)
    comparison = baseline_comparison(user, baseline) if baseline else None
    late_days = None
    if project.scheduled_finish and project.target_finish:
        late_days = (project.scheduled_finish - project.target_finish).days
    ctx: dict[str, Any] = {
        "project": project,
        "tab": "overview",
        "task_count": task_count,
        "done_count": done_count,
        "open_count": task_count - done_count,
        "critical_count": critical_count(project),
        "critical_path": critical,
        "late_days": late_days,
        "goals": list(goals_for(user, project)),
        "milestones": milestones_for(user, project),
        "members": list(project_members(user, project)),
        "schedule": schedule_status(user, project),
        "ev": earned_value_for(user, project),
        "comparison": comparison,
        "pending_changes": change_requests_for(user, project, status="submitted").count(),
        "archive_form": ArchiveForm(
            initial={"archived": not project.is_archived, "version": project.version}
        ),
        **page_flags(user, project),
    }
    return render(request, "web/project_overview.html", ctx)


# ---------------------------------------------------------------- error pages


def _error(request: HttpRequest, status: int, template: str, **ctx: Any) -> HttpResponse:
    if getattr(request, "htmx", False):
        # An htmx request swaps a fragment into the page: show the refusal as an alert on
        # top instead of pouring a whole page into a table row.
        response = render(
            request, "web/partials/alert.html", {"status": status, **ctx}, status=status
        )
        return reswap(retarget(response, "#keel-alerts"), "innerHTML")
    return render(request, template, ctx, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    # Only a refusal Keel raised on purpose (BadRequest) has a message meant for people.
    message = _message(exception) if type(exception) is BadRequest else ""
    return _error(request, 400, "web/errors/400.html", message=message)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 403, "web/errors/403.html", message=_message(exception))


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 404, "web/errors/404.html")


def server_error(request: HttpRequest) -> HttpResponse:
    return render(request, "web/errors/500.html", status=500)


def _message(exception: Exception | None) -> str:
    """Messages of refusals raised on purpose; Django's own exceptions carry none worth
    showing."""
    if exception is None or not exception.args:
        return ""
    return str(exception.args[0])
