"""What the database commands share: running inside Django, failing in one line, and finding
the project or the person a command names."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import typer

F = TypeVar("F", bound=Callable[..., Any])

NO_PROJECT = "no project with code {code}"
SEVERAL = "several workspaces have a project {code}: choose one with --workspace"
NO_USER = "no active user with e-mail {email}"


def django_command(fn: F) -> F:
    """`main.with_django`, looked up when the command runs: main imports the command
    modules while it loads."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from .main import with_django

        return with_django(fn)(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def fail(message: str) -> typer.Exit:
    from .main import fail as main_fail

    return main_fail(message)


def project_by_code(code: str, workspace: str | None) -> Any:
    from keel.apps.projects.models import Project

    projects = Project.objects.filter(code__iexact=code.strip()).select_related("workspace")
    if workspace:
        projects = projects.filter(workspace__slug=workspace)
    found = list(projects[:2])
    if not found:
        raise fail(NO_PROJECT.format(code=code) + (f" in {workspace}" if workspace else ""))
    if len(found) > 1:
        raise fail(SEVERAL.format(code=code))
    return found[0]


def active_user(email: str) -> Any:
    from keel.apps.accounts.models import User

    user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
    if user is None:
        raise fail(NO_USER.format(email=email))
    return user
