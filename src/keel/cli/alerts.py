"""`keel alerts`: the daily alerts at the console, for cron (docs/notifications.md).

keel alerts check                 # every active project, then e-mails and digests
keel alerts check --project WEB   # one project's alerts only
keel alerts schedule              # (re)queue the worker's daily run
"""

from __future__ import annotations

from typing import Annotated

import typer

from .lookup import django_command as _django
from .lookup import project_by_code as _project

alerts_app = typer.Typer(help="Milestone and overdue-task alerts.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Add `keel alerts` to the `keel` app."""
    app.add_typer(alerts_app, name="alerts")


@alerts_app.command("check")
@_django
def check(
    project: Annotated[
        str | None,
        typer.Option(help="Only this project's code (no e-mail retries or digests then)."),
    ] = None,
    workspace: Annotated[
        str | None, typer.Option(help="The workspace's slug, when several have this code.")
    ] = None,
) -> None:
    """Check the plans now and notify: slipped milestones, overdue tasks. Without --project,
    also send the e-mails that failed and the daily digests, as the worker's daily run does.
    Safe to run again: each alert is made once a day, each e-mail sent once."""
    from rich.table import Table

    from keel.apps.notifications import services

    from .main import out

    if project:
        reports = [services.check_alerts(_project(project, workspace))]
    else:
        reports = services.check_all_alerts()
    table = Table(
        "project", "slipped milestones", "overdue tasks", "money alerts", "notified", "note"
    )
    for r in reports:
        table.add_row(
            r.project.code,
            str(r.slipped_milestones),
            str(r.overdue_tasks),
            str(r.money_alerts),
            str(r.notified),
            f"skipped: {r.skipped}" if r.skipped else "",
        )
    out.print(table)
    notified = sum(r.notified for r in reports)
    out.print(f"{len(reports)} project(s) checked, {notified} notification(s) made")
    if not project:
        retried = services.retry_unsent_emails()
        digests = services.send_digests()
        out.print(f"{retried} e-mail(s) sent again, {digests} digest(s) sent")


@alerts_app.command("schedule")
@_django
def schedule() -> None:
    """Queue the worker's daily run again (a fresh chain; the old one stops by itself)."""
    from keel.apps.notifications import services

    from .main import fail, out

    at = services.daily_run_schedule(force=True)
    if at is None:
        raise fail("the task backend cannot run tasks later; call `keel alerts check` from cron")
    out.print(f"The daily alerts run is queued for {at:%Y-%m-%d %H:%M} UTC")
