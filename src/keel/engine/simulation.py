"""Monte Carlo schedule and cost risk: uncertain durations, risk events, and what they do to
the finish date and the total cost.

The model:

* A task with a three-point estimate (`Estimate`: optimistic <= most likely <= pessimistic,
  working days) draws its duration from a PERT-beta distribution (the default: shape
  parameters 1 + 4(m - a)/(b - a) and 1 + 4(b - m)/(b - a), mean (a + 4m + b)/6) or a
  triangular one. A task without an estimate keeps its planned duration.
* A risk event occurs in an iteration with its `probability`; when it does, one delay is
  drawn from its estimate and added to the duration of every task it names, and its cost
  (if any) is added to the total cost.
* The network is the critical-path network of cpm (the four link types with lags, summary
  links applied to the leaves under the summary through the same zero-duration gates),
  built once by cpm's own preprocessing. Each iteration runs cpm's forward pass on the
  sampled durations: a loop over the tasks in topological order, every step a numpy
  operation over the iterations. Time is in working days (floats); offsets become dates
  with the calendar only at the end. SNET/FNET dates are floors and MSO/MFO dates pins, as
  in cpm; progress and actual dates are not used (simulate a plan from its start).
* Finish = the latest early finish of a leaf task. The finish date of an offset is the day
  holding its last working minute (the start day for an offset of 0).
* Criticality index: the fraction of iterations in which a leaf task lies on a driving
  chain that ends at the finish. Walking back from every leaf that ends at the finish, a
  predecessor is driving when its link requirement equals the successor's early start
  (ties keep every driving predecessor, so with no spread the index is cpm's critical flag
  on finish-to-start networks).
* Sensitivity (tornado): the Spearman rank correlation, with average ranks for ties, of
  each uncertain task's sampled duration and of each risk's sampled impact (delay, or 0
  when it did not occur) with the finish, sorted by its absolute value.
* Cost: per task a fixed or three-point cost, plus the cost of the risk events that occur.
* Reproducible: the same input, `iterations` and `seed` give the same result. Samples are
  drawn in blocks of `CHUNK` iterations (which also bounds memory), in a fixed order.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from .calendars import WorkCalendar
from .errors import DomainError
from .scheduling.cpm import _FF, _FS, _SS, _Scheduler
from .types import ConstraintType, LinkIn, TaskIn

BAD_ITERATIONS = "The number of iterations must be at least 1."
BAD_ESTIMATE = "{where}: estimates must be 0 <= optimistic <= most likely <= pessimistic."
BAD_PROBABILITY = "Risk {risk}: probability must be between 0 and 1."
UNKNOWN_TASK = "{where} names task {id}, which is not in the plan."
SUMMARY_RISK = "Risk {risk} names summary task {id}; attach it to the subtasks."
BAD_PERCENTILE = "Percentile {value} is not between 0 and 100."
DUPLICATE_RISK = "Risk {risk} appears more than once."

DEFAULT_ITERATIONS = 10_000
DEFAULT_PERCENTILES = (10, 20, 30, 40, 50, 60, 70, 80, 90, 95)
CHUNK = 2048  # iterations per block of samples; part of what makes a seed reproducible
_TIE = 1e-7  # working days: a link requirement this close to a start drives it

Array = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
ProgressFn = Callable[[int, int], None]


class Distribution(StrEnum):
    """How a three-point estimate is turned into samples."""

    PERT = "pert"
    TRIANGULAR = "triangular"


@dataclass(frozen=True)
class Estimate:
    """A three-point estimate (working days for durations and delays, money for costs)."""

    optimistic: float
    most_likely: float
    pessimistic: float
    distribution: Distribution = Distribution.PERT

    @classmethod
    def fixed(cls, value: float) -> Estimate:
        return cls(value, value, value)

    def is_valid(self) -> bool:
        return 0 <= self.optimistic <= self.most_likely <= self.pessimistic and all(
            math.isfinite(x) for x in (self.optimistic, self.most_likely, self.pessimistic)
        )

    @property
    def mean(self) -> float:
        a, m, b = self.optimistic, self.most_likely, self.pessimistic
        if self.distribution == Distribution.PERT:
            return (a + 4 * m + b) / 6
        return (a + m + b) / 3


@dataclass(frozen=True)
class TaskUncertainty:
    """What is uncertain about one task: its duration and its cost (both optional)."""

    task_id: int
    duration: Estimate | None = None
    cost: Estimate | None = None


@dataclass(frozen=True)
class RiskEvent:
    """Something that may happen: with `probability` it delays every task in `task_ids` by
    one draw of `delay` (working days) and costs one draw of `cost`."""

    id: str
    probability: float
    task_ids: tuple[int, ...]
    delay: Estimate
    cost: Estimate | None = None
    name: str = ""


@dataclass(frozen=True)
class Percentile:
    """`percent`% of the iterations finish within `days` working days, by `date`."""

    percent: int
    days: float
    date: date


@dataclass(frozen=True)
class HistogramBin:
    low: float  # working days
    high: float
    count: int


@dataclass(frozen=True)
class CurvePoint:
    """A point of the S-curve: the probability of finishing within `days` (by `date`)."""

    days: float
    date: date
    probability: float


@dataclass(frozen=True)
class Driver:
    """One bar of the tornado: a task's duration or a risk's impact, and its Spearman rank
    correlation with the finish."""

    kind: str  # "task" or "risk"
    id: int | str  # the task id, or the risk id
    correlation: float


@dataclass(frozen=True)
class CostSummary:
    """Total cost over the iterations."""

    mean: float
    std: float
    min: float
    max: float
    percentiles: tuple[tuple[int, float], ...]
    deterministic: float  # planned costs (most likely values), no risk events


@dataclass(frozen=True)
class SimulationResult:
    """The finish distribution and what drives it. Days are working days from the start."""

    iterations: int
    seed: int
    project_start: date
    deterministic_days: float  # the finish with planned durations and no risk events
    deterministic_finish: date
    probability_deterministic: float  # of finishing by the deterministic finish date
    mean_days: float
    std_days: float
    min_days: float
    max_days: float
    percentiles: tuple[Percentile, ...]
    histogram: tuple[HistogramBin, ...]
    s_curve: tuple[CurvePoint, ...]
    targets: dict[date, float]  # probability of finishing by the end of each target date
    criticality: dict[int, float]  # leaf task id -> fraction of iterations critical
    sensitivity: tuple[Driver, ...]  # by decreasing absolute correlation
    risk_occurrence: dict[str, float]  # risk id -> fraction of iterations it occurred
    cost: CostSummary | None  # None when the plan has no costs


# ---- sampling -------------------------------------------------------------------------------


def _sample(
    rng: np.random.Generator, estimates: Sequence[Estimate], n: int
) -> npt.NDArray[np.float64]:
    """One row of `n` samples per estimate, PERT rows first drawn as one block, then the
    triangular rows by the inverse CDF of one block of uniforms."""
    out = np.empty((len(estimates), n))
    a = np.array([e.optimistic for e in estimates], dtype=np.float64)
    m = np.array([e.most_likely for e in estimates], dtype=np.float64)
    b = np.array([e.pessimistic for e in estimates], dtype=np.float64)
    width = b - a
    spread = width > 0
    is_pert = np.array([e.distribution == Distribution.PERT for e in estimates], dtype=bool)
    out[:] = m[:, None]  # no spread: the value itself
    rows = np.flatnonzero(spread & is_pert)
    if rows.size:
        w = width[rows]
        alpha = 1 + 4 * (m[rows] - a[rows]) / w
        beta = 1 + 4 * (b[rows] - m[rows]) / w
        draws = rng.beta(alpha[:, None], beta[:, None], size=(rows.size, n))
        out[rows] = a[rows, None] + w[:, None] * draws
    rows = np.flatnonzero(spread & ~is_pert)
    if rows.size:
        u = rng.random((rows.size, n))
        ar, mr, br, w = a[rows, None], m[rows, None], b[rows, None], width[rows, None]
        mode = (mr - ar) / w  # the CDF at the mode
        low = ar + np.sqrt(u * w * (mr - ar))
        high = br - np.sqrt((1 - u) * w * (br - mr))
        out[rows] = np.where(u < mode, low, high)
    return out


def _ranks(x: Array, *, ties: bool) -> Array:
    """Ranks 0..n-1 along the last axis of a 2-D array. With `ties`, equal values share
    their average rank; without, the caller knows the rows are continuous draws (equal
    values have probability 0) and the cost of finding ties is saved."""
    k, n = x.shape
    order = np.argsort(x, axis=1)
    ranks = np.empty_like(x)
    ranks[np.arange(k)[:, None], order] = np.arange(n, dtype=np.float64)
    if not ties:
        return ranks
    sorted_x = np.take_along_axis(x, order, 1)
    for i in np.flatnonzero((np.diff(sorted_x, axis=1) == 0).any(axis=1)):
        row = sorted_x[i]
        new = np.empty(n, dtype=bool)
        new[0] = True
        new[1:] = row[1:] != row[:-1]
        starts = np.flatnonzero(new)
        counts = np.diff(np.append(starts, n))
        ranks[i, order[i]] = np.repeat(starts + (counts - 1) / 2.0, counts)
    return ranks


def spearman(rows: Array, y: Array, *, continuous: bool = False) -> Array:
    """Spearman rank correlation of every row of `rows` with `y` (0 for a constant row).
    `continuous` rows are ranked without looking for ties (see `_ranks`)."""
    if rows.shape[0] == 0:
        return np.zeros(0)
    rx = _ranks(rows, ties=not continuous)
    ry = _ranks(y[None, :], ties=True)[0]
    rx -= rx.mean(axis=1, keepdims=True)
    ry -= ry.mean()
    num = rx @ ry
    den = np.sqrt((rx * rx).sum(axis=1) * (ry @ ry))
    safe = np.where(den > 0, den, 1.0)
    return np.where(den > 0, num / safe, 0.0)


# ---- the network ----------------------------------------------------------------------------


class _Network:
    """cpm's node graph (leaves first, then summary gates) with durations in working days."""

    def __init__(
        self,
        project_start: date,
        calendar: WorkCalendar,
        tasks: Sequence[TaskIn],
        links: Sequence[LinkIn],
    ) -> None:
        # cpm's own preprocessing: validation, summary gates, and the cycle check naming
        # task ids. Private to cpm but one home for what a link on a summary means.
        sch = _Scheduler(project_start, calendar, tasks, links, None)
        sch._build_links()
        self.order = sch._order()
        mpd = calendar.minutes_per_day
        self.n_nodes = len(sch.owner)
        self.n_leaves = sch.n_leaves
        self.leaf_ids: list[int] = list(sch.leaf_ids)
        self.node_of: dict[int, int] = dict(sch.node_of)
        self.summaries = set(sch.children)
        self.preds: list[list[tuple[int, int, float]]] = [
            [(p, code, lag / mpd) for p, code, lag in sch.preds[v]] for v in range(self.n_nodes)
        ]
        self.planned = np.array(
            [sch.by_id[tid].duration_days for tid in self.leaf_ids], dtype=np.float64
        )
        # Floors and pins from constraints: (kind, offset in days); FNET and MFO are finish
        # points, so the duration comes off them per iteration.
        self.floor_start: dict[int, float] = {}
        self.floor_finish: dict[int, float] = {}
        self.pin_start: dict[int, float] = {}
        self.pin_finish: dict[int, float] = {}
        for v, tid in enumerate(self.leaf_ids):
            t = sch.by_id[tid]
            cd = t.constraint_date
            if cd is None:
                continue
            if t.constraint == ConstraintType.SNET:
                self.floor_start[v] = max(0, sch._start_minute(cd)) / mpd
            elif t.constraint == ConstraintType.FNET:
                self.floor_finish[v] = sch._finish_minute(cd) / mpd
            elif t.constraint == ConstraintType.MSO:
                self.pin_start[v] = sch._start_minute(cd) / mpd
            elif t.constraint == ConstraintType.MFO:
                self.pin_finish[v] = sch._finish_minute(cd) / mpd

    def forward(self, dur: Array) -> tuple[Array, Array]:
        """Early starts and finishes of every node for durations `dur` (leaves x iterations);
        gates have no duration and no floor, leaves never start before the project."""
        nl = self.n_leaves
        n = dur.shape[1]
        es = np.empty((self.n_nodes, n))
        ef = np.empty((self.n_nodes, n))
        tmp = np.empty(n)
        zero = np.zeros(n)
        for v in self.order:
            d = dur[v] if v < nl else zero
            best: Array | None = None
            if v < nl:
                best = np.full(n, self.floor_start.get(v, 0.0))
                fin = self.floor_finish.get(v)
                if fin is not None:
                    np.maximum(best, fin - d, out=best)
            for p, code, lag in self.preds[v]:
                if code == _FS:
                    np.add(ef[p], lag, out=tmp)
                elif code == _SS:
                    np.add(es[p], lag, out=tmp)
                else:
                    np.add(ef[p] if code == _FF else es[p], lag, out=tmp)
                    tmp -= d
                if best is None:
                    best = tmp.copy()
                else:
                    np.maximum(best, tmp, out=best)
            if v in self.pin_start:
                es[v] = self.pin_start[v]
            elif v in self.pin_finish:
                np.subtract(self.pin_finish[v], d, out=es[v])
            elif best is None:
                es[v] = 0.0
            else:
                es[v] = best
            np.add(es[v], d, out=ef[v])
        return es, ef

    def critical(self, dur: Array, es: Array, ef: Array, finish: Array) -> BoolArray:
        """Which leaves lie on a driving chain to the finish, per iteration."""
        nl = self.n_leaves
        n = dur.shape[1]
        crit = np.zeros((self.n_nodes, n), dtype=bool)
        crit[:nl] = ef[:nl] >= finish - _TIE
        tmp = np.empty(n)
        zero = np.zeros(n)
        for v in reversed(self.order):
            mask = crit[v]
            if not mask.any():
                continue
            d = dur[v] if v < nl else zero
            for p, code, lag in self.preds[v]:
                if code == _FS:
                    np.add(ef[p], lag, out=tmp)
                elif code == _SS:
                    np.add(es[p], lag, out=tmp)
                else:
                    np.add(ef[p] if code == _FF else es[p], lag, out=tmp)
                    tmp -= d
                crit[p] |= mask & (tmp >= es[v] - _TIE)
        return crit[:nl]


# ---- the simulation -------------------------------------------------------------------------


def simulate(
    *,
    project_start: date,
    calendar: WorkCalendar,
    tasks: Sequence[TaskIn],
    links: Sequence[LinkIn],
    uncertainties: Sequence[TaskUncertainty] = (),
    risks: Sequence[RiskEvent] = (),
    iterations: int = DEFAULT_ITERATIONS,
    seed: int = 0,
    targets: Sequence[date] = (),
    percentiles: Sequence[int] = DEFAULT_PERCENTILES,
    bins: int = 20,
    progress: ProgressFn | None = None,
) -> SimulationResult:
    """Run the Monte Carlo simulation (model in the module docstring). `progress(done,
    total)` is called after every block of iterations.

    Raises DomainError for an inconsistent input and CycleError for a dependency loop.
    """
    if iterations < 1:
        raise DomainError(BAD_ITERATIONS)
    for pct in percentiles:
        if not 0 <= pct <= 100:
            raise DomainError(BAD_PERCENTILE.format(value=pct))
    net = _Network(project_start, calendar, tasks, links)
    duration_rows, duration_est, cost_rows, cost_est, fixed_cost = _task_inputs(net, uncertainties)
    risk_rows = _risk_inputs(net, risks)

    nl = net.n_leaves
    finish = np.empty(iterations)
    total_cost = np.zeros(iterations)
    crit_count = np.zeros(nl)
    drawn = np.empty((len(duration_rows), iterations))
    impact = np.empty((len(risks), iterations))
    occurred = np.zeros(len(risks))
    risk_delay = [r.delay for r in risks]
    risk_cost = [r.cost or Estimate.fixed(0.0) for r in risks]
    rng = np.random.default_rng(seed)
    done = 0
    while done < iterations:
        n = min(CHUNK, iterations - done)
        block = slice(done, done + n)
        dur = np.repeat(net.planned[:, None], n, axis=1)
        if duration_rows:
            samples = _sample(rng, duration_est, n)
            dur[duration_rows] = samples
            drawn[:, block] = samples
        if risks:
            hit = rng.random((len(risks), n)) < np.array([r.probability for r in risks])[:, None]
            delays = _sample(rng, risk_delay, n) * hit
            costs = _sample(rng, risk_cost, n) * hit
            for k, rows in enumerate(risk_rows):
                dur[rows] += delays[k]
            impact[:, block] = delays
            occurred += hit.sum(axis=1)
            total_cost[block] += costs.sum(axis=0)
        if cost_rows:
            total_cost[block] += _sample(rng, cost_est, n).sum(axis=0)
        total_cost[block] += fixed_cost
        es, ef = net.forward(dur)
        end = np.maximum(ef[:nl].max(axis=0), 0.0) if nl else np.zeros(n)
        finish[block] = end
        crit_count += net.critical(dur, es, ef, end).sum(axis=1)
        done += n
        if progress is not None:
            progress(done, iterations)

    _, ef0 = net.forward(net.planned[:, None].copy())
    det = max(0.0, float(ef0[:nl].max())) if nl else 0.0
    to_date = _DateOf(calendar, project_start)
    det_finish = to_date(det)
    hist_counts, edges = np.histogram(finish, bins=bins)
    cumulative = np.cumsum(hist_counts) / iterations
    # Only estimates with a spread vary; their draws are continuous (no ties to rank).
    varying = [k for k, e in enumerate(duration_est) if e.pessimistic > e.optimistic]
    sensitivity = [
        Driver("task", net.leaf_ids[duration_rows[k]], float(rho))
        for k, rho in zip(varying, spearman(drawn[varying], finish, continuous=True), strict=True)
    ]
    if risks:
        sensitivity += [
            Driver("risk", r.id, float(rho))
            for r, rho in zip(risks, spearman(impact, finish), strict=True)
        ]
    sensitivity.sort(key=lambda d: (-abs(d.correlation), d.kind, str(d.id)))
    has_cost = bool(cost_rows) or fixed_cost != 0 or any(r.cost is not None for r in risks)
    return SimulationResult(
        iterations=iterations,
        seed=seed,
        project_start=project_start,
        deterministic_days=det,
        deterministic_finish=det_finish,
        probability_deterministic=to_date.probability_by(finish, det_finish),
        mean_days=float(finish.mean()),
        std_days=float(finish.std()),
        min_days=float(finish.min()),
        max_days=float(finish.max()),
        percentiles=tuple(
            Percentile(int(p), float(x), to_date(float(x)))
            for p, x in zip(percentiles, _quantiles(finish, percentiles), strict=True)
        ),
        histogram=tuple(
            HistogramBin(float(lo), float(hi), int(c))
            for lo, hi, c in zip(edges[:-1], edges[1:], hist_counts, strict=True)
        ),
        s_curve=tuple(
            CurvePoint(float(x), to_date(float(x)), float(p))
            for x, p in zip(edges[1:], cumulative, strict=True)
        ),
        targets={t: to_date.probability_by(finish, t) for t in targets},
        criticality={tid: float(crit_count[v] / iterations) for v, tid in enumerate(net.leaf_ids)},
        sensitivity=tuple(sensitivity),
        risk_occurrence={r.id: float(occurred[k] / iterations) for k, r in enumerate(risks)},
        cost=_cost_summary(total_cost, percentiles, cost_est, fixed_cost) if has_cost else None,
    )


def _quantiles(x: Array, percentiles: Sequence[int]) -> Array:
    """Sample quantiles that are sample values (`inverted_cdf`): at least p% of the
    iterations finish within the p-th percentile."""
    if not percentiles:
        return np.zeros(0)
    q = np.asarray(percentiles, dtype=np.float64) / 100
    return np.asarray(np.quantile(x, q, method="inverted_cdf"), dtype=np.float64)


def _task_inputs(
    net: _Network, uncertainties: Sequence[TaskUncertainty]
) -> tuple[list[int], list[Estimate], list[int], list[Estimate], float]:
    """Leaf rows with an uncertain duration, and the cost estimates (fixed costs summed)."""
    duration_rows: list[int] = []
    duration_est: list[Estimate] = []
    cost_rows: list[int] = []
    cost_est: list[Estimate] = []
    fixed_cost = 0.0
    for u in uncertainties:
        where = f"Task {u.task_id}"
        if u.task_id not in net.node_of and u.task_id not in net.summaries:
            raise DomainError(UNKNOWN_TASK.format(where="An estimate", id=u.task_id))
        for est in (u.duration, u.cost):
            if est is not None and not est.is_valid():
                raise DomainError(BAD_ESTIMATE.format(where=where))
        v = net.node_of.get(u.task_id)
        if v is None:
            continue  # a summary's own estimates are ignored, as its duration is
        if u.duration is not None:
            duration_rows.append(v)
            duration_est.append(u.duration)
        if u.cost is not None:
            if u.cost.optimistic == u.cost.pessimistic:
                fixed_cost += u.cost.most_likely
            else:
                cost_rows.append(v)
                cost_est.append(u.cost)
    return duration_rows, duration_est, cost_rows, cost_est, fixed_cost


def _risk_inputs(net: _Network, risks: Sequence[RiskEvent]) -> list[list[int]]:
    rows: list[list[int]] = []
    seen: set[str] = set()
    for r in risks:
        if r.id in seen:
            raise DomainError(DUPLICATE_RISK.format(risk=r.id))
        seen.add(r.id)
        if not 0 <= r.probability <= 1:
            raise DomainError(BAD_PROBABILITY.format(risk=r.id))
        for est in (r.delay, r.cost):
            if est is not None and not est.is_valid():
                raise DomainError(BAD_ESTIMATE.format(where=f"Risk {r.id}"))
        mine: list[int] = []
        for tid in r.task_ids:
            if tid in net.summaries:
                raise DomainError(SUMMARY_RISK.format(risk=r.id, id=tid))
            if tid not in net.node_of:
                raise DomainError(UNKNOWN_TASK.format(where=f"Risk {r.id}", id=tid))
            mine.append(net.node_of[tid])
        rows.append(sorted(set(mine)))
    return rows


def _cost_summary(
    total: Array, percentiles: Sequence[int], cost_est: Sequence[Estimate], fixed: float
) -> CostSummary:
    return CostSummary(
        mean=float(total.mean()),
        std=float(total.std()),
        min=float(total.min()),
        max=float(total.max()),
        percentiles=tuple(
            (int(p), float(x))
            for p, x in zip(percentiles, _quantiles(total, percentiles), strict=True)
        ),
        deterministic=fixed + sum(e.most_likely for e in cost_est),
    )


class _DateOf:
    """Working-day offsets from the project start to dates, and target dates to offsets."""

    def __init__(self, calendar: WorkCalendar, project_start: date) -> None:
        self.cal = calendar
        self.mpd = calendar.minutes_per_day
        self.origin = calendar.day_index(project_start)

    def __call__(self, days: float) -> date:
        """The day holding the last working minute of an offset (the first day for 0)."""
        minute = round(days * self.mpd)
        return self.cal.day_at(self.origin + max(0, minute - 1) // self.mpd)

    def probability_by(self, finish: Array, target: date) -> float:
        """The fraction of iterations finishing by the end of `target`."""
        end_days = self.cal.day_index(target + timedelta(days=1)) - self.origin
        return float(np.mean(np.round(finish * self.mpd) <= end_days * self.mpd))


def uncertainties_of(
    estimates: Mapping[int, Estimate], costs: Mapping[int, Estimate] | None = None
) -> list[TaskUncertainty]:
    """Task uncertainties from per-task duration and cost estimates (task ids as keys)."""
    costs = costs or {}
    ids = list(dict.fromkeys([*estimates, *costs]))
    return [TaskUncertainty(tid, estimates.get(tid), costs.get(tid)) for tid in ids]
