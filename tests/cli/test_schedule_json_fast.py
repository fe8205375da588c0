"""`keel schedule FILE --json` has a fast path for plan JSON files (read with orjson into
columns, scheduled as columns, written without a record per task) beside the general one
(`parse_plan` records, `schedule`, a dict per row and `json.dumps`), which is the
reference. These check that both print the same bytes, or the same one-line error with the
same exit code, on varied generated plans: all link types in any case, lags and leads,
milestones, summaries with links on them, every constraint, deadlines, progress, a status
date, calendars with holidays and make-up days, resources, string and integer ids, and
broken files. No database is used."""

from __future__ import annotations

import json
import random
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import typer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from keel.cli import engine
from keel.engine.formats.plan_json import plan_columns

runner = CliRunner()
START = date(2026, 1, 5)
CONSTRAINTS = ["snet", "snlt", "fnet", "fnlt", "mso", "mfo"]


def make_app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """keel"""

    engine.register(app)
    return app


APP = make_app()


@contextmanager
def general_path_only() -> Iterator[None]:
    saved = engine._schedule_json_fast
    engine._schedule_json_fast = lambda file, start: None
    try:
        yield
    finally:
        engine._schedule_json_fast = saved


def run_both(path: Path) -> tuple[tuple[int, str, str], tuple[int, str, str]]:
    """(exit code, stdout, stderr) of the command as it is, and of the general path."""
    args = ["schedule", str(path), "--json"]
    fast = runner.invoke(APP, args)
    with general_path_only():
        general = runner.invoke(APP, args)
    return (
        (fast.exit_code, fast.stdout, fast.stderr),
        (general.exit_code, general.stdout, general.stderr),
    )


def day(draw: st.DrawFn, low: int = -5, high: int = 60, *, moment: bool | None = None) -> str:
    """A date, or a date-time (`moment`; one time in five when None)."""
    d = START + timedelta(days=draw(st.integers(low, high)))
    if moment or (moment is None and draw(st.integers(0, 4)) == 0):
        return f"{d.isoformat()}T{draw(st.sampled_from(['09:30', '13:00', '17:45']))}"
    return d.isoformat()


@st.composite
def plan_dicts(draw: st.DrawFn, broken: bool = False) -> dict[str, Any]:
    """A plan JSON object; `broken` adds one problem some of the time."""
    n = draw(st.integers(1, 30))
    key_kind = draw(st.sampled_from(["int", "str", "text", "mixed"]))

    def key_of(i: int) -> str | int:
        if key_kind == "int" or (key_kind == "mixed" and i % 2):
            return i * 3
        if key_kind == "text":
            return f'T-{i} "é"\\{chr(0x4E00 + i)}'
        return str(i * 3)

    parents: dict[int, int | None] = {1: None}
    for i in range(2, n + 1):
        parents[i] = draw(st.none() | st.integers(max(1, i - 5), i - 1))

    def last(j: int) -> int:
        """The last task under j (j itself for a leaf): links go from it to later tasks
        only, so that no loop forms through summaries."""
        return max([j, *(k for k in parents if j in _ancestors(parents, k))])

    tasks: list[dict[str, Any]] = []
    for i in range(1, n + 1):
        parent = parents[i]
        item: dict[str, Any] = {"id": key_of(i)}
        if draw(st.booleans()):
            item["name"] = draw(st.sampled_from(["Pack", "Test\tit", "搬家", ""]))
        is_summary = i in parents.values()
        if not is_summary or draw(st.booleans()):  # a summary may leave it out
            item["duration"] = draw(st.sampled_from([0, 0, 0.25, 0.5, 1, 2, 3, 5.5, 1 / 3]))
        if parent is not None:
            p = key_of(parent)
            item["parent"] = str(p) if draw(st.booleans()) else p
        preds: list[dict[str, Any]] = []
        for _ in range(draw(st.integers(0, 3)) if i > 1 else 0):
            j = draw(st.integers(max(1, i - 8), i - 1))
            if last(j) >= i:
                continue
            link: dict[str, Any] = {"id": key_of(j)}
            kind = draw(st.sampled_from([None, "FS", "SS", "FF", "SF", "fs", "Sf"]))
            if kind is not None:
                link["type"] = kind
            lag = draw(st.sampled_from([None, None, 0, 1, 2, -0.5, 0.25, 1.5]))
            if lag is not None:
                link["lag"] = lag
            preds.append(link)
        listed = draw(st.booleans())  # an empty list of predecessors, or none
        if preds or listed:
            item["predecessors"] = preds
        if draw(st.integers(0, 3)) == 0:
            constraint = draw(st.sampled_from(["asap", "alap", "ALAP", *CONSTRAINTS]))
            item["constraint"] = constraint
            if constraint.lower() in CONSTRAINTS:
                item["constraint_date"] = day(draw)
        if draw(st.integers(0, 5)) == 0:
            item["deadline"] = day(draw)
        if draw(st.integers(0, 6)) == 0:
            item["percent_complete"] = draw(st.sampled_from([0, 30, 100]))
        if draw(st.integers(0, 8)) == 0:
            # Both dates or both moments: the engine cannot compare a date with a moment.
            moment = draw(st.booleans())
            item["actual_start"] = day(draw, -10, 20, moment=moment)
            if draw(st.booleans()):
                item["actual_finish"] = day(draw, 20, 30, moment=moment)
        if draw(st.integers(0, 8)) == 0:
            item.update(optimistic=1, most_likely=2, pessimistic=4)
        if draw(st.integers(0, 8)) == 0:
            item["demands"] = {"crew": 1}
        tasks.append(item)
    calendar: dict[str, Any] = {
        "holidays": [(START + timedelta(days=d)).isoformat() for d in (2, 9, 31)]
    }
    if draw(st.booleans()):
        calendar.update(
            weekdays=[0, 1, 2, 3, 4, 5],
            hours_per_day=7.5,
            working_days=[(START + timedelta(days=13)).isoformat()],
        )
        if draw(st.booleans()):
            calendar["hours"] = ["08:00-12:00", "13:00-16:30"]
    plan: dict[str, Any] = {
        "name": "Generated",
        "start": START.isoformat(),
        "calendar": calendar,
        "resources": [{"id": "crew", "name": "Crew", "capacity": 2}],
        "tasks": tasks,
    }
    if draw(st.integers(0, 3)) == 0:
        plan["status_date"] = (START + timedelta(days=draw(st.integers(0, 20)))).isoformat()
    if broken:
        _break(draw, plan)
    return plan


def _break(draw: st.DrawFn, plan: dict[str, Any]) -> None:
    tasks = plan["tasks"]
    item = draw(st.sampled_from(tasks))
    problem = draw(st.integers(0, 14))
    if problem == 0:
        item["duration"] = -1
    elif problem == 1:
        item["predecessors"] = [{"id": "ghost"}]
    elif problem == 2:
        item["predecessors"] = [{"id": tasks[-1]["id"]}]  # often a loop
    elif problem == 3:
        item["parent"] = item["id"]
    elif problem == 4:
        item["name"] = 7
    elif problem == 5:
        tasks.append(dict(tasks[0]))  # a duplicate id
    elif problem == 6:
        item["id"] = True
    elif problem == 7:
        item["predecessors"] = [{"id": tasks[0]["id"], "type": "XX"}]
    elif problem == 8:
        item["predecessors"] = {"id": tasks[0]["id"]}
    elif problem == 9:
        item["duration"] = "2"
    elif problem == 10:
        item["priority"] = 2**64 + 1  # orjson reads it as a float
    elif problem == 11:
        item["duration"] = 2**64  # beyond any date
    elif problem == 12:
        plan["calendars"] = [{"id": "std", "name": "Standard"}]
        plan["project_calendar"] = "std"
    elif problem == 13:
        item["predecessors"] = [{"id": tasks[0]["id"], "lag": None}, {"id": None}]
    else:
        item.pop("duration", None)
        item.pop("parent", None)


def _ancestors(parents: dict[int, int | None], i: int) -> set[int]:
    out: set[int] = set()
    cur = parents[i]
    while cur is not None:
        out.add(cur)
        cur = parents[cur]
    return out


def check(plan: dict[str, Any], *, fast: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "plan.json"
        path.write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
        as_is, general = run_both(path)
        assert as_is == general
        if fast and general[0] == 0:
            assert engine._schedule_json_fast(path, None) is not None  # not by the general path


settings_ = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow], max_examples=150)


@settings_
@given(plan_dicts())
def test_fast_path_prints_what_the_general_path_prints(plan: dict[str, Any]) -> None:
    check(plan, fast=True)


@settings_
@given(plan_dicts(broken=True))
def test_broken_files_give_the_same_error(plan: dict[str, Any]) -> None:
    check(plan, fast=False)


def test_a_big_plan_runs_the_level_wise_passes_the_same() -> None:
    """Over 2,000 nodes, wide: both paths run the passes level by level with numpy."""
    rng = random.Random(5)
    tasks: list[dict[str, Any]] = []
    for i in range(1, 3001):
        item: dict[str, Any] = {"id": f"t{i}", "name": f"Task {i}"}
        if i % 50 == 1:
            tasks.append(item)
            continue
        item["parent"] = f"t{(i - 1) // 50 * 50 + 1}"
        item["duration"] = rng.choice([0, 0.25, 1, 2, 5])
        preds = []
        for _ in range(rng.randint(0, 3)) if i > 60 else ():
            j = rng.randint(max(2, i - 300), i - 1)
            if j % 50 != 1 or (j - 1) // 50 != (i - 1) // 50:
                kind = rng.choice(["FS", "SS", "FF", "SF"])
                preds.append({"id": f"t{j}", "type": kind, "lag": rng.choice([0, 1, -0.5])})
        if preds:
            item["predecessors"] = preds
        if i % 97 == 0:
            item["constraint"] = rng.choice(CONSTRAINTS)
            item["constraint_date"] = (START + timedelta(days=rng.randint(0, 200))).isoformat()
        tasks.append(item)
    plan = {
        "name": "Big",
        "start": START.isoformat(),
        "calendar": {
            "holidays": [(START + timedelta(days=d)).isoformat() for d in range(3, 900, 37)]
        },
        "tasks": tasks,
    }
    check(plan, fast=True)


@pytest.mark.parametrize(
    "raw",
    [
        [],
        {"name": "x", "start": "2026-01-05", "tasks": {}},
        {"name": "x", "start": "2026-01-05", "tasks": [{"id": "a", "duration": True}]},
        {"name": "x", "start": "2026-01-05", "tasks": [{"id": "a", "duration": 1e300}]},
        {"name": "x", "start": "2026-01-05", "tasks": [{"id": "a", "duration": 1}], "risks": 3},
    ],
)
def test_plans_the_columns_do_not_cover_go_to_the_general_reader(raw: object) -> None:
    assert plan_columns(raw) is None


def test_a_done_task_of_any_duration_schedules_on_its_actual_dates() -> None:
    """Its duration never counts (orjson reads 2**64 as a float: the general path runs)."""
    plan = {
        "name": "Done",
        "start": START.isoformat(),
        "tasks": [
            {"id": "a", "duration": 2},
            {
                "id": "b",
                "duration": 2**64,
                "actual_start": "2026-01-05",
                "actual_finish": "2026-01-09",
                "predecessors": [{"id": "a", "type": "SF"}],
            },
            {"id": "c", "duration": 1, "predecessors": [{"id": "b"}]},
        ],
    }
    check(plan, fast=False)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "plan.json"
        path.write_text(json.dumps(plan), encoding="utf-8")
        r = runner.invoke(APP, ["schedule", str(path), "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["tasks"]["c"]["start"] == "2026-01-12"
