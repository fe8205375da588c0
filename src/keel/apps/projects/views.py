"""Project pages: the list, create and edit (with the working calendar), archive, members,
history, and goals. The overview page, which also shows the plan, is keel.web's
(`web:project_overview`): it reads planning, which this app must not import."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from keel.apps.accounts.permissions import WorkspaceAction, can_workspace
from keel.apps.accounts.selectors import workspaces_for, workspaces_with_roles
from keel.apps.audit.selectors import history_for
from keel.common.errors import Conflict, KeelError, ValidationFailed
from keel.common.pages import (
    apply_service_errors,
    changes,
    parse_id,
    render_page_or_partial,
    service_errors,
    service_messages,
)

from . import services
from .forms import (
    ArchiveForm,
    CalendarExceptionForm,
    FilterForm,
    GoalEditForm,
    GoalForm,
    ProjectCreateForm,
    ProjectEditForm,
    ProjectMemberAddForm,
    ProjectMemberRoleForm,
    goal_initial,
    people_choices,
    person_label,
    project_for,
    project_initial,
    workspace_people,
)
from .models import Project
from .permissions import ProjectAction, page_flags
from .selectors import goal_get, project_members, project_membership_get, projects_for

P = ProjectAction


def _creatable_workspaces(user: Any) -> list[tuple[int, str]]:
    return [
        (ws.pk, ws.name)
        for ws in workspaces_with_roles(user)
        if can_workspace(user, WorkspaceAction.CREATE_PROJECT, ws)
    ]


# ---------------------------------------------------------------- list, create, edit


@login_required
@service_errors
def project_list(request: HttpRequest) -> HttpResponse:
    filters = FilterForm(request.GET or None)
    projects = list(projects_for(request.user, **filters.filters()))
    ctx = {
        "projects": projects,
        "filters": filters,
        "can_create": bool(_creatable_workspaces(request.user)),
    }
    return render_page_or_partial(request, "projects/project_list.html", "results", ctx)


@login_required
@require_http_methods(["GET", "POST"])
@service_errors
def project_create(request: HttpRequest) -> HttpResponse:
    workspaces = _creatable_workspaces(request.user)
    status = 200
    if request.method == "POST":
        form = ProjectCreateForm(request.POST, workspaces=workspaces)
        if form.is_valid():
            data = form.cleaned_data
            workspace = next(
                ws for ws in workspaces_for(request.user) if ws.pk == data["workspace"]
            )
            try:
                project = services.project_create(
                    actor=request.user,  # type: ignore[arg-type]
                    workspace=workspace,
                    code=data["code"],
                    name=data["name"],
                    description=data["description"],
                    phase=data["phase"],
                    start_date=data["start_date"],
                    target_finish=data["target_finish"],
                    timezone_name=data["timezone"],
                    currency=data["currency"],
                    working_weekdays=data["working_weekdays"],
                    hours_per_day=data["hours_per_day"],
                    holiday_country=data["holiday_country"],
                    status_date=data["status_date"],
                )
            except KeelError as exc:
                status = apply_service_errors(form, exc)
            else:
                messages.success(request, _("The project was created."))
                return redirect("web:project_overview", pk=project.pk)
        else:
            status = 422
    else:
        initial: dict[str, Any] = {"timezone": getattr(request.user, "timezone", "UTC")}
        wanted = request.GET.get("workspace", "")
        if parse_id(wanted) is not None:
            initial["workspace"] = parse_id(wanted)
        form = ProjectCreateForm(initial=initial, workspaces=workspaces)
    return render(
        request,
        "projects/project_form.html",
        {"form": form, "no_workspace": not workspaces},
        status=status,
    )


def _edit_context(request: HttpRequest, project: Project, **extra: Any) -> dict[str, Any]:
    ctx: dict[str, Any] = {
        "project": project,
        "tab": "settings",
        # Read through the project already checked by project_for; there is no selector for
        # calendar exceptions yet.
        "exceptions": list(project.calendar_exceptions.all()),
        "exception_form": CalendarExceptionForm(),
        "archive_form": ArchiveForm(
            initial={"archived": not project.is_archived, "version": project.version}
        ),
        **page_flags(request.user, project),
    }
    ctx.update(extra)
    return ctx


@login_required
@require_http_methods(["GET", "POST"])
@service_errors
def project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_for(request.user, pk, P.EDIT)
    status = 200
    if request.method == "POST":
        form = ProjectEditForm(request.POST, initial=project_initial(project))
        if form.is_valid():
            try:
                services.project_update(
                    actor=request.user,  # type: ignore[arg-type]
                    project=project,
                    version=form.cleaned_data["version"],
                    changes=changes(form),
                )
            except Conflict as exc:
                project = project_for(request.user, pk, P.EDIT)
                form = ProjectEditForm(initial=project_initial(project))
                status = apply_service_errors(form, exc)
            except KeelError as exc:
                status = apply_service_errors(form, exc)
            else:
                messages.success(request, _("The project was saved."))
                return redirect("web:project_overview", pk=pk)
        else:
            status = 422
    else:
        form = ProjectEditForm(initial=project_initial(project))
    return render(
        request,
        "projects/project_edit.html",
        _edit_context(request, project, form=form),
        status=status,
    )


@login_required
@require_POST
@service_errors
def project_archive(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_for(request.user, pk, P.ARCHIVE)
    form = ArchiveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The form was incomplete; please try again."))
        return redirect("web:project_overview", pk=pk)
    archived = form.cleaned_data["archived"]
    try:
        services.project_archive(
            actor=request.user,  # type: ignore[arg-type]
            project=project,
            version=form.cleaned_data["version"],
            archived=archived,
        )
    except (ValidationFailed, Conflict) as exc:
        for message in service_messages(exc):
            messages.error(request, message)
        return redirect("web:project_overview", pk=pk)
    messages.success(
        request, _("The project was archived.") if archived else _("The project was restored.")
    )
    return redirect("web:project_overview", pk=pk)


@login_required
@require_POST
@service_errors
def calendar_exception_add(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_for(request.user, pk, P.EDIT)
    form = CalendarExceptionForm(request.POST)
    status = 422
    if form.is_valid():
        try:
            services.calendar_exception_set(
                actor=request.user,  # type: ignore[arg-type]
                project=project,
                day=form.cleaned_data["day"],
                kind=form.cleaned_data["kind"],
                name=form.cleaned_data["name"],
            )
        except KeelError as exc:
            status = apply_service_errors(form, exc)
        else:
            messages.success(request, _("The calendar exception was saved."))
            return redirect("projects:edit", pk=pk)
    edit_form = ProjectEditForm(initial=project_initial(project))
    ctx = _edit_context(request, project, form=edit_form, exception_form=form)
    return render(request, "projects/project_edit.html", ctx, status=status)


@login_required
@require_POST
@service_errors
def calendar_exception_remove(request: HttpRequest, pk: int, exception_pk: int) -> HttpResponse:
    project = project_for(request.user, pk, P.EDIT)
    exception = project.calendar_exceptions.filter(pk=exception_pk).first()
    if exception is None:
        raise Http404
    services.calendar_exception_remove(actor=request.user, exception=exception)  # type: ignore[arg-type]
    messages.success(request, _("The calendar exception was removed."))
    return redirect("projects:edit", pk=pk)


# ---------------------------------------------------------------- members


def _members_context(request: HttpRequest, project: Project, **extra: Any) -> dict[str, Any]:
    user = request.user
    memberships = list(project_members(user, project))
    taken = {m.user_id for m in memberships}
    flags = page_flags(user, project)
    people = [
        (pk, label) for pk, label in people_choices(user, project.workspace) if pk not in taken
    ]
    rows = [
        {
            "membership": m,
            "form": ProjectMemberRoleForm(
                initial={"role": m.role, "version": m.version}, auto_id=f"id_pm{m.pk}_%s"
            ),
        }
        for m in memberships
    ]
    ctx: dict[str, Any] = {
        "project": project,
        "tab": "members",
        "rows": rows,
        "add_form": ProjectMemberAddForm(people=people),
        "has_people": bool(people),
        **flags,
    }
    ctx.update(extra)
    return ctx


@login_required
@service_errors
def project_members_view(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_for(request.user, pk)
    return render(request, "projects/members.html", _members_context(request, project))


def _members_refused(request: HttpRequest, project: Project, exc: KeelError) -> HttpResponse:
    for message in service_messages(exc):
        messages.error(request, message)
    return render(
        request, "projects/members.html", _members_context(request, project), status=exc.status
    )


@login_required
@require_POST
@service_errors
def project_member_add(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_for(request.user, pk, P.MANAGE_MEMBERS)
    candidates = {m.user_id: m.user for m in workspace_people(request.user, project.workspace)}
    form = ProjectMemberAddForm(
        request.POST, people=[(id_, person_label(u)) for id_, u in candidates.items()]
    )
    status = 422
    if form.is_valid():
        try:
            services.project_member_add(
                actor=request.user,  # type: ignore[arg-type]
                project=project,
                user_id=form.cleaned_data["user_id"],
                role=form.cleaned_data["role"],
            )
        except KeelError as exc:
            status = apply_service_errors(form, exc)
        else:
            messages.success(request, _("The member was added."))
            return redirect("projects:members", pk=pk)
    ctx = _members_context(request, project, add_form=form)
    return render(request, "projects/members.html", ctx, status=status)


@login_required
@require_POST
@service_errors
def project_member_role(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    project = project_for(request.user, pk, P.MANAGE_MEMBERS)
    membership = project_membership_get(request.user, project, member_pk)
    form = ProjectMemberRoleForm(request.POST)
    if not form.is_valid():
        return _members_refused(request, project, ValidationFailed(_("Choose a role.")))
    try:
        services.project_member_update(
            actor=request.user,  # type: ignore[arg-type]
            membership=membership,
            role=form.cleaned_data["role"],
            version=form.cleaned_data["version"],
        )
    except (ValidationFailed, Conflict) as exc:
        return _members_refused(request, project, exc)
    messages.success(
        request, _("%(name)s's role was changed.") % {"name": membership.user.display_name}
    )
    return redirect("projects:members", pk=pk)


@login_required
@require_POST
@service_errors
def project_member_remove(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    project = project_for(request.user, pk, P.MANAGE_MEMBERS)
    membership = project_membership_get(request.user, project, member_pk)
    try:
        services.project_member_remove(actor=request.user, membership=membership)  # type: ignore[arg-type]
    except (ValidationFailed, Conflict) as exc:
        return _members_refused(request, project, exc)
    messages.success(request, _("The member was removed."))
    return redirect("projects:members", pk=pk)


# ---------------------------------------------------------------- history


@login_required
@service_errors
def project_history(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_for(request.user, pk)
    ctx = {
        "project": project,
        "tab": "history",
        "entries": history_for(project, readable=True),
        **page_flags(request.user, project),
    }
    return render(request, "projects/history.html", ctx)


# ---------------------------------------------------------------- goals


@login_required
@require_http_methods(["GET", "POST"])
@service_errors
def goal_create(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_for(request.user, pk, P.EDIT_GOALS)
    people = people_choices(request.user, project.workspace)
    status = 200
    if request.method == "POST":
        form = GoalForm(request.POST, people=people)
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                goal = services.goal_create(
                    actor=request.user,  # type: ignore[arg-type]
                    project=project,
                    title=data.pop("title"),
                    **data,
                )
            except KeelError as exc:
                status = apply_service_errors(form, exc)
            else:
                messages.success(request, _("The goal was created."))
                return redirect("projects:goal", pk=goal.pk)
        else:
            status = 422
    else:
        form = GoalForm(people=people)
    ctx = {"project": project, "form": form, "goal": None}
    return render(request, "projects/goal_form.html", ctx, status=status)


@login_required
@service_errors
def goal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    goal = goal_get(request.user, pk)
    project = goal.project
    ctx = {
        "goal": goal,
        "project": project,
        "tasks": list(goal.tasks.all()),  # prefetched by goal_get
        "entries": history_for(goal, readable=True),
        **page_flags(request.user, project),
    }
    return render(request, "projects/goal_detail.html", ctx)


def _people_with(user: Any, project: Project, goal: Any) -> list[tuple[Any, str]]:
    people = people_choices(user, project.workspace)
    if goal.owner_id and goal.owner_id not in {pk for pk, _label in people}:
        people.append((goal.owner_id, str(goal.owner)))
    return people


@login_required
@require_http_methods(["GET", "POST"])
@service_errors
def goal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    goal = goal_get(request.user, pk)
    project = project_for(request.user, goal.project_id, P.EDIT_GOALS)
    people = _people_with(request.user, project, goal)
    status = 200
    if request.method == "POST":
        form = GoalEditForm(request.POST, initial=goal_initial(goal), people=people)
        if form.is_valid():
            try:
                services.goal_update(
                    actor=request.user,  # type: ignore[arg-type]
                    goal=goal,
                    version=form.cleaned_data["version"],
                    changes=changes(form),
                )
            except Conflict as exc:
                goal = goal_get(request.user, pk)
                form = GoalEditForm(initial=goal_initial(goal), people=people)
                status = apply_service_errors(form, exc)
            except KeelError as exc:
                status = apply_service_errors(form, exc)
            else:
                messages.success(request, _("The goal was saved."))
                return redirect("projects:goal", pk=pk)
        else:
            status = 422
    else:
        form = GoalEditForm(initial=goal_initial(goal), people=people)
    ctx = {"project": project, "form": form, "goal": goal}
    return render(request, "projects/goal_form.html", ctx, status=status)


@login_required
@require_http_methods(["GET", "POST"])
@service_errors
def goal_delete(request: HttpRequest, pk: int) -> HttpResponse:
    goal = goal_get(request.user, pk)
    project = project_for(request.user, goal.project_id, P.EDIT_GOALS)
    if request.method == "POST":
        services.goal_delete(actor=request.user, goal=goal)  # type: ignore[arg-type]
        messages.success(request, _("The goal was deleted."))
        return redirect("web:project_overview", pk=project.pk)
    return render(request, "projects/goal_delete.html", {"goal": goal, "project": project})
