"""`keel timesheet`: a person's weekly timesheet at the console. The operator acts as the
person named by `--user`, with that person's rights; every refusal is one line on stderr
and exit code 2.

    keel timesheet show --user li.qiang@keel.example --week 2027-W05
    keel timesheet log --user li.qiang@keel.example --task 42 --date 2027-02-01 --hours 7.5
    keel timesheet submit --user li.qiang@keel.example --week 2027-W05
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

import typer

from .lookup import active_user as _user
from .lookup import django_command as _django
from .lookup import fail as _fail

timesheet_app = typer.Typer(help="Time entries and weekly timesheets.", no_args_is_help=True)

UserOpt = Annotated[str, typer.Option("--user", help="E-mail of the person.", show_default=False)]
WeekOpt = Annotated[
    str | None,
    typer.Option(help="ISO week, e.g. 2027-W05 [default: this week].", show_default=False),
]

BAD_WEEK = "--week {value!r} is not an ISO week (YYYY-Www, e.g. 2027-W05)."
BAD_DATE = "--date {value!r} is not a date (YYYY-MM-DD)."
BAD_HOURS = "--hours {value!r} is not a number of hours (e.g. 7.5)."


def register(app: typer.Typer) -> None:
    """Add `keel timesheet` to the `keel` app."""
    app.add_typer(timesheet_app, name="timesheet")


def _week(value: str | None, user: Any) -> Any:
    import zoneinfo

    from keel.apps.tracking.weeks import Week

    if value is None:
        today = dt.datetime.now(zoneinfo.ZoneInfo(user.timezone or "UTC")).date()
        return Week.of(today)
    try:
        return Week.parse(value)
    except ValueError:
        raise _fail(BAD_WEEK.format(value=value)) from None


def _hours(value: Decimal) -> str:
    return f"{value.normalize():f}" if value else ""


@timesheet_app.command("show")
@_django
def show_cmd(email: UserOpt, week: WeekOpt = None) -> None:
    """Print the person's week: a row per task, a column per day, totals."""
    from rich import box
    from rich.table import Table

    from keel.apps.tracking.selectors import timesheet

    from .main import out

    user = _user(email)
    sheet = timesheet(user, user, _week(week, user))
    table = Table(
        title=f"{user.display_name} · {sheet.week} ({sheet.week.monday} to {sheet.week.sunday})",
        show_footer=True,
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    table.add_column("task", footer="total", min_width=16, overflow="fold")
    for day, total in zip(sheet.days, sheet.day_totals, strict=True):
        table.add_column(f"{day:%a}\n{day:%d}", justify="right", footer=_hours(total))
    table.add_column("total", justify="right", footer=_hours(sheet.total))
    table.add_column("status", no_wrap=True)
    for row in sheet.rows:
        label = f"#{row.task.pk} {row.task.project.code} {row.task.wbs_code} {row.task.name}"
        table.add_row(
            " ".join(label.split()),
            *(_hours(c.hours) if c.hours is not None else "·" for c in row.cells),
            _hours(row.total),
            row.status or "",
        )
    out.print(table)
    if not sheet.rows:
        out.print("No tasks this week. Log time with `keel timesheet log`.")


@timesheet_app.command("log")
@_django
def log_cmd(
    email: UserOpt,
    task: Annotated[int, typer.Option(help="Task id (`keel timesheet show` lists them).", min=1)],
    date: Annotated[str, typer.Option(help="Day, YYYY-MM-DD.", show_default=False)],
    hours: Annotated[str, typer.Option(help="Hours, e.g. 7.5.", show_default=False)],
    note: Annotated[str | None, typer.Option(help="What the time went on.")] = None,
) -> None:
    """Log hours on a task for a day, or change the hours already logged there."""
    from keel.apps.tracking import services
    from keel.apps.tracking.selectors import entry_for_cell

    from .main import out

    user = _user(email)
    try:
        day = dt.date.fromisoformat(date)
    except ValueError:
        raise _fail(BAD_DATE.format(value=date)) from None
    try:
        amount = Decimal(hours.strip())
    except InvalidOperation:
        raise _fail(BAD_HOURS.format(value=hours)) from None
    entry = entry_for_cell(user, task, day)
    if entry is None:
        entry = services.entry_create(
            actor=user, task_id=task, date=day, hours=amount, note=note or ""
        )
        verb = "Logged"
    else:
        changes: dict[str, Any] = {"hours": amount}
        if note is not None:
            changes["note"] = note
        entry = services.entry_update(
            actor=user, entry=entry, version=entry.version, changes=changes
        )
        verb = "Changed to"
    out.print(
        f"{verb} {_hours(entry.hours)} h on #{task} {entry.task.name} on {day} ({entry.status})."
    )


@timesheet_app.command("submit")
@_django
def submit_cmd(email: UserOpt, week: WeekOpt = None) -> None:
    """Send the person's draft and rejected time of the week for approval."""
    from keel.apps.tracking import services

    from .main import out

    user = _user(email)
    the_week = _week(week, user)
    entries = services.week_submit(actor=user, week=the_week)
    total = sum((e.hours for e in entries), Decimal(0))
    out.print(f"Submitted {len(entries)} entries ({_hours(total)} h) of {the_week} for approval.")
