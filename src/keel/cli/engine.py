"""Engine commands: `keel schedule` and `keel level` on a plan file. No database, no Django.

Both read plan JSON or a PSPLIB `.sm` file (by extension, else by content), print a Rich
table or, with `--json`, one JSON object, and turn every problem with the file into one
line on stderr naming the file, with exit code 2.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Column

from keel.engine.errors import CycleError, DomainError
from keel.engine.formats import Plan, leveling_problem, parse_plan
from keel.engine.scheduling import schedule
from keel.engine.scheduling.leveling import DEFAULT_SAMPLES, LevelingResult, level

CANNOT_READ = "{file}: cannot read the file ({reason})."
UNKNOWN_METHOD = (
    "unknown method {method!r}: only 'heuristic' is available for now "
    "(the optimal CP-SAT method is not built yet)."
)
BAD_START = "--start {value!r} is not a date (YYYY-MM-DD)."
METHODS = ("heuristic",)

FileArg = Annotated[Path, typer.Argument(help="Plan JSON or PSPLIB .sm file.", show_default=False)]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]
StartOpt = Annotated[
    str | None,
    typer.Option(help="Start date (YYYY-MM-DD) for PSPLIB files, which have none."),
]


def register(app: typer.Typer) -> None:
    """Add the engine commands to the `keel` app."""
    app.command("schedule")(schedule_cmd)
    app.command("level")(level_cmd)


def _fail(message: str) -> typer.Exit:
    from .main import fail  # at call time: main imports this module while it loads

    return fail(message)


def _days(x: float) -> float | int:
    """Working days as JSON shows them: whole numbers as integers."""
    x = round(x, 6)
    return int(x) if x.is_integer() else x


def _load(file: Path, start: str | None) -> Plan:
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
        raise _fail(CANNOT_READ.format(file=file, reason=reason)) from None
    start_date: date | None = None
    if start is not None:
        try:
            start_date = date.fromisoformat(start)
        except ValueError:
            raise _fail(BAD_START.format(value=start)) from None
    try:
        return parse_plan(text, filename=file.name, start=start_date)
    except DomainError as exc:
        raise _fail(f"{file}: {exc}") from None


def _engine_error(file: Path, plan: Plan, exc: DomainError) -> typer.Exit:
    """A DomainError from the engine, with task ids as the file writes them."""
    if isinstance(exc, CycleError):
        path = " -> ".join(plan.key_of(t) if isinstance(t, int) else str(t) for t in exc.cycle)
        return _fail(f"{file}: dependency loop: {path}.")
    return _fail(f"{file}: {exc}")


def schedule_cmd(
    file: FileArg,
    as_json: JsonOpt = False,
    start: StartOpt = None,
) -> None:
    """Critical path: early and late dates, floats and the critical tasks of a plan."""
    plan = _load(file, start)
    try:
        result = schedule(
            project_start=plan.start,
            calendar=plan.calendar,
            tasks=[t.task for t in plan.tasks],
            links=plan.links,
            status_date=plan.status_date,
        )
    except DomainError as exc:
        raise _engine_error(file, plan, exc) from None
    mpd = plan.calendar.minutes_per_day
    leaf_finish = [o.early_finish_minute for o in result.tasks.values() if not o.is_summary]
    duration = max([0, *leaf_finish]) / mpd
    rows: dict[str, dict[str, Any]] = {}
    for pt in plan.tasks:
        o = result.tasks[pt.task.id]
        rows[pt.key] = {
            "early_start": _days(o.early_start_minute / mpd),
            "early_finish": _days(o.early_finish_minute / mpd),
            "late_start": _days(o.late_start_minute / mpd),
            "late_finish": _days(o.late_finish_minute / mpd),
            "total_float": _days(o.total_float_days),
            "free_float": _days(o.free_float_days),
            "critical": o.critical,
            "start": o.early_start.isoformat(),
            "finish": o.early_finish.isoformat(),
        }
    if as_json:
        payload = {
            "duration": _days(duration),
            "finish": result.project_finish.isoformat(),
            "tasks": rows,
        }
        typer.echo(json.dumps(payload, ensure_ascii=False))
        return
    from rich.table import Table

    from .main import out

    table = Table(
        "id",
        "name",
        *_date_columns("start", "finish"),
        "ES",
        "EF",
        "LS",
        "LF",
        "TF",
        "FF",
        "critical",
        title=f"{plan.name}: {_days(duration)} working days, finish {result.project_finish}",
    )
    for pt in plan.tasks:
        r = rows[pt.key]
        table.add_row(
            pt.key,
            pt.name,
            r["start"],
            r["finish"],
            *(
                str(r[k])
                for k in (
                    "early_start",
                    "early_finish",
                    "late_start",
                    "late_finish",
                    "total_float",
                    "free_float",
                )
            ),
            "yes" if r["critical"] else "",
        )
    out.print(table)


def level_cmd(
    file: FileArg,
    as_json: JsonOpt = False,
    method: Annotated[str, typer.Option(help="Only 'heuristic' for now.")] = "heuristic",
    samples: Annotated[
        int, typer.Option(min=0, help="Random schedules to try after the priority rules.")
    ] = DEFAULT_SAMPLES,
    seed: Annotated[int, typer.Option(help="Seed of the random sampling.")] = 0,
    start: StartOpt = None,
) -> None:
    """Resource leveling: the shortest schedule found within the resource capacities."""
    if method not in METHODS:
        raise _fail(UNKNOWN_METHOD.format(method=method))
    plan = _load(file, start)
    try:
        problem = leveling_problem(plan)
        result = level(
            activities=problem.activities,
            precedences=problem.precedences,
            capacities=problem.capacities,
            samples=samples,
            seed=seed,
        )
    except DomainError as exc:
        raise _engine_error(file, plan, exc) from None
    payload = _level_payload(plan, result, problem.unit_days, problem.scale)
    if as_json:
        typer.echo(json.dumps(payload, ensure_ascii=False))
        return
    on_release = {plan.key_of(a.id) for a in problem.activities if a.release == result.starts[a.id]}
    _print_level(plan, payload, on_release)


def _level_payload(
    plan: Plan, result: LevelingResult, unit_days: float, scale: int
) -> dict[str, Any]:
    cal = plan.calendar
    origin = cal.day_index(plan.start)
    finish_day = cal.day_at(origin + max(0, _ceil(result.makespan * unit_days) - 1))
    return {
        "makespan": _days(result.makespan * unit_days),
        "lower_bound": _days(result.lower_bound * unit_days),
        "optimal": result.optimal,
        "critical_path_length": _days(result.critical_path_length * unit_days),
        "resource_bound": _days(result.resource_bound * unit_days),
        "finish": finish_day.isoformat(),
        "starts": {plan.key_of(tid): _days(s * unit_days) for tid, s in result.starts.items()},
        "delays": {
            plan.key_of(tid): {
                "days": _days(d.units * unit_days),
                "resource": d.resource,
                "predecessor": None if d.predecessor_id is None else plan.key_of(d.predecessor_id),
            }
            for tid, d in result.delays.items()
        },
        "overallocation_before": {
            r: _days(v * unit_days / scale) for r, v in result.overload_before.items()
        },
        "overallocation_after": {
            r: _days(v * unit_days / scale) for r, v in result.overload_after.items()
        },
    }


def _date_columns(*headers: str) -> list[Column]:
    return [Column(h, no_wrap=True, min_width=10) for h in headers]


def _ceil(x: float) -> int:
    return -int(-round(x, 6) // 1)


def _print_level(plan: Plan, payload: dict[str, Any], on_release: set[str]) -> None:
    from rich.table import Table

    from .main import out

    cal = plan.calendar
    origin = cal.day_index(plan.start)
    names = {pt.key: pt.name for pt in plan.tasks}
    milestones = {pt.key for pt in plan.tasks if pt.task.duration_days == 0}
    table = Table(
        "id",
        "name",
        "start",
        *_date_columns("start date"),
        "delayed",
        "why",
        title=(
            f"{plan.name}: {payload['makespan']} working days (lower bound "
            f"{payload['lower_bound']}{', optimal' if payload['optimal'] else ''}), "
            f"finish {payload['finish']}"
        ),
    )
    for key, s in payload["starts"].items():
        delay = payload["delays"].get(key)
        why = ""
        if delay is not None:
            why = (
                f"resource {delay['resource']}"
                if delay["resource"] is not None
                else f"after {delay['predecessor']}"
            )
        # A milestone after work sits on the day that work ended, as in `keel schedule`.
        after_work = s > 0 and key in milestones and key not in on_release
        day = int(s) - 1 if after_work else int(s)
        table.add_row(
            key,
            names[key],
            str(s),
            cal.day_at(origin + day).isoformat(),
            "" if delay is None else str(delay["days"]),
            why,
        )
    out.print(table)
    over = ", ".join(
        f"{r} {payload['overallocation_before'][r]} -> {payload['overallocation_after'][r]}"
        for r in payload["overallocation_before"]
    )
    if over:
        out.print(f"Over-allocation (unit-days above capacity), before -> after: {over}")
