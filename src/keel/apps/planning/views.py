"""Plan pages: the task tree (with inline row edit and quick add under htmx), task detail
with its dependencies, task edit, move, delete and history, milestones, and the goal <-> task
links. Thin: parse a form, call one service, map its refusals with keel.web.forms."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import trigger_client_event

from keel.apps.audit.selectors import history_for
from keel.apps.projects.forms import people_choices, project_for
from keel.apps.projects.models import Project
from keel.apps.projects.permissions import ProjectAction, page_flags
from keel.apps.projects.selectors import goal_get, goals_for
from keel.common.errors import Conflict, KeelError
from keel.common.pages import (
    apply_service_errors,
    changes,
    render_page_or_partial,
    render_partial,
    service_errors,
)
from keel.engine.milestones import MilestoneStatus

from . import services
from .forms import (
    DependencyForm,
    GoalTasksForm,
    MoveForm,
    QuickAddForm,
    TaskEditForm,
    TaskRowForm,
    parent_choices,
    task_edit_initial,
    task_label,
)
from .models import Task
from .selectors import dependency_get, milestones_for, task_get, task_tree, tasks_for

P = ProjectAction
TREE = "planning/task_tree.html"
PLAN_CHANGED = "plan-changed"  # the tree reloads itself on this event


def _with_depth(task: Task) -> Task:
    """The outline depth task_tree sets on its rows, for a row rendered on its own."""
    task.depth = task.wbs_code.count(".") if task.wbs_code else 0  # type: ignore[attr-defined]
    return task


def _task(user: Any, pk: int, action: ProjectAction = P.VIEW) -> Task:
    """The task, with its project's refusal (404 unseen, 403 not allowed, or archived)."""
    task = task_get(user, pk)
    if action is not P.VIEW:
        project_for(user, task.project_id, action)
    return task


# ---------------------------------------------------------------- the tree


def _tree_context(
    request: HttpRequest, project: Project, *, add_form: QuickAddForm | None = None
) -> dict[str, Any]:
    tasks = task_tree(request.user, project)
    return {
        "project": project,
        "tab": "tasks",
        "tasks": tasks,
        "add_form": add_form or QuickAddForm(parents=parent_choices(tasks)),
        **page_flags(request.user, project),
    }


@login_required
@require_GET
@service_errors
def tree(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_for(request.user, pk)
    return render_page_or_partial(request, TREE, "tree", _tree_context(request, project))


@login_required
@require_POST
@service_errors
def task_add(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_for(request.user, pk, P.EDIT_TASKS)
    tasks = task_tree(request.user, project)
    form = QuickAddForm(request.POST, parents=parent_choices(tasks))
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        try:
            task = services.task_create(
                actor=request.user,  # type: ignore[arg-type]
                project=project,
                name=data["name"],
                parent_id=data["parent_id"],
                duration_days=data["duration_days"],
                is_milestone=data["is_milestone"],
            )
        except KeelError as exc:
            status = apply_service_errors(form, exc)
        else:
            if not request.htmx:  # type: ignore[attr-defined]
                messages.success(request, _("The task was added."))
                return redirect(reverse("planning:tree", args=[pk]) + f"#task-{task.pk}")
            return render_partial(request, TREE, "tree", _tree_context(request, project))
    ctx = _tree_context(request, project, add_form=form)
    return render_page_or_partial(request, TREE, "tree", ctx, status=status)


def _row_context(request: HttpRequest, task: Task, **extra: Any) -> dict[str, Any]:
    project = task.project
    ctx = {"task": _with_depth(task), "project": project, **page_flags(request.user, project)}
    ctx.update(extra)
    return ctx


def _row_people(user: Any, task: Task) -> list[tuple[Any, str]]:
    people = people_choices(user, task.project.workspace)
    if task.owner_id and task.owner_id not in {pk for pk, _label in people}:
        people.append((task.owner_id, str(task.owner)))
    return people


@login_required
@require_GET
@service_errors
def task_row(request: HttpRequest, pk: int) -> HttpResponse:
    """One row of the tree as shown (the inline edit's Cancel)."""
    task = _task(request.user, pk)
    if not request.htmx:  # type: ignore[attr-defined]
        return redirect("planning:task", pk=pk)
    return render_partial(request, TREE, "row", _row_context(request, task))


@login_required
@require_http_methods(["GET", "POST"])
@service_errors
def task_row_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The inline edit of a tree row: GET gives the row as a form, POST saves it and gives
    the row back (422 with the field errors, 409 with the fresh values when stale)."""
    task = _task(request.user, pk, P.EDIT_TASKS)
    people = _row_people(request.user, task)
    if request.method == "GET":
        if not request.htmx:  # type: ignore[attr-defined]
            return redirect("planning:task_edit", pk=pk)
        form = TaskRowForm(task=task, people=people)
        return render_partial(request, TREE, "row_form", _row_context(request, task, form=form))
    form = TaskRowForm(request.POST, task=task, people=people)
    status = 422
    if form.is_valid():
        try:
            services.task_update(
                actor=request.user,  # type: ignore[arg-type]
                task=task,
                version=form.cleaned_data["version"],
                changes=changes(form),
            )
        except Conflict as exc:
            task = _task(request.user, pk)
            form = TaskRowForm(task=task, people=_row_people(request.user, task))
            status = apply_service_errors(form, exc)
        except KeelError as exc:
            status = apply_service_errors(form, exc)
        else:
            task = _task(request.user, pk)
            if not request.htmx:  # type: ignore[attr-defined]
                return redirect(reverse("planning:tree", args=[task.project_id]) + f"#task-{pk}")
            response = render_partial(request, TREE, "row", _row_context(request, task))
            return trigger_client_event(response, PLAN_CHANGED, after="settle")
    ctx = _row_context(request, task, form=form)
    return render_partial(request, TREE, "row_form", ctx, status=status)


# ---------------------------------------------------------------- one task


def _detail_context(request: HttpRequest, task: Task, **forms: Any) -> dict[str, Any]:
    project = task.project
    flags = page_flags(request.user, project)
    others = [(t.pk, task_label(t)) for t in tasks_for(request.user, project) if t.pk != task.pk]
    ctx: dict[str, Any] = {
        "task": task,
        "project": project,
        "tab": "tasks",
        "predecessors": list(task.predecessor_links.all()),  # prefetched by task_get
        "successors": list(task.successor_links.all()),
        "assignees": list(task.assignees.all()),
        "goals": list(task.goals.all()),
        "predecessor_form": DependencyForm(side="predecessor", tasks=others),
        "successor_form": DependencyForm(side="successor", tasks=others),
        **flags,
    }
    ctx.update(forms)
    return ctx


@login_required
@require_GET
@service_errors
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    task = _task(request.user, pk)
    return render(request, "planning/task_detail.html", _detail_context(request, task))


@login_required
@require_POST
@service_errors
def dependency_add(request: HttpRequest, pk: int, side: str) -> HttpResponse:
    if side not in ("predecessor", "successor"):
        raise Http404
    task = _task(request.user, pk, P.EDIT_TASKS)
    others = [(t.pk, task_label(t)) for t in tasks_for(request.user, task.project) if t.pk != pk]
    form = DependencyForm(request.POST, side=side, tasks=others)
    status = 422
    if form.is_valid():
        other = form.cleaned_data["task_id"]
        pred, succ = (other, pk) if side == "predecessor" else (pk, other)
        try:
            services.dependency_create(
                actor=request.user,  # type: ignore[arg-type]
                project=task.project,
                predecessor_id=pred,
                successor_id=succ,
                type=form.cleaned_data["type"],
                lag_days=form.cleaned_data["lag_days"],
            )
        except KeelError as exc:
            status = apply_service_errors(form, exc)
        else:
            messages.success(request, _("The dependency was added."))
            return redirect("planning:task", pk=pk)
    ctx = _detail_context(request, task, **{f"{side}_form": form})
    return render(request, "planning/task_detail.html", ctx, status=status)


@login_required
@require_POST
@service_errors
def dependency_remove(request: HttpRequest, pk: int) -> HttpResponse:
    dep = dependency_get(request.user, pk)
    project_for(request.user, dep.project_id, P.EDIT_TASKS)
    back = request.POST.get("task", "")
    back_to = (
        int(back)
        if back.isdigit() and int(back) in (dep.predecessor_id, dep.successor_id)
        else dep.successor_id
    )
    services.dependency_delete(actor=request.user, dependency=dep)  # type: ignore[arg-type]
    messages.success(request, _("The dependency was removed."))
    return redirect("planning:task", pk=back_to)


def _edit_people_goals(request: HttpRequest, task: Task) -> dict[str, Any]:
    people = _row_people(request.user, task)
    known = {pk for pk, _label in people}
    for user in task.assignees.all():
        if user.pk not in known:
            people.append((user.pk, str(user)))
    goals = [(g.pk, g.title) for g in goals_for(request.user, task.project)]
    return {"people": people, "goals": goals}


@login_required
@require_http_methods(["GET", "POST"])
@service_errors
def task_edit(request: HttpRequest, pk: int) -> HttpResponse:
    task = _task(request.user, pk, P.EDIT_TASKS)
    choices = _edit_people_goals(request, task)
    status = 200
    if request.method == "POST":
        form = TaskEditForm(request.POST, initial=task_edit_initial(task), **choices)
        if form.is_valid():
            try:
                services.task_update(
                    actor=request.user,  # type: ignore[arg-type]
                    task=task,
                    version=form.cleaned_data["version"],
                    changes=changes(form),
                )
            except Conflict as exc:
                task = _task(request.user, pk)
                form = TaskEditForm(initial=task_edit_initial(task), **choices)
                status = apply_service_errors(form, exc)
            except KeelError as exc:
                status = apply_service_errors(form, exc)
            else:
                messages.success(request, _("The task was saved."))
                return redirect("planning:task", pk=pk)
        else:
            status = 422
    else:
        form = TaskEditForm(initial=task_edit_initial(task), **choices)
    ctx = {"task": task, "project": task.project, "form": form, "tab": "tasks"}
    return render(request, "planning/task_form.html", ctx, status=status)


@login_required
@require_http_methods(["GET", "POST"])
@service_errors
def task_move(request: HttpRequest, pk: int) -> HttpResponse:
    task = _task(request.user, pk, P.EDIT_TASKS)
    parents = parent_choices(task_tree(request.user, task.project), moving=task)
    initial = {"parent_id": task.parent_id, "position": task.position + 1, "version": task.version}
    status = 200
    if request.method == "POST":
        form = MoveForm(request.POST, parents=parents)
        if form.is_valid():
            try:
                services.task_move(
                    actor=request.user,  # type: ignore[arg-type]
                    task=task,
                    parent_id=form.cleaned_data["parent_id"],
                    position=form.cleaned_data["position"] - 1,
                    version=form.cleaned_data["version"],
                )
            except Conflict as exc:
                task = _task(request.user, pk)
                form = MoveForm(
                    initial={
                        "parent_id": task.parent_id,
                        "position": task.position + 1,
                        "version": task.version,
                    },
                    parents=parents,
                )
                status = apply_service_errors(form, exc)
            except KeelError as exc:
                status = apply_service_errors(form, exc)
            else:
                messages.success(request, _("The task was moved."))
                return redirect(reverse("planning:tree", args=[task.project_id]) + f"#task-{pk}")
        else:
            status = 422
    else:
        form = MoveForm(initial=initial, parents=parents)
    ctx = {"task": task, "project": task.project, "form": form, "tab": "tasks"}
    return render(request, "planning/task_move.html", ctx, status=status)


@login_required
@require_http_methods(["GET", "POST"])
@service_errors
def task_delete(request: HttpRequest, pk: int) -> HttpResponse:
    task = _task(request.user, pk, P.DELETE_TASKS)
    project = task.project
    if request.method == "POST":
        services.task_delete(actor=request.user, task=task)  # type: ignore[arg-type]
        messages.success(request, _("The task “%(name)s” was deleted.") % {"name": task.name})
        return redirect("planning:tree", pk=project.pk)
    ctx = {"task": task, "project": project, "tab": "tasks"}
    return render(request, "planning/task_delete.html", ctx)


@login_required
@require_GET
@service_errors
def task_history(request: HttpRequest, pk: int) -> HttpResponse:
    task = _task(request.user, pk)
    ctx = {"task": task, "project": task.project, "entries": history_for(task), "tab": "tasks"}
    return render(request, "planning/task_history.html", ctx)


# ---------------------------------------------------------------- milestones, goal links


@login_required
@require_GET
@service_errors
def milestones(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_for(request.user, pk)
    wanted = request.GET.get("status", "")
    status = wanted if wanted in set(MilestoneStatus) else None
    rows = milestones_for(request.user, project, status=status)
    ctx = {
        "project": project,
        "tab": "milestones",
        "rows": rows,
        "status": status or "",
        **page_flags(request.user, project),
    }
    return render(request, "planning/milestones.html", ctx)


@login_required
@require_http_methods(["GET", "POST"])
@service_errors
def goal_tasks(request: HttpRequest, pk: int) -> HttpResponse:
    goal = goal_get(request.user, pk)
    project = project_for(request.user, goal.project_id, P.EDIT_GOALS)
    choices = [(t.pk, task_label(t)) for t in task_tree(request.user, project)]
    linked = [t.pk for t in goal.tasks.all()]
    status = 200
    if request.method == "POST":
        form = GoalTasksForm(request.POST, tasks=choices)
        if form.is_valid():
            try:
                services.goal_set_tasks(
                    actor=request.user,  # type: ignore[arg-type]
                    goal=goal,
                    task_ids=form.cleaned_data["task_ids"],
                )
            except KeelError as exc:
                status = apply_service_errors(form, exc)
            else:
                messages.success(request, _("The goal's tasks were saved."))
                return redirect("projects:goal", pk=pk)
        else:
            status = 422
    else:
        form = GoalTasksForm(initial={"task_ids": linked}, tasks=choices)
    ctx = {"goal": goal, "project": project, "form": form}
    return render(request, "planning/goal_tasks.html", ctx, status=status)
