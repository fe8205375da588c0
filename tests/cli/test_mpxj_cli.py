"""`keel schedule/level/simulate/convert` on files read through MPXJ (Primavera XER and
PMXML, Planner, GanttProject, MPX), and the one-line errors with exit code 2 where the mpxj
extra, Java or the file is at fault. The bench files are used when /work/shared/bench is
present; tests that run MPXJ are skipped where the extra or Java is missing."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from keel.cli.engine import register
from keel.engine.formats import mpxj as reader
from keel.engine.formats import parse_plan, parse_plan_json, plan_to_dict
from tests.engine.test_mpxj import (
    BENCH_FILES,
    GAN,
    OFFICE_MOVE,
    PLANNER,
    XER,
    _written_by_mpxj,
    needs_bench,
    needs_java,
)

runner = CliRunner()


def _app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """Test app."""

    register(app)
    return app


APP = _app()


@pytest.fixture
def xer(tmp_path: Path) -> Path:
    path = tmp_path / "move.xer"
    path.write_bytes(XER)
    return path


def _one_error_line(output: str) -> str:
    lines = output.strip().splitlines()
    assert len(lines) == 1, output
    return lines[0]


@needs_java
def test_schedule_a_primavera_file(xer: Path) -> None:
    r = runner.invoke(APP, ["schedule", str(xer), "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["finish"] == "2026-05-12"
    assert set(out["tasks"]) == {"MOVE", "MOVE.PREP", "A1000", "A1010", "A1020", "A1030"}
    move = out["tasks"]["A1020"]
    assert (move["start_time"], move["finish_time"]) == ("2026-05-07T08:00", "2026-05-07T17:00")
    r = runner.invoke(APP, ["schedule", str(xer)])
    assert r.exit_code == 0 and "Office move" in r.output


@needs_java
@pytest.mark.parametrize(("name", "text"), [("move.planner", PLANNER), ("move.gan", GAN)])
@pytest.mark.parametrize(
    "args",
    [["schedule", "--json"], ["level", "--json"], ["simulate", "--json", "--iterations", "20"]],
)
def test_planner_and_ganttproject_files(
    tmp_path: Path, name: str, text: str, args: list[str]
) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    r = runner.invoke(APP, [args[0], str(path), *args[1:]])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)


@needs_java
def test_convert_xer_to_json_and_xml(xer: Path, tmp_path: Path) -> None:
    expected = plan_to_dict(parse_plan(XER, filename="move.xer"))
    for name in ("move.json", "move.xml"):
        out = tmp_path / name
        r = runner.invoke(APP, ["convert", str(xer), str(out)])
        assert r.exit_code == 0, r.output
        back = parse_plan(out.read_text(encoding="utf-8"), filename=name)
        if name.endswith(".json"):
            assert plan_to_dict(back) == expected
        else:  # MS Project XML numbers the tasks (Activity IDs are not UIDs)
            assert [t.name for t in back.tasks] == [t["name"] for t in expected["tasks"]]


@needs_java
def test_pmxml_in_an_xml_file_is_read_by_mpxj(tmp_path: Path) -> None:
    path = tmp_path / "export.xml"
    path.write_bytes(_written_by_mpxj(parse_plan_json(json.dumps(OFFICE_MOVE)), "PMXML"))
    r = runner.invoke(APP, ["schedule", str(path), "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["finish"] == "2026-05-18"  # "Open" starts no earlier


@needs_java
@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("junk.xer", b"not a schedule", reader.NOT_A_PROJECT),
        ("cut.planner", PLANNER[:900].encode(), "MPXJ cannot read this file (Failed to parse"),
        ("empty.mpp", b"", reader.EMPTY_FILE),
    ],
)
def test_unreadable_file_is_one_line_and_exit_2(
    tmp_path: Path, name: str, data: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    for command in ("schedule", "convert"):
        extra = [str(tmp_path / "out.json")] if command == "convert" else []
        r = runner.invoke(APP, [command, str(path), *extra])
        assert r.exit_code == 2
        assert f"{path}: {message}" in _one_error_line(r.output)


def test_missing_extra_is_one_line_and_exit_2(xer: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "jpype", None)
    r = runner.invoke(APP, ["schedule", str(xer)])
    assert r.exit_code == 2
    assert _one_error_line(r.output).endswith(f"{xer}: {reader.NEEDS_EXTRA}")


def test_missing_java_is_one_line_and_exit_2(xer: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    jpype = pytest.importorskip("jpype")
    pytest.importorskip("mpxj")

    def not_found() -> str:
        raise jpype.JVMNotFoundException("Sorry no JVM could be found.")

    monkeypatch.setattr(jpype, "isJVMStarted", lambda: False)
    monkeypatch.setattr(jpype, "getDefaultJVMPath", not_found)
    for command in ("schedule", "level", "simulate"):
        r = runner.invoke(APP, [command, str(xer)])
        assert r.exit_code == 2
        assert _one_error_line(r.output).endswith(f"{xer}: {reader.NEEDS_JAVA}")


@needs_java
@needs_bench
@pytest.mark.parametrize("path", BENCH_FILES, ids=lambda p: p.name)
def test_bench_files_schedule_and_convert(path: Path, tmp_path: Path) -> None:
    r = runner.invoke(APP, ["schedule", str(path), "--json"])
    assert r.exit_code == 0, r.output
    tasks = json.loads(r.stdout)["tasks"]
    out = tmp_path / "plan.json"
    r = runner.invoke(APP, ["convert", str(path), str(out)])
    assert r.exit_code == 0, r.output
    assert [t["id"] for t in json.loads(out.read_text())["tasks"]] == list(tasks)
