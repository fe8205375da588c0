"""Background work on the plan (run by `manage.py db_worker`, which `keel serve` starts)."""

from __future__ import annotations

from django_tasks import task

from . import services


@task()
def recalculate_schedule(project_id: int) -> str:
    """Recalculate a big plan's schedule after a change (services.schedule_changed queues
    it); returns the outcome, kept with the task's result."""
    return services.schedule_run(project_id=project_id)
