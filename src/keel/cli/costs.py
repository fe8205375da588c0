"""`keel costs`: a project's budget against actual cost and the forecast at completion, at
the console. Without `--user` the operator reads as Keel does for its own reports (a manager
of the project, else an owner of its workspace); with it, with that person's rights. Every
refusal is one line on stderr and exit code 2.

    keel costs FIT                      # by category
    keel costs FIT --by month
    keel costs FIT --by wbs --user li.qiang@keel.example
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from enum import StrEnum
from typing import Annotated, Any, TypeVar

import typer

F = TypeVar("F", bound=Callable[..., Any])

NO_PROJECT = "no project with code {code}"
SEVERAL = "several workspaces have a project {code}: choose one with --workspace"
NO_USER = "no active user with e-mail {email}"
NO_READER = "project {code} has no manager and its workspace no owner to read it as"


class By(StrEnum):
    CATEGORY = "category"
    MONTH = "month"
    WBS = "wbs"


def register(app: typer.Typer) -> None:
    """Add `keel costs` to the `keel` app."""
    app.command("costs")(costs_cmd)


def _django(fn: F) -> F:
    """`main.with_django`, looked up when the command runs: main imports this module while
    it loads."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from .main import with_django

        return with_django(fn)(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def _fail(message: str) -> typer.Exit:
    from .main import fail

    return fail(message)


def _project(code: str, workspace: str | None) -> Any:
    from keel.apps.projects.models import Project

    projects = Project.objects.filter(code__iexact=code.strip()).select_related("workspace")
    if workspace:
        projects = projects.filter(workspace__slug=workspace)
    found = list(projects[:2])
    if not found:
        raise _fail(NO_PROJECT.format(code=code) + (f" in {workspace}" if workspace else ""))
    if len(found) > 1:
        raise _fail(SEVERAL.format(code=code))
    return found[0]


def _reader(project: Any, email: str | None) -> Any:
    from keel.apps.accounts.models import User
    from keel.apps.reporting.selectors import reader_for

    if email is None:
        reader = reader_for(project)
        if reader is None:
            raise _fail(NO_READER.format(code=project.code))
        return reader
    user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
    if user is None:
        raise _fail(NO_USER.format(email=email))
    return user


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
