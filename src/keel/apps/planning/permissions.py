"""Task-level permission: managers change every task, members the tasks they own or are
assigned to (and the tasks they create, which they own). Project-level rules stay in
keel.apps.projects.permissions."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext_lazy as _

from keel.apps.projects.permissions import ProjectAction, can, require
from keel.common.errors import PermissionDenied

from .models import Task

MSG_NOT_YOUR_TASK = _("You can change only the tasks you own or are assigned to.")


def is_own_task(user: Any, task: Task) -> bool:
    if task.owner_id == user.pk:
        return True
    # Use prefetched assignees when the caller has them (list pages), else one query.
    cache = getattr(task, "_prefetched_objects_cache", {})
    if "assignees" in cache:
        return any(u.pk == user.pk for u in cache["assignees"])
    return task.assignees.filter(pk=user.pk).exists()


def can_edit_task(user: Any, task: Task) -> bool:
    project = task.project
    if can(user, ProjectAction.EDIT_ANY_TASK, project):
        return True
    return can(user, ProjectAction.EDIT_TASKS, project) and is_own_task(user, task)


def mark_editable(user: Any, project: Any, tasks: Iterable[Task]) -> None:
    """Set `can_edit` on tasks of one project (with assignees prefetched), without a query
    per task."""
    every = can(user, ProjectAction.EDIT_ANY_TASK, project)
    own = can(user, ProjectAction.EDIT_TASKS, project)
    for t in tasks:
        t.can_edit = every or (own and is_own_task(user, t))  # type: ignore[attr-defined]


def require_task_edit(user: Any, task: Task) -> None:
    """404 when the project is invisible, 403 when the task is not the person's to change."""
    require(user, ProjectAction.EDIT_TASKS, task.project)
    if not can_edit_task(user, task):
        raise PermissionDenied(MSG_NOT_YOUR_TASK)
