"""Signals from other apps, turned into service calls.

Assignments: planning's services change a task's assignees with `task.assignees.set(...)`
(and the admin or a future import may use `add`). Django's `m2m_changed` reports every such
change, with only the people actually added, from whichever path made it, so listening to it
needs no change to planning and misses none. It runs inside the change's transaction: if
the change is rolled back, so are its notifications (and no e-mail is queued, as e-mails are
queued on commit). The person who made the change is the one the audit trail records
(simple_history's request context: set for pages and the API by its middleware and by
`keel.apps.audit.context.acting_as` for the CLI and workers); they are not told about their
own action. A listener registry in planning (like projects.services.on_schedule_inputs_changed)
would name the actor explicitly, but would need every writing path in planning to call it."""

from __future__ import annotations

import logging
from typing import Any

from django.db import DatabaseError
from simple_history.models import HistoricalRecords

from keel.apps.planning.models import Task

from . import services

logger = logging.getLogger(__name__)


def current_actor() -> Any:
    """The signed-in person the current change is attributed to, or None."""
    request = getattr(HistoricalRecords.context, "request", None)
    user = getattr(request, "user", None)
    return user if getattr(user, "is_authenticated", False) else None


def assignees_changed(
    sender: Any, instance: Any, action: str, reverse: bool, pk_set: set[int] | None, **kwargs: Any
) -> None:
    if action != "post_add" or not pk_set:
        return
    actor = current_actor()
    if reverse:  # user.assigned_tasks.add(task, ...): one person, several tasks
        for task in Task.objects.select_related("project").filter(pk__in=pk_set):
            services.task_assigned(task=task, user_ids=[instance.pk], actor=actor)
    else:
        services.task_assigned(task=instance, user_ids=pk_set, actor=actor)


def start_daily_run(sender: Any, **kwargs: Any) -> None:
    """After `migrate`: make sure the daily run is queued (nothing when it is)."""
    try:
        services.daily_run_schedule()
    except DatabaseError:  # the task queue's tables are not there yet (a partial migrate)
        logger.warning("The daily alerts run could not be queued; run `keel alerts schedule`.")
