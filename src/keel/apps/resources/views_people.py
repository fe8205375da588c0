"""Pages of the people area: the workspace's directory, a person's page (skills, cost rates,
leave, assignments), the task's assignments partial and a project's people. Thin: parse a
form, call one service, map its refusals."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from keel.apps.projects.forms import people_choices, project_for
from keel.apps.projects.permissions import ProjectAction, can, page_flags
from keel.common.errors import Conflict, KeelError
from keel.common.pages import (
    apply_service_errors,
    changes,
    parse_id,
    render_page_or_partial,
    render_partial,
    service_errors,
)

from . import selectors_people as sel
from . import services_people as svc
from .forms_people import (
    AssignmentForm,
    AssignmentRemoveForm,
    LeaveForm,
    RateForm,
    ResourceForm,
    SkillForm,
    TaskSkillForm,
    rate_initial,
    resource_initial,
)
from .selectors import workspace_for

LIST = "resources/people_list.html"
DETAIL = "resources/people_detail.html"
FORM = "resources/people_form.html"
RATE_FORM = "resources/people_rate_form.html"
PROJECT = "resources/people_project.html"
ASSIGNMENTS = "resources/_task_assignments.html"


# ---------------------------------------------------------------- the directory


@login_required
@require_GET
@service_errors
def people_list(request: HttpRequest, pk: int) -> HttpResponse:
    """The workspace's people, searched and filtered by skill and role."""
    ws = workspace_for(request.user, pk)
    search = request.GET.get("q", "").strip()[:100]
    skill_id = parse_id(request.GET.get("skill"))
    role = request.GET.get("role", "").strip()[:80]
    show = request.GET.get("show", "active")
    active = {"active": True, "inactive": False}.get(show)
    rows = sel.resources_for(
        request.user, ws, search=search or None, skill_id=skill_id, role=role or None, active=active
    )
    ctx = {
        "workspace": ws,
        "people": list(rows),
        "skills": list(sel.skills_for(request.user, ws)),
        "roles": sel.roles_in(ws),
        "q": search,
        "skill_id": skill_id,
        "role": role,
        "show": show,
        "can_manage": sel.can_manage(request.user, ws.pk),
    }
    return render_page_or_partial(request, LIST, "rows", ctx)


@login_required
@require_http_methods(["GET", "POST"])
@service_errors
def person_create(request: HttpRequest, pk: int) -> HttpResponse:
    ws = workspace_for(request.user, pk, sel.W.MANAGE_RESOURCES)
    people = people_choices(request.user, ws)
    form = ResourceForm(people=people)
    status = 200
    if request.method == "POST":
        form = ResourceForm(request.POST, people=people)
        status = 422
        if form.is_valid():
            fields = {k: v for k, v in form.cleaned_data.items() if k != "version"}
            try:
                resource = svc.resource_create(actor=request.user, workspace=ws, **fields)  # type: ignore[arg-type]
            except KeelError as exc:
                status = apply_service_errors(form, exc)
            else:
                messages.success(request, _("%(name)s was added.") % {"name": resource.name})
                return redirect("resources:person", pk=resource.pk)
    ctx = {"workspace": ws, "form": form, "resource": None}
    return render(request, FORM, ctx, status=status)


def _detail_context(request: HttpRequest, resource: Any, **forms: Any) -> dict[str, Any]:
    actor: Any = request.user
    manage = sel.can_manage(actor, resource.workspace_id)
    own = resource.user_id is not None and resource.user_id == actor.pk
    return {
        "workspace": resource.workspace,
        "resource": resource,
        "skills": list(resource.skills.all()),
        "rates": list(sel.rates_for(actor, resource)) if manage else None,
        "leave": list(sel.leave_for(actor, resource)),
        "assignments": sel.with_work(list(sel.resource_assignments(actor, resource))),
        "can_manage": manage,
        "can_edit_leave": manage or own,
        "skill_form": forms.get("skill_form") or SkillForm(),
        "rate_form": forms.get("rate_form") or RateForm(),
        "leave_form": forms.get("leave_form") or LeaveForm(),
    }


@login_required
@require_GET
@service_errors
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    resource = sel.resource_get(request.user, pk)
    return render(request, DETAIL, _detail_context(request, resource))


@login_required
@require_http_methods(["GET", "POST"])
@service_errors
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    resource = sel.resource_get(request.user, pk, sel.W.MANAGE_RESOURCES)
    people = people_choices(request.user, resource.workspace)
    form = ResourceForm(initial=resource_initial(resource), people=people)
    status = 200
    if request.method == "POST":
        form = ResourceForm(request.POST, initial=resource_initial(resource), people=people)
        status = 422
        if form.is_valid():
            try:
                svc.resource_update(
                    actor=request.user,  # type: ignore[arg-type]
                    resource=resource,
                    version=form.cleaned_data["version"] or 0,
                    changes=changes(form),
                )
            except Conflict as exc:
                resource = sel.resource_get(request.user, pk, sel.W.MANAGE_RESOURCES)
                form = ResourceForm(initial=resource_initial(resource), people=people)
                status = apply_service_errors(form, exc)
            except KeelError as exc:
                status = apply_service_errors(form, exc)
            else:
                messages.success(request, _("The changes were saved."))
                return redirect("resources:person", pk=pk)
    ctx = {"workspace": resource.workspace, "form": form, "resource": resource}
    return render(request, FORM, ctx, status=status)


@login_required
@require_POST
@service_errors
def person_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    resource = sel.resource_get(request.user, pk, sel.W.MANAGE_RESOURCES)
    try:
        svc.resource_deactivate(
            actor=request.user,  # type: ignore[arg-type]
            resource=resource,
            version=parse_id(request.POST.get("version")) or 0,
        )
    except Conflict as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("%(name)s was deactivated.") % {"name": resource.name})
    return redirect("resources:person", pk=pk)


# ---------------------------------------------------------------- skills, rates, leave


def _refused(request: HttpRequest, resource: Any, status: int, **forms: Any) -> HttpResponse:
    return render(request, DETAIL, _detail_context(request, resource, **forms), status=status)


@login_required
@require_POST
@service_errors
def person_skill_set(request: HttpRequest, pk: int) -> HttpResponse:
    resource = sel.resource_get(request.user, pk, sel.W.MANAGE_RESOURCES)
    form = SkillForm(request.POST)
    if form.is_valid():
        try:
            svc.resource_skill_set(
                actor=request.user,  # type: ignore[arg-type]
                resource=resource,
                name=form.cleaned_data["name"],
                level=form.cleaned_data["level"],
            )
        except KeelError as exc:
            return _refused(request, resource, apply_service_errors(form, exc), skill_form=form)
        return redirect("resources:person", pk=pk)
    return _refused(request, resource, 422, skill_form=form)


@login_required
@require_POST
@service_errors
def person_skill_remove(request: HttpRequest, pk: int, skill_pk: int) -> HttpResponse:
    resource = sel.resource_get(request.user, pk, sel.W.MANAGE_RESOURCES)
    svc.resource_skill_remove(actor=request.user, resource=resource, skill_id=skill_pk)  # type: ignore[arg-type]
    return redirect("resources:person", pk=pk)


@login_required
@require_POST
@service_errors
def person_rate_add(request: HttpRequest, pk: int) -> HttpResponse:
    resource = sel.resource_get(request.user, pk, sel.W.MANAGE_RESOURCES)
    form = RateForm(request.POST)
    if form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            svc.rate_create(actor=request.user, resource=resource, **data)  # type: ignore[arg-type]
        except KeelError as exc:
            return _refused(request, resource, apply_service_errors(form, exc), rate_form=form)
        return redirect("resources:person", pk=pk)
    return _refused(request, resource, 422, rate_form=form)


@login_required
@require_http_methods(["GET", "POST"])
@service_errors
def rate_edit(request: HttpRequest, pk: int) -> HttpResponse:
    rate = sel.rate_get(request.user, pk)
    form = RateForm(initial=rate_initial(rate))
    status = 200
    if request.method == "POST":
        form = RateForm(request.POST, initial=rate_initial(rate))
        status = 422
        if form.is_valid():
            try:
                svc.rate_update(
                    actor=request.user,  # type: ignore[arg-type]
                    rate=rate,
                    version=form.cleaned_data["version"] or 0,
                    changes=changes(form),
                )
            except Conflict as exc:
                rate = sel.rate_get(request.user, pk)
                form = RateForm(initial=rate_initial(rate))
                status = apply_service_errors(form, exc)
            except KeelError as exc:
                status = apply_service_errors(form, exc)
            else:
                return redirect("resources:person", pk=rate.resource_id)
    ctx = {"rate": rate, "resource": rate.resource, "form": form}
    return render(request, RATE_FORM, ctx, status=status)


@login_required
@require_POST
@service_errors
def rate_delete(request: HttpRequest, pk: int) -> HttpResponse:
    rate = sel.rate_get(request.user, pk)
    try:
        svc.rate_delete(
            actor=request.user,  # type: ignore[arg-type]
            rate=rate,
            version=parse_id(request.POST.get("version")) or 0,
        )
    except Conflict as exc:
        messages.error(request, str(exc.message))
    return redirect("resources:person", pk=rate.resource_id)


@login_required
@require_POST
@service_errors
def person_leave_add(request: HttpRequest, pk: int) -> HttpResponse:
    resource = sel.resource_for_leave(request.user, pk)
    form = LeaveForm(request.POST)
    if form.is_valid():
        try:
            svc.leave_create(actor=request.user, resource=resource, **form.cleaned_data)  # type: ignore[arg-type]
        except KeelError as exc:
            status = apply_service_errors(form, exc)
        else:
            return redirect("resources:person", pk=pk)
    else:
        status = 422
    if not sel.can_view(request.user, resource.workspace_id):
        raise Http404  # a guest entering their own leave has no person page to go back to
    return _refused(request, sel.resource_get(request.user, pk), status, leave_form=form)


@login_required
@require_POST
@service_errors
def leave_delete(request: HttpRequest, pk: int) -> HttpResponse:
    leave = sel.leave_get(request.user, pk)
    try:
        svc.leave_delete(
            actor=request.user,  # type: ignore[arg-type]
            leave=leave,
            version=parse_id(request.POST.get("version")) or 0,
        )
    except Conflict as exc:
        messages.error(request, str(exc.message))
    return redirect("resources:person", pk=leave.resource_id)


# ---------------------------------------------------------------- assignments


def _assignments_context(
    request: HttpRequest, task: Any, form: AssignmentForm | None = None, **extra: Any
) -> dict[str, Any]:
    actor: Any = request.user
    rows = sel.with_work(list(sel.task_assignments(actor, task)))
    may_assign = can(actor, ProjectAction.ASSIGN_RESOURCES, task.project)
    on_task = {a.resource_id for a in rows}
    choices = (
        [(r.pk, r.name) for r in sel.assignable_resources(task) if r.pk not in on_task]
        if may_assign
        else []
    )
    needs = list(sel.task_skills(actor, task))
    needed = {n.skill_id for n in needs}
    return {
        "task": task,
        "assignments": rows,
        "needs": needs,
        "skill_choices": [
            (s.pk, s.name)
            for s in sel.skills_for(actor, task.project.workspace)
            if s.pk not in needed
        ]
        if may_assign
        else [],
        "can_assign": may_assign,
        "form": form or AssignmentForm(resources=choices),
        "choices": choices,
        **extra,
    }


@login_required
@require_http_methods(["GET", "POST"])
@service_errors
def task_assignments(request: HttpRequest, pk: int) -> HttpResponse:
    """The task's assignments: GET renders them; POST adds one, changes one's units or work
    (`assignment` + `version`) or removes one (`remove`). Answers htmx with the partial, a
    plain form post with the whole page of the task."""
    actor: Any = request.user
    task = sel.task_for(actor, pk)
    if request.method == "GET":
        return _render_assignments(request, task, _assignments_context(request, task))
    project_for(actor, task.project_id, ProjectAction.ASSIGN_RESOURCES)
    if "remove" in request.POST:
        return _remove_assignment(request, task)
    ctx = _assignments_context(request, task)
    form = AssignmentForm(request.POST, resources=ctx["choices"])
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["assignment"]:
                row = sel.assignment_get(actor, data["assignment"])
                if row.task_id != task.pk:
                    raise Http404
                # A row shows the current units in its field: typed work replaces them.
                svc.assignment_update(
                    actor=actor,
                    assignment=row,
                    version=data["version"] or 0,
                    units=None if data["work_hours"] is not None else data["units"],
                    work_hours=data["work_hours"],
                )
            else:
                resource = sel.resource_in_workspace(data["resource"], task.project.workspace_id)
                svc.assignment_set(
                    actor=actor,
                    task=task,
                    resource=resource,
                    units=data["units"],
                    work_hours=data["work_hours"],
                )
        except KeelError as exc:
            status = apply_service_errors(form, exc)
        else:
            if not getattr(request, "htmx", False):
                return redirect("planning:task", pk=task.pk)
            return _render_assignments(request, task, _assignments_context(request, task))
    if not getattr(request, "htmx", False):
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect("planning:task", pk=task.pk)
    return _render_assignments(request, task, _assignments_context(request, task, form), status)


@login_required
@require_POST
@service_errors
def task_skills(request: HttpRequest, pk: int) -> HttpResponse:
    """Add (`skill` + `min_level`) or remove (`remove` + `skill`) a skill the task needs;
    answers like the assignments (the partial to htmx, the task page otherwise)."""
    actor: Any = request.user
    task = sel.task_for(actor, pk)
    project_for(actor, task.project_id, ProjectAction.ASSIGN_RESOURCES)
    form = TaskSkillForm(request.POST)
    problem = ""
    if not form.is_valid():
        problem = " ".join(str(e) for errs in form.errors.values() for e in errs)
    else:
        data = form.cleaned_data
        try:
            if data["remove"]:
                svc.task_skill_remove(actor=actor, task=task, skill_id=data["skill"])
            else:
                svc.task_skill_set(
                    actor=actor, task=task, skill_id=data["skill"], min_level=data["min_level"]
                )
        except KeelError as exc:
            fields = getattr(exc, "fields", None) or {}
            problem = " ".join(str(m) for msgs in fields.values() for m in msgs) or str(exc)
    if not getattr(request, "htmx", False):
        if problem:
            messages.error(request, problem)
        return redirect("planning:task", pk=task.pk)
    ctx = _assignments_context(request, task, problem=problem)
    return _render_assignments(request, task, ctx, 422 if problem else 200)


def _remove_assignment(request: HttpRequest, task: Any) -> HttpResponse:
    actor: Any = request.user
    form = AssignmentRemoveForm(request.POST)
    if not form.is_valid():
        raise Http404
    row = sel.assignment_get(actor, form.cleaned_data["assignment"])
    if row.task_id != task.pk:
        raise Http404
    problem = ""
    try:
        svc.assignment_remove(actor=actor, assignment=row, version=form.cleaned_data["version"])
    except Conflict as exc:
        problem = str(exc.message)
    if not getattr(request, "htmx", False):
        if problem:
            messages.error(request, problem)
        return redirect("planning:task", pk=task.pk)
    ctx = _assignments_context(request, task, problem=problem)
    return _render_assignments(request, task, ctx, 409 if problem else 200)


def _render_assignments(
    request: HttpRequest, task: Any, ctx: dict[str, Any], status: int = 200
) -> HttpResponse:
    return render_partial(request, ASSIGNMENTS, "assignments", ctx, status=status)


@login_required
@require_GET
@service_errors
def project_people(request: HttpRequest, pk: int) -> HttpResponse:
    """The people on the project's tasks, with their assignments, units and work."""
    project = project_for(request.user, pk)
    ctx = {
        "project": project,
        "tab": "resources",
        "people": sel.project_people(request.user, project),
        **page_flags(request.user, project),
    }
    return render(request, PROJECT, ctx)
