"""Reads about people as resources: the workspace's directory, a person's skills, rates and
leave, and the assignments of people to tasks. Each read checks permission and owns its
joins, so the pages built from them run a fixed number of queries however many rows they
show.

Who sees what: workspace owners, admins and members see the directory (names, skills,
capacity, leave, assignments in the projects they can see); cost rates are finance data, seen
only by those who manage resources (owners and admins)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from keel.apps.accounts.models import Workspace, WorkspaceMembership, WorkspaceRole
from keel.apps.accounts.permissions import WorkspaceAction, can_workspace, workspace_role
from keel.apps.accounts.selectors import workspace_require
from keel.apps.planning.models import Task
from keel.apps.projects.models import Project, ProjectMembership
from keel.apps.projects.permissions import ProjectAction, require, visible_projects_q
from keel.common.errors import NotFound, PermissionDenied, ValidationFailed

from .models import Assignment, CostRate, Leave, Resource, ResourceSkill, Skill, TaskSkill

W = WorkspaceAction
HOURS = Decimal("0.01")
MSG_NO_RESOURCE = _("There is no such resource, or you cannot see it.")


# ---------------------------------------------------------------- rights


def can_manage(actor: Any, workspace_id: int) -> bool:
    return can_workspace(actor, W.MANAGE_RESOURCES, workspace_id)


def can_view(actor: Any, workspace_id: int) -> bool:
    return can_workspace(actor, W.VIEW_RESOURCES, workspace_id)


def require_leave_edit(actor: Any, resource: Resource) -> None:
    """Leave is entered by those who manage resources, or by the person for themselves (a
    member of the workspace: guests take no part in its resources)."""
    if workspace_role(actor, resource.workspace_id) is None:
        raise NotFound()
    if (
        resource.user_id is not None
        and resource.user_id == getattr(actor, "pk", None)
        and can_view(actor, resource.workspace_id)
    ):
        return
    if not can_manage(actor, resource.workspace_id):
        raise PermissionDenied()


# ---------------------------------------------------------------- work of an assignment


def work_hours(task: Task, hours_per_day: Decimal, units: Decimal) -> Decimal:
    """An assignment's work: the task's working days at the project's hours per day, at the
    units (percent of a day). Never stored, so duration, units and work always agree."""
    if task.is_milestone:
        return Decimal("0.00")
    return (task.duration_days * hours_per_day * units / 100).quantize(HOURS)


# ---------------------------------------------------------------- the directory


def _resource_qs() -> QuerySet[Resource]:
    return Resource.objects.select_related("user").prefetch_related(
        Prefetch("skills", queryset=ResourceSkill.objects.select_related("skill"))
    )


def resources_for(
    actor: Any,
    workspace: Workspace,
    *,
    search: str | None = None,
    skill_id: int | None = None,
    role: str | None = None,
    active: bool | None = None,
) -> QuerySet[Resource]:
    workspace_require(actor, W.VIEW_RESOURCES, workspace)
    qs = _resource_qs().filter(workspace=workspace)
    if search:
        qs = qs.filter(
            Q(name__icontains=search)
            | Q(email__icontains=search)
            | Q(organisation__icontains=search)
            | Q(user__email__icontains=search)
        )
    if skill_id is not None:
        qs = qs.filter(skills__skill_id=skill_id)
    if role:
        qs = qs.filter(role__iexact=role)
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs.order_by("name", "pk")


def roles_in(workspace: Workspace) -> list[str]:
    """The roles people of the workspace have, for the filter's choices."""
    rows = (
        Resource.objects.filter(workspace=workspace).exclude(role="").values_list("role", flat=True)
    )
    return sorted(set(rows), key=str.casefold)


def resource_get(
    actor: Any, resource_id: int, action: WorkspaceAction = W.VIEW_RESOURCES
) -> Resource:
    resource = _resource_qs().select_related("workspace").filter(pk=resource_id).first()
    if resource is None or workspace_role(actor, resource.workspace_id) is None:
        raise NotFound()
    workspace_require(actor, action, resource.workspace_id)
    return resource


def resource_for_leave(actor: Any, resource_id: int) -> Resource:
    """A resource whose leave the actor may change (their own, or any if they manage)."""
    resource = Resource.objects.select_related("workspace").filter(pk=resource_id).first()
    if resource is None:
        raise NotFound()
    require_leave_edit(actor, resource)
    return resource


def resource_for_leave_view(actor: Any, resource_id: int) -> Resource:
    """A resource of a workspace the actor is in; `leave_for` decides whether they may read
    its leave (their own always)."""
    resource = Resource.objects.select_related("workspace").filter(pk=resource_id).first()
    if resource is None or workspace_role(actor, resource.workspace_id) is None:
        raise NotFound()
    return resource


def resource_in_workspace(resource_id: int, workspace_id: int) -> Resource:
    """The resource named in a request body: unknown ids, and resources of workspaces the
    task is not in, are a field message (the service words the second)."""
    resource = Resource.objects.select_related("user").filter(pk=resource_id).first()
    if resource is None:
        raise ValidationFailed(fields={"resource_id": [MSG_NO_RESOURCE]})
    return resource


def skills_for(actor: Any, workspace: Workspace) -> QuerySet[Skill]:
    workspace_require(actor, W.VIEW_RESOURCES, workspace)
    return Skill.objects.filter(workspace=workspace).order_by("name")


def resource_skills(actor: Any, resource: Resource) -> QuerySet[ResourceSkill]:
    workspace_require(actor, W.VIEW_RESOURCES, resource.workspace_id)
    return ResourceSkill.objects.filter(resource=resource).select_related("skill")


# ---------------------------------------------------------------- rates and leave


def rates_for(actor: Any, resource: Resource) -> QuerySet[CostRate]:
    """Finance data: only for those who manage resources (403 for everyone else)."""
    workspace_require(actor, W.MANAGE_RESOURCES, resource.workspace_id)
    return CostRate.objects.filter(resource=resource).order_by("-effective_from")


def rate_get(actor: Any, rate_id: int) -> CostRate:
    rate = CostRate.objects.select_related("resource__workspace").filter(pk=rate_id).first()
    if rate is None or workspace_role(actor, rate.resource.workspace_id) is None:
        raise NotFound()
    workspace_require(actor, W.MANAGE_RESOURCES, rate.resource.workspace_id)
    return rate


def leave_for(actor: Any, resource: Resource) -> QuerySet[Leave]:
    if resource.user_id is None or resource.user_id != getattr(actor, "pk", None):
        workspace_require(actor, W.VIEW_RESOURCES, resource.workspace_id)
    elif workspace_role(actor, resource.workspace_id) is None:
        raise NotFound()
    return Leave.objects.filter(resource=resource).order_by("-start")


def leave_get(actor: Any, leave_id: int) -> Leave:
    leave = Leave.objects.select_related("resource__workspace").filter(pk=leave_id).first()
    if leave is None:
        raise NotFound()
    require_leave_edit(actor, leave.resource)
    return leave


# ---------------------------------------------------------------- assignments


def _assignment_qs() -> QuerySet[Assignment]:
    return Assignment.objects.select_related("resource__user", "task__project")


def with_work(rows: list[Assignment]) -> list[Assignment]:
    """Set `work_hours` on each assignment (tasks and projects already joined)."""
    for a in rows:
        a.work_hours = work_hours(a.task, a.task.project.hours_per_day, a.units)  # type: ignore[attr-defined]
    return rows


def assignment_get_fresh(assignment_id: int) -> Assignment:
    """An assignment just written by a service, joined for its answer. Internal."""
    return _assignment_qs().get(pk=assignment_id)


def task_assignments(actor: Any, task: Task) -> QuerySet[Assignment]:
    require(actor, ProjectAction.VIEW, task.project)
    return _assignment_qs().filter(task=task).order_by("resource__name", "pk")


def task_skills(actor: Any, task: Task) -> QuerySet[TaskSkill]:
    """The skills the task needs, with their names (everyone who sees the project)."""
    require(actor, ProjectAction.VIEW, task.project)
    return TaskSkill.objects.filter(task=task).select_related("skill").order_by("skill__name")


def task_for(actor: Any, task_id: int, action: ProjectAction = ProjectAction.VIEW) -> Task:
    task = Task.objects.select_related("project__workspace").filter(pk=task_id).first()
    if task is None:
        raise NotFound()
    require(actor, action, task.project)
    return task


def assignment_get(actor: Any, assignment_id: int) -> Assignment:
    row = (
        _assignment_qs().select_related("task__project__workspace").filter(pk=assignment_id).first()
    )
    if row is None:
        raise NotFound()
    require(actor, ProjectAction.VIEW, row.task.project)
    return row


def resource_assignments(actor: Any, resource: Resource) -> QuerySet[Assignment]:
    """The resource's assignments in the projects the actor can see, soonest task first."""
    workspace_require(actor, W.VIEW_RESOURCES, resource.workspace_id)
    visible = Project.objects.filter(visible_projects_q(actor)).values("pk")
    return (
        _assignment_qs()
        .filter(resource=resource, task__project_id__in=visible)
        .order_by("task__start", "task__project__code", "task__wbs_code", "pk")
    )


def project_users_q(project: Project) -> Q:
    """Users who belong to the project: its members, and the workspace's owners and admins
    (who act as its managers), as long as they are in the workspace."""
    in_ws = WorkspaceMembership.objects.filter(workspace_id=project.workspace_id)
    members = ProjectMembership.objects.filter(
        project=project, user_id__in=in_ws.values("user_id")
    ).values("user_id")
    admins = in_ws.filter(role__in=[WorkspaceRole.OWNER, WorkspaceRole.ADMIN]).values("user_id")
    return Q(user_id__in=members) | Q(user_id__in=admins)


def assignable_resources(task: Task) -> QuerySet[Resource]:
    """Active resources of the task's workspace that may go on it: people without an account,
    and account holders who belong to the project."""
    return (
        Resource.objects.select_related("user")
        .filter(workspace_id=task.project.workspace_id, is_active=True)
        .filter(Q(user__isnull=True) | project_users_q(task.project))
        .order_by("name", "pk")
    )


@dataclass
class PersonOnProject:
    resource: Resource
    assignments: list[Assignment] = field(default_factory=list)
    work_hours: Decimal = Decimal("0.00")


def project_people(actor: Any, project: Project) -> list[PersonOnProject]:
    """The people on the project's tasks with their assignments and work, in one query."""
    require(actor, ProjectAction.VIEW, project)
    rows = with_work(
        list(
            _assignment_qs()
            .filter(task__project=project)
            .order_by("resource__name", "resource_id", "task__wbs_code", "pk")
        )
    )
    people: dict[int, PersonOnProject] = {}
    for a in rows:
        person = people.setdefault(a.resource_id, PersonOnProject(resource=a.resource))
        person.assignments.append(a)
        person.work_hours += a.work_hours  # type: ignore[attr-defined]
    return list(people.values())
