"""Production settings pass Django's deployment checks, and refuse to start without a secret."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _check(env_extra: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # A production server has none of the test run's switches (DEBUG, async-unsafe ORM use).
    drop = {"DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update({"DJANGO_SETTINGS_MODULE": "keel.config.settings.prod", **env_extra})
    return subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_check_deploy_is_clean_with_production_settings() -> None:
    result = _check({"SECRET_KEY": "k3el-" + "x9Q2-" * 12})
    output = result.stdout + result.stderr
    # The only tolerated warning is a missing npm bundle (make test builds it first).
    assert result.returncode == 0 or "staticfiles.W004" in output, output
    assert "security." not in output, output


def test_production_refuses_to_start_without_a_secret() -> None:
    result = _check({})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
