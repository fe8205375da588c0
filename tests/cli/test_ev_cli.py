"""`keel ev`: earned value from a plan with a baseline, progress and costs (plan JSON and
MS Project XML), as JSON and as a table; budgets in working days when a plan has no costs;
bad input as one line with exit code 2. No database is used."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from keel.cli.engine import (
    BAD_STATUS_DATE,
    BASELINE_DATES,
    NO_BASELINE,
    NO_STATUS_DATE,
    UNKNOWN_PERIOD,
    register,
)
from keel.engine.earned_value import FINISH_BEFORE_START
from keel.engine.formats import dump_plan, parse_plan

runner = CliRunner()

# A (5 days in the first week, budget 1,000) is done at a cost of 1,200; B (10 days over the
# next two weeks, budget 2,000) is 25% done and has cost 400; C is a milestone without a
# budget. The status date is Wednesday of the second week: 8 working days.
PLAN: dict[str, Any] = {
    "name": "Fit-out",
    "start": "2026-05-04",
    "status_date": "2026-05-13",
    "tasks": [
        {"id": "phase", "name": "Phase"},
        {
            "id": "a",
            "name": "Strip out",
            "parent": "phase",
            "duration": 5,
            "actual_start": "2026-05-04",
            "actual_finish": "2026-05-08",
            "actual_cost": 1200,
            "baselines": [
                {"number": 0, "start": "2026-05-04", "finish": "2026-05-08", "cost": 1000}
            ],
        },
        {
            "id": "b",
            "name": "Partitions",
            "parent": "phase",
            "duration": 10,
            "percent_complete": 25,
            "actual_start": "2026-05-11",
            "actual_cost": 400,
            "predecessors": [{"id": "a"}],
            "baselines": [
                {"number": 0, "start": "2026-05-11", "finish": "2026-05-22", "cost": 2000}
            ],
        },
        {
            "id": "c",
            "name": "Handover",
            "duration": 0,
            "predecessors": [{"id": "b"}],
            "baselines": [{"number": 0, "start": "2026-05-22", "finish": "2026-05-22"}],
        },
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


def write(tmp_path: Path, plan: dict[str, Any], name: str = "fit-out.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(plan))
    return path


def expected_payload() -> dict[str, Any]:
    # PV = 1,000 + 2,000 x 3/10; EV = 1,000 + 25% of 2,000; AC = 1,200 + 400.
    return {
        "status_date": "2026-05-13",
        "baseline": 0,
        "unit": "cost",
        "bac": 3000,
        "pv": 1600,
        "ev": 1500,
        "ac": 1600,
        "sv": -100,
        "cv": -100,
        "spi": 0.9375,
        "cpi": 0.9375,
        "eac": 3200,  # 3,000 / 0.9375
        "eac_budget_rate": 3100,  # 1,600 + 1,500
        "eac_cpi_spi": 3306.67,  # 1,600 + 1,500 / 0.9375^2
        "etc": 1600,
        "vac": -200,
        "tcpi": 1.0714,  # 1,500 / 1,400
        "tcpi_eac": 0.9375,
        "percent_complete": 50,
        "percent_spent": 53.33,
        "planned_duration": 15,
        "actual_time": 8,
        # The baseline earned 1,500 half way through day 8 (1,000 after 5 days, then 200 a
        # day): ES 7.5, SPI(t) 7.5 / 8, IEAC(t) 15 / 0.9375 = 16 days: Monday 25 May.
        "es": 7.5,
        "sv_t": -0.5,
        "spi_t": 0.9375,
        "ieac_t": 16,
        "planned_finish": "2026-05-22",
        "forecast_finish": "2026-05-25",
    }


def test_ev_json(tmp_path: Path) -> None:
    r = runner.invoke(APP, ["ev", str(write(tmp_path, PLAN)), "--json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    series = data.pop("series")
    assert data == expected_payload()
    # Weekly S-curve points (Sunday ends) up to the planned finish; EV/AC at the status date.
    assert [p["end"] for p in series] == ["2026-05-10", "2026-05-17", "2026-05-24"]
    assert [p["pv"] for p in series] == [1000, 2000, 3000]
    assert [p["ev"] for p in series] == [None, 1500, None]


def test_ev_table_and_status_date_option(tmp_path: Path) -> None:
    path = write(tmp_path, PLAN)
    r = runner.invoke(APP, ["ev", str(path)])
    assert r.exit_code == 0, r.output
    for text in ("SPI(t)", "CPI", "EAC", "TCPI", "forecast finish", "2026-05-25", "1,600.00"):
        assert text in r.stdout
    # A later status date: more planned value, the same progress.
    r = runner.invoke(APP, ["ev", str(path), "--json", "--status-date", "2026-05-15"])
    data = json.loads(r.stdout)
    assert (data["status_date"], data["pv"], data["ev"]) == ("2026-05-15", 2000, 1500)
    r = runner.invoke(APP, ["ev", str(path), "--json", "--period", "month"])
    assert [p["end"] for p in json.loads(r.stdout)["series"]] == ["2026-05-31"]


def test_ev_from_ms_project_xml(tmp_path: Path) -> None:
    # The same plan written as MS Project XML (costs in hundredths there) gives the same.
    xml = tmp_path / "fit-out.xml"
    xml.write_text(dump_plan(parse_plan(json.dumps(PLAN), filename="p.json"), filename="p.xml"))
    assert "<ActualCost>120000</ActualCost>" in xml.read_text()
    r = runner.invoke(APP, ["ev", str(xml), "--json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    data.pop("series")
    assert data == expected_payload()


def test_ev_without_costs_uses_working_days(tmp_path: Path) -> None:
    plan = json.loads(json.dumps(PLAN))
    for t in plan["tasks"]:
        t.pop("actual_cost", None)
        for b in t.get("baselines", []):
            b.pop("cost", None)
    r = runner.invoke(APP, ["ev", str(write(tmp_path, plan)), "--json"])
    data = json.loads(r.stdout)
    assert data["unit"] == "working days"
    assert (data["bac"], data["pv"], data["ev"]) == (15, 8, 7.5)
    assert data["spi"] == 0.9375 and data["forecast_finish"] == "2026-05-25"
    assert data["ac"] is data["cpi"] is data["eac"] is None
    r = runner.invoke(APP, ["ev", str(write(tmp_path, plan))])
    assert r.exit_code == 0 and "working days" in r.stdout


@pytest.mark.parametrize(
    ("change", "args", "message"),
    [
        (lambda p: p.pop("status_date"), [], NO_STATUS_DATE.format(file="{file}")),
        (lambda p: None, ["--status-date", "soon"], BAD_STATUS_DATE.format(value="soon")),
        (lambda p: None, ["--period", "year"], UNKNOWN_PERIOD.format(period="year")),
        (lambda p: None, ["--baseline", "3"], NO_BASELINE.format(file="{file}", number=3)),
        (
            lambda p: p["tasks"][2]["baselines"][0].pop("finish"),
            [],
            BASELINE_DATES.format(file="{file}", task='"b"', number=0),
        ),
        (
            lambda p: p["tasks"][2]["baselines"][0].update(finish="2026-05-01"),
            [],
            "{file}: " + FINISH_BEFORE_START.format(id='"b"'),
        ),
        (
            lambda p: p["tasks"][1].update(actual_cost=-5),
            [],
            '{file}: task "a": "actual_cost" must not be negative.',
        ),
    ],
)
def test_ev_bad_input(tmp_path: Path, change: Any, args: list[str], message: str) -> None:
    plan = json.loads(json.dumps(PLAN))
    change(plan)
    path = write(tmp_path, plan)
    r = runner.invoke(APP, ["ev", str(path), *args])
    assert r.exit_code == 2 and "Traceback" not in r.output
    assert r.stderr.strip() == "error: " + message.format(file=path)


def test_schedule_checks_the_new_fields_too(tmp_path: Path) -> None:
    # `keel schedule` reads big plans its own fast way; a bad actual cost is still an error.
    plan = json.loads(json.dumps(PLAN))
    plan["tasks"][3]["actual_cost"] = "lots"
    r = runner.invoke(APP, ["schedule", str(write(tmp_path, plan))])
    assert r.exit_code == 2
    assert r.stderr.strip().endswith('task "c": "actual_cost" must be a number.')
