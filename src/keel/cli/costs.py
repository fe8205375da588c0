"""`keel costs`: a project's budget against actual cost and the forecast at completion, at
the console. Without `--user` the operator reads as Keel does for its own reports (a manager
of the project, else an owner of its workspace); with it, with that person's rights. Every
refusal is one line on stderr and exit code 2.

    keel costs FIT                      # by category
    keel costs FIT --by month
    keel costs FIT --by wbs --user li.qiang@keel.example
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

import typer

from .lookup import active_user
from .lookup import django_command as _django
from .lookup import fail as _fail
from .lookup import project_by_code as _project

NO_READER = "project {code} has no manager and its workspace no owner to read it as"


class By(StrEnum):
    CATEGORY = "category"
    MONTH = "month"
    WBS = "wbs"


def register(app: typer.Typer) -> None:
    """Add `keel costs` to the `keel` app."""
    app.command("costs")(costs_cmd)


def _reader(project: Any, email: str | None) -> Any:
    from keel.apps.reporting.selectors import reader_for

    if email is None:
        reader = reader_for(project)
        if reader is None:
            raise _fail(NO_READER.format(code=project.code))
        return reader
    return active_user(email)


def _money(value: Any) -> str:
    return "—" if value is None else f"{value:,.2f}"


@_django
def costs_cmd(
    code: Annotated[str, typer.Argument(help="The project's code.", show_default=False)],
    by: Annotated[By, typer.Option(help="Rows by category, month or WBS element.")] = By.CATEGORY,
    user: Annotated[
        str | None, typer.Option(help="E-mail of the person to read as.", show_default=False)
    ] = None,
    workspace: Annotated[
        str | None, typer.Option(help="Workspace slug, when codes repeat.", show_default=False)
    ] = None,
) -> None:
    """Print budget, planned, actual and forecast cost of a project."""
    from rich import box
    from rich.markup import escape
    from rich.table import Table

    from keel.apps.resources.selectors_money import costs_for

    from .main import out

    project = _project(code, workspace)
    s = costs_for(_reader(project, user), project)
    rows = {By.CATEGORY: s.by_category, By.MONTH: s.by_month, By.WBS: s.by_wbs}[by]
    table = Table(
        title=f"{project.code} · costs by {by.value} ({s.currency})",
        show_footer=True,
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    t = s.total
    table.add_column(by.value, footer="total", overflow="fold")
    for name, total in (
        ("budget", t.budget),
        ("planned", t.planned),
        ("actual", t.actual),
        ("forecast", t.forecast),
        ("variance", t.variance),
    ):
        table.add_column(name, justify="right", footer=_money(total))
    for r in rows:
        f = r.figures
        table.add_row(
            escape("  " * r.depth + r.label),
            *(_money(v) for v in (f.budget, f.planned, f.actual, f.forecast, f.variance)),
        )
    out.print(table)
    spent = "no budget" if s.spent_percent is None else f"{s.spent_percent}% of the budget spent"
    out.print(
        f"EAC (actual + remaining planned): {_money(s.eac_bottom_up)}; "
        f"EAC (BAC / CPI): {_money(s.eac_cpi)}; CPI = EV / AC: {s.cpi or '—'}; {spent}."
    )
    if s.missing_rates:
        out.print(
            f"[yellow]Hours without a usable {s.currency} rate (not counted):[/yellow] "
            + escape(", ".join(s.missing_rates)),
            highlight=False,
        )
