"""Assignments follow Task.assignees changed anywhere else (planning's task forms and API,
the admin): an added user gets a full-time assignment, a removed one loses theirs. The
people services change the assignees themselves while marked as syncing, and are skipped
here, so the two directions never chase each other."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import m2m_changed
from django.dispatch import receiver

from keel.apps.planning.models import Task

from . import services_people

_CLEARED = "_keel_assignees_cleared"


def _pairs(instance: Any, reverse: bool, ids: Any) -> list[tuple[int, int]]:
    """(task id, user id) pairs, whichever side of the relation was changed."""
    if reverse:  # user.assigned_tasks.add(task, ...)
        return [(task_id, instance.pk) for task_id in ids]
    return [(instance.pk, user_id) for user_id in ids]


@receiver(m2m_changed, sender=Task.assignees.through, dispatch_uid="resources_follow_assignees")
def follow_assignees(
    sender: Any, instance: Any, action: str, reverse: bool, pk_set: Any, **kwargs: Any
) -> None:
    if services_people.syncing():
        return
    if action == "pre_clear":
        # A clear names nobody; remember who goes before they are gone.
        through = Task.assignees.through.objects
        if reverse:
            ids = list(through.filter(user_id=instance.pk).values_list("task_id", flat=True))
        else:
            ids = list(through.filter(task_id=instance.pk).values_list("user_id", flat=True))
        setattr(instance, _CLEARED, ids)
    elif action == "post_clear":
        services_people.follow_assignees_removed(
            _pairs(instance, reverse, instance.__dict__.pop(_CLEARED, []))
        )
    elif action == "post_add" and pk_set:
        services_people.follow_assignees_added(_pairs(instance, reverse, pk_set))
    elif action == "post_remove" and pk_set:
        services_people.follow_assignees_removed(_pairs(instance, reverse, pk_set))
