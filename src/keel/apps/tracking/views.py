"""Timesheet pages: a person's weekly grid (cells saved one by one with htmx, a row picker,
submission), one entry's page for its note, and a project's Time page where managers approve
or reject people's weeks. Thin: parse a form, call one service, map its refusals."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from keel.apps.projects.forms import project_for
from keel.apps.projects.permissions import ProjectAction, page_flags
from keel.common.errors import Conflict, KeelError, ValidationFailed
from keel.common.pages import (
    apply_service_errors,
    changes,
    parse_id,
    render_page_or_partial,
    render_partial,
    service_errors,
    service_messages,
)

from . import services
from .forms import CellForm, EntryForm, ReviewForm
from .models import EntryStatus
from .selectors import (
    Timesheet,
    actual_hours,
    entry_for_cell,
    entry_get,
    person_weeks,
    timesheet_for,
)
from .weeks import Week

P = ProjectAction
SHEET = "tracking/timesheet.html"
TIME = "tracking/project_time.html"
# Approved weeks stay on the Time page this long, to be reopened if they need correcting.
APPROVED_WEEKS_SHOWN = 8


def _week(text: str) -> Week:
    try:
        return Week.parse(text)
    except ValueError:
        raise Http404 from None


def _int(value: str | None) -> int | None:
    return parse_id(value)


def _sheet_context(request: HttpRequest, sheet: Timesheet, **extra: Any) -> dict[str, Any]:
    week = sheet.week
    today = timezone.localdate()
    ctx: dict[str, Any] = {
        "sheet": sheet,
        "week": week,
        "week_text": str(week),
        "previous": str(week.previous),
        "next": str(week.next),
        "this_week": str(Week.of(today)),
        "today": today,
        "other": None if sheet.editable else sheet.person,
    }
    ctx.update(extra)
    return ctx


# ---------------------------------------------------------------- my timesheet


@login_required
@require_GET
def timesheet_current(request: HttpRequest) -> HttpResponse:
    """This week's timesheet (the query string, e.g. a task to add, carried along)."""
    url = reverse("tracking:timesheet_week", args=[str(Week.of(timezone.localdate()))])
    query = request.GET.urlencode()
    return redirect(f"{url}?{query}" if query else url)


@login_required
@require_GET
@service_errors
def timesheet_week(request: HttpRequest, week: str) -> HttpResponse:
    sheet = timesheet_for(
        request.user,
        _week(week),
        user_id=_int(request.GET.get("user")),
        add_task_id=_int(request.GET.get("add")),
    )
    return render_page_or_partial(request, SHEET, "sheet", _sheet_context(request, sheet))


@login_required
@require_POST
@service_errors
def timesheet_cell(request: HttpRequest, week: str) -> HttpResponse:
    """Save one cell: create, change or (emptied) delete the person's entry for a task and
    day. Answers the cell, with the totals and the row's status out of band; 422 with the
    message under the cell when refused, 409 with the stored value when stale."""
    the_week = _week(week)
    form = CellForm(request.POST)
    if not form.is_valid() or form.cleaned_data["date"] not in the_week.days:
        raise Http404
    data = form.cleaned_data
    actor: Any = request.user
    task_id, day, typed = data["task"], data["date"], data["hours"].strip()
    entry = entry_for_cell(actor, task_id, day)
    # A cell shown empty carries no version: if an entry appeared meanwhile (another tab),
    # saving over it unseen would be a lost update, so it is a stale version (409).
    version = data["version"] or 0
    status = 200
    error = ""
    override = False  # show what was typed (refused) instead of what is stored
    try:
        if entry is None and typed:
            services.entry_create(actor=actor, task_id=task_id, date=day, hours=typed)
        elif entry is not None and typed:
            services.entry_update(
                actor=actor, entry=entry, version=version, changes={"hours": typed}
            )
        elif entry is not None:
            services.entry_delete(actor=actor, entry=entry, version=version)
    except Conflict as exc:
        status, error = exc.status, str(exc.message)
    except ValidationFailed as exc:
        status, error, override = exc.status, " ".join(service_messages(exc)), True
    if not request.htmx:  # type: ignore[attr-defined]
        if error:
            messages.error(request, error)
        return redirect("tracking:timesheet_week", week=str(the_week))
    sheet = timesheet_for(actor, the_week, add_task_id=task_id)
    row = sheet.row_for(task_id)
    if row is None:  # the task is not the person's to log on (any more)
        raise Http404
    cell = next(c for c in row.cells if c.day == day)
    ctx = _sheet_context(
        request,
        sheet,
        row=row,
        cell=cell,
        cell_error=error,
        cell_override=override,
        cell_value=typed,
        actions_changed=(request.POST.get("submittable") == "1") != sheet.can_submit,
    )
    return render_partial(request, SHEET, "cell_response", ctx, status=status)


@login_required
@require_POST
@service_errors
def timesheet_submit(request: HttpRequest, week: str) -> HttpResponse:
    the_week = _week(week)
    notice = ""
    problem = ""
    try:
        entries = services.week_submit(actor=request.user, week=the_week)  # type: ignore[arg-type]
    except ValidationFailed as exc:
        problem = " ".join(service_messages(exc))
    else:
        notice = ngettext(
            "%(count)d entry of %(week)s was sent for approval.",
            "%(count)d entries of %(week)s were sent for approval.",
            len(entries),
        ) % {"count": len(entries), "week": the_week}
    if not request.htmx:  # type: ignore[attr-defined]
        if problem:
            messages.error(request, problem)
        else:
            messages.success(request, notice)
        return redirect("tracking:timesheet_week", week=str(the_week))
    sheet = timesheet_for(request.user, the_week)
    ctx = _sheet_context(request, sheet, notice=notice, problem=problem)
    return render_partial(request, SHEET, "sheet", ctx, status=422 if problem else 200)


# ---------------------------------------------------------------- one entry


def _entry_initial(entry: Any) -> dict[str, Any]:
    return {"date": entry.date, "hours": entry.hours, "note": entry.note, "version": entry.version}


@login_required
@require_http_methods(["GET", "POST"])
@service_errors
def entry_edit(request: HttpRequest, pk: int) -> HttpResponse:
    entry = entry_get(request.user, pk)
    back = reverse("tracking:timesheet_week", args=[str(Week.of(entry.date))])
    if entry.user_id != request.user.pk:
        back += f"?user={entry.user_id}"
    status = 200
    form = EntryForm(initial=_entry_initial(entry))
    if request.method == "POST":
        form = EntryForm(request.POST, initial=_entry_initial(entry))
        status = 422
        if form.is_valid():
            try:
                saved = services.entry_update(
                    actor=request.user,  # type: ignore[arg-type]
                    entry=entry,
                    version=form.cleaned_data["version"],
                    changes=changes(form),
                )
            except Conflict as exc:
                entry = entry_get(request.user, pk)
                form = EntryForm(initial=_entry_initial(entry))
                status = apply_service_errors(form, exc)
            except KeelError as exc:
                status = apply_service_errors(form, exc)
            else:
                messages.success(request, _("The time entry was saved."))
                return redirect("tracking:timesheet_week", week=str(Week.of(saved.date)))
    ctx = {
        "entry": entry,
        "form": form,
        "back": back,
        "own": entry.user_id == request.user.pk,
        "can_change": entry.user_id == request.user.pk and entry.is_open,
    }
    return render(request, "tracking/entry_form.html", ctx, status=status)


@login_required
@require_POST
@service_errors
def entry_delete(request: HttpRequest, pk: int) -> HttpResponse:
    entry = entry_get(request.user, pk)
    week = str(Week.of(entry.date))
    services.entry_delete(
        actor=request.user,  # type: ignore[arg-type]
        entry=entry,
        version=_int(request.POST.get("version")),
    )
    messages.success(request, _("The time entry was deleted."))
    return redirect("tracking:timesheet_week", week=week)


# ---------------------------------------------------------------- a project's time


def _time_context(
    request: HttpRequest,
    project: Any,
    *,
    refused: str = "",
    problems: list[str] | None = None,
    comment: str = "",
) -> dict[str, Any]:
    """The Time page; `refused` names the person-week (`PersonWeek.key`) whose review was
    just refused, to show `problems` and keep the typed `comment` on its card."""
    since = Week.of(timezone.localdate()).monday - timedelta(weeks=APPROVED_WEEKS_SHOWN - 1)
    pending = person_weeks(request.user, project)
    approved = person_weeks(request.user, project, status=EntryStatus.APPROVED, since=since)
    for pw in [*pending, *approved]:
        if pw.key == refused:
            pw.problems, pw.comment = problems or [], comment
    return {
        "project": project,
        "tab": "time",
        "pending": pending,
        "approved": approved,
        "approved_weeks": APPROVED_WEEKS_SHOWN,
        "actual_hours": actual_hours(project),
        **page_flags(request.user, project),
    }


@login_required
@require_GET
@service_errors
def project_time(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_for(request.user, pk, P.APPROVE_TIME)
    return render_page_or_partial(request, TIME, "weeks", _time_context(request, project))


@login_required
@require_POST
@service_errors
def project_time_review(request: HttpRequest, pk: int, week: str, action: str) -> HttpResponse:
    """Approve or reject (with a comment) one person's week in the project."""
    if action not in ("approve", "reject"):
        raise Http404
    project = project_for(request.user, pk, P.APPROVE_TIME)
    the_week = _week(week)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        raise Http404
    data = form.cleaned_data
    key = f"{the_week}-{data['user']}"
    status = 200
    problems: list[str] = []
    try:
        common: dict[str, Any] = {
            "actor": request.user,
            "project": project,
            "user_id": data["user"],
            "week": the_week,
            "entries": data["entry"],
        }
        if action == "approve":
            rows = services.week_approve(**common)
        else:
            rows = services.week_reject(**common, comment=data["comment"])
    except (ValidationFailed, Conflict) as exc:
        status, problems = exc.status, service_messages(exc)
    else:
        person = rows[0].user.display_name
        if action == "approve":
            notice = _("%(name)s's time of %(week)s was approved.")
        else:
            notice = _("%(name)s's time of %(week)s was sent back for correction.")
        messages.success(request, notice % {"name": person, "week": the_week})
    if not request.htmx:  # type: ignore[attr-defined]
        for problem in problems:
            messages.error(request, problem)
        return redirect("tracking:project_time", pk=pk)
    ctx = _time_context(request, project, refused=key, problems=problems, comment=data["comment"])
    return render_partial(request, TIME, "weeks", ctx, status=status)
