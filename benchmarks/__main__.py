"""`make bench`: each benchmark prints its time and its ratio against a baseline measured in
the same run on the same input, so results compare across machines."""

from __future__ import annotations

import csv
import datetime as dt
import os
import random
import statistics
import time
from collections.abc import Callable
from pathlib import Path

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


if __name__ == "__main__":
    import sys

    # `python -m benchmarks cpsat` (or KEEL_BENCH_CPSAT=1) adds the minutes-long CP-SAT run.
    bench_calendar()
    bench_cpm()
    bench_leveling()
    bench_simulation()
    if "cpsat" in sys.argv[1:] or os.environ.get("KEEL_BENCH_CPSAT"):
        bench_cpsat()
