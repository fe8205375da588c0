"""`make bench`: each benchmark prints its time and its ratio against a baseline measured in
the same run on the same input, so results compare across machines."""

from __future__ import annotations

import csv
import datetime as dt
import math
import os
import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

from keel.engine.calendars import WorkCalendar
from keel.engine.formats import leveling_problem, parse_psplib
from keel.engine.graph import topological_order
from keel.engine.scheduling import schedule
from keel.engine.scheduling.leveling import level
from keel.engine.types import LinkIn, LinkType, TaskIn


def best_of(fn: Callable[[], object], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def network(n: int, links_per_task: float, seed: int = 7) -> tuple[list[TaskIn], list[LinkIn]]:
    rng = random.Random(seed)
    tasks = [TaskIn(id=i, duration_days=rng.choice([0.5, 1, 2, 3, 5, 8])) for i in range(1, n + 1)]
    links: set[tuple[int, int]] = set()
    while len(links) < int(n * links_per_task):
        b = rng.randint(2, n)
        a = rng.randint(max(1, b - 200), b - 1)
        links.add((a, b))
    types = list(LinkType)
    return tasks, [
        LinkIn(
            predecessor_id=a,
            successor_id=b,
            type=rng.choice(types),
            lag_days=rng.choice([0, 0, 1, -0.5]),
        )
        for a, b in sorted(links)
    ]


def bench_cpm(n: int = 10_000) -> None:
    tasks, links = network(n, 1.5)
    holidays = frozenset(dt.date(2026, 1, 1) + dt.timedelta(days=d) for d in range(0, 3650, 37))
    cal = WorkCalendar(holidays=holidays)
    start = dt.date(2026, 1, 5)
    edges = [(lk.predecessor_id, lk.successor_id) for lk in links]
    base = best_of(lambda: topological_order([t.id for t in tasks], edges))
    cpm = best_of(lambda: schedule(project_start=start, calendar=cal, tasks=tasks, links=links), 3)
    print(
        f"cpm {n} tasks / {len(links)} links: {cpm * 1000:.0f} ms; "
        f"baseline topological sort {base * 1000:.1f} ms; ratio {cpm / base:.1f}x"
    )


def bench_calendar(n: int = 100_000) -> None:
    cal = WorkCalendar(
        holidays=frozenset(dt.date(2026, 1, 1) + dt.timedelta(days=d) for d in range(0, 3650, 37))
    )
    rng = random.Random(3)
    starts = [dt.date(2026, 1, 1) + dt.timedelta(days=rng.randint(0, 1500)) for _ in range(n)]
    spans = [rng.randint(0, 400) for _ in range(n)]
    base = best_of(lambda: [s + dt.timedelta(days=k) for s, k in zip(starts, spans, strict=True)])
    work = best_of(lambda: [cal.add_working_days(s, k) for s, k in zip(starts, spans, strict=True)])
    print(
        f"calendar add_working_days x{n}: {work * 1000:.0f} ms; baseline date + timedelta "
        f"{base * 1000:.0f} ms; ratio {work / base:.1f}x "
        f"(median span {statistics.median(spans)} days)"
    )


PSPLIB = Path(os.environ.get("KEEL_PSPLIB", "/work/shared/bench/psplib"))


def bench_leveling(root: Path = PSPLIB) -> None:
    """The leveler on the 480 PSPLIB j30 instances against their proven optima; baseline:
    one pass of the serial SGS with the LFT rule, on the same instances in the same run."""
    optimum_csv = root / "kobe-scheduling" / "j30.sm" / "optimum" / "optimum.csv"
    files = sorted((root / "j30").glob("*.sm"))
    if not files or not optimum_csv.exists():
        print(f"leveling j30: skipped ({root} not found)")
        return
    with optimum_csv.open(newline="") as fh:
        optimum = {row["problem"]: int(row["optimum"]) for row in csv.DictReader(fh)}
    gaps: list[float] = []
    base_gaps: list[float] = []
    hits = 0
    spent = base_spent = 0.0
    for path in files:
        problem = leveling_problem(parse_psplib(path.read_text(), name=path.name).plan)
        acts, links, caps = problem.activities, problem.precedences, problem.capacities
        t0 = time.perf_counter()
        result = level(activities=acts, precedences=links, capacities=caps)
        t1 = time.perf_counter()
        base = level(
            activities=acts,
            precedences=links,
            capacities=caps,
            rules=("lft",),
            samples=0,
            justify=False,
        )
        t2 = time.perf_counter()
        spent += t1 - t0
        base_spent += t2 - t1
        best = optimum[path.name]
        gaps.append((result.makespan - best) / best)
        base_gaps.append((base.makespan - best) / best)
        hits += result.makespan == best
    n = len(files)
    gap, base_gap = 100 * statistics.fmean(gaps), 100 * statistics.fmean(base_gaps)
    print(
        f"leveling j30 x{n}: avg gap {gap:.2f}%, max {100 * max(gaps):.1f}%, optimal {hits}/{n}, "
        f"{spent / n * 1000:.1f} ms/instance; baseline serial SGS + LFT gap {base_gap:.2f}%, "
        f"{base_spent / n * 1000:.2f} ms/instance; time ratio {spent / base_spent:.0f}x"
    )


def _python_forward(
    order: list[int], preds: list[list[tuple[int, int]]], dur: list[float]
) -> float:
    """One iteration's forward pass in plain Python (FS links only, as the network below)."""
    ef = [0.0] * len(dur)
    for v in order:
        es = 0.0
        for p, _ in preds[v]:
            if ef[p] > es:
                es = ef[p]
        ef[v] = es + dur[v]
    return max(ef)


def bench_simulation(
    n: int = 1_000, iterations: int = 10_000, loop_iterations: int = 50, batches: int = 4
) -> None:
    """Monte Carlo on a 1,000-task plan (PERT estimates on every task); baseline: the
    straightforward Python loop, per iteration drawing every task's PERT duration with
    `random.betavariate` and running a plain forward pass (no criticality, no sensitivity,
    which the simulation also computes). Both sides best-of: the simulation of 3 runs, the
    loop of `batches` batches of `loop_iterations`, scaled to `iterations`."""
    from keel.engine.simulation import Estimate, TaskUncertainty, simulate

    rng = random.Random(11)
    tasks, _ = network(n, 0)
    fs: set[tuple[int, int]] = set()
    while len(fs) < int(n * 1.5):
        b = rng.randint(2, n)
        fs.add((rng.randint(max(1, b - 200), b - 1), b))
    links = [LinkIn(a, b) for a, b in sorted(fs)]
    est = [Estimate(t.duration_days * 0.8, t.duration_days, t.duration_days * 1.7) for t in tasks]
    unc = [TaskUncertainty(t.id, e) for t, e in zip(tasks, est, strict=True)]
    start = dt.date(2026, 1, 5)
    runs = []

    def run() -> None:
        runs.append(
            simulate(
                project_start=start,
                calendar=WorkCalendar(),
                tasks=tasks,
                links=links,
                uncertainties=unc,
                iterations=iterations,
                seed=1,
            )
        )

    spent = best_of(run, 3)
    result = runs[-1]
    index = {t.id: i for i, t in enumerate(tasks)}
    preds: list[list[tuple[int, int]]] = [[] for _ in tasks]
    for lk in links:
        preds[index[lk.successor_id]].append((index[lk.predecessor_id], 0))
    order = [index[i] for i in topological_order(list(index), [(a, b) for a, b in sorted(fs)])]
    shapes = []
    for e in est:
        w = e.pessimistic - e.optimistic
        shapes.append(
            (
                e.optimistic,
                w,
                1 + 4 * (e.most_likely - e.optimistic) / w,
                1 + 4 * (e.pessimistic - e.most_likely) / w,
            )
        )
    finishes: list[float] = []
    batch = math.inf
    for _ in range(batches):
        t0 = time.perf_counter()
        for _ in range(loop_iterations):
            dur = [a + w * rng.betavariate(al, be) for a, w, al, be in shapes]
            finishes.append(_python_forward(order, preds, dur))
        batch = min(batch, time.perf_counter() - t0)
    loop = batch * iterations / loop_iterations
    p50 = next(p for p in result.percentiles if p.percent == 50)
    print(
        f"simulation {n} tasks / {len(links)} links x{iterations} iterations: {spent:.2f} s "
        f"(with criticality and sensitivity; P50 {p50.days:.1f} days, loop P50 "
        f"{statistics.median(finishes):.1f}); baseline Python loop (sampling + forward pass) "
        f"{loop:.1f} s, best of {batches} x {loop_iterations} iterations, scaled; "
        f"ratio {loop / spent:.0f}x faster"
    )


def bench_cpsat(root: Path = PSPLIB, time_limit: float = 10.0) -> None:
    """CP-SAT on the 480 PSPLIB j30 instances with a per-instance time limit: how many it
    proves optimal, and how many match the known optima; baseline: the heuristic leveler."""
    from keel.engine.scheduling.leveling_cpsat import DEFAULT_WORKERS, level_optimal

    optimum_csv = root / "kobe-scheduling" / "j30.sm" / "optimum" / "optimum.csv"
    files = sorted((root / "j30").glob("*.sm"))
    if not files or not optimum_csv.exists():
        print(f"cp-sat j30: skipped ({root} not found)")
        return
    with optimum_csv.open(newline="") as fh:
        optimum = {row["problem"]: int(row["optimum"]) for row in csv.DictReader(fh)}
    proved = matched = heuristic_hits = 0
    times: list[float] = []
    unproven: list[str] = []
    for path in files:
        problem = leveling_problem(parse_psplib(path.read_text(), name=path.name).plan)
        t0 = time.perf_counter()
        best = level_optimal(
            activities=problem.activities,
            precedences=problem.precedences,
            capacities=problem.capacities,
            time_limit=time_limit,
        )
        times.append(time.perf_counter() - t0)
        res = best.result
        proved += res.optimal
        matched += res.makespan == optimum[path.name]
        heuristic_hits += best.heuristic_makespan == optimum[path.name]
        if not res.optimal:
            # The gap between the schedule and the proven bound, and the known optimum.
            unproven.append(f"{path.stem} {res.lower_bound}..{res.makespan} ({optimum[path.name]})")
    n = len(files)
    spent = sum(times)
    load = os.getloadavg()[0]
    print(
        f"cp-sat j30 x{n} ({time_limit:.0f} s limit in all, {DEFAULT_WORKERS} worker(s), load"
        f" {load:.1f} at the end):"
        f" proved optimal {proved}/{n}, at the known optimum {matched}/{n}, total {spent:.0f} s"
        f" (mean {spent / n:.2f} s, max {max(times):.2f} s); baseline heuristic at the optimum"
        f" {heuristic_hits}/{n}; unproven (bound..makespan (optimum)): {', '.join(unproven) or '-'}"
    )


# ---- critical path at scale (docs/scheduling.md, "Performance") ---------------------------

SCALE_GROUP = 50  # every 50th task is a summary over the 49 after it


def scale_plan(n: int, links_per_task: float = 2.5, seed: int = 7) -> ScalePlan:
    """A generated plan of `n` tasks: summaries of 49 leaves, durations from 0 (milestones)
    to 8 days, ~`links_per_task` links per task of all four types with lags and leads
    (each to one of the 300 tasks before it; a few on summaries), on a calendar with a
    holiday every 37 days."""
    rng = random.Random(seed)
    durations = [0, 0.25, 0.5, 1, 1, 2, 2, 3, 5, 8]
    tasks: list[TaskIn] = []
    for i in range(1, n + 1):
        if i % SCALE_GROUP == 1:
            tasks.append(TaskIn(id=i, duration_days=0))
        else:
            parent = (i - 1) // SCALE_GROUP * SCALE_GROUP + 1
            tasks.append(TaskIn(id=i, duration_days=rng.choice(durations), parent_id=parent))
    types = list(LinkType)
    lags = [0, 0, 0, 0, 1, 2, -0.5, 0.25]
    links: list[LinkIn] = []
    seen: set[tuple[int, int]] = set()
    while len(links) < int(n * links_per_task):
        b = rng.randint(2, n)
        a = rng.randint(max(1, b - 300), b - 1)
        on_summary = a % SCALE_GROUP == 1 or b % SCALE_GROUP == 1
        # No link between a summary and its own leaves (a loop), and few on summaries.
        if (a, b) in seen or (on_summary and ((a - 1) // SCALE_GROUP == (b - 1) // SCALE_GROUP)):
            continue
        if on_summary and rng.random() < 0.7:
            continue
        seen.add((a, b))
        links.append(LinkIn(a, b, rng.choice(types), rng.choice(lags)))
    start = dt.date(2026, 1, 5)
    holidays = frozenset(start + dt.timedelta(days=d) for d in range(0, 365 * 300, 37))
    return ScalePlan(start, WorkCalendar(holidays=holidays), tasks, links)


@dataclass(frozen=True)
class ScalePlan:
    start: dt.date
    calendar: WorkCalendar
    tasks: list[TaskIn]
    links: list[LinkIn]


def _phases(plan: ScalePlan) -> dict[str, float]:
    """One schedule() with its phases timed (cpm's `_Scheduler.timings`), in seconds."""
    from keel.engine.scheduling.cpm import _Scheduler

    t0 = time.perf_counter()
    sch = _Scheduler.from_records(plan.start, plan.calendar, plan.tasks, plan.links, None)
    sch.timings = {}
    sch.records(sch.run(0.0))
    sch.timings["output"] = time.perf_counter()  # the records too
    marks = [("", t0), *sch.timings.items()]
    spent = {name: b - a for (_, a), (name, b) in pairwise(marks)}
    spent["validate"] = spent.pop("start")
    spent["total"] = marks[-1][1] - t0
    return spent


def bench_cpm_scale(sizes: tuple[int, ...] = (1_000, 10_000, 100_000, 1_000_000)) -> None:
    """schedule() on generated plans from 1k to 1M tasks: best of a few runs per phase.
    'passes' is the forward pass, backward pass and free float; 'prep' is everything
    before them (validation, links and summary gates, topological levels, per-task inputs,
    level arrays); 'output' is dates, TaskOut records and summary rollup."""
    for n in sizes:
        plan = scale_plan(n)
        runs = [_phases(plan) for _ in range(5 if n <= 100_000 else 2)]
        best = {k: min(r[k] for r in runs) for k in runs[0]}
        prep = sum(v for k, v in best.items() if k not in ("passes", "output", "total"))
        per_k = 1000 / n * 1000
        print(
            f"cpm-scale {n:>9,} tasks / {len(plan.links):>9,} links: total "
            f"{best['total'] * 1000:7.0f} ms ({best['total'] * per_k:.2f} ms/1k tasks); "
            f"prep {prep * 1000:.0f} ms (order {best['order'] * 1000:.0f}), passes "
            f"{best['passes'] * 1000:.0f} ms ({best['passes'] * per_k:.2f} ms/1k), output "
            f"{best['output'] * 1000:.0f} ms"
        )


def _networkx_passes(graph: Any, order: list[int] | None) -> dict[int, float]:
    """The straightforward CPM passes on a networkx DiGraph, in working-day floats: node
    attribute 'dur', edge attributes 'type' and 'lag'. Topological sort unless `order` is
    given; returns total float per node (free float computed too)."""
    import networkx as nx  # type: ignore[import-untyped]  # no stubs installed

    if order is None:
        order = list(nx.topological_sort(graph))
    nodes, pred, succ = graph.nodes, graph.pred, graph.succ
    es: dict[int, float] = {}
    ef: dict[int, float] = {}
    for v in order:
        d = nodes[v]["dur"]
        start = nodes[v]["floor"]
        for p, e in pred[v].items():
            kind, lag = e["type"], e["lag"]
            if kind == "FS":
                x = ef[p] + lag
            elif kind == "SS":
                x = es[p] + lag
            elif kind == "FF":
                x = ef[p] + lag - d
            else:
                x = es[p] + lag - d
            start = max(start, x)
        es[v], ef[v] = start, start + d
    finish = max(ef.values())
    ls: dict[int, float] = {}
    lf: dict[int, float] = {}
    for v in reversed(order):
        span = ef[v] - es[v]
        late = finish
        for s, e in succ[v].items():
            kind, lag = e["type"], e["lag"]
            if kind == "FS":
                x = ls[s] - lag
            elif kind == "SS":
                x = ls[s] - lag + span
            elif kind == "FF":
                x = lf[s] - lag
            else:
                x = lf[s] - lag + span
            late = min(late, x)
        lf[v], ls[v] = late, late - span
    free: dict[int, float] = {}
    for v in reversed(order):
        best = finish - ef[v] if not succ[v] else math.inf
        for s, e in succ[v].items():
            kind, lag = e["type"], e["lag"]
            if kind == "FS":
                x = es[s] - ef[v] - lag
            elif kind == "SS":
                x = es[s] - es[v] - lag
            elif kind == "FF":
                x = ef[s] - ef[v] - lag
            else:
                x = ef[s] - es[v] - lag
            best = min(best, x)
        free[v] = best
    return {v: lf[v] - ef[v] for v in order}


def bench_cpm_networkx(n: int = 100_000) -> None:
    """The engine's passes against a straightforward networkx implementation of the same
    passes, on the same network: cpm's own nodes (leaves and summary gates) and links in
    integer minutes, given to networkx as working-day floats. Timed on both sides: the
    forward pass, the backward pass and free float, with and without the topological
    ordering. Not timed on either side: building the graph, dates and calendar
    conversion, output records. (networkx does less: no milestone end points, no
    constraints or progress; the engine does all of it.) A check compares total floats."""
    import networkx as nx

    from keel.engine.scheduling.cpm import _Scheduler

    plan = scale_plan(n)
    codes = ["FS", "SS", "FF", "SF"]
    runs: list[dict[str, float]] = [_phases(plan) for _ in range(5)]
    passes = min(r["passes"] for r in runs)
    order_t = min(r["order"] for r in runs)
    sch = _Scheduler.from_records(plan.start, plan.calendar, plan.tasks, plan.links, None)
    sch._build_links()
    mpd = plan.calendar.minutes_per_day
    graph = nx.DiGraph()
    for v, i in enumerate(sch.owner):
        leaf = v < sch.n_leaves
        graph.add_node(v, dur=round(plan.tasks[i].duration_days * mpd) / mpd if leaf else 0.0)
        graph.nodes[v]["floor"] = 0.0 if leaf else -math.inf
    edges = (sch.e_p.tolist(), sch.e_s.tolist(), sch.e_code.tolist(), sch.e_lag.tolist())
    for p, s, code, lag in zip(*edges, strict=True):
        graph.add_edge(p, s, type=codes[code], lag=lag / mpd)
    order = list(nx.topological_sort(graph))
    nx_sort = best_of(lambda: list(nx.topological_sort(graph)), 3)
    nx_passes = best_of(lambda: _networkx_passes(graph, order), 3)
    floats = _networkx_passes(graph, order)
    result = schedule(
        project_start=plan.start, calendar=plan.calendar, tasks=plan.tasks, links=plan.links
    )
    agree = all(
        abs(result.tasks[plan.tasks[i].id].total_float_days - floats[v]) < 1e-6
        for v, i in enumerate(sch.leaves.tolist())
    )
    with_order = (nx_passes + nx_sort) / (passes + order_t)
    print(
        f"cpm-networkx {n:,} tasks, {graph.number_of_nodes():,} nodes / "
        f"{graph.number_of_edges():,} links: engine passes {passes * 1000:.0f} ms, networkx "
        f"{nx_passes * 1000:.0f} ms, ratio {nx_passes / passes:.1f}x; with the topological "
        f"order on both sides: engine {(passes + order_t) * 1000:.0f} ms, networkx "
        f"{(nx_passes + nx_sort) * 1000:.0f} ms, ratio {with_order:.1f}x"
        f"; total floats agree: {agree}"
    )


def _plan_json_file(n: int, folder: Path) -> Path:
    from keel.engine.formats import Plan, PlanTask, dump_plan_json

    sp = scale_plan(n)
    plan = Plan(
        name=f"scale {n}",
        start=sp.start,
        calendar=sp.calendar,
        tasks=tuple(PlanTask(key=str(t.id), name=f"Task {t.id}", task=t) for t in sp.tasks),
        links=tuple(sp.links),
    )
    path = folder / f"scale-{n}.json"
    path.write_text(dump_plan_json(plan), encoding="utf-8")
    return path


def bench_keel_schedule_json(n: int = 100_000, runs: int = 5) -> None:
    """`keel schedule FILE --json` on a generated plan JSON file, end to end in a fresh
    process (interpreter start and imports included, best and worst of `runs`); baseline:
    the same command held to its general path (`parse_plan` records, `schedule`, a dict per
    row, `json.dumps`), which prints the same bytes. In process, the fast path's steps as
    the command runs them (cyclic GC paused): read and parse with orjson, columns
    (`plan_columns`), freeing the parsed file, `schedule_columns`, the JSON text."""
    import contextlib
    import gc
    import io
    import subprocess
    import sys
    import tempfile

    import orjson

    from keel.cli.engine import _schedule_json_text, schedule_cmd
    from keel.engine.formats.plan_json import plan_columns
    from keel.engine.scheduling.cpm import schedule_columns

    general = (
        "import sys\n"
        "from keel.cli import engine\n"
        "engine._schedule_json_fast = lambda file, start: None  # the general path only\n"
        "from keel.cli.main import main\n"
        "sys.argv = ['keel', 'schedule', sys.argv[1], '--json']\n"
        "main()\n"
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = _plan_json_file(n, Path(tmp))
        size = path.stat().st_size / 1e6
        keel = Path(sys.executable).with_name("keel")
        walls: list[float] = []
        general_walls: list[float] = []
        for _ in range(runs):  # interleaved, so both see the same machine load
            t0 = time.perf_counter()
            done = subprocess.run(  # noqa: S603 - our own CLI
                [str(keel), "schedule", str(path), "--json"], capture_output=True, check=True
            )
            walls.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            reference = subprocess.run(  # noqa: S603 - this interpreter on our own code
                [sys.executable, "-c", general, str(path)], capture_output=True, check=True
            )
            general_walls.append(time.perf_counter() - t0)
        startup = best_of(
            lambda: subprocess.run([str(keel), "--help"], capture_output=True, check=True),  # noqa: S603
            3,
        )
        sink = io.StringIO()

        def whole() -> None:
            with contextlib.redirect_stdout(sink):
                schedule_cmd(path, as_json=True)
            sink.truncate(0)
            sink.seek(0)

        in_process = best_of(whole, 3)
        steps: dict[str, list[float]] = {}
        gc.disable()
        try:
            for _ in range(3):
                marks = [time.perf_counter()]
                raw = orjson.loads(path.read_bytes())
                marks.append(time.perf_counter())
                plan = plan_columns(raw)
                marks.append(time.perf_counter())
                del raw
                marks.append(time.perf_counter())
                assert plan is not None
                result = schedule_columns(
                    project_start=plan.start,
                    calendar=plan.calendar,
                    tasks=plan.tasks,
                    links=plan.links,
                    status_date=plan.status_date,
                )
                marks.append(time.perf_counter())
                _schedule_json_text(plan.keys, result)
                marks.append(time.perf_counter())
                names = ("parse", "columns", "free", "schedule", "text")
                for name, a, b in zip(names, marks, marks[1:], strict=False):
                    steps.setdefault(name, []).append(b - a)
        finally:
            gc.enable()
    step = {k: min(v) for k, v in steps.items()}
    print(
        f"keel-schedule-json {n:,} tasks ({size:.0f} MB file, {len(done.stdout) / 1e6:.0f} MB "
        f"output): `keel schedule --json` {min(walls):.2f} s wall (worst {max(walls):.2f} s "
        f"of {runs}; interpreter and imports {startup:.2f} s of it: `keel --help`); baseline "
        f"the general path {min(general_walls):.2f} s (worst {max(general_walls):.2f} s), "
        f"same output: {done.stdout == reference.stdout}; ratio "
        f"{min(general_walls) / min(walls):.1f}x; in process {in_process:.2f} s = read and "
        f"parse {step['parse']:.2f} s + columns {step['columns']:.2f} s + freeing the parsed "
        f"file {step['free']:.2f} s + schedule {step['schedule']:.2f} s + JSON text "
        f"{step['text']:.2f} s + the rest {in_process - sum(step.values()):.2f} s"
    )


def bench_cpm_memory(n: int = 100_000) -> None:
    """Peak resident memory of `keel schedule FILE --json` on the generated plan JSON file
    (a fresh process: interpreter, imports, the parsed file, the schedule and the output),
    and of the same process stopped after reading the file as the command does (orjson,
    then columns) and as the general reader does (`parse_plan` records). Linux: VmHWM of
    the child itself (ru_maxrss would carry over this big parent's peak across fork and
    exec)."""
    import subprocess
    import sys
    import tempfile

    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from keel.cli.main import app\n"
        "if sys.argv[2] == 'columns':\n"
        "    import orjson\n"
        "    from keel.engine.formats.plan_json import plan_columns\n"
        "    plan = plan_columns(orjson.loads(Path(sys.argv[1]).read_bytes()))\n"
        "elif sys.argv[2] == 'parse':\n"
        "    from keel.engine.formats import parse_plan\n"
        "    plan = parse_plan(Path(sys.argv[1]).read_text(), filename=sys.argv[1])\n"
        "else:\n"
        "    sys.argv = ['keel', 'schedule', sys.argv[1], '--json']\n"
        "    try:\n"
        "        app()\n"
        "    except SystemExit:\n"
        "        pass\n"
        "hwm = [ln for ln in open('/proc/self/status') if ln.startswith('VmHWM')]\n"
        "print(hwm[0].split()[1], file=sys.stderr)\n"
    )
    peaks = {}
    with tempfile.TemporaryDirectory() as tmp:
        path = _plan_json_file(n, Path(tmp))
        for what in ("columns", "parse", "schedule"):
            done = subprocess.run(  # noqa: S603 - this interpreter on our own code
                [sys.executable, "-c", code, str(path), what],
                capture_output=True,
                check=True,
                text=True,
            )
            peaks[what] = int(done.stderr.split()[-1]) / 1024
    print(
        f"cpm-memory {n:,} tasks: `keel schedule --json` peak RSS {peaks['schedule']:.0f} MB "
        f"(reading the file into columns alone: {peaks['columns']:.0f} MB; the general "
        f"reader's records: {peaks['parse']:.0f} MB)"
    )


# ---- recalculating a stored plan (docs/scheduling.md, "Recalculation in the background") ----


def _django_database() -> str:
    """Set Django up on DATABASE_URL (a scratch database: the benchmark adds a workspace of
    projects to it) or on a temporary SQLite file, and migrate it. Returns the vendor."""
    import atexit
    import shutil
    import tempfile

    if "DATABASE_URL" not in os.environ:
        folder = tempfile.mkdtemp(prefix="keel-bench-")
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keel.config.settings.test")
    import django
    from django.core.management import call_command
    from django.db import connection

    django.setup()
    call_command("migrate", verbosity=0)
    return str(connection.vendor)


def _stored_plan(n: int, workspace: Any) -> Any:
    """`scale_plan(n)` stored as a project: summaries of 49 tasks, 2.5 links per task of
    all four types with lags and leads, China's public holidays and make-up days."""
    from keel.apps.planning.models import Dependency, Task
    from keel.apps.planning.services import wbs_renumber
    from keel.apps.projects.models import Project

    plan = scale_plan(n)
    project = Project.objects.create(
        workspace=workspace,
        code=f"B{n}",
        name=f"Bench {n}",
        start_date=plan.start,
        holiday_country="CN",
    )
    rows: dict[int, Task] = {}
    for parent_level in (True, False):  # summaries first, so the others can point at them
        batch = [
            Task(
                project=project,
                name=f"Task {t.id}",
                parent=rows.get(t.parent_id) if t.parent_id else None,
                position=t.id,
                duration_days=t.duration_days,
                is_milestone=t.duration_days == 0 and t.parent_id is not None,
            )
            for t in plan.tasks
            if (t.parent_id is None) is parent_level
        ]
        created = Task.objects.bulk_create(batch, batch_size=1000)
        rows.update((int(row.name.split()[1]), row) for row in created)
    Dependency.objects.bulk_create(
        [
            Dependency(
                project=project,
                predecessor=rows[lk.predecessor_id],
                successor=rows[lk.successor_id],
                type=lk.type.value,
                lag_days=lk.lag_days,
            )
            for lk in plan.links
        ],
        batch_size=1000,
    )
    wbs_renumber(project)
    return project


def bench_keel_recalculate(sizes: tuple[int, ...] = (500, 2_000, 5_000, 20_000)) -> None:
    """`schedule_recalculate` (the work a change does in its request when the plan is small)
    and `schedule_run` (the background run of a big plan) on stored plans (`_stored_plan`),
    on DATABASE_URL or a temporary SQLite file. "all": every task's dates are written (they
    were cleared first); "edit": the first task is a day longer, so the tasks after it
    move; "none": nothing changed (read and schedule only); the background run is timed on
    "all", per phase. Best of 5 (3 at 20k). Baseline: the engine alone on the same plan,
    as the adapter calls it (calendar and public holidays included)."""
    vendor = _django_database()
    from keel.apps.accounts.models import Workspace

    # Left in the database afterwards: deleting 20,000 tasks writes their history.
    workspace = Workspace.objects.create(name="Bench", slug=f"bench-{os.getpid()}")
    for n in sizes:
        print(_recalculate(_stored_plan(n, workspace), vendor, repeat=3 if n > 5_000 else 5))


def _recalculate(project: Any, vendor: str, repeat: int) -> str:
    from decimal import Decimal

    from keel.apps.planning.adapters import LINK_COLUMNS, compute_schedule, link_row
    from keel.apps.planning.models import SCHEDULE_OUTPUTS, Dependency, Task
    from keel.apps.planning.services import schedule_recalculate, schedule_run

    tasks = Task.objects.filter(project=project)
    rows = Dependency.objects.filter(project=project).values_list(*LINK_COLUMNS)
    links = [link_row(*r) for r in rows]
    read = list(tasks)
    engine = best_of(lambda: compute_schedule(project, read, links), repeat)
    blank = dict.fromkeys(SCHEDULE_OUTPUTS[:6])

    def every() -> None:
        tasks.update(**blank)
        schedule_recalculate(project)

    first = tasks.filter(is_milestone=False, children__isnull=True).order_by("pk")[0]
    longer = [True]

    def edit() -> None:
        days = first.duration_days + (1 if longer[0] else 0)
        Task.objects.filter(pk=first.pk).update(duration_days=Decimal(days))
        longer[0] = not longer[0]  # one day longer, then back
        schedule_recalculate(project)

    full = best_of(every, repeat)
    before = dict(tasks.values_list("pk", "start"))
    edit()
    moved = sum(1 for pk, start in tasks.values_list("pk", "start") if before[pk] != start)
    edited = best_of(edit, repeat)
    none = best_of(lambda: schedule_recalculate(project), repeat)
    runs: list[dict[str, float]] = []

    def background() -> None:
        tasks.update(**blank)
        marks = [("", time.perf_counter())]

        def seen(phase: str, percent: int) -> None:
            if phase != marks[-1][0]:
                marks.append((phase, time.perf_counter()))

        schedule_run(project_id=project.pk, force=True, progress=seen)
        marks.append(("", time.perf_counter()))
        runs.append({a: t1 - t0 for (a, t0), (_b, t1) in pairwise(marks[1:])})

    run = best_of(background, repeat)
    phases = min(runs, key=lambda r: sum(r.values()))
    return (
        f"keel-recalculate {vendor} {len(read):>6,} tasks / {len(links):>6,} links: all "
        f"{full * 1000:5.0f} ms, edit {edited * 1000:5.0f} ms ({moved:,} tasks moved), none "
        f"{none * 1000:5.0f} ms; background run {run * 1000:5.0f} ms ("
        + ", ".join(f"{k} {v * 1000:.0f}" for k, v in phases.items())
        + f"); baseline engine alone {engine * 1000:.0f} ms; ratio {full / engine:.1f}x (all)"
    )


def bench_gantt_load() -> None:
    """The Gantt chart of a 2,000-task plan opened in Chromium (benchmarks/gantt_load.py)."""
    from benchmarks.gantt_load import bench_gantt_load as run

    run()


def bench_pages() -> None:
    """Server time of the main pages for a 2,000-task project (benchmarks/pages_load.py)."""
    from benchmarks.pages_load import bench_pages as run

    run()


def bench_workload() -> None:
    """Server time of the workload page and API for 200 people in 20 projects, against 20
    people in 2 (benchmarks/workload.py)."""
    from benchmarks.workload import bench_workload as run

    run()


BENCHES: dict[str, Callable[[], None]] = {
    "calendar": bench_calendar,
    "cpm": bench_cpm,
    "leveling": bench_leveling,
    "simulation": bench_simulation,
    "cpm-scale": bench_cpm_scale,
    "cpm-networkx": bench_cpm_networkx,
    "keel-schedule-json": bench_keel_schedule_json,
    "cpm-memory": bench_cpm_memory,
    "keel-recalculate": bench_keel_recalculate,
    "cpsat": bench_cpsat,
    "gantt-load": bench_gantt_load,
    "pages-2000": bench_pages,
    "workload": bench_workload,
}
# Plain `python -m benchmarks`: well under two minutes (cpm-scale stops at 100k tasks).
DEFAULT = (
    "calendar",
    "cpm",
    "leveling",
    "simulation",
    "cpm-scale-100k",
    "cpm-networkx",
    "keel-schedule-json",
    "cpm-memory",
)


if __name__ == "__main__":
    import sys

    # `python -m benchmarks NAME...` runs those (cpsat: the minutes-long CP-SAT run, also
    # added by KEEL_BENCH_CPSAT=1); `cpm-scale` goes up to 1M tasks (about a minute more).
    names = sys.argv[1:] or list(DEFAULT)
    if os.environ.get("KEEL_BENCH_CPSAT") and "cpsat" not in names:
        names.append("cpsat")
    for name in names:
        if name == "cpm-scale-100k":
            bench_cpm_scale((1_000, 10_000, 100_000))
        elif name in BENCHES:
            BENCHES[name]()
        else:
            raise SystemExit(f"unknown benchmark {name!r}: one of {', '.join(BENCHES)}")
