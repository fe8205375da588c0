"""`keel`: the one command-line entry point. Commands that touch the database set Django up
on demand; engine commands (added with the engine) need no database."""

from __future__ import annotations

import functools
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

app = typer.Typer(
    name="keel",
    help="Keel: project operations management.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
token_app = typer.Typer(help="Personal API tokens.", no_args_is_help=True)
i18n_app = typer.Typer(help="Translation catalogues.", no_args_is_help=True)
app.add_typer(token_app, name="token")
app.add_typer(i18n_app, name="i18n")

out = Console()
err = Console(stderr=True)

F = TypeVar("F", bound=Callable[..., Any])

DEMO_EMAIL = "demo@keel.example"
DEMO_PASSWORD = "keel-demo-2026"  # noqa: S105  (the public demo login, printed on start)


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keel.config.settings.dev")
    import django

    django.setup()


def fail(message: str) -> typer.Exit:
    """One line on stderr (never wrapped, never read as markup) and exit code 2."""
    err.print(f"[red]error:[/red] {escape(message)}", highlight=False, soft_wrap=True)
    return typer.Exit(code=2)


def with_django(fn: F) -> F:
    """Set Django up, and turn Keel's errors into one line on stderr with exit code 2."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        setup_django()
        from django.conf import settings
        from django.utils import translation

        from keel.common.errors import KeelError

        # Messages in the operator's chosen language (KEEL_LANGUAGE=zh-hans), English otherwise.
        translation.activate(os.environ.get("KEEL_LANGUAGE", settings.LANGUAGE_CODE))

        try:
            return fn(*args, **kwargs)
        except KeelError as exc:
            details = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.fields.items())
            raise fail(f"{exc.message}" + (f" ({details})" if details else "")) from None

    return wrapper  # type: ignore[return-value]


def _refuse_demo_in_production() -> None:
    """The demo's people share a published password: never on a production server."""
    from django.conf import settings

    if settings.SETTINGS_MODULE.endswith(".prod"):
        raise fail("the demo workspace is not loaded with production settings")


def _manage(*args: str) -> None:
    from django.core.management import call_command

    call_command(*args)
    if args and args[0] == "migrate":
        call_command("createcachetable")  # the cache lives in the database (rate limits)


@app.command()
@with_django
def migrate() -> None:
    """Create or upgrade the database tables."""
    _manage("migrate", "--no-input", "--verbosity", "1")


@app.command()
@with_django
def demo(
    reset: Annotated[bool, typer.Option(help="Delete the demo workspace first.")] = False,
) -> None:
    """Load the demo workspace (two projects) unless it is already there."""
    from .demo import load_demo

    _refuse_demo_in_production()
    created = load_demo(email=DEMO_EMAIL, password=DEMO_PASSWORD, reset=reset, console=out)
    if created:
        out.print(
            f"Demo loaded. Sign in as [bold]{DEMO_EMAIL}[/bold] / [bold]{DEMO_PASSWORD}[/bold]"
        )
    else:
        out.print("The demo workspace is already there (use --reset to load it again).")


@app.command()
@with_django
def createuser(
    email: Annotated[str, typer.Argument(help="E-mail address to sign in with.")],
    name: Annotated[str, typer.Option(help="Display name.")] = "",
    password: Annotated[
        str | None, typer.Option(help="Password (asked for when omitted).", show_default=False)
    ] = None,
    staff: Annotated[bool, typer.Option(help="Site administrator (Django admin).")] = False,
    workspace: Annotated[
        str | None, typer.Option(help="Create this workspace with the user as owner.")
    ] = None,
    language: Annotated[str, typer.Option(help="en or zh-hans.")] = "en",
) -> None:
    """Create a user who can sign in straight away."""
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError
    from django.db import transaction

    from keel.apps.accounts.services import user_create, workspace_create

    if password is None:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        validate_password(password)
    except ValidationError as exc:
        raise fail(" ".join(exc.messages)) from None
    with transaction.atomic():
        user = user_create(
            email=email, password=password, name=name, is_staff=staff, language=language
        )
        if workspace:
            workspace_create(actor=user, name=workspace)
    out.print(f"Created {user.email}")


@token_app.command("create")
@with_django
def token_create_cmd(
    email: Annotated[str, typer.Option("--user", help="E-mail of the token's owner.")],
    name: Annotated[str, typer.Option(help="What the token is for.")] = "cli",
    days: Annotated[
        int | None, typer.Option(help="Days until it expires [default: KEEL_API_TOKEN_DAYS, 90].")
    ] = None,
) -> None:
    """Create a personal API token and print it once."""
    from keel.apps.accounts.models import User
    from keel.apps.accounts.services import token_create

    user = User.objects.filter(email__iexact=email, is_active=True).first()
    if user is None:
        raise fail(f"no active user with e-mail {email}")
    token, secret = token_create(actor=user, name=name, days=days)
    err.print(
        f"Token {token.prefix}… for {user.email}, expires {token.expires_at:%Y-%m-%d}. "
        "It is shown only now:"
    )
    print(secret)


@app.command()
@with_django
def deactivate(
    email: Annotated[str, typer.Argument(help="E-mail of the person to deactivate.")],
) -> None:
    """Deactivate a user: they are signed out everywhere and their API tokens stop working."""
    from keel.apps.accounts.models import User
    from keel.apps.accounts.services import user_deactivate

    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        raise fail(f"no user with e-mail {email}")
    user_deactivate(actor=None, user=user)  # the operator at the console
    out.print(f"Deactivated {user.email}")


@app.command()
@with_django
def recalculate(
    code: Annotated[str, typer.Argument(help="The project's code, e.g. WEB.")],
    workspace: Annotated[
        str | None, typer.Option(help="The workspace's slug, when several have this code.")
    ] = None,
) -> None:
    """Recalculate a project's schedule now, whatever its size, with a progress bar (its
    pages show the progress too): after a failed background run, or without a worker."""
    from rich.progress import Progress

    from keel.apps.planning.selectors import schedule_status_of
    from keel.apps.planning.services import schedule_run
    from keel.apps.projects.models import Project, SchedulePhase

    projects = Project.objects.filter(code__iexact=code.strip()).select_related("workspace")
    if workspace:
        projects = projects.filter(workspace__slug=workspace)
    found = list(projects[:2])
    if not found:
        raise fail(f"no project with code {code}" + (f" in {workspace}" if workspace else ""))
    if len(found) > 1:
        raise fail(f"several workspaces have a project {code}: choose one with --workspace")
    project = found[0]
    with Progress(console=err, transient=True, disable=not err.is_terminal) as bar:
        job = bar.add_task(str(SchedulePhase.READING.label), total=100)

        def show(phase: str, percent: int) -> None:
            bar.update(job, completed=percent, description=str(SchedulePhase(phase).label))

        outcome = schedule_run(project_id=project.pk, force=True, progress=show)
    project.refresh_from_db()
    if outcome == "failed":
        raise fail(str(schedule_status_of(project).error))
    if outcome == "superseded":
        raise fail("the plan changed meanwhile; the background worker recalculates it again")
    finish = f"{project.scheduled_finish:%Y-%m-%d}" if project.scheduled_finish else "-"
    out.print(f"{project.code}: the schedule is current; scheduled finish {finish}")


@token_app.command("list")
@with_django
def token_list_cmd(
    email: Annotated[str, typer.Option("--user", help="E-mail of the owner.")],
) -> None:
    """List a user's tokens (never their secrets)."""
    from rich.table import Table

    from keel.apps.accounts.models import User
    from keel.apps.accounts.selectors import tokens_for

    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        raise fail(f"no user with e-mail {email}")
    table = Table("id", "name", "prefix", "expires", "last used", "revoked")
    for t in tokens_for(user):
        table.add_row(
            str(t.pk),
            t.name,
            t.prefix,
            f"{t.expires_at:%Y-%m-%d}" if t.expires_at else "-",
            f"{t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else "-",
            f"{t.revoked_at:%Y-%m-%d}" if t.revoked_at else "",
        )
    out.print(table)


@token_app.command("revoke")
@with_django
def token_revoke_cmd(
    email: Annotated[str, typer.Option("--user", help="E-mail of the owner.")],
    token_id: Annotated[int, typer.Argument(help="Token id from `keel token list`.")],
) -> None:
    """Revoke a token at once."""
    from keel.apps.accounts.models import User
    from keel.apps.accounts.selectors import token_get
    from keel.apps.accounts.services import token_revoke

    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        raise fail(f"no user with e-mail {email}")
    token_revoke(actor=user, token=token_get(actor=user, token_id=token_id))
    out.print(f"Revoked token {token_id}")


@i18n_app.command("compile")
def i18n_compile() -> None:
    """Compile the .po catalogues to .mo (pure Python; GNU gettext not needed)."""
    import polib

    root = Path(__file__).resolve().parents[1] / "locale"
    count = 0
    for po_path in sorted(root.glob("*/LC_MESSAGES/*.po")):
        po = polib.pofile(str(po_path))
        po.save_as_mofile(str(po_path.with_suffix(".mo")))
        count += 1
    out.print(f"compiled {count} catalogue(s)")


def _check_port_free(host: str, port: int) -> None:
    """Say so at once when another program holds the port, before starting anything."""
    import socket

    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise fail(f"cannot listen on {host}:{port}: {exc.strerror}") from None


def _wait_for_db_ready() -> None:
    from django.db import connection

    connection.ensure_connection()


@app.command()
@with_django
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000,
    workers: Annotated[int, typer.Option(help="Web worker processes.")] = 2,
    with_demo: Annotated[
        bool, typer.Option("--demo", help="Load the demo workspace once.")
    ] = False,
    worker: Annotated[bool, typer.Option(help="Also run the background task worker.")] = True,
) -> None:
    """Migrate, then run the web server and the background worker until Ctrl-C."""
    from django.conf import settings

    _check_port_free(host, port)
    _wait_for_db_ready()
    _manage("migrate", "--no-input", "--verbosity", "0")
    if with_demo:
        from .demo import load_demo

        _refuse_demo_in_production()
        load_demo(email=DEMO_EMAIL, password=DEMO_PASSWORD, reset=False, console=out)
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = settings.SETTINGS_MODULE
    procs: list[subprocess.Popen[bytes]] = [
        subprocess.Popen(  # noqa: S603  (fixed argv, no shell)
            [
                sys.executable,
                "-m",
                "gunicorn",
                "keel.config.wsgi:application",
                "--bind",
                f"{host}:{port}",
                "--workers",
                str(workers),
                "--threads",
                "4",
                "--access-logfile",
                "-",
                "--log-level",
                "warning",
            ],
            env=env,
        )
    ]
    worker_cmd = [sys.executable, "-m", "django", "db_worker", "--no-reload", "--verbosity", "0"]
    if worker:
        procs.append(subprocess.Popen(worker_cmd, env=env))  # noqa: S603  (our interpreter, fixed arguments)
    out.print(f"\nKeel is running at [bold]http://{host}:{port}/[/bold]")
    if with_demo:
        out.print(f"Demo login: [bold]{DEMO_EMAIL}[/bold] / [bold]{DEMO_PASSWORD}[/bold]")
    out.print("Press Ctrl-C to stop.\n")

    def stop(*_: Any) -> None:
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    try:
        while procs[0].poll() is None:
            # The worker is restarted if it dies (a database error, say): queued work must
            # not wait silently while the site keeps answering.
            if worker and procs[-1].poll() is not None:
                out.print("[yellow]The task worker stopped; starting it again.[/yellow]")
                procs[-1] = subprocess.Popen(worker_cmd, env=env)  # noqa: S603
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        stop()
        for p in procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
    failed = [p for p in procs if p.returncode not in (0, -signal.SIGTERM, -signal.SIGINT, None)]
    if failed:
        raise typer.Exit(code=1)


from . import engine as _engine  # noqa: E402  (engine commands register onto `app`)

_engine.register(app)

from . import timesheet as _timesheet  # noqa: E402  (`keel timesheet` registers onto `app`)

_timesheet.register(app)

from . import workload as _workload  # noqa: E402  (`keel workload` registers onto `app`)

_workload.register(app)

from . import alerts as _alerts  # noqa: E402  (`keel alerts` registers onto `app`)

_alerts.register(app)

from . import report as _report  # noqa: E402  (`keel report` registers onto `app`)

_report.register(app)

from . import costs as _costs  # noqa: E402  (`keel costs` registers onto `app`)

_costs.register(app)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
