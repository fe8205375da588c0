"""`keel report`: a project's progress report at the console, and the scheduled run for cron
(docs/reports.md). The operator acts as Keel itself: a report issued here has no issuer.

    keel report FIT --period 2027-W05                # the report, summed up
    keel report FIT --period 2027-W05 --pdf out.pdf  # ... and its PDF
    keel report FIT --period 2027-W05 --issue        # issue it and e-mail it
    keel report due                                  # prepare what is due, send e-mails
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from .lookup import django_command as _django
from .lookup import fail as _fail
from .lookup import project_by_code as _project

BAD_PERIOD = (
    "--period {value!r} is not a report period: give 2027-W05 (a week), 2027-W05/06 (two "
    "weeks) or 2027-02 (a month)"
)
MISALIGNED = (
    "--period {value!r} is not a two-week period; the one holding its first week is {period}"
)
NO_READER = "project {code} has no manager and its workspace no owner to read it as"


def register(app: typer.Typer) -> None:
    """Add `keel report` to the `keel` app."""
    app.command("report")(report_cmd)


def _period(value: str | None, project: Any) -> Any:
    from keel.apps.planning.selectors import project_today
    from keel.apps.reporting.periods import MisalignedPeriod, ReportPeriod, last_ended
    from keel.apps.reporting.selectors import settings_for

    if value is None:
        return last_ended(settings_for(project).cadence, project_today(project))
    try:
        return ReportPeriod.parse(value)
    except MisalignedPeriod as exc:
        raise _fail(MISALIGNED.format(value=value, period=exc.period.label)) from None
    except ValueError:
        raise _fail(BAD_PERIOD.format(value=value)) from None


def _due() -> None:
    from rich.table import Table

    from keel.apps.reporting import services

    from .main import err, out

    due = services.prepare_due_reports()
    sent = services.send_due_emails()
    table = Table("project", "period", "report")
    issued = {r.pk for r in due.issued}
    for r in due.prepared:
        table.add_row(r.project.code, r.label, "issued" if r.pk in issued else "draft")
    for r in due.issued:
        if r.pk not in {p.pk for p in due.prepared}:
            table.add_row(r.project.code, r.label, "issued")
    if table.row_count:
        out.print(table)
    out.print(
        f"{len(due.prepared)} report(s) prepared, {len(due.issued)} issued; "
        f"{sent.sent} e-mail(s) sent, {sent.failed} failed."
    )
    for line in due.failed:
        err.print(f"[red]error:[/red] {line}", highlight=False, soft_wrap=True)
    if due.failed:
        raise typer.Exit(code=1)


def _show(report: Any, content: Any) -> None:
    from rich.table import Table

    from .main import out

    def day(value: Any) -> str:
        return str(value) if value else "-"

    def number(value: Any, digits: int = 2) -> str:
        return "-" if value is None else f"{value:.{digits}f}"

    summary = content.data("summary")
    table = Table(
        title=f"{report.project.code} {report.project.name} · {report.label} "
        f"({report.period_start} to {report.period_end})",
        show_header=False,
    )
    table.add_column("", style="bold")
    table.add_column("")
    if report.pk is None:
        state = "not prepared yet (a live preview)"
    elif report.is_issued:
        state = f"issued {report.issued_at:%Y-%m-%d %H:%M}"
    else:
        state = "draft (computed from live data)"
    table.add_row("report", state)
    table.add_row("health", str(summary.get("health", "unknown")))
    table.add_row("complete", f"{summary.get('percent_complete', 0)}%")
    table.add_row(
        "scheduled finish",
        f"{day(summary.get('scheduled_finish'))} (target {day(summary.get('target_finish'))})",
    )
    if summary.get("baseline"):
        table.add_row(
            "against baseline",
            f"{summary.get('baseline_variance_days')} working days ({summary['baseline']})",
        )
    table.add_row("SPI / CPI", f"{number(summary.get('spi'))} / {number(summary.get('cpi'))}")
    milestones = content.data("milestones").get("milestones", [])
    late = sum(1 for m in milestones if m["status"] == "late")
    table.add_row("milestones", f"{len(milestones)} ({late} late)")
    table.add_row("done this period", str(content.data("done").get("count", 0)))
    table.add_row("planned next period", str(content.data("next").get("count", 0)))
    table.add_row("approved hours", str(content.data("time").get("approved_hours", "0")))
    out.print(table)
    if report.narrative:
        out.print(report.narrative, highlight=False, markup=False)


def report_cmd(
    project: Annotated[
        str,
        typer.Argument(
            help="The project's code, e.g. FIT; or `due`: prepare (and issue) every report "
            "that is due and send the e-mails waiting, as the worker's daily run does.",
            show_default=False,
        ),
    ],
    period: Annotated[
        str | None,
        typer.Option(
            help="2027-W05 (a week), 2027-W05/06 (two weeks) or 2027-02 (a month); by "
            "default the last period that ended, by the project's cadence.",
            show_default=False,
        ),
    ] = None,
    pdf: Annotated[
        Path | None,
        typer.Option(help="Write the report as a PDF to this file.", dir_okay=False),
    ] = None,
    issue: Annotated[
        bool,
        typer.Option("--issue", help="Issue the report (it never changes again) and e-mail it."),
    ] = False,
    workspace: Annotated[
        str | None, typer.Option(help="The workspace's slug, when several have this code.")
    ] = None,
) -> None:
    """Sum up a project's progress report for a period, write its PDF, or issue it; `keel
    report due` runs the schedule (for cron, where no worker runs)."""
    _run(project, period, pdf, issue, workspace)


@_django
def _run(
    code: str, period_text: str | None, pdf: Path | None, issue: bool, workspace: str | None
) -> None:
    from django.utils.translation import get_language

    from keel.apps.reporting import selectors, services
    from keel.apps.reporting.models import ProgressReport

    from .main import out

    if code == "due" and period_text is None and pdf is None and not issue:
        _due()
        return
    project = _project(code, workspace)
    period = _period(period_text, project)
    reader = selectors.reader_for(project)
    report = selectors.report_for_period(project, period)
    if issue:
        if reader is None:
            raise _fail(NO_READER.format(code=project.code))
        if report is None:
            report = services.report_create(actor=None, project=project, period=period)
        if not report.is_issued:
            report = services.report_issue(
                actor=None, report=report, version=None, language=get_language()
            )
            sent = services.send_report_emails(report_id=report.pk)
            out.print(
                f"Issued {project.code} {report.label}; e-mailed to {sent.sent} recipient(s)"
                + (f", {sent.failed} failed (tried again later)" if sent.failed else "")
                + "."
            )
        else:
            out.print(f"{project.code} {report.label} was issued already; it never changes.")
    if report is None:
        report = ProgressReport(
            project=project,
            period_kind=period.kind.value,
            period_start=period.start,
            period_end=period.end,
        )
    if reader is None and not report.is_issued:
        raise _fail(NO_READER.format(code=project.code))
    content = selectors.content_of(report, reader=reader)
    _show(report, content)
    if pdf is not None:
        if report.pk is None:
            from keel.apps.reporting.documents import render_pdf

            data = render_pdf(report, content, language=get_language())
        else:
            data = services.report_pdf(report=report, reader=reader, language=get_language())
        try:
            pdf.write_bytes(data)
        except OSError as exc:
            raise _fail(f"cannot write {pdf}: {exc.strerror}") from None
        out.print(f"Wrote {pdf} ({len(data) // 1024 + 1} KB).")
