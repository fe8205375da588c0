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


def bench_simulation(n: int = 1_000, iterations: int = 10_000, loop_iterations: int = 200) -> None:
    """Monte Carlo on a 1,000-task plan (PERT estimates on every task); baseline: a Python
    loop per iteration drawing the same PERT durations and doing the same forward pass, run
    on `loop_iterations` and scaled to `iterations`."""
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

    spent = best_of(run, 2)
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
    t0 = time.perf_counter()
    finishes = []
    for _ in range(loop_iterations):
        dur = [a + w * rng.betavariate(al, be) for a, w, al, be in shapes]
        finishes.append(_python_forward(order, preds, dur))
    loop = (time.perf_counter() - t0) * iterations / loop_iterations
    p50 = next(p for p in result.percentiles if p.percent == 50)
    print(
        f"simulation {n} tasks / {len(links)} links x{iterations} iterations: {spent:.2f} s "
        f"(with criticality and sensitivity; P50 {p50.days:.1f} days, loop P50 "
        f"{statistics.median(finishes):.1f}); baseline Python loop (sampling + forward pass) "
        f"{loop:.1f} s, measured on {loop_iterations} iterations and scaled; "
        f"ratio {loop / spent:.0f}x faster"
    )


def bench_cpsat(root: Path = PSPLIB, time_limit: float = 10.0) -> None:
    """CP-SAT on the 480 PSPLIB j30 instances with a per-instance time limit: how many it
    proves optimal, and how many match the known optima; baseline: the heuristic leveler."""
    from keel.engine.scheduling.leveling_cpsat import level_optimal

    optimum_csv = root / "kobe-scheduling" / "j30.sm" / "optimum" / "optimum.csv"
    files = sorted((root / "j30").glob("*.sm"))
    if not files or not optimum_csv.exists():
        print(f"cp-sat j30: skipped ({root} not found)")
        return
    with optimum_csv.open(newline="") as fh:
        optimum = {row["problem"]: int(row["optimum"]) for row in csv.DictReader(fh)}
    proved = matched = heuristic_hits = 0
    spent = 0.0
    for path in files:
        problem = leveling_problem(parse_psplib(path.read_text(), name=path.name).plan)
        t0 = time.perf_counter()
        best = level_optimal(
            activities=problem.activities,
            precedences=problem.precedences,
            capacities=problem.capacities,
            time_limit=time_limit,
        )
        spent += time.perf_counter() - t0
        proved += best.result.optimal
        matched += best.result.makespan == optimum[path.name]
        heuristic_hits += best.heuristic_makespan == optimum[path.name]
    n = len(files)
    print(
        f"cp-sat j30 x{n} ({time_limit:.0f} s limit, 2 workers): proved optimal {proved}/{n}, "
        f"at the known optimum {matched}/{n}, total {spent:.0f} s ({spent / n:.2f} s/instance); "
        f"baseline heuristic at the optimum {heuristic_hits}/{n}"
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
    sch = _Scheduler(plan.start, plan.calendar, plan.tasks, plan.links, None)
    sch.timings = {}
    sch.run(0.0)
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
    sch = _Scheduler(plan.start, plan.calendar, plan.tasks, plan.links, None)
    sch._build_links()
    mpd = plan.calendar.minutes_per_day
    graph = nx.DiGraph()
    by_id = {t.id: t for t in plan.tasks}
    for v, tid in enumerate(sch.owner):
        leaf = v < sch.n_leaves
        graph.add_node(v, dur=round(by_id[tid].duration_days * mpd) / mpd if leaf else 0.0)
        graph.nodes[v]["floor"] = 0.0 if leaf else -math.inf
    for p, s, code, lag in zip(sch.e_p, sch.e_s, sch.e_code, sch.e_lag, strict=True):
        graph.add_edge(p, s, type=codes[code], lag=lag / mpd)
    order = list(nx.topological_sort(graph))
    nx_sort = best_of(lambda: list(nx.topological_sort(graph)), 3)
    nx_passes = best_of(lambda: _networkx_passes(graph, order), 3)
    floats = _networkx_passes(graph, order)
    result = schedule(
        project_start=plan.start, calendar=plan.calendar, tasks=plan.tasks, links=plan.links
    )
    agree = all(
        abs(result.tasks[tid].total_float_days - floats[v]) < 1e-6
        for v, tid in enumerate(sch.leaf_ids)
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


def bench_keel_schedule_json(n: int = 100_000) -> None:
    """`keel schedule FILE --json` on a generated plan JSON file, end to end in a fresh
    process (interpreter start and imports included, best of 3), and in process: read and
    parse, schedule, build and dump the JSON (the same functions the command runs)."""
    import contextlib
    import gc
    import io
    import subprocess
    import sys
    import tempfile

    from keel.cli.engine import schedule_cmd

    with tempfile.TemporaryDirectory() as tmp:
        path = _plan_json_file(n, Path(tmp))
        size = path.stat().st_size / 1e6
        keel = Path(sys.executable).with_name("keel")
        cmd = [str(keel), "schedule", str(path), "--json"]
        walls = []
        for _ in range(3):
            t0 = time.perf_counter()
            done = subprocess.run(cmd, capture_output=True, check=True)  # noqa: S603 - our own CLI
            walls.append(time.perf_counter() - t0)
        startup = best_of(
            lambda: subprocess.run([str(keel), "--help"], capture_output=True, check=True),  # noqa: S603
            3,
        )
        from keel.engine.formats import parse_plan

        # In process, timed as the command runs them: with the cyclic GC paused.
        text = path.read_text(encoding="utf-8")
        sink = io.StringIO()

        def whole() -> None:
            with contextlib.redirect_stdout(sink):
                schedule_cmd(path, as_json=True)
            sink.truncate(0)
            sink.seek(0)

        in_process = best_of(whole, 3)
        gc.disable()
        try:
            parse = best_of(lambda: parse_plan(text, filename=path.name), 3)
            plan = parse_plan(text, filename=path.name)
            tasks = [t.task for t in plan.tasks]
            sched = best_of(
                lambda: schedule(
                    project_start=plan.start, calendar=plan.calendar, tasks=tasks, links=plan.links
                ),
                3,
            )
        finally:
            gc.enable()
    print(
        f"keel-schedule-json {n:,} tasks ({size:.0f} MB file, {len(done.stdout) / 1e6:.0f} MB "
        f"output): `keel schedule --json` {min(walls):.2f} s wall (interpreter and imports "
        f"{startup:.2f} s of it: `keel --help`); in process {in_process:.2f} s = parse "
        f"{parse:.2f} s + schedule {sched:.2f} s + the rest (reading, rows, JSON) "
        f"{in_process - parse - sched:.2f} s"
    )


def bench_cpm_memory(n: int = 100_000) -> None:
    """Peak resident memory of `keel schedule FILE --json` on the generated plan JSON file
    (a fresh process: interpreter, imports, the parsed file, the schedule and the output),
    and of the same process stopped after parsing. Linux: VmHWM of the child itself
    (ru_maxrss would carry over this big parent's peak across fork and exec)."""
    import subprocess
    import sys
    import tempfile

    code = (
        "import sys\n"
        "from keel.cli.main import app\n"
        "if sys.argv[2] == 'parse':\n"
        "    from pathlib import Path\n"
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
        for what in ("parse", "schedule"):
            done = subprocess.run(  # noqa: S603 - this interpreter on our own code
                [sys.executable, "-c", code, str(path), what],
                capture_output=True,
                check=True,
                text=True,
            )
            peaks[what] = int(done.stderr.split()[-1]) / 1024
    print(
        f"cpm-memory {n:,} tasks: `keel schedule --json` peak RSS {peaks['schedule']:.0f} MB "
        f"(reading and parsing the file alone: {peaks['parse']:.0f} MB)"
    )


BENCHES: dict[str, Callable[[], None]] = {
    "calendar": bench_calendar,
    "cpm": bench_cpm,
    "leveling": bench_leveling,
    "simulation": bench_simulation,
    "cpm-scale": bench_cpm_scale,
    "cpm-networkx": bench_cpm_networkx,
    "keel-schedule-json": bench_keel_schedule_json,
    "cpm-memory": bench_cpm_memory,
    "cpsat": bench_cpsat,
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
