"""`keel simulate` (JSON and table, reproducible with a seed, bad input as one line) and
`keel level --method optimal`. No database is used."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from keel.cli.engine import BAD_TARGET, UNKNOWN_METHOD, register

runner = CliRunner()

PLAN: dict[str, Any] = {
    "name": "Office move",
    "start": "2026-05-04",
    "resources": [{"id": "crew", "name": "Movers", "capacity": 2}],
    "tasks": [
        {
            "id": "pack",
            "name": "Pack",
            "duration": 2,
            "optimistic": 1,
            "most_likely": 2,
            "pessimistic": 5,
            "demands": {"crew": 2},
            "cost": {"optimistic": 800, "most_likely": 1000, "pessimistic": 1500},
        },
        {
            "id": "clean",
            "name": "Clean",
            "duration": 3,
            "optimistic": 2,
            "most_likely": 3,
            "pessimistic": 4,
            "distribution": "triangular",
            "demands": {"crew": 2},
        },
        {"id": "move", "name": "Move", "duration": 1, "predecessors": [{"id": "pack"}]},
        {
            "id": "done",
            "name": "Done",
            "duration": 0,
            "predecessors": [{"id": "move"}, {"id": "clean"}],
        },
    ],
    "risks": [
        {
            "id": "truck",
            "name": "Truck breaks down",
            "probability": 0.2,
            "tasks": ["move"],
            "delay": {"optimistic": 1, "most_likely": 2, "pessimistic": 4},
            "cost": 500,
        }
    ],
}


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


def test_simulate_json(plan_file: Path) -> None:
    args = ["simulate", str(plan_file), "--json", "--iterations", "2000", "--seed", "7"]
    r = runner.invoke(APP, [*args, "--target", "2026-05-08"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["iterations"] == 2000 and data["seed"] == 7
    assert data["deterministic"]["days"] == 3 and data["deterministic"]["finish"] == "2026-05-06"
    assert list(data["percentiles"]) == [f"P{p}" for p in (10, 20, 30, 40, 50, 60, 70, 80, 90, 95)]
    days = [p["days"] for p in data["percentiles"].values()]
    assert days == sorted(days)
    assert data["target"]["date"] == "2026-05-08" and 0 < data["target"]["probability"] < 1
    assert data["criticality"]["done"] == 1
    assert {d["id"] for d in data["sensitivity"]} == {"pack", "clean", "truck"}
    assert data["sensitivity"][0]["name"] in {"Pack", "Truck breaks down"}
    assert 0.1 < data["risks"]["truck"] < 0.3
    assert data["cost"]["min"] >= 800 and data["cost"]["deterministic"] == 1000
    assert sum(b["count"] for b in data["histogram"]) == 2000
    again = runner.invoke(APP, [*args, "--target", "2026-05-08"])
    assert json.loads(again.stdout) == data


def test_simulate_table(plan_file: Path) -> None:
    r = runner.invoke(APP, ["simulate", str(plan_file), "--iterations", "500"])
    assert r.exit_code == 0, r.output
    for text in ("P95", "Most critical tasks", "What drives the finish", "Truck breaks down"):
        assert text in r.stdout


def test_simulate_bad_input(plan_file: Path, tmp_path: Path) -> None:
    r = runner.invoke(APP, ["simulate", str(plan_file), "--target", "soon"])
    assert r.exit_code == 2
    assert r.stderr.strip() == "error: " + BAD_TARGET.format(value="soon")
    plan = json.loads(json.dumps(PLAN))
    plan["risks"][0]["probability"] = 3
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(plan))
    r = runner.invoke(APP, ["simulate", str(path)])
    assert r.exit_code == 2 and "Traceback" not in r.output
    assert r.stderr.strip().startswith(f'error: {path}: risk "truck"')


def test_level_optimal_json(plan_file: Path) -> None:
    r = runner.invoke(
        APP, ["level", str(plan_file), "--json", "--method", "optimal", "--time-limit", "5"]
    )
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert (data["makespan"], data["lower_bound"], data["optimal"]) == (5, 5, True)
    assert set(data["starts"]) == {"pack", "clean", "move", "done"}
    assert set(data["delays"]) <= {"pack", "clean", "move", "done"}
    r = runner.invoke(APP, ["level", str(plan_file), "--method", "magic"])
    assert r.exit_code == 2
    assert r.stderr.strip() == "error: " + UNKNOWN_METHOD.format(method="magic")


def test_simulate_starts_from_the_status_date(tmp_path: Path) -> None:
    # Pack is done, Clean half done, the status date is Friday 8 May: the simulation keeps
    # the actual dates, draws only the work left, and none of it before the 9th.
    plan = json.loads(json.dumps(PLAN))
    plan["status_date"] = "2026-05-08"
    plan["tasks"][0].update(actual_start="2026-05-04", actual_finish="2026-05-06")
    plan["tasks"][1].update(actual_start="2026-05-04", percent_complete=50)
    path = tmp_path / "moving.json"
    path.write_text(json.dumps(plan))
    scheduled = runner.invoke(APP, ["schedule", str(path), "--json"])
    assert scheduled.exit_code == 0, scheduled.output
    r = runner.invoke(APP, ["simulate", str(path), "--json", "--iterations", "3000"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["deterministic"]["finish"] == json.loads(scheduled.stdout)["finish"]
    assert data["min"] >= 5  # the end of the status date: 5 working days from the start
    assert data["criticality"]["pack"] == 0
    assert {d["id"] for d in data["sensitivity"]} == {"clean", "truck"}

    # The same plan as MS Project XML (no estimates there: every iteration is the plan).
    xml = tmp_path / "moving.xml"
    assert runner.invoke(APP, ["convert", str(path), str(xml)]).exit_code == 0
    r = runner.invoke(APP, ["simulate", str(xml), "--json", "--iterations", "50"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["deterministic"]["finish"] == json.loads(scheduled.stdout)["finish"]
    assert data["min"] == data["max"] == data["deterministic"]["days"]
