"""The `keel` command: user and token management, demo data, errors as one line + exit 2."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from keel.apps.accounts.models import ApiToken, User, Workspace
from keel.apps.accounts.selectors import user_for_token
from keel.apps.planning.models import Dependency, Task
from keel.apps.projects.models import Goal, Project
from keel.cli.main import DEMO_EMAIL, app

runner = CliRunner()


@pytest.mark.django_db
def test_createuser_and_token_create() -> None:
    r = runner.invoke(
        app,
        [
            "createuser",
            "pm@example.com",
            "--name",
            "Pat",
            "--password",
            "a-long-enough-secret-42",
            "--workspace",
            "Acme",
        ],
    )
    assert r.exit_code == 0, r.output
    user = User.objects.get(email="pm@example.com")
    assert Workspace.objects.get(name="Acme").memberships.get().user == user
    r = runner.invoke(app, ["token", "create", "--user", "pm@example.com", "--name", "laptop"])
    assert r.exit_code == 0, r.output
    secret = r.stdout.strip().splitlines()[-1]
    assert user_for_token(secret) == user
    r = runner.invoke(
        app, ["token", "revoke", "--user", "pm@example.com", str(ApiToken.objects.get().pk)]
    )
    assert r.exit_code == 0
    assert user_for_token(secret) is None


@pytest.mark.django_db
def test_bad_input_is_one_line_and_exit_2() -> None:
    r = runner.invoke(app, ["createuser", "not-an-email", "--password", "a-long-enough-secret-42"])
    assert r.exit_code == 2
    assert "Traceback" not in r.output
    assert "e-mail" in r.output.lower()
    r = runner.invoke(app, ["createuser", "x@example.com", "--password", "123"])
    assert r.exit_code == 2
    assert not User.objects.exists()
    r = runner.invoke(app, ["token", "create", "--user", "nobody@example.com"])
    assert r.exit_code == 2


@pytest.mark.django_db
def test_demo_loads_once_with_two_projects() -> None:
    r = runner.invoke(app, ["demo"])
    assert r.exit_code == 0, r.output
    assert Project.objects.count() == 2
    assert Task.objects.count() >= 55
    assert Dependency.objects.count() >= 40
    assert Goal.objects.filter(project__code="FIT").exists()
    assert Task.objects.filter(is_milestone=True).count() >= 8
    assert not Task.objects.filter(is_summary=False, start__isnull=True).exists()
    assert User.objects.filter(email=DEMO_EMAIL).exists()
    names = set(Project.objects.values_list("name", flat=True))
    assert any(any("\u4e00" <= ch <= "\u9fff" for ch in n) for n in names)  # one in Chinese
    r = runner.invoke(app, ["demo"])
    assert r.exit_code == 0 and "already" in r.output
    assert Project.objects.count() == 2


@pytest.mark.django_db
def test_deactivate_signs_out_and_stops_tokens() -> None:
    from keel.apps.accounts.services import token_create, user_create

    user = user_create(email="gone@example.com", password="a-long-enough-secret-42")
    _token, secret = token_create(actor=user, name="x")
    r = runner.invoke(app, ["deactivate", "gone@example.com"])
    assert r.exit_code == 0, r.output
    user.refresh_from_db()
    assert not user.is_active and user_for_token(secret) is None
    assert runner.invoke(app, ["deactivate", "nobody@example.com"]).exit_code == 2


@pytest.mark.django_db
def test_demo_is_refused_with_production_settings(settings: object) -> None:
    settings.SETTINGS_MODULE = "keel.config.settings.prod"  # type: ignore[attr-defined]
    r = runner.invoke(app, ["demo"])
    assert r.exit_code == 2 and "production" in r.output
    assert not Project.objects.exists()


@pytest.mark.django_db
def test_serve_refuses_a_busy_port_in_one_line() -> None:
    import socket

    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        r = runner.invoke(app, ["serve", "--port", str(port), "--no-worker"])
    assert r.exit_code == 2
    assert "cannot listen" in r.output and "Traceback" not in r.output
    assert runner.invoke(app, ["serve", "--port", "99999"]).exit_code == 2
