"""The Gantt chart page. The page is a frame: keel/gantt.js reads the chart's data from
`GET /api/v1/projects/{id}/gantt` in one request and saves a dragged bar with
`POST /api/v1/tasks/{id}/reschedule` (services_gantt.task_reschedule), on the browser session.
Its words come from here, translated, as JSON (scripts get no strings of their own)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from keel.apps.projects.forms import project_for
from keel.apps.projects.permissions import page_flags
from keel.common.pages import service_errors

from .services_gantt import (
    MSG_FINISH_BEFORE_START,
    MSG_MILESTONE_LENGTH,
    MSG_NON_WORKING,
    MSG_SUMMARY_DRAG,
)

# Stands for a task id in the URLs handed to the script.
_SLOT = 0


def _url_template(name: str, **kwargs: int) -> str:
    return reverse(name, kwargs=kwargs).replace(f"/{_SLOT}/", "/{id}/")


def gantt_strings() -> dict[str, str]:
    """What the script says, in the reader's language. `%(name)s` marks a value."""
    return {
        "non_working": str(MSG_NON_WORKING),
        "summary_drag": str(MSG_SUMMARY_DRAG),
        "milestone_length": str(MSG_MILESTONE_LENGTH),
        "finish_before_start": str(MSG_FINISH_BEFORE_START),
        "error": _("Something went wrong. Please reload the page."),
        "offline": _("The server could not be reached."),
        "saving": _("Saving…"),
        "recalculating": _("The plan is being recalculated…"),
        "moved_count": _("Tasks moved: %(count)s"),
        "finish_changed": _("Project finish: %(before)s → %(after)s"),
        "finish_same": _("Project finish unchanged: %(date)s"),
        "nothing_moved": _("No task moved."),
        "held": _(
            "“%(name)s” starts on %(date)s: its predecessors or its progress keep it from "
            "starting earlier."
        ),
        "more": _("… and %(count)s more"),
        "move_tip": _("Start no earlier than %(date)s"),
        "resize_tip": _("Finish %(date)s, duration (working days): %(days)s"),
        "dates": _("%(start)s – %(finish)s"),  # noqa: RUF001  (a date range takes an en dash)
        "progress": _("Progress: %(percent)s"),
        "baseline_dates": _("Baseline: %(start)s – %(finish)s"),  # noqa: RUF001  (as above)
        "critical": _("On the critical path"),
        "quarter": _("Q%(quarter)s"),
        "today": _("Today"),
        "status_date": _("Status date"),
        "finish": _("Finish"),
        "collapse": _("Collapse %(name)s"),
        "expand": _("Expand %(name)s"),
        "empty": _("This plan has no tasks yet."),
    }


@login_required
@require_GET
@service_errors
def gantt(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_for(request.user, pk)
    ctx = {
        "project": project,
        "tab": "gantt",
        "data_url": reverse("api:project_gantt", kwargs={"project_id": project.pk}),
        "reschedule_url": _url_template("api:task_reschedule", task_id=_SLOT),
        "task_url": _url_template("planning:task", pk=_SLOT),
        "strings": gantt_strings(),
        **page_flags(request.user, project),
    }
    return render(request, "planning/gantt.html", ctx)
