"""`keel workload`: people by week at the console, as the workload page shows them. The
operator reads as the person named by `--user`, with that person's rights (hours of
projects they cannot see are counted without names); every refusal is one line on stderr
and exit code 2.

    keel workload --user li.qiang@keel.example --workspace demo --weeks 8 --over-only
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

import typer

from .lookup import active_user as _user
from .lookup import django_command as _django
from .lookup import fail as _fail

BAD_DATE = "--start {value!r} is not a date (YYYY-MM-DD)."
NO_WORKSPACE = "no workspace {slug} that {email} belongs to"
SEVERAL_WORKSPACES = "{email} belongs to several workspaces: choose one with --workspace ({slugs})"
NONE_WORKSPACE = "{email} belongs to no workspace"


def register(app: typer.Typer) -> None:
    """Add `keel workload` to the `keel` app."""
    app.command("workload")(workload_cmd)


def _workspace(user: Any, slug: str | None) -> Any:
    from keel.apps.accounts.selectors import workspaces_for

    mine = list(workspaces_for(user))
    if slug is not None:
        found = [ws for ws in mine if ws.slug == slug.strip()]
        if not found:
            raise _fail(NO_WORKSPACE.format(slug=slug, email=user.email))
        return found[0]
    if not mine:
        raise _fail(NONE_WORKSPACE.format(email=user.email))
    if len(mine) > 1:
        slugs = ", ".join(ws.slug for ws in mine)
        raise _fail(SEVERAL_WORKSPACES.format(email=user.email, slugs=slugs))
    return mine[0]


def _start(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise _fail(BAD_DATE.format(value=value)) from None


def _hours(value: Decimal) -> str:
    return f"{value.normalize():f}" if value else "0"


@_django
def workload_cmd(
    email: Annotated[
        str, typer.Option("--user", help="E-mail of the person reading.", show_default=False)
    ],
    workspace: Annotated[
        str | None,
        typer.Option(help="Workspace slug [default: the person's only one].", show_default=False),
    ] = None,
    start: Annotated[
        str | None,
        typer.Option(
            help="A day of the first week, YYYY-MM-DD [default: today].", show_default=False
        ),
    ] = None,
    weeks: Annotated[int, typer.Option(help="Weeks to show (1..52).")] = 12,
    over_only: Annotated[
        bool, typer.Option("--over-only", help="Only people over-allocated in some week.")
    ] = False,
) -> None:
    """People by week: hours assigned against capacity; `!` marks an over-allocated week."""
    from rich import box
    from rich.table import Table

    from keel.apps.resources.selectors_workload import workload
    from keel.common.errors import KeelError

    from .main import out

    user = _user(email)
    ws = _workspace(user, workspace)
    try:
        data = workload(user, ws.pk, start=_start(start), weeks=weeks, over_only=over_only)
    except KeelError as exc:
        details = [m for msgs in exc.fields.values() for m in msgs]
        raise _fail(" ".join(details) or str(exc.message)) from None
    table = Table(
        title=f"{ws.name} · {data.first_day} to {data.last_day} (hours / capacity)",
        show_footer=True,
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    table.add_column("person", footer="total", min_width=12, overflow="fold")
    for week, hours in zip(data.weeks, data.week_hours, strict=True):
        table.add_column(f"{week}\n{week.monday:%m-%d}", justify="right", footer=_hours(hours))
    table.add_column("total", justify="right", footer=_hours(data.hours))
    for row in data.rows:
        cells = [
            f"{'!' if c.over else ''}{_hours(c.hours)}/{_hours(c.capacity)}" for c in row.cells
        ]
        table.add_row(row.resource.name, *cells, f"{_hours(row.hours)}/{_hours(row.capacity)}")
    out.print(table)
    if not data.rows:
        out.print("No one to show." if not over_only else "No one is over-allocated.")
    else:
        over = sum(1 for row in data.rows if row.over_weeks)
        out.print(f"{over} of {len(data.rows)} people over-allocated in some week (marked !).")
