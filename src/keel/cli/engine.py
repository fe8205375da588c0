"""Engine commands: `keel schedule`, `keel level` and `keel convert` on a plan file. No
database, no Django.

They read plan JSON, MS Project XML (`.xml`), CSV or a PSPLIB `.sm` file (by extension,
else by content); `schedule` and `level` print a Rich table or, with `--json`, one JSON
object, `convert` writes the format the output name asks for. Every problem with a file is
one line on stderr naming the file, with exit code 2.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Column

from keel.engine.errors import CycleError, DomainError
from keel.engine.formats import Plan, dump_plan, leveling_problem, parse_plan, task_moments
from keel.engine.scheduling import schedule
from keel.engine.scheduling.leveling import DEFAULT_SAMPLES, LevelingResult, level
from keel.engine.scheduling.leveling_cpsat import DEFAULT_TIME_LIMIT, level_optimal
from keel.engine.simulation import (
    DEFAULT_ITERATIONS,
    Distribution,
    Estimate,
    SimulationResult,
    TaskUncertainty,
    simulate,
)
from keel.engine.types import ScheduleResult

CANNOT_READ = "{file}: cannot read the file ({reason})."
CANNOT_WRITE = "{file}: cannot write the file ({reason})."
UNKNOWN_METHOD = "unknown method {method!r}: use 'heuristic' or 'optimal'."
BAD_START = "--start {value!r} is not a date (YYYY-MM-DD)."
METHODS = ("heuristic", "optimal")
BAD_TARGET = "--target {value!r} is not a date (YYYY-MM-DD)."

FileArg = Annotated[
    Path,
    typer.Argument(
        help="Plan JSON, MS Project XML (.xml), CSV or PSPLIB .sm file.", show_default=False
    ),
]
OutArg = Annotated[
    Path,
    typer.Argument(help="File to write: .json, .xml (MS Project) or .csv.", show_default=False),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]
StartOpt = Annotated[
    str | None,
    typer.Option(help="Start date (YYYY-MM-DD) for PSPLIB and CSV files, which have none."),
]


def register(app: typer.Typer) -> None:
    """Add the engine commands to the `keel` app."""
    app.command("schedule")(schedule_cmd)
    app.command("level")(level_cmd)
    app.command("simulate")(simulate_cmd)
    app.command("convert")(convert_cmd)


def _fail(message: str) -> typer.Exit:
    from .main import fail  # at call time: main imports this module while it loads

    return fail(message)


def _days(x: float) -> float | int:
    """Working days as JSON shows them: whole numbers as integers."""
    x = round(x, 6)
    return int(x) if x.is_integer() else x


@contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while a big plan is read and scheduled: the
    millions of objects a 100,000-task plan brings make each automatic full collection
    slow (more than a second in all), and this work leaves no cycles to collect."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _minutes_days(minutes: int, mpd: int) -> float | int:
    """`_days(minutes / mpd)` without its float rounding for whole days (a part of a day is
    at least 1/1440, so it never rounds to a whole number)."""
    whole, part = divmod(minutes, mpd)
    return round(minutes / mpd, 6) if part else whole


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


def _schedule_rows(
    file: Path, start: str | None
) -> tuple[Plan, ScheduleResult, dict[str, dict[str, Any]], float]:
    """Read and schedule a plan: the plan, the result, a row per task and the duration."""
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
    # Plans with named calendars (as from MS Project) have working hours worth showing.
    moments = task_moments(plan, result) if plan.calendars else {}
    for pt in plan.tasks:
        o = result.tasks[pt.task.id]
        rows[pt.key] = {
            "early_start": _minutes_days(o.early_start_minute, mpd),
            "early_finish": _minutes_days(o.early_finish_minute, mpd),
            "late_start": _minutes_days(o.late_start_minute, mpd),
            "late_finish": _minutes_days(o.late_finish_minute, mpd),
            "total_float": _days(o.total_float_days),
            "free_float": _days(o.free_float_days),
            "critical": o.critical,
            "start": o.early_start.isoformat(),
            "finish": o.early_finish.isoformat(),
        }
        if pt.task.id in moments:
            begin, end = moments[pt.task.id]
            rows[pt.key]["start_time"] = begin.isoformat(timespec="minutes")
            rows[pt.key]["finish_time"] = end.isoformat(timespec="minutes")
    return plan, result, rows, duration


def schedule_cmd(
    file: FileArg,
    as_json: JsonOpt = False,
    start: StartOpt = None,
) -> None:
    """Critical path: early and late dates, floats and the critical tasks of a plan."""
    with _no_cyclic_gc():
        plan, result, rows, duration = _schedule_rows(file, start)
    if as_json:
        payload = {
            "duration": _days(duration),
            "finish": result.project_finish.isoformat(),
            "tasks": rows,
        }
        # JSON escapes control characters, so there is no ANSI code for click to strip (a
        # regex pass over megabytes of output when stdout is not a terminal).
        typer.echo(json.dumps(payload, ensure_ascii=False), color=True)
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


def convert_cmd(source: FileArg, target: OutArg, start: StartOpt = None) -> None:
    """Convert a plan between plan JSON, MS Project XML and CSV (by the file extensions)."""
    plan = _load(source, start)
    try:
        text = dump_plan(plan, filename=target.name)
    except DomainError as exc:
        raise _fail(f"{target}: {exc}") from None
    try:
        target.write_text(text, encoding="utf-8")
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise _fail(CANNOT_WRITE.format(file=target, reason=reason)) from None


def level_cmd(
    file: FileArg,
    as_json: JsonOpt = False,
    method: Annotated[
        str, typer.Option(help="'heuristic' (fast) or 'optimal' (CP-SAT, proves a bound).")
    ] = "heuristic",
    samples: Annotated[
        int, typer.Option(min=0, help="Random schedules to try after the priority rules.")
    ] = DEFAULT_SAMPLES,
    seed: Annotated[int, typer.Option(help="Seed of the random sampling.")] = 0,
    start: StartOpt = None,
    time_limit: Annotated[
        float, typer.Option(min=0, help="Seconds the optimal method may search.")
    ] = DEFAULT_TIME_LIMIT,
) -> None:
    """Resource leveling: the shortest schedule found within the resource capacities."""
    if method not in METHODS:
        raise _fail(UNKNOWN_METHOD.format(method=method))
    plan = _load(file, start)
    try:
        problem = leveling_problem(plan)
        if method == "optimal":
            result = level_optimal(
                activities=problem.activities,
                precedences=problem.precedences,
                capacities=problem.capacities,
                time_limit=time_limit,
                samples=samples,
                seed=seed,
            ).result
        else:
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


# ---- keel simulate ------------------------------------------------------------------------

TOP_DRIVERS = 10


def simulate_cmd(
    file: FileArg,
    as_json: JsonOpt = False,
    iterations: Annotated[
        int, typer.Option(min=1, help="Monte Carlo iterations.")
    ] = DEFAULT_ITERATIONS,
    seed: Annotated[int, typer.Option(help="Seed: the same seed gives the same result.")] = 0,
    target: Annotated[
        str | None, typer.Option(help="Date (YYYY-MM-DD) to give the probability of.")
    ] = None,
    start: StartOpt = None,
) -> None:
    """Schedule risk: finish-date percentiles, criticality and what drives the finish."""
    target_date: date | None = None
    if target is not None:
        try:
            target_date = date.fromisoformat(target)
        except ValueError:
            raise _fail(BAD_TARGET.format(value=target)) from None
    plan = _load(file, start)
    from rich.progress import Progress

    from .main import err

    with Progress(console=err, transient=True, disable=not err.is_terminal) as bar:
        job = bar.add_task("Simulating", total=iterations)
        try:
            result = simulate(
                project_start=plan.start,
                calendar=plan.calendar,
                tasks=[t.task for t in plan.tasks],
                links=plan.links,
                uncertainties=_uncertainties(plan),
                risks=plan.risks,
                iterations=iterations,
                seed=seed,
                targets=() if target_date is None else (target_date,),
                progress=lambda done, _total: bar.update(job, completed=done),
            )
        except DomainError as exc:
            raise _engine_error(file, plan, exc) from None
    payload = _simulate_payload(plan, result, target_date)
    if as_json:
        typer.echo(json.dumps(payload, ensure_ascii=False))
        return
    _print_simulation(plan, payload)


def _uncertainties(plan: Plan) -> list[TaskUncertainty]:
    out: list[TaskUncertainty] = []
    for pt in plan.tasks:
        duration = None
        if pt.optimistic is not None and pt.most_likely is not None and pt.pessimistic is not None:
            duration = Estimate(
                pt.optimistic,
                pt.most_likely,
                pt.pessimistic,
                pt.distribution or Distribution.PERT,
            )
        if duration is not None or pt.cost is not None:
            out.append(TaskUncertainty(pt.task.id, duration, pt.cost))
    return out


def _r(x: float, digits: int = 3) -> float | int:
    x = round(x, digits)
    return int(x) if x.is_integer() else x


def _simulate_payload(plan: Plan, result: SimulationResult, target: date | None) -> dict[str, Any]:
    names = {pt.task.id: pt.name for pt in plan.tasks}
    risk_names = {r.id: r.name for r in plan.risks}
    payload: dict[str, Any] = {
        "iterations": result.iterations,
        "seed": result.seed,
        "deterministic": {
            "days": _r(result.deterministic_days),
            "finish": result.deterministic_finish.isoformat(),
            "probability": _r(result.probability_deterministic, 4),
        },
        "mean": _r(result.mean_days),
        "std": _r(result.std_days),
        "min": _r(result.min_days),
        "max": _r(result.max_days),
        "percentiles": {
            f"P{p.percent}": {"days": _r(p.days), "finish": p.date.isoformat()}
            for p in result.percentiles
        },
        "target": None
        if target is None
        else {"date": target.isoformat(), "probability": _r(result.targets[target], 4)},
        "histogram": [
            {"low": _r(b.low), "high": _r(b.high), "count": b.count} for b in result.histogram
        ],
        "s_curve": [
            {"days": _r(c.days), "finish": c.date.isoformat(), "probability": _r(c.probability, 4)}
            for c in result.s_curve
        ],
        "criticality": {plan.key_of(t): _r(x, 4) for t, x in result.criticality.items()},
        "sensitivity": [
            {
                "kind": d.kind,
                "id": plan.key_of(d.id) if isinstance(d.id, int) else d.id,
                "name": names[d.id] if isinstance(d.id, int) else risk_names.get(d.id, d.id),
                "correlation": _r(d.correlation, 4),
            }
            for d in result.sensitivity
        ],
        "risks": {rid: _r(x, 4) for rid, x in result.risk_occurrence.items()},
        "cost": None,
    }
    if result.cost is not None:
        c = result.cost
        payload["cost"] = {
            "deterministic": _r(c.deterministic, 2),
            "mean": _r(c.mean, 2),
            "std": _r(c.std, 2),
            "min": _r(c.min, 2),
            "max": _r(c.max, 2),
            "percentiles": {f"P{p}": _r(x, 2) for p, x in c.percentiles},
        }
    return payload


def _print_simulation(plan: Plan, payload: dict[str, Any]) -> None:
    from rich.table import Table

    from .main import out

    det = payload["deterministic"]
    title = (
        f"{plan.name}: {payload['iterations']} iterations, seed {payload['seed']}; "
        f"planned finish {det['finish']} ({det['days']} working days), "
        f"{det['probability']:.0%} likely"
    )
    cost = payload["cost"]
    table = Table("percentile", "working days", *_date_columns("finish"), title=title)
    if cost is not None:
        table.add_column("total cost", justify="right")
    for name, p in payload["percentiles"].items():
        row = [name, str(p["days"]), p["finish"]]
        if cost is not None:
            row.append(f"{cost['percentiles'][name]:,.2f}")
        table.add_row(*row)
    out.print(table)
    if payload["target"] is not None:
        t = payload["target"]
        out.print(f"Probability of finishing by {t['date']}: {t['probability']:.1%}")
    names = {pt.key: pt.name for pt in plan.tasks}
    crit = sorted(payload["criticality"].items(), key=lambda kv: -kv[1])[:TOP_DRIVERS]
    crit_table = Table("id", "name", "criticality", title="Most critical tasks")
    for key, x in crit:
        crit_table.add_row(key, names[key], f"{x:.0%}")
    out.print(crit_table)
    drivers = Table("kind", "id", "name", "correlation", title="What drives the finish")
    for d in payload["sensitivity"][:TOP_DRIVERS]:
        drivers.add_row(d["kind"], str(d["id"]), d["name"], f"{d['correlation']:+.2f}")
    out.print(drivers)
