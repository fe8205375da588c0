"""Plan pages: the task tree (with inline row edit and quick add under htmx), task detail
with its dependencies, task edit, move, delete and history, milestones, and the goal <-> task
links. Thin: parse a form, call one service, map its refusals with keel.web.forms."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import trigger_client_event

from keel.apps.accounts.models import User
from keel.apps.audit.selectors import history_for
from keel.apps.projects.forms import people_choices, project_for
from keel.apps.projects.models import Project, ScheduleState
from keel.apps.projects.permissions import ProjectAction, can, page_flags
from keel.apps.projects.selectors import goal_get, goals_for
from keel.common.charts import LineChart, Marker, Series, line_chart_svg
from keel.common.errors import Conflict, KeelError
from keel.common.pages import (
    apply_service_errors,
    changes,
    parse_id,
    render_page_or_partial,
    render_partial,
    service_errors,
    service_messages,
)
from keel.engine.milestones import MilestoneStatus

from . import selectors, services
from .forms import (
    BaselineForm,
    ChangeRequestForm,
    DecisionForm,
    DependencyForm,
    GoalTasksForm,
    MoveForm,
    QuickAddForm,
    SavedViewForm,
    TaskEditForm,
    TaskRowForm,
    parent_choices,
    task_edit_initial,
    task_label,
)
from .models import Priority, Task, TaskStatus
from .permissions import can_edit_task, mark_editable, require_task_edit
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
    if action is P.EDIT_TASKS:
        require_task_edit(user, task)
    elif action is not P.VIEW:
        project_for(user, task.project_id, action)
    return task


# ---------------------------------------------------------------- the tree


def _tree_context(
    request: HttpRequest, project: Project, *, add_form: QuickAddForm | None = None
) -> dict[str, Any]:
    tasks = task_tree(request.user, project)
    mark_editable(request.user, project, tasks)
    return {
        "project": project,
        "tab": "tasks",
        "tasks": tasks,
        "add_form": add_form or QuickAddForm(parents=parent_choices(tasks)),
        "schedule": selectors.schedule_status(request.user, project),
        **page_flags(request.user, project),
    }


@login_required
@require_GET
@service_errors
def tree(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_for(request.user, pk)
    return render_page_or_partial(request, TREE, "tree", _tree_context(request, project))


SCHEDULE_STATUS = "planning/_schedule_status.html"


@never_cache
@login_required
@require_GET
@service_errors
def schedule_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The "Recalculating the schedule... N%" notice of the overview and the task tree,
    which polls this while the schedule is queued or running. When it is done, the page
    is told (plan-changed) to reload its dates."""
    project = project_for(request.user, pk)
    status = selectors.schedule_status(request.user, project)
    response = render(request, SCHEDULE_STATUS, {"project": project, "schedule": status})
    if request.htmx and status.state == ScheduleState.CURRENT:  # type: ignore[attr-defined]
        trigger_client_event(response, PLAN_CHANGED)
    return response


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
    task.can_edit = can_edit_task(request.user, task)  # type: ignore[attr-defined]
    ctx = {"task": _with_depth(task), "project": project, **page_flags(request.user, project)}
    ctx.update(extra)
    return ctx


def _manager(request: HttpRequest, task: Task) -> bool:
    return can(request.user, P.EDIT_ANY_TASK, task.project)


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
        form = TaskRowForm(task=task, people=people, manager=_manager(request, task))
        return render_partial(request, TREE, "row_form", _row_context(request, task, form=form))
    form = TaskRowForm(request.POST, task=task, people=people, manager=_manager(request, task))
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
            form = TaskRowForm(
                task=task, people=_row_people(request.user, task), manager=_manager(request, task)
            )
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
    flags["can_edit_tasks"] = can_edit_task(request.user, task)  # this task, for this person
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
        int(back) if parse_id(back) in (dep.predecessor_id, dep.successor_id) else dep.successor_id
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
    return {"people": people, "goals": goals, "manager": _manager(request, task)}


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
    ctx = {
        "task": task,
        "project": task.project,
        "entries": history_for(task, readable=True),
        "tab": "tasks",
    }
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


# ---------------------------------------------------------------- my work


@login_required
@require_GET
def my_work(request: HttpRequest) -> HttpResponse:
    """The person's open tasks across all their projects: what is overdue, blocked, due
    this week, in progress, and coming."""
    work = selectors.my_work(request.user)
    groups = [
        ("overdue", _("Overdue"), work.overdue),
        ("blocked", _("Blocked"), work.blocked),
        ("due_soon", _("Due in the next 7 days"), work.due_soon),
        ("in_progress", _("In progress"), work.in_progress),
        ("upcoming", _("Coming up"), work.upcoming),
    ]
    total = sum(len(tasks) for _key, _label, tasks in groups)
    ctx = {"groups": groups, "total": total, "section": "my_work"}
    return render(request, "planning/my_work.html", ctx)


# ---------------------------------------------------------------- baselines


@login_required
@require_http_methods(["GET", "POST"])
@service_errors
def baselines(request: HttpRequest, pk: int) -> HttpResponse:
    """The saved baselines, a form to save the plan as a new one, and the plan compared with
    the chosen baseline (the primary one unless another is picked)."""
    project = project_for(request.user, pk)
    flags = page_flags(request.user, project)
    form = BaselineForm()
    status = 200
    if request.method == "POST":
        project_for(request.user, pk, P.SAVE_BASELINE)
        form = BaselineForm(request.POST)
        if form.is_valid():
            try:
                saved = services.baseline_save(
                    actor=request.user,  # type: ignore[arg-type]
                    project=project,
                    name=form.cleaned_data["name"],
                    note=form.cleaned_data["note"],
                    primary=form.cleaned_data["primary"],
                )
            except KeelError as exc:
                status = apply_service_errors(form, exc)
            else:
                messages.success(request, _("Saved baseline %(name)s.") % {"name": str(saved)})
                return redirect(reverse("planning:baselines", args=[pk]) + f"?b={saved.pk}")
        else:
            status = 422
    saved_baselines = list(selectors.baselines_for(request.user, project))
    chosen = None
    wanted = request.GET.get("b", "")
    if parse_id(wanted) is not None:
        chosen = next((b for b in saved_baselines if b.pk == parse_id(wanted)), None)
    chosen = chosen or next((b for b in saved_baselines if b.is_primary), None)
    chosen = chosen or (saved_baselines[0] if saved_baselines else None)
    comparison = selectors.baseline_comparison(request.user, chosen) if chosen else None
    only_slipped = request.GET.get("slipped") == "1"
    rows = comparison.rows if comparison else []
    if only_slipped:
        rows = [r for r in rows if r.slipped]
    ctx = {
        "project": project,
        "tab": "baselines",
        "baselines": saved_baselines,
        "chosen": chosen,
        "comparison": comparison,
        "rows": rows,
        "show_cost": bool(chosen and chosen.cost is not None and flags["can_view_finance"]),
        "only_slipped": only_slipped,
        "form": form,
        **flags,
    }
    return render(request, "planning/baselines.html", ctx, status=status)


# ---------------------------------------------------------------- burndown and burnup


@login_required
@require_GET
@service_errors
def burndown(request: HttpRequest, pk: int) -> HttpResponse:
    """Burndown and burnup of the work a milestone waits for (or the whole plan), drawn on
    the server from the tasks' history."""
    project = project_for(request.user, pk)
    milestone_list = list(
        tasks_for(request.user, project, milestone=True).order_by("finish", "wbs_code")
    )
    wanted = request.GET.get("milestone", "")
    milestone = next((m for m in milestone_list if str(m.pk) == wanted), None)
    curves = selectors.progress_curves(request.user, project, milestone=milestone)
    today = selectors.project_today(project)
    markers = [Marker(today, _("Today"))]
    if project.status_date and project.status_date != today:
        markers.append(Marker(project.status_date, _("Status date"), "#f59f00"))
    if curves.target:
        markers.append(Marker(curves.target, _("Target"), "#d63939"))
    unit = _("hours of work")
    down = LineChart(
        title=_("Burndown"),
        y_label=unit,
        series=[
            Series(_("Remaining"), list(zip(curves.days, curves.remaining, strict=True))),
            Series(_("Ideal"), curves.ideal, color="#9aa0ac", dashed=True),
        ],
        markers=markers,
    )
    up = LineChart(
        title=_("Burnup"),
        y_label=unit,
        series=[
            Series(
                _("Completed"), list(zip(curves.days, curves.completed, strict=True)), "#2fb344"
            ),
            Series(_("Scope"), list(zip(curves.days, curves.scope, strict=True)), "#206bc4"),
        ],
        markers=markers,
    )
    ctx = {
        "project": project,
        "tab": "milestones",
        "milestones": milestone_list,
        "milestone": milestone,
        "curves": curves,
        "rows": list(
            zip(curves.days, curves.remaining, curves.completed, curves.scope, strict=True)
        )[::-1],
        "burndown_svg": mark_safe(line_chart_svg(down)),  # noqa: S308  (built by our own code, texts escaped)
        "burnup_svg": mark_safe(line_chart_svg(up)),  # noqa: S308
        **page_flags(request.user, project),
    }
    return render(request, "planning/burndown.html", ctx)


# ---------------------------------------------------------------- change requests


def _cr_tasks(user: Any, project: Project) -> list[tuple[Any, str]]:
    return [(t.pk, task_label(t)) for t in tasks_for(user, project).order_by("wbs_code")]


FIELD_NAMES = {
    "name": _lazy("name"),
    "duration_days": _lazy("duration (working days)"),
    "constraint_type": _lazy("constraint"),
    "constraint_date": _lazy("constraint date"),
    "deadline": _lazy("deadline"),
    "is_milestone": _lazy("milestone"),
}


def _describe_changes(project: Project, ops: list[dict[str, Any]]) -> list[str]:
    """A change request's operations in words, with the tasks' names (one query)."""
    ids = {
        v
        for op in ops
        for k, v in op.items()
        if k in ("task_id", "after_id", "parent_id", "predecessor_id", "successor_id")
        and isinstance(v, int)
    }
    names = dict(Task.objects.filter(project=project, pk__in=ids).values_list("id", "name"))

    def name(pk: Any) -> str:
        return f"“{names.get(pk, '#' + str(pk))}”"

    out: list[str] = []
    for op in ops:
        kind = op.get("op")
        if kind == "update":
            parts = [f"{FIELD_NAMES.get(k, k)} → {v}" for k, v in (op.get("fields") or {}).items()]
            out.append(
                _("Change %(task)s: %(what)s")
                % {"task": name(op.get("task_id")), "what": "; ".join(parts)}
            )
        elif kind == "add":
            text = _("Add the task “%(name)s”, %(days)s working days") % {
                "name": op.get("name", ""),
                "days": op.get("duration_days", 1),
            }
            if op.get("after_id"):
                text += " " + _("after %(task)s") % {"task": name(op["after_id"])}
            out.append(text)
        elif kind == "remove":
            out.append(_("Remove %(task)s and its subtasks") % {"task": name(op.get("task_id"))})
        elif kind == "link":
            out.append(
                _("Link %(a)s → %(b)s (%(type)s, lag %(lag)s)")
                % {
                    "a": name(op.get("predecessor_id")),
                    "b": name(op.get("successor_id")),
                    "type": op.get("type", "FS"),
                    "lag": op.get("lag_days", 0),
                }
            )
        elif kind == "unlink":
            out.append(_("Remove the dependency #%(id)s") % {"id": op.get("dependency_id")})
    return out


@login_required
@require_GET
@service_errors
def change_requests(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_for(request.user, pk)
    rows = list(selectors.change_requests_for(request.user, project))
    for cr in rows:
        recorded = (cr.impact or {}).get("approved") or (cr.impact or {}).get("submitted") or {}
        cr.finish_delta = recorded.get("finish_delta_days")  # type: ignore[attr-defined]
    ctx = {"project": project, "tab": "changes", "rows": rows, **page_flags(request.user, project)}
    return render(request, "planning/change_requests.html", ctx)


@login_required
@require_http_methods(["GET", "POST"])
@service_errors
def change_request_new(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_for(request.user, pk, P.EDIT_TASKS)
    tasks = _cr_tasks(request.user, project)
    form = ChangeRequestForm(tasks=tasks)
    status = 200
    impact = None
    if request.method == "POST":
        form = ChangeRequestForm(request.POST, tasks=tasks)
        status = 422
        if form.is_valid():
            ops = form.changes()
            if not form.errors:
                try:
                    if "preview" in request.POST:
                        impact = services.what_if(
                            actor=request.user,  # type: ignore[arg-type]
                            project=project,
                            changes=ops,
                        )
                        status = 200
                    else:
                        cr = services.change_request_create(
                            actor=request.user,  # type: ignore[arg-type]
                            project=project,
                            title=form.cleaned_data["title"],
                            reason=form.cleaned_data["reason"],
                            cost_delta=form.cleaned_data["cost_delta"] or 0,
                            changes=ops,
                        )
                        messages.success(request, _("Saved %(name)s as a draft.") % {"name": cr})
                        return redirect("planning:change_request", pk=cr.pk)
                except KeelError as exc:
                    status = apply_service_errors(form, exc)
    ctx = {
        "project": project,
        "tab": "changes",
        "form": form,
        "impact": impact,
        **page_flags(request.user, project),
    }
    return render(request, "planning/change_request_form.html", ctx, status=status)


@login_required
@require_http_methods(["GET", "POST"])
@service_errors
def change_request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A request with its changes, the engine's impact (live while it is open, as recorded
    once decided) and the actions the person may take."""
    cr = selectors.change_request_get(request.user, pk)
    project = cr.project
    decision = DecisionForm(initial={"version": cr.version})
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        decision = DecisionForm(request.POST, initial={"version": cr.version})
        actor: User = request.user  # type: ignore[assignment]
        try:
            if not decision.is_valid():
                status = 422
            elif action == "submit":
                services.change_request_submit(
                    actor=actor, cr=cr, version=decision.cleaned_data["version"]
                )
                messages.success(request, _("Submitted for decision."))
                return redirect("planning:change_request", pk=pk)
            elif action == "withdraw":
                services.change_request_withdraw(
                    actor=actor, cr=cr, version=decision.cleaned_data["version"]
                )
                messages.success(request, _("Withdrawn."))
                return redirect("planning:change_request", pk=pk)
            elif action in ("approve", "reject"):
                services.change_request_decide(
                    actor=actor,
                    cr=cr,
                    version=decision.cleaned_data["version"],
                    approve=action == "approve",
                    comment=decision.cleaned_data["comment"],
                    save_baseline=decision.cleaned_data["save_baseline"],
                )
                messages.success(
                    request,
                    _("Approved: the plan was changed.") if action == "approve" else _("Rejected."),
                )
                return redirect("planning:change_request", pk=pk)
            else:
                status = 400
        except KeelError as exc:
            status = apply_service_errors(decision, exc)
        cr = selectors.change_request_get(request.user, pk)
    live = None
    live_error = ""
    if cr.status in ("draft", "submitted") and cr.changes:
        try:
            live = services.what_if(actor=request.user, project=project, changes=cr.changes)  # type: ignore[arg-type]
        except KeelError as exc:
            live_error = "; ".join(str(m) for v in exc.fields.values() for m in v) or str(
                exc.message
            )
    flags = page_flags(request.user, project)
    mine = cr.requested_by_id == request.user.pk
    described = _describe_changes(project, cr.changes)
    ctx = {
        "project": project,
        "tab": "changes",
        "cr": cr,
        "live": live,
        "live_error": live_error,
        "recorded": (cr.impact or {}).get("approved") or (cr.impact or {}).get("submitted"),
        "decision": decision,
        "described": described,
        "can_submit": cr.status == "draft" and (mine or flags["can_edit"]),
        "can_withdraw": cr.status in ("draft", "submitted") and (mine or flags["can_edit"]),
        "can_decide": cr.status == "submitted" and flags["can_edit"],
        **flags,
    }
    return render(request, "planning/change_request.html", ctx, status=status)


# ---------------------------------------------------------------- the task list

LIST_ROWS_SHOWN = 300
LIST_PARAMS = (
    "status",
    "assignee",
    "priority",
    "critical",
    "milestone",
    "overdue",
    "q",
    "sort",
    "dir",
    "group",
)


def _list_query(request: HttpRequest) -> dict[str, str]:
    return {k: request.GET[k] for k in LIST_PARAMS if request.GET.get(k)}


@login_required
@require_http_methods(["GET", "POST"])
@service_errors
def task_list(request: HttpRequest, pk: int) -> HttpResponse:
    """The tasks as a list: filters, sorting, grouping, and saved views (the query string)."""
    project = project_for(request.user, pk)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "delete":
            view = next(
                (
                    v
                    for v in selectors.saved_views_for(request.user, project)
                    if str(v.pk) == request.POST.get("view", "")
                ),
                None,
            )
            if view is None:
                raise Http404()
            services.saved_view_delete(actor=request.user, view=view)  # type: ignore[arg-type]
            messages.success(request, _("The view was deleted."))
            return redirect("planning:list", pk=pk)
        form = SavedViewForm(request.POST)
        if form.is_valid():
            try:
                services.saved_view_save(
                    actor=request.user,  # type: ignore[arg-type]
                    project=project,
                    name=form.cleaned_data["name"],
                    query=form.cleaned_data["query"],
                    shared=form.cleaned_data["shared"],
                )
            except KeelError as exc:
                messages.error(request, " ".join(service_messages(exc)))
            else:
                messages.success(request, _("The view was saved."))
            return redirect(reverse("planning:list", args=[pk]) + "?" + form.cleaned_data["query"])
        messages.error(request, _("Give the view a name."))
        return redirect("planning:list", pk=pk)
    q = _list_query(request)

    def flag(name: str) -> bool | None:
        return {"yes": True, "no": False}.get(q.get(name, ""))

    assignee = q.get("assignee", "")
    sort = q.get("sort", "wbs") if q.get("sort") in selectors.LIST_SORTS else "wbs"
    group = q.get("group", "none") if q.get("group") in selectors.LIST_GROUPS else "none"
    status = q.get("status") if q.get("status") in TaskStatus.values else None
    priority = q.get("priority") if q.get("priority") in Priority.values else None
    groups = selectors.task_list(
        request.user,
        project,
        status=status,
        assignee_id=parse_id(assignee),
        priority=priority,
        critical=flag("critical"),
        milestone=flag("milestone"),
        overdue=q.get("overdue") == "yes",
        search=q.get("q", "")[:200] or None,
        sort=sort,
        descending=q.get("dir") == "desc",
        group=group,
    )
    query = urlencode(q)
    # A 2,000-task plan makes a page of megabytes: show the first rows of each group and a
    # link to all of them.
    shown_all = request.GET.get("all") == "1"
    hidden = 0
    if not shown_all:
        for g in groups:
            hidden += max(0, len(g.tasks) - LIST_ROWS_SHOWN)
            g.tasks = g.tasks[:LIST_ROWS_SHOWN]
    ctx = {
        "project": project,
        "tab": "list",
        "hidden": hidden,
        "groups": groups,
        "count": sum(len(g.tasks) for g in groups) if group == "none" else None,
        "q": q,
        "query": query,
        "people": people_choices(request.user, project.workspace),
        "statuses": TaskStatus.choices,
        "priorities": Priority.choices,
        "sorts": [
            ("wbs", _("WBS")),
            ("name", _("Name")),
            ("start", _("Start")),
            ("finish", _("Finish")),
            ("deadline", _("Deadline")),
            ("priority", _("Priority")),
            ("status", _("Status")),
            ("percent", _("% complete")),
            ("float", _("Total float")),
        ],
        "group_choices": [
            ("none", _("No grouping")),
            ("status", _("Status")),
            ("assignee", _("Assignee")),
            ("summary", _("Summary task")),
            ("priority", _("Priority")),
        ],
        "views": list(selectors.saved_views_for(request.user, project)),
        "view_form": SavedViewForm(initial={"query": query}),
        **page_flags(request.user, project),
    }
    return render(request, "planning/task_list.html", ctx)


# ---------------------------------------------------------------- calendar


@login_required
@require_GET
@service_errors
def calendar_month(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_for(request.user, pk)
    today = selectors.project_today(project)
    wanted = request.GET.get("month", "")
    try:
        year, month = (int(x) for x in wanted.split("-"))
        first = date(year, month, 1)
    except ValueError:
        first = today.replace(day=1)
    if not (1900 <= first.year <= 2999):
        first = today.replace(day=1)
    prev = (first - timedelta(days=1)).replace(day=1)
    nxt = (first + timedelta(days=32)).replace(day=1)
    ctx = {
        "project": project,
        "tab": "calendar",
        "weeks": selectors.month_calendar(request.user, project, first.year, first.month),
        "month": first,
        "prev": prev.strftime("%Y-%m"),
        "next": nxt.strftime("%Y-%m"),
        "this": today.strftime("%Y-%m"),
        "today": today,
        **page_flags(request.user, project),
    }
    return render(request, "planning/calendar.html", ctx)
