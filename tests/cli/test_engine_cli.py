"""`keel schedule` and `keel level`: JSON and table output, and bad files as one line on
stderr with exit code 2. No database is used."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from keel.cli.engine import UNKNOWN_METHOD, register
from keel.engine.formats import plan_json as pj

runner = CliRunner()

PLAN: dict[str, Any] = {
    "name": "Office move",
    "start": "2026-05-04",
    "calendar": {"holidays": ["2026-05-11"]},
    "resources": [{"id": "crew", "name": "Movers", "capacity": 2}],
    "tasks": [
        {"id": "pack", "name": "Pack", "duration": 2, "demands": {"crew": 2}},
        {"id": "clean", "name": "Clean", "duration": 3, "demands": {"crew": 2}},
        {"id": "move", "name": "Move", "duration": 1, "predecessors": [{"id": "pack"}]},
        {
            "id": "done",
            "name": "Done",
            "duration": 0,
            "predecessors": [{"id": "move"}, {"id": "clean", "type": "FS", "lag": 0}],
        },
    ],
}

SMALL_SM = (Path(__file__).resolve().parents[1] / "engine" / "test_formats.py").read_text()
SMALL_SM = SMALL_SM.split('SMALL_SM = """\\\n', 1)[1].split('"""', 1)[0]


def make_app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """keel"""

    register(app)
    return app


APP = make_app()


@pytest.fixture
def plan_file(tmp_path: Path) -> Path:
    path = tmp_path / "move.json"
    path.write_text(json.dumps(PLAN))
    return path


def test_schedule_json(plan_file: Path) -> None:
    r = runner.invoke(APP, ["schedule", str(plan_file), "--json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["duration"] == 3
    assert data["finish"] == "2026-05-06"
    assert data["tasks"]["clean"] == {
        "early_start": 0,
        "early_finish": 3,
        "late_start": 0,
        "late_finish": 3,
        "total_float": 0,
        "free_float": 0,
        "critical": True,
        "start": "2026-05-04",
        "finish": "2026-05-06",
    }
    assert data["tasks"]["move"]["total_float"] == 0
    assert data["tasks"]["move"]["start"] == "2026-05-06"
    assert data["tasks"]["done"]["early_start"] == 3


def test_schedule_table(plan_file: Path) -> None:
    r = runner.invoke(APP, ["schedule", str(plan_file)])
    assert r.exit_code == 0, r.output
    assert "Office move" in r.stdout and "Pack" in r.stdout and "2026-05-06" in r.stdout


def test_level_json(plan_file: Path) -> None:
    r = runner.invoke(APP, ["level", str(plan_file), "--json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    # Pack and Clean each need the whole crew: 5 days, the crew's work bound.
    assert (data["makespan"], data["lower_bound"], data["optimal"]) == (5, 5, True)
    assert data["starts"] == {"pack": 0, "clean": 2, "move": 2, "done": 5}
    assert data["delays"]["clean"] == {"days": 2, "resource": "crew", "predecessor": None}
    assert data["delays"]["done"] == {"days": 2, "resource": None, "predecessor": "clean"}
    assert data["overallocation_before"] == {"crew": 4}
    assert data["overallocation_after"] == {"crew": 0}
    assert data["finish"] == "2026-05-08"


def test_level_table(plan_file: Path) -> None:
    r = runner.invoke(APP, ["level", str(plan_file)])
    assert r.exit_code == 0, r.output
    assert "resource crew" in r.stdout and "optimal" in r.stdout


def test_psplib_by_extension_and_content(tmp_path: Path) -> None:
    for name in ("small.sm", "small.txt"):
        path = tmp_path / name
        path.write_text(SMALL_SM)
        r = runner.invoke(APP, ["level", str(path), "--json"])
        assert r.exit_code == 0, r.output
        data = json.loads(r.stdout)
        assert set(data["starts"]) == {"1", "2", "3", "4", "5"}  # the job numbers
        assert data["makespan"] == 6 and data["lower_bound"] == 5
    r = runner.invoke(
        APP, ["schedule", str(tmp_path / "small.sm"), "--json", "--start", "2026-01-05"]
    )
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["duration"] == 5 and data["finish"] == "2026-01-09"


def test_unknown_method_is_refused(plan_file: Path) -> None:
    r = runner.invoke(APP, ["level", str(plan_file), "--method", "magic"])
    assert r.exit_code == 2
    assert r.stderr.strip() == "error: " + UNKNOWN_METHOD.format(method="magic")


def _bad(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    for command in ("schedule", "level"):
        r = runner.invoke(APP, [command, str(path), "--json"])
        assert r.exit_code == 2, r.output
        assert r.stdout == ""
        assert "Traceback" not in r.output
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1, r.stderr
        assert lines[0].startswith(f"error: {path}: ")
    return lines[0].split(f"{path}: ", 1)[1]


def test_bad_files_are_one_line_and_exit_2(tmp_path: Path) -> None:
    assert _bad(tmp_path, "syntax.json", '{"name": "x",\n  oops}').startswith(
        "line 2: not valid JSON"
    )
    plan = json.loads(json.dumps(PLAN))
    plan["tasks"][2]["predecessors"] = [{"id": "ghost"}]
    assert _bad(tmp_path, "pred.json", json.dumps(plan)) == pj.UNKNOWN_PREDECESSOR.format(
        task='"move"', pred='"ghost"'
    )
    plan = json.loads(json.dumps(PLAN))
    plan["tasks"][0]["predecessors"] = [{"id": "done"}]
    assert _bad(tmp_path, "loop.json", json.dumps(plan)) == pj.DEPENDENCY_LOOP.format(
        path='"pack" -> "move" -> "done" -> "pack"'
    )
    assert _bad(tmp_path, "date.json", json.dumps({**PLAN, "start": "2026-13-01"})) == (
        pj.BAD_DATE.format(where="plan", field="start", value='"2026-13-01"')
    )
    bad_sm = SMALL_SM.replace("  4      1     3       1", "  4      1     3       x")
    assert _bad(tmp_path, "bad.sm", bad_sm) == "line 28: expected whole numbers."


def test_over_capacity_and_missing_file(tmp_path: Path) -> None:
    plan = json.loads(json.dumps(PLAN))
    plan["tasks"][0]["demands"] = {"crew": 3}
    path = tmp_path / "over.json"
    path.write_text(json.dumps(plan))
    r = runner.invoke(APP, ["level", str(path)])
    assert r.exit_code == 2
    assert r.stderr.strip() == f"error: {path}: Task 1 needs 3 of resource crew, which has only 2."
    r = runner.invoke(APP, ["schedule", str(tmp_path / "none.json")])
    assert r.exit_code == 2
    assert "cannot read the file" in r.stderr and "Traceback" not in r.output


def test_engine_commands_do_not_import_django(plan_file: Path) -> None:
    code = (
        "import sys, typer\n"
        "from typer.testing import CliRunner\n"
        "from keel.cli.engine import register\n"
        "app = typer.Typer()\n"
        "app.callback()(lambda: None)\n"
        "register(app)\n"
        f"r = CliRunner().invoke(app, ['level', {str(plan_file)!r}, '--json'])\n"
        "assert r.exit_code == 0, r.output\n"
        "assert not [m for m in sys.modules if m.split('.')[0] == 'django'], 'django imported'\n"
    )
    src = str(Path(__file__).resolve().parents[2] / "src")
    done = subprocess.run(  # noqa: S603  (our own interpreter, fixed code)
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": src, "PATH": ""},
        check=False,
    )
    assert done.returncode == 0, done.stderr
