"""Engine commands: `keel schedule`, `keel level` and `keel convert` on a plan file. No
database, no Django.

They read plan JSON, MS Project XML (`.xml`), CSV or a PSPLIB `.sm` file (by extension,
else by content), and with the mpxj extra MS Project `.mpp`/`.mpx`, Primavera `.xer`/PMXML,
Planner and GanttProject `.gan` files; `schedule` and `level` print a Rich table or, with
`--json`, one JSON object, `convert` writes the format the output name asks for. Every
problem with a file is one line on stderr naming the file, with exit code 2.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from json.encoder import encode_basestring
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import orjson
import typer
from rich.table import Column

from keel.engine.earned_value import EarnedValue, EvTask, Period, TaskError, earned_value
from keel.engine.errors import CycleError, DomainError
from keel.engine.formats import (
    Baseline,
    Plan,
    PlanTask,
    dump_plan,
    leveling_problem,
    parse_plan,
    plan_format,
    reads_bytes,
    task_moments,
)
from keel.engine.formats.plan_json import plan_columns
from keel.engine.scheduling import schedule
from keel.engine.scheduling.cpm import ScheduleColumns, schedule_columns
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
        help=(
            "Plan JSON, MS Project XML (.xml), CSV or PSPLIB .sm file; with keel[mpxj] also "
            ".mpp, .mpx, .xer, .pmxml, .planner or .gan."
        ),
        show_default=False,
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
    app.command("ev")(ev_cmd)
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
        text: str | bytes = (
            file.read_bytes() if reads_bytes(file.name) else file.read_text(encoding="utf-8")
        )
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


def _schedule_json_fast(file: Path, start: str | None) -> str | None:
    """`keel schedule FILE --json` on a plan JSON file read with orjson into columns
    (`plan_columns`), scheduled as columns and written without a record per task: the text
    `_schedule_rows` and `json.dumps` give, byte for byte. None when the file needs
    `_schedule_rows` (another format, named calendars, or any problem, which it reports)."""
    if start is not None:
        try:
            date.fromisoformat(start)
        except ValueError:
            return None
    try:
        data = file.read_bytes()
    except OSError:
        return None
    if plan_format(data, file.name) != "json":
        return None
    try:
        raw = orjson.loads(data)
    except orjson.JSONDecodeError:
        return None
    del data
    plan = plan_columns(raw)
    del raw  # freed before scheduling: a lower peak of memory
    if plan is None:
        return None
    try:
        result = schedule_columns(
            project_start=plan.start,
            calendar=plan.calendar,
            tasks=plan.tasks,
            links=plan.links,
            status_date=plan.status_date,
        )
    except DomainError:
        return None
    return _schedule_json_text(plan.keys, result)


_ROW_JSON = (
    '%s: {"early_start": %s, "early_finish": %s, "late_start": %s, "late_finish": %s, '
    '"total_float": %s, "free_float": %s, "critical": %s, "start": "%s", "finish": "%s"}'
)


def _schedule_json_text(keys: list[str], result: ScheduleColumns) -> str:
    """What `schedule_cmd` prints for these rows with `json.dumps` (and its newline), each
    distinct number or date formatted once."""
    mpd = result.minutes_per_day
    n = len(keys)
    # Minutes as `_minutes_days` and `_days(minutes / mpd)` give them, written as
    # `json.dumps` writes numbers (`repr`): the two agree, as a part of a day is at least
    # 1/1440 and never rounds to a whole number.
    distinct, where = np.unique(
        np.concatenate(
            (
                result.early_start_minute,
                result.early_finish_minute,
                result.late_start_minute,
                result.late_finish_minute,
                result.total_float_minutes,
                result.free_float_minutes,
            )
        ),
        return_inverse=True,
    )
    whole = distinct % mpd == 0
    texts = np.empty(len(distinct), dtype=object)
    texts[whole] = list(map(str, (distinct[whole] // mpd).tolist()))
    texts[~whole] = [repr(round(m / mpd, 6)) for m in distinct[~whole].tolist()]
    numbers: list[str] = texts[where].tolist()
    ordinals, at = np.unique(
        np.concatenate((result.early_start_day, result.early_finish_day)), return_inverse=True
    )
    iso = np.array([date.fromordinal(d).isoformat() for d in ordinals.tolist()], dtype=object)
    days: list[str] = iso[at].tolist()
    columns = zip(
        map(encode_basestring, keys),
        *(numbers[k * n : (k + 1) * n] for k in range(6)),
        ["true" if c else "false" for c in result.critical.tolist()],
        days[:n],
        days[n:],
        strict=True,
    )
    rows = list(map(_ROW_JSON.__mod__, columns))  # %-formatting: faster than str.format
    leaf_finish = result.early_finish_minute[~result.is_summary]
    duration = max(0, int(leaf_finish.max()) if len(leaf_finish) else 0) / mpd
    head = (
        f'{{"duration": {json.dumps(_days(duration))}, '
        f'"finish": "{result.project_finish.isoformat()}", "tasks": {{'
    )
    if not rows:
        return head + "}}\n"
    # One join makes the whole text: no copy of megabytes to add the ends.
    rows[0] = head + rows[0]
    rows[-1] += "}}\n"
    return ", ".join(rows)


def schedule_cmd(
    file: FileArg,
    as_json: JsonOpt = False,
    start: StartOpt = None,
) -> None:
    """Critical path: early and late dates, floats and the critical tasks of a plan."""
    if as_json:
        with _no_cyclic_gc():
            text = _schedule_json_fast(file, start)
        if text is not None:
            # JSON escapes control characters, so there is no ANSI code for click to strip.
            typer.echo(text, nl=False, color=True)
            return
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
                status_date=plan.status_date,
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


# ---- keel ev --------------------------------------------------------------------------------

NO_STATUS_DATE = (
    "{file}: earned value needs a status date: give --status-date or the plan's status_date."
)
NO_BASELINE = "{file}: no task has baseline {number} (with a start and a finish)."
BASELINE_DATES = "{file}: task {task}: baseline {number} needs both a start and a finish."
BAD_STATUS_DATE = "--status-date {value!r} is not a date (YYYY-MM-DD)."
UNKNOWN_PERIOD = "unknown period {period!r}: use 'day', 'week' or 'month'."
# The measures in cost units; when no task has a budget they are in working days and the
# ones that need actual costs are left out (null).
_COST_MEASURES = (
    "ac",
    "cv",
    "cpi",
    "eac",
    "eac_budget_rate",
    "eac_cpi_spi",
    "etc",
    "vac",
    "tcpi",
    "tcpi_eac",
    "percent_spent",
)


def ev_cmd(
    file: FileArg,
    as_json: JsonOpt = False,
    status_date: Annotated[
        str | None,
        typer.Option(help="Measure at the end of this day (YYYY-MM-DD); default: the plan's."),
    ] = None,
    baseline: Annotated[int, typer.Option(min=0, help="Which saved baseline (0..10).")] = 0,
    period: Annotated[
        str, typer.Option(help="S-curve periods in --json: 'day', 'week' or 'month'.")
    ] = "week",
    start: StartOpt = None,
) -> None:
    """Earned value: PV, EV, AC, SV, CV, SPI, CPI, EAC, ETC, VAC, TCPI, earned schedule and
    the forecast finish, from a plan with a baseline and progress."""
    try:
        by = Period(period)
    except ValueError:
        raise _fail(UNKNOWN_PERIOD.format(period=period)) from None
    when: date | None = None
    if status_date is not None:
        try:
            when = date.fromisoformat(status_date)
        except ValueError:
            raise _fail(BAD_STATUS_DATE.format(value=status_date)) from None
    plan = _load(file, start)
    when = when or plan.status_date
    if when is None:
        raise _fail(NO_STATUS_DATE.format(file=file))
    when = _plain_date(when)
    tasks, in_days = _ev_tasks(file, plan, baseline)
    try:
        result = earned_value(
            project_start=plan.start,
            calendar=plan.calendar,
            tasks=tasks,
            status_date=when,
            period=by,
        )
    except TaskError as exc:
        raise _fail(f"{file}: {exc.for_task(_quote(plan.key_of(exc.task_id)))}") from None
    except DomainError as exc:
        raise _engine_error(file, plan, exc) from None
    payload = _ev_payload(result, baseline, in_days)
    if as_json:
        typer.echo(json.dumps(payload, ensure_ascii=False))
        return
    _print_ev(plan, payload)


def _plain_date(d: date) -> date:
    return d.date() if isinstance(d, datetime) else d


def _quote(key: str) -> str:
    return json.dumps(key, ensure_ascii=False)


def _ev_tasks(file: Path, plan: Plan, number: int) -> tuple[list[EvTask], bool]:
    """The leaf tasks with baseline `number` as earned value inputs, and whether budgets
    are working days. A task's budget is its baseline cost, else its cost's most likely
    value, else 0; when that leaves the whole plan without a budget, each task's budget is
    its baseline duration in working days (its baseline's dates when the duration is not
    saved; 0 for a milestone). A task with an actual finish (or a milestone with an actual
    start) is 100% complete."""
    parents = {pt.task.parent_id for pt in plan.tasks}
    rows: list[tuple[PlanTask, Baseline]] = []
    for pt in plan.tasks:
        if pt.task.id in parents:
            continue  # summaries roll up their subtasks' values
        b = next((b for b in pt.baselines if b.number == number), None)
        if b is None:
            continue  # added after the baseline was saved: no planned value
        if b.start is None or b.finish is None:
            raise _fail(BASELINE_DATES.format(file=file, task=_quote(pt.key), number=number))
        rows.append((pt, b))
    if not rows:
        raise _fail(NO_BASELINE.format(file=file, number=number))

    def budget(pt: PlanTask, b: Baseline) -> float:
        if b.cost is not None:
            return b.cost
        return pt.cost.most_likely if pt.cost is not None else 0.0

    in_days = not any(budget(pt, b) for pt, b in rows)
    out: list[EvTask] = []
    for pt, b in rows:
        t = pt.task
        assert b.start is not None and b.finish is not None  # checked above
        done = t.actual_finish is not None or (t.duration_days == 0 and t.actual_start is not None)
        if in_days:
            days = b.duration_days
            if days is None and t.duration_days == 0:
                days = 0.0  # a milestone
            elif days is None:
                cal = plan.calendar
                end = cal.day_index(b.finish.date() + timedelta(days=1))
                days = float(end - cal.day_index(b.start.date()))
            amount, spent = days, 0.0
        else:
            amount, spent = budget(pt, b), pt.actual_cost or 0.0
        out.append(
            EvTask(
                id=t.id,
                budget=amount,
                baseline_start=b.start.date(),
                baseline_finish=b.finish.date(),
                percent_complete=100.0 if done else t.percent_complete,
                actual_cost=spent,
            )
        )
    return out, in_days


def _ev_payload(result: EarnedValue, number: int, in_days: bool) -> dict[str, Any]:
    def money(x: float | None) -> float | int | None:
        return None if x is None else _r(x, 2)

    def index(x: float | None) -> float | int | None:
        return None if x is None else _r(x, 4)

    def days(x: float | None) -> float | int | None:
        return None if x is None else _r(x, 3)

    r = result
    payload: dict[str, Any] = {
        "status_date": r.status_date.isoformat(),
        "baseline": number,
        "unit": "working days" if in_days else "cost",
        "bac": money(r.bac),
        "pv": money(r.pv),
        "ev": money(r.ev),
        "ac": money(r.ac),
        "sv": money(r.sv),
        "cv": money(r.cv),
        "spi": index(r.spi),
        "cpi": index(r.cpi),
        "eac": money(r.eac),
        "eac_budget_rate": money(r.eac_budget_rate),
        "eac_cpi_spi": money(r.eac_cpi_spi),
        "etc": money(r.etc),
        "vac": money(r.vac),
        "tcpi": index(r.tcpi_bac),
        "tcpi_eac": index(r.tcpi_eac),
        "percent_complete": _r(r.percent_complete, 2),
        "percent_spent": _r(r.percent_spent, 2),
        "planned_duration": days(r.planned_duration_days),
        "actual_time": days(r.actual_time_days),
        "es": days(r.earned_schedule_days),
        "sv_t": days(r.sv_t_days),
        "spi_t": index(r.spi_t),
        "ieac_t": days(r.ieac_t_days),
        "planned_finish": r.planned_finish.isoformat(),
        "forecast_finish": None if r.forecast_finish is None else r.forecast_finish.isoformat(),
        "series": [
            {"end": p.end.isoformat(), "pv": money(p.pv), "ev": money(p.ev), "ac": money(p.ac)}
            for p in r.series
        ],
    }
    if in_days:
        for key in _COST_MEASURES:
            payload[key] = None
        for point in payload["series"]:
            point["ac"] = None
    return payload


_EV_ROWS = (
    ("BAC", "bac", "budget at completion"),
    ("PV", "pv", "planned value: the baseline's work due by the status date"),
    ("EV", "ev", "earned value: the budget of the work done"),
    ("AC", "ac", "actual cost of the work done"),
    ("SV", "sv", "schedule variance, EV - PV"),
    ("CV", "cv", "cost variance, EV - AC"),
    ("SPI", "spi", "schedule performance, EV / PV"),
    ("CPI", "cpi", "cost performance, EV / AC"),
    ("EAC", "eac", "estimate at completion, BAC / CPI"),
    ("EAC (budget rate)", "eac_budget_rate", "AC + (BAC - EV)"),
    ("EAC (CPI x SPI)", "eac_cpi_spi", "AC + (BAC - EV) / (CPI x SPI)"),
    ("ETC", "etc", "estimate to complete, EAC - AC"),
    ("VAC", "vac", "variance at completion, BAC - EAC"),
    ("TCPI", "tcpi", "cost performance needed to finish on budget"),
    ("ES", "es", "earned schedule (working days): when the baseline planned today's EV"),
    ("AT", "actual_time", "actual time (working days) to the status date"),
    ("SV(t)", "sv_t", "ES - AT (working days)"),
    ("SPI(t)", "spi_t", "ES / AT"),
    ("IEAC(t)", "ieac_t", "forecast duration (working days), planned duration / SPI(t)"),
    ("planned finish", "planned_finish", "the baseline's finish"),
    ("forecast finish", "forecast_finish", "at SPI(t)"),
)


def _print_ev(plan: Plan, payload: dict[str, Any]) -> None:
    from rich.table import Table

    from .main import out

    unit = " (budgets in working days: no costs)" if payload["unit"] == "working days" else ""
    table = Table(
        "measure",
        Column("value", justify="right", no_wrap=True),
        "meaning",
        title=(
            f"{plan.name}: earned value at {payload['status_date']}, baseline "
            f"{payload['baseline']}{unit}"
        ),
    )
    money = {"bac", "pv", "ev", "ac", "sv", "cv", "eac", "eac_budget_rate", "eac_cpi_spi"}
    money |= {"etc", "vac"}
    for label, key, meaning in _EV_ROWS:
        value = payload[key]
        if value is None:
            text = "-"
        elif key in money and payload["unit"] == "cost":
            text = f"{value:,.2f}"
        else:
            text = str(value)
        table.add_row(label, text, meaning)
    out.print(table)
    out.print(
        f"{payload['percent_complete']}% complete"
        + ("" if payload["percent_spent"] is None else f", {payload['percent_spent']}% spent")
    )
