"""Background work on notifications (run by `manage.py db_worker`, which `keel serve`
starts)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django_tasks import task

from . import services


@task()
def send_notification_email(notification_id: int) -> str:
    """E-mail one notification to a person who wants e-mail at once; queued by
    services.notify after its transaction commits."""
    return services.send_notification_email(notification_id=notification_id)


@task()
def daily_alerts(token: str) -> dict[str, Any]:
    """The daily run: alerts on every active project, e-mails to try again, the digests;
    then it queues itself for the next day (services.daily_run)."""
    return asdict(services.daily_run(token=token))
