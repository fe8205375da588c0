"""Background work on progress reports (run by `manage.py db_worker`, which `keel serve`
starts)."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from . import services


@task()
def send_report(report_id: int) -> dict[str, Any]:
    """E-mail an issued report to its recipients (queued when it is issued, and again for
    the e-mails to try later)."""
    outcome = services.send_report_emails(report_id=report_id)
    return {"sent": outcome.sent, "failed": outcome.failed, "given_up": outcome.given_up}


@task()
def reports_daily(token: str) -> dict[str, Any]:
    """The daily run: prepare (and issue) the reports that are due, retry e-mails; then it
    queues itself for the next day (services.daily_run)."""
    return services.daily_run(token=token)
