"""Monte Carlo schedule and cost risk: uncertain durations, risk events, and what they do to
the finish date and the total cost.

The model:

* A task with a three-point estimate (`Estimate`: optimistic <= most likely <= pessimistic,
  working days) draws its duration from a PERT-beta distribution (the default: shape
  parameters 1 + 4(m - a)/(b - a) and 1 + 4(b - m)/(b - a), mean (a + 4m + b)/6) or a
  triangular one. A task without an estimate keeps its planned duration. Durations are
  whole working minutes, as in cpm: every draw is rounded to the minute.
* A risk event occurs in an iteration with its `probability`; when it does, one delay is
  drawn from its estimate and added to the duration of every unfinished task it names,
  and its cost (if any) is added to the total cost.
* The network is the critical-path network of cpm (the four link types with lags, summary
  links applied to the leaves under the summary through the same zero-duration gates),
  built once by cpm's own preprocessing, and each iteration runs cpm's forward pass on the
  sampled durations. Time is in working minutes; offsets become dates with the calendar
  only at the end. SNET/FNET dates are floors and MSO/MFO dates pins, as in cpm.
* Progress, as cpm reads it (`status_date`, actual dates, percent complete): a finished
  task (an actual finish, a milestone with an actual start, or 100% complete) has no
  uncertainty, and one with actual dates keeps them. An actual start pins the start. With
  a status date, a task in progress keeps the work its percent complete says is done and
  draws only the rest, from its estimate scaled by the remaining fraction, placed no
  earlier than the end of the status date; tasks not started do not start before then.
  So no unfinished work is drawn before the status date. Without a status date only the
  actual dates count (again as in cpm). With no spread anywhere every iteration is cpm's
  schedule, progress included. ALAP moves nothing here (it never moves the finish).
* Finish = the latest early finish of a leaf task. The finish date of an offset is the day
  holding its last working minute (the start day for an offset of 0).
* Criticality index: the fraction of iterations in which an unfinished leaf task lies on
  a driving chain that ends at the finish. Walking back from every leaf that ends at the
  finish, a predecessor is driving when its link requirement reaches the successor's early
  start (ties keep every driving predecessor, so with no spread the index is cpm's
  critical flag on finish-to-start networks). A task with actual dates ends the walk:
  with progress out of sequence (a task finished before a predecessor), cpm gives the
  unfinished predecessor negative float and calls it critical; here it is not driving.
* Sensitivity (tornado): the Spearman rank correlation, with average ranks for ties, of
  each uncertain task's drawn duration and of each risk's sampled impact (delay, or 0
  when it did not occur) with the finish, sorted by its absolute value. A duration is
  ranked by its draw before rounding to the minute (equivalently, by the uniform number
  it was drawn from).
* Cost: per task a fixed or three-point cost (of a task in progress, the done part at its
  most likely value and the rest drawn like its duration; a finished task's at its most
  likely value), plus the cost of the risk events that occur.
* Reproducible: the same input, `iterations` and `seed` give the same result. Samples are
  drawn in blocks of `CHUNK` iterations, in a fixed order.

How it is computed (the speed is in benchmarks/__main__.py, `bench_simulation`):

* Draws come from 32-bit uniform integers through a quantile table per distribution shape
  (`_TABLE` + 1 exact quantiles, linear in between; the CDF of a draw is off by under
  1e-4 in the first and last cells, far less elsewhere). PERT-beta shapes are one
  parameter, 1 <= alpha <= 5 with alpha + beta = 6, so a table is cheap to build.
* The forward pass runs level by level (a level: nodes whose longest chain of predecessors
  has the same length, so each depends only on earlier levels), every step a numpy
  operation over a level's links and all iterations of a block: one gather of the
  predecessors' times per level, then maxima over contiguous slices (see `_Level`; much
  faster than `np.maximum.reduceat` along the first axis). Times are whole minutes held
  in float32 (exact below 2**24 minutes, checked against a bound on every value; float64
  otherwise), so ties are exact and need no tolerance.
* The criticality walk runs level by level backwards on the link requirements the forward
  pass kept, skipping levels where nothing is critical.
* Spearman: the finish is ranked once; each row of draws is sorted once, with the finish's
  ranks riding along in the sort keys (see `_draw_correlations`).
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt

from .calendars import WorkCalendar
from .errors import DomainError
from .scheduling.cpm import _FF, _FS, _SF, _Scheduler
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
CHUNK = 1024  # iterations per block of samples; part of what makes a seed reproducible

_TABLE_BITS = 12  # a uniform's high bits pick the table cell, the low ones the point in it
_TABLE = 1 << _TABLE_BITS
_FRAC_BITS = 32 - _TABLE_BITS
_FRAC_MASK = np.uint32((1 << _FRAC_BITS) - 1)
_GRID = 512  # Simpson cells for a PERT-beta CDF (exact to about 1e-10)
_BLOCK = 1 << 16  # elements per step of the row-blocked loops (stays in cache)
_EXACT32 = float(1 << 24)  # whole numbers of minutes below this are exact in float32

Array = npt.NDArray[np.float64]
Times = npt.NDArray[Any]  # float32 or float64, whole minutes
Ints = npt.NDArray[np.intp]
Bits = npt.NDArray[np.uint32]
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
        # NaN fails every comparison, and only the pessimistic value can be infinite here.
        return 0 <= self.optimistic <= self.most_likely <= self.pessimistic < math.inf

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

_T = np.linspace(0.0, 1.0, 2 * _GRID + 1)  # the CDF grid and its midpoints, in t
_X = np.sin(0.5 * np.pi * _T) ** 2  # x = sin^2(pi t / 2) smooths the density at 0 and 1
with np.errstate(divide="ignore"):
    _LOG_X = np.log(_X)
    _LOG_1X = np.log1p(-_X)
_LOG_X[-1] = 0.0  # x is 1 there (the other factor is 0)
_LOG_1X[0] = 0.0
_U = np.arange(1, _TABLE) / _TABLE


def _beta_quantiles(alpha: float) -> Array:
    """Quantiles of Beta(alpha, 6 - alpha) at j / _TABLE, j = 0.._TABLE.

    In t (x = sin^2(pi t / 2)) the density is proportional to g = x^(alpha - 1/2)
    (1 - x)^(5.5 - alpha), smooth for 1 <= alpha <= 5; its integral over each grid cell by
    Simpson's rule gives the CDF at the cell ends, and inside a cell the CDF is the integral
    of the quadratic through g's three values, a cubic that Newton's method inverts."""
    g = np.exp((alpha - 0.5) * _LOG_X + (5.5 - alpha) * _LOG_1X)
    g0, gm, g1 = g[0:-1:2], g[1::2], g[2::2]
    c1 = 4 * gm - 3 * g0 - g1  # g(s) = g0 + c1 s + c2 s^2 on a cell, 0 <= s <= 1
    c2 = 2 * (g0 + g1) - 4 * gm
    cell = g0 + c1 / 2 + c2 / 3
    cum = np.zeros(_GRID + 1)
    np.cumsum(cell, out=cum[1:])
    target = _U * cum[-1]
    i = np.minimum(np.searchsorted(cum, target, side="right") - 1, _GRID - 1)
    a0, a1, a2 = g0[i], c1[i] / 2, c2[i] / 3
    rest = target - cum[i]
    s = np.clip(rest / cell[i], 0.0, 1.0)
    for _ in range(4):
        value = ((a2 * s + a1) * s + a0) * s - rest
        slope = (3 * a2 * s + 2 * a1) * s + a0
        s -= value / np.where(slope > 0, slope, np.inf)
        np.clip(s, 0.0, 1.0, out=s)
    out = np.empty(_TABLE + 1)
    out[0], out[-1] = 0.0, 1.0
    out[1:-1] = np.sin((0.5 * np.pi / _GRID) * (i + s)) ** 2
    return out


def _triangular_quantiles(mode: float) -> Array:
    """Quantiles of the triangular distribution on [0, 1] with its mode at `mode`."""
    u = np.arange(_TABLE + 1) / _TABLE
    low = np.sqrt(u * mode)
    high = 1 - np.sqrt((1 - u) * (1 - mode))
    return np.where(u < mode, low, high)


@lru_cache(maxsize=1024)
def _table(kind: Distribution, shape: float) -> tuple[Array, Array]:
    """The quantile table of a unit distribution as two arrays: the quantile at each cell's
    start and its slope per unit of a uniform's low bits."""
    q = _beta_quantiles(shape) if kind == Distribution.PERT else _triangular_quantiles(shape)
    start = q[:-1].copy()
    slope = np.diff(q) / (1 << _FRAC_BITS)
    start.flags.writeable = False
    slope.flags.writeable = False
    return start, slope


class _Draws:
    """Draws from estimates with a spread: row i is `low[i] + width[i] * q` with q the unit
    quantile of its distribution at a uniform 32-bit integer (see `_table`), computed in
    `dtype`. Scaling an estimate (by a remaining fraction, or to minutes) scales low and
    width."""

    def __init__(
        self, estimates: Sequence[Estimate], scale: Sequence[float], dtype: Any = np.float64
    ) -> None:
        factor = np.asarray(scale, dtype=np.float64)
        a = np.array([e.optimistic for e in estimates], dtype=np.float64)
        m = np.array([e.most_likely for e in estimates], dtype=np.float64)
        b = np.array([e.pessimistic for e in estimates], dtype=np.float64)
        self.low = a * factor
        self.width = (b - a) * factor
        self.dtype = np.dtype(dtype)
        self._low = self.low.astype(dtype)[:, None]
        self._width = self.width.astype(dtype)[:, None]
        keys: list[tuple[Distribution, float]] = []
        for e, lo, hi, mode in zip(estimates, a, b, m, strict=True):
            at = float((mode - lo) / (hi - lo))
            shape = 1 + 4 * at if e.distribution == Distribution.PERT else at
            keys.append((e.distribution, shape))
        distinct = list(dict.fromkeys(keys))
        tables = [_table(kind, shape) for kind, shape in distinct]
        self.start = np.concatenate([t[0] for t in tables] or [np.zeros(0)]).astype(dtype)
        self.slope = np.concatenate([t[1] for t in tables] or [np.zeros(0)]).astype(dtype)
        where = {key: i * _TABLE for i, key in enumerate(distinct)}
        self.offset = np.array([where[k] for k in keys], dtype=np.uint32)[:, None]
        self.shared = len(distinct) <= 1

    def __len__(self) -> int:
        return len(self.low)

    def into(
        self,
        bits: Bits,
        out: Times,
        rows: Ints | None = None,
        *,
        whole: bool = False,
        add: Times | None = None,
    ) -> None:
        """The draws of `bits` (estimates x iterations) into `out` (into its rows `rows`
        when given), rounded to whole numbers with `whole`, plus `add` ((k, 1)). A block of
        rows at a time, so that the temporaries stay in cache."""
        k, n = bits.shape
        step = max(1, _BLOCK // max(n, 1))
        cell = np.empty((min(step, k), n), dtype=np.uint32)
        value = np.empty((min(step, k), n), dtype=self.dtype)
        part = np.empty((min(step, k), n), dtype=self.dtype)
        for r0 in range(0, k, step):
            r1 = min(k, r0 + step)
            b, c, q, f = bits[r0:r1], cell[: r1 - r0], value[: r1 - r0], part[: r1 - r0]
            target: Times | None = None  # rows of `out` to work in directly
            if rows is None:
                target = out[r0:r1]
            elif rows[r1 - 1] - rows[r0] == r1 - r0 - 1 and _increasing(rows[r0:r1]):
                target = out[rows[r0] : rows[r1 - 1] + 1]
            if target is not None and target.dtype == self.dtype:
                q = target
            np.right_shift(b, _FRAC_BITS, out=c)
            if not self.shared:
                c += self.offset[r0:r1]
            np.take(self.start, c, out=q, mode="clip")
            np.take(self.slope, c, out=f, mode="clip")
            np.bitwise_and(b, _FRAC_MASK, out=c)
            q += np.multiply(f, c, out=f, dtype=self.dtype, casting="unsafe")
            q *= self._width[r0:r1]
            q += self._low[r0:r1]
            if whole:
                np.rint(q, out=q)
            if add is not None:
                q += add[r0:r1]
            if target is None:
                assert rows is not None  # a target is found when there are no rows
                out[rows[r0:r1]] = q
            elif q is not target:
                target[...] = q

    def values(self, bits: Bits) -> Array:
        """The draws themselves, as a new array."""
        out = np.empty(bits.shape, dtype=self.dtype)
        self.into(bits, out)
        return out


def _increasing(x: Ints) -> bool:
    return bool((np.diff(x) > 0).all())


def _uniform_bits(rng: np.random.Generator, rows: int, n: int) -> Bits:
    """Uniform 32-bit integers: both halves of each of the bit generator's 64-bit outputs
    (cheaper than `Generator.integers`, which does the same with more work per number)."""
    raw = rng.bit_generator.random_raw((rows * n + 1) // 2)
    return raw.view(np.uint32)[: rows * n].reshape(rows, n)


class _Estimates:
    """A list of estimates, some fixed (no spread), drawn as rows (fixed rows are their
    value): the estimates for risk delays and costs."""

    def __init__(self, estimates: Sequence[Estimate], scale: float = 1.0) -> None:
        self.fixed = np.array([e.most_likely * scale for e in estimates], dtype=np.float64)
        self.varying = np.array(
            [k for k, e in enumerate(estimates) if e.pessimistic > e.optimistic], dtype=np.intp
        )
        self.draws = _Draws([estimates[k] for k in self.varying], [scale] * len(self.varying))

    def sample(self, rng: np.random.Generator, n: int) -> Array:
        out = np.repeat(self.fixed[:, None], n, axis=1)
        if len(self.draws):
            out[self.varying] = self.draws.values(_uniform_bits(rng, len(self.draws), n))
        return out


# ---- ranks ------------------------------------------------------------------------------------


def _ranks(x: Array, *, ties: bool) -> Array:
    """Ranks 0..n-1 along the last axis of a 2-D array. With `ties`, equal values share
    their average rank; without, the caller knows the rows are continuous draws (equal
    values have probability 0) and the cost of finding ties is saved."""
    k, n = x.shape
    order = np.argsort(x, axis=1)
    ranks = np.empty(x.shape, dtype=np.float64)
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


def _draw_correlations(blocks: Sequence[Bits], y: Array) -> Array:
    """`spearman` of draws with `y`, each row of draws given by the uniform integers it was
    drawn from (a draw is an increasing function of its integer, so they rank alike), in
    blocks of iterations side by side (as they were drawn).

    The ranks of y (average ranks at ties, 0..n-1) are found once. Each row is sorted once
    as 64-bit keys, its integers in the high half and twice the rank of y of the same
    iteration in the low half: the sorted low halves are y's ranks in the row's order, so
    a row without ties (the high halves all differ) has correlation
    (sum_k k ry[k] - n mean^2) / sqrt(n(n^2 - 1)/12 * sum (ry - mean)^2). A row with
    equal integers (rare: about n^2 / 2^33) gets average ranks."""
    k, n = (blocks[0].shape[0] if blocks else 0), len(y)
    out = np.zeros(k)
    ry = _ranks(y[None, :], ties=True)[0]
    mean = (n - 1) / 2
    centred = ry - mean
    syy = float(centred @ centred)
    if k == 0 or syy <= 0:
        return out
    scale = 1 / math.sqrt(n * (n * n - 1) / 12 * syy)
    twice = (2 * ry).astype(np.uint64)  # whole numbers below 2n
    pos = np.arange(n, dtype=np.float64)
    offset = mean * float(pos.sum())
    low = 0 if sys.byteorder == "little" else 1  # the low half of a uint64 as two uint32
    step = max(1, _BLOCK // n)
    for r0 in range(0, k, step):
        r1 = min(k, r0 + step)
        keys = np.empty((r1 - r0, n), dtype=np.uint64)
        col = 0
        for block in blocks:
            keys[:, col : col + block.shape[1]] = block[r0:r1]
            col += block.shape[1]
        keys <<= np.uint64(32)
        keys |= twice
        keys.sort(axis=1)
        # Sorted keys differ by at least 2^32 - 2n unless their integers are equal.
        tied = (np.diff(keys, axis=1) < np.uint64(1 << 31)).any(axis=1)
        ranks_y = keys.view(np.uint32).reshape(r1 - r0, n, 2)[..., low]
        out[r0:r1] = (ranks_y.astype(np.float64) @ pos / 2 - offset) * scale
        for i in np.flatnonzero(tied):
            row = keys[i]
            y_ranks = (row & np.uint64(0xFFFFFFFF)).astype(np.float64) / 2 - mean
            out[r0 + i] = _tied_correlation(row >> np.uint64(32), y_ranks, syy)
    return out


def _tied_correlation(sorted_x: npt.NDArray[Any], ry_by_x: Array, syy: float) -> float:
    """Spearman's correlation of a row with ties, from the row sorted (`sorted_x`) and the
    centred ranks of y in that order: equal values share their average rank."""
    n = len(sorted_x)
    new = np.empty(n, dtype=bool)
    new[0] = True
    new[1:] = sorted_x[1:] != sorted_x[:-1]
    starts = np.flatnonzero(new)
    counts = np.diff(np.append(starts, n))
    ranks = np.repeat(starts + (counts - 1) / 2.0, counts)
    ranks -= ranks.mean()
    sxx = float(ranks @ ranks)
    return float(ranks @ ry_by_x) / math.sqrt(sxx * syy) if sxx > 0 else 0.0


# ---- the network ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _CpmNetwork:
    """What the simulation takes from cpm: its node graph (leaf tasks as nodes 0..L-1 in
    `leaf_ids` order, then summary gates), a topological order by levels, links in minutes,
    and per leaf the inputs progress and constraints give (minutes from the project start).
    """

    n_nodes: int
    leaf_ids: list[int]
    summaries: set[int]
    order: list[int]
    level_starts: list[int]
    link_p: Ints
    link_s: Ints
    link_code: Ints
    link_lag: Array
    status: int | None  # the end of the status date
    planned: npt.NDArray[np.int64]  # duration
    done_work: npt.NDArray[np.int64]  # the part done (with a status date)
    complete: BoolArray  # finished: actual finish (or start, on a milestone), or 100%
    started: BoolArray  # in progress (an actual start, or percent complete with a status)
    floor: Array  # earliest start (-inf: none, a task with actual dates)
    fixed: dict[int, tuple[int, int]]  # start and finish of the tasks with actual dates
    actual_start: dict[int, int]  # tasks in progress with an actual start
    constraints: dict[int, tuple[ConstraintType, int]]  # SNET..MFO: the type and its minute


def _from_cpm(
    project_start: date,
    calendar: WorkCalendar,
    tasks: Sequence[TaskIn],
    links: Sequence[LinkIn],
    status_date: date | None,
) -> _CpmNetwork:
    """cpm's own preprocessing: validation, summary gates, the cycle check naming task ids,
    and the inputs of its passes. Private to cpm but the one home for what a link on a
    summary and what progress mean; every use of cpm's internals is here."""
    sch = _Scheduler.from_records(project_start, calendar, tasks, links, status_date)
    sch._build_links()
    order = sch._order()
    inp = sch._inputs()
    nl = sch.n_leaves
    leaf_tasks: list[int] = sch.leaves.tolist()
    constraints: dict[int, tuple[ConstraintType, int]] = {}
    for v, i in enumerate(leaf_tasks):
        t = sch.details.get(i)
        if t is None or t.constraint_date is None or v in inp.fixed:
            continue
        if t.constraint in (ConstraintType.SNET, ConstraintType.MSO):
            constraints[v] = (t.constraint, sch._start_minute(t.constraint_date))
        elif t.constraint in (ConstraintType.FNET, ConstraintType.MFO):
            constraints[v] = (t.constraint, sch._finish_minute(t.constraint_date))
    return _CpmNetwork(
        n_nodes=len(sch.owner),
        leaf_ids=[sch.ids[i] for i in leaf_tasks],
        summaries={sch.ids[i] for i in np.flatnonzero(sch.is_summary).tolist()},
        order=order,
        level_starts=list(sch.level_starts),
        link_p=np.asarray(sch.e_p, dtype=np.intp),
        link_s=np.asarray(sch.e_s, dtype=np.intp),
        link_code=np.asarray(sch.e_code, dtype=np.intp),
        link_lag=np.asarray(sch.e_lag, dtype=np.float64),
        status=sch.status_min,
        planned=np.asarray(inp.dur[:nl], dtype=np.int64),
        done_work=np.asarray(inp.done_work[:nl], dtype=np.int64),
        complete=np.asarray(inp.done[:nl], dtype=bool),
        started=np.asarray(inp.started[:nl], dtype=bool),
        floor=np.where(inp.has_floor[:nl], inp.floor[:nl], -np.inf),
        fixed={int(v): (int(a), int(b)) for v, (a, b) in inp.fixed.items()},
        actual_start={int(v): int(x) for v, x in inp.actual_es.items()},
        constraints=constraints,
    )


def _column(values: npt.ArrayLike, dtype: npt.DTypeLike) -> Times:
    return np.asarray(values, dtype=dtype).reshape(-1, 1)


class _Level:
    """One topological level, compiled for one float type. Its nodes are the ranks a..b-1,
    most incoming links first, and its incoming links ea..eb-1 come in rounds: round j
    holds the j-th link of each node that has one, and those nodes are the level's first
    k_j, so every step of a pass is a slice. `src_rounds` group the links so that no
    predecessor appears twice in a group. Link positions are relative to ea; specials are
    (nodes, (k, 1) columns of minutes)."""

    def __init__(
        self, net: _Network, level: int, specials: dict[str, list[tuple[int, ...]]], dtype: Any
    ) -> None:
        self.dtype = np.dtype(dtype)
        self.a, self.b = a, b = net.starts[level], net.starts[level + 1]
        self.ea, self.eb = ea, eb = net.level_links[level], net.level_links[level + 1]
        turn = net.link_round[ea:eb]
        first = np.flatnonzero(np.diff(turn, prepend=-1))
        self.rounds = [
            (int(o), int(k)) for o, k in zip(first, np.diff(first, append=eb - ea), strict=True)
        ]
        self.src = net.link_src[ea:eb]
        lag = net.link_lag[ea:eb]
        self.lag = _column(lag, dtype) if lag.any() else None
        self.ff = np.flatnonzero(net.link_into_finish[ea:eb])
        self.ff_dst = net.link_dst[ea:eb][self.ff]
        floor = net.floor[a:b]
        if ea == eb:  # the first level: nothing before it, gates start at 0 as in cpm
            floor = np.where(np.isfinite(floor), floor, 0.0)
        self.floor = _column(floor, dtype) if np.isfinite(floor).any() or ea == eb else None
        pred = net.link_pred[ea:eb]
        by_pred = np.argsort(pred, kind="stable")
        seen = np.empty(len(pred), dtype=np.intp)  # how many links of its predecessor before
        if len(pred):
            grouped = pred[by_pred]
            starts = np.flatnonzero(np.diff(grouped, prepend=-1))
            seen[by_pred] = np.arange(len(pred)) - np.repeat(
                starts, np.diff(starts, append=len(pred))
            )
        self.src_rounds = [
            (idx, pred[idx])
            for j in range(int(seen.max(initial=-1)) + 1)
            for idx in [np.flatnonzero(seen == j)]
        ]
        self.nodes: dict[str, Ints] = {}
        self.values: dict[str, list[Times]] = {}
        for kind, rows in specials.items():
            mine = [r for r in rows if a <= r[0] < b]
            self.nodes[kind] = np.array([r[0] for r in mine], dtype=np.intp)
            width = len(rows[0]) - 1 if rows else 0
            self.values[kind] = [_column([r[j] for r in mine], dtype) for j in range(1, width + 1)]


class _Network:
    """cpm's node graph (leaves, then summary gates), numbered by rank in a topological
    order so that a level is a slice; times in working minutes."""

    def __init__(
        self,
        project_start: date,
        calendar: WorkCalendar,
        tasks: Sequence[TaskIn],
        links: Sequence[LinkIn],
        status_date: date | None,
    ) -> None:
        cpm = _from_cpm(project_start, calendar, tasks, links, status_date)
        n, nl = cpm.n_nodes, len(cpm.leaf_ids)
        self.n, self.n_leaves = n, nl
        self.mpd = calendar.minutes_per_day
        self.leaf_ids = cpm.leaf_ids
        self.node_of = {tid: v for v, tid in enumerate(cpm.leaf_ids)}
        self.summaries = cpm.summaries
        self.starts = cpm.level_starts
        # Ranks: cpm's topological order by levels, inside a level most links first (see
        # `_Level`).
        order = np.array(cpm.order, dtype=np.intp)
        level_at = np.repeat(np.arange(len(self.starts) - 1), np.diff(self.starts))
        indeg = np.bincount(cpm.link_s, minlength=n)
        order = order[np.lexsort((-indeg[order], level_at))]
        rank = np.empty(n, dtype=np.intp)
        rank[order] = np.arange(n, dtype=np.intp)
        self.leaf_rank = rank[:nl]
        self.gates = n > nl
        status = cpm.status

        # Per leaf: planned minutes, work done, finished, and the fraction left to do.
        self.planned = cpm.planned.astype(np.float64)
        self.done_work = cpm.done_work.astype(np.float64)
        self.complete = cpm.complete.copy()
        left = self.planned - self.done_work
        share = np.divide(left, self.planned, where=self.planned > 0, out=np.ones(nl))
        self.remaining = np.where(self.complete, 0.0, share)

        # Per node: the floor (earliest start) and the nodes with more than a floor.
        floor = np.full(n, -np.inf)
        floor[self.leaf_rank] = cpm.floor
        specials: dict[str, list[tuple[int, ...]]] = {
            k: [] for k in ("fnet", "mso", "mfo", "actual", "gap", "fixed")
        }
        for v, (es, ef) in cpm.fixed.items():
            specials["fixed"].append((int(rank[v]), es, ef))
        for v, (kind, minute) in cpm.constraints.items():
            r = int(rank[v])
            if kind == ConstraintType.FNET:
                # cpm folds FNET into the floor with the planned duration; here the
                # duration varies, so the floor is the rest and FNET stays a finish.
                lo = status if status is not None and not cpm.started[v] else 0
                floor[r] = max(lo, 0)
                specials["fnet"].append((r, minute))
            elif kind == ConstraintType.MSO:
                specials["mso"].append((r, minute))
            elif kind == ConstraintType.MFO:
                specials["mfo"].append((r, minute))
        for v, minute in cpm.actual_start.items():
            specials["actual"].append((int(rank[v]), minute))
        if status is not None:
            gap = np.flatnonzero(cpm.started & (cpm.done_work < cpm.planned) & ~cpm.complete)
            specials["gap"] = [(int(rank[v]), int(cpm.done_work[v])) for v in gap.tolist()]
        self.floor = floor
        self.specials = specials
        self.status = float(status) if status is not None else 0.0

        # Links by the level of their successor, then by round (the j-th link of each
        # successor), then by successor; per link what it reads and adds.
        p = rank[cpm.link_p]
        s = rank[cpm.link_s]
        by_s = np.argsort(s, kind="stable")
        turn = np.empty(len(s), dtype=np.intp)
        firsts = np.searchsorted(s[by_s], s[by_s], side="left")
        turn[by_s] = np.arange(len(s)) - firsts
        perm = np.lexsort((s, turn, level_at[s]))
        p, s, turn = p[perm], s[perm], turn[perm]
        code, lag = cpm.link_code[perm], cpm.link_lag[perm]
        from_finish = (code == _FS) | (code == _FF)
        self.link_pred = p
        self.link_dst = s
        self.link_round = turn
        self.link_src = p + n * from_finish  # a row of [ES | EF]
        self.link_lag = lag
        self.link_into_finish = (code == _FF) | (code == _SF)
        levels = len(self.starts) - 1
        self.level_links = np.searchsorted(level_at[s], np.arange(levels + 1)).tolist()
        self._compiled: dict[Any, list[_Level]] = {}

    def leaf_rows(self, x: npt.NDArray[Any]) -> npt.NDArray[Any]:
        """The rows of the leaves (in leaf order) of an array by node."""
        return x[self.leaf_rank]

    def leaf_finish(self, times: Times) -> Times:
        """The latest early finish of a leaf, per iteration."""
        ef = times[self.n :]
        latest: Times = (ef[self.leaf_rank] if self.gates else ef).max(axis=0)
        return latest

    def levels(self, dtype: Any) -> list[_Level]:
        key = np.dtype(dtype)
        if key not in self._compiled:
            self._compiled[key] = [
                _Level(self, lv, self.specials, key) for lv in range(len(self.starts) - 1)
            ]
        return self._compiled[key]

    def bound(self, longest: Array) -> float:
        """A bound on the absolute value of every time the passes compute, given each
        node's longest possible duration (minutes, 0 for gates): the largest constant plus
        the longest chain, counting each duration twice (added to a start, taken off a
        finish) and each lag by its size."""
        constants = [0.0, abs(self.status)]
        constants += [abs(float(x)) for x in self.floor if np.isfinite(x)]
        for rows in self.specials.values():
            constants += [abs(float(x)) for row in rows for x in row[1:]]
        reach = np.zeros(self.n)
        lag = np.abs(self.link_lag)
        for lv in range(len(self.starts) - 1):
            a, b = self.starts[lv], self.starts[lv + 1]
            ea, eb = self.level_links[lv], self.level_links[lv + 1]
            np.maximum.at(reach, self.link_dst[ea:eb], reach[self.link_pred[ea:eb]] + lag[ea:eb])
            reach[a:b] += 2 * longest[a:b]
        return max(constants) + float(reach.max(initial=0.0))

    def forward(self, levels: list[_Level], dur: Times, times: Times, req: Times) -> None:
        """Early starts and finishes, `times` = [ES | EF] (2 x nodes, iterations), for the
        durations `dur` (nodes x iterations, gates 0), as cpm's forward pass; `req` gets
        every link's requirement on its successor's start (kept for `critical`)."""
        n = self.n
        es_all, ef_all = times[:n], times[n:]
        for lv in levels:
            es = es_all[lv.a : lv.b]
            if lv.eb > lv.ea:
                x = req[lv.ea : lv.eb]
                np.take(times, lv.src, axis=0, out=x, mode="clip")
                if lv.lag is not None:
                    x += lv.lag
                if lv.ff.size:
                    x[lv.ff] -= dur[lv.ff_dst]
                es[...] = x[: lv.b - lv.a]
                for o, k in lv.rounds[1:]:
                    np.maximum(es[:k], x[o : o + k], out=es[:k])
                if lv.floor is not None:
                    np.maximum(es, lv.floor, out=es)
            else:
                es[...] = lv.floor
            nodes, vals = lv.nodes, lv.values
            if nodes["fnet"].size:
                r = nodes["fnet"]
                es_all[r] = np.maximum(es_all[r], vals["fnet"][0] - dur[r])
            if nodes["mso"].size:
                es_all[nodes["mso"]] = vals["mso"][0]
            if nodes["mfo"].size:
                r = nodes["mfo"]
                es_all[r] = vals["mfo"][0] - dur[r]
            if nodes["actual"].size:
                es_all[nodes["actual"]] = vals["actual"][0]
            np.add(es, dur[lv.a : lv.b], out=ef_all[lv.a : lv.b])
            if nodes["gap"].size:
                # Work left after the status date: done part from the start, the rest
                # from the end of the status date at the earliest.
                r, done = nodes["gap"], vals["gap"][0]
                ef_all[r] = np.maximum(es_all[r] + done, self.status) + (dur[r] - done)
            if nodes["fixed"].size:
                r = nodes["fixed"]
                es_all[r], ef_all[r] = vals["fixed"]

    def critical(self, levels: list[_Level], times: Times, req: Times, finish: Times) -> BoolArray:
        """Which nodes lie on a driving chain to `finish` (the latest leaf finish), per
        iteration: from the leaves ending at the finish, back over every link whose
        requirement reaches its successor's start. Nodes with actual dates stop it."""
        n = self.n
        es_all = times[:n]
        crit = np.zeros((n, times.shape[1]), dtype=bool)
        if self.gates:
            crit[self.leaf_rank] = times[n + self.leaf_rank] == finish
        else:
            np.equal(times[n:], finish, out=crit)
        drives = np.empty((max(1, max(lv.eb - lv.ea for lv in levels)), times.shape[1]), bool)
        for lv in reversed(levels):
            if lv.nodes["fixed"].size:
                crit[lv.nodes["fixed"]] = False
            c = crit[lv.a : lv.b]
            es = es_all[lv.a : lv.b]
            if lv.eb == lv.ea or not c.any():
                continue
            x = req[lv.ea : lv.eb]
            for o, k in lv.rounds:
                d = drives[o : o + k]
                np.greater_equal(x[o : o + k], es[:k], out=d)
                d &= c[:k]
            for idx, src in lv.src_rounds:
                crit[src] |= drives[idx]
        return crit


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
    status_date: date | None = None,
) -> SimulationResult:
    """Run the Monte Carlo simulation (model in the module docstring) from `status_date`
    (progress as cpm reads it; None: only actual dates count). `progress(done, total)` is
    called after every block of iterations.

    Raises DomainError for an inconsistent input and CycleError for a dependency loop.
    """
    if iterations < 1:
        raise DomainError(BAD_ITERATIONS)
    for pct in percentiles:
        if not 0 <= pct <= 100:
            raise DomainError(BAD_PERCENTILE.format(value=pct))
    net = _Network(project_start, calendar, tasks, links, status_date)
    inputs = _task_inputs(net, uncertainties)
    risk_rows = _risk_inputs(net, risks)
    mpd = net.mpd
    nl, n_nodes = net.n_leaves, net.n

    # Durations per node (minutes): planned, or the fixed estimate scaled to what is left,
    # plus the work done; the rows with a spread are drawn.
    base = np.zeros(n_nodes)
    base[net.leaf_rank] = net.planned
    drawn_leaf: list[int] = []
    drawn_est: list[Estimate] = []
    for v, est in inputs.duration.items():
        r = net.remaining[v]
        if r == 0:
            continue  # finished, or nothing left to do: no uncertainty
        if est.pessimistic > est.optimistic:
            drawn_leaf.append(v)
            drawn_est.append(est)
        else:
            # Rounded to the minute first, as cpm rounds a duration: exactly the planned
            # remaining work when the estimate is the planned duration.
            minutes = round(est.most_likely * mpd) * r
            base[net.leaf_rank[v]] = net.done_work[v] + round(minutes)
    # In rank order, so that the drawn rows of a block are often consecutive (see `into`).
    by_rank = sorted(range(len(drawn_leaf)), key=lambda i: int(net.leaf_rank[drawn_leaf[i]]))
    drawn_leaf = [drawn_leaf[i] for i in by_rank]
    drawn_est = [drawn_est[i] for i in by_rank]
    drawn_rows = net.leaf_rank[np.array(drawn_leaf, dtype=np.intp)]
    drawn_done = net.done_work[np.array(drawn_leaf, dtype=np.intp)][:, None]
    scale = [mpd * net.remaining[v] for v in drawn_leaf]
    delays = _Estimates([r.delay for r in risks], mpd)
    risk_cost = _Estimates([r.cost or Estimate.fixed(0.0) for r in risks])
    probability = np.array([r.probability for r in risks], dtype=np.float64)[:, None]
    costs = _Estimates(inputs.cost_est, 1.0)
    cost_scale = np.array(inputs.cost_scale, dtype=np.float64)

    longest = base.copy()
    highest = np.array([e.pessimistic * f for e, f in zip(drawn_est, scale, strict=True)])
    longest[drawn_rows] = np.maximum(longest[drawn_rows], drawn_done[:, 0] + highest + 1)
    for k, rows in enumerate(risk_rows):
        longest[rows] += risks[k].delay.pessimistic * mpd + 1
    dtype = np.float32 if net.bound(longest) < _EXACT32 else np.float64
    levels = net.levels(dtype)
    draws = _Draws(drawn_est, scale, dtype)
    add = drawn_done.astype(dtype) if drawn_done.any() else None
    # Rows the risks change go back to their planned values before every block.
    touched = np.unique(np.concatenate([np.zeros(0, np.intp), *risk_rows]))

    finish_min = np.empty(iterations)
    total_cost = np.zeros(iterations)
    crit_count = np.zeros(nl)
    drawn_bits: list[Bits] = []
    impact = np.empty((len(risks), iterations))
    occurred = np.zeros(len(risks))
    counted = ~net.complete
    rng = np.random.default_rng(seed)
    buffers: tuple[Times, Times, Times] | None = None
    done = 0
    while done < iterations:
        n = min(CHUNK, iterations - done)
        block = slice(done, done + n)
        if buffers is None or buffers[0].shape[1] != n:
            buffers = (
                np.repeat(base.astype(dtype)[:, None], n, axis=1),
                np.empty((2 * n_nodes, n), dtype=dtype),
                np.empty((len(net.link_src), n), dtype=dtype),
            )
        dur, times, req = buffers
        if touched.size:
            dur[touched] = base[touched, None]
        if len(draws):
            bits = _uniform_bits(rng, len(draws), n)
            drawn_bits.append(bits)
            draws.into(bits, dur, drawn_rows, whole=True, add=add)
        if risks:
            hit = rng.random((len(risks), n)) < probability
            delay = np.rint(delays.sample(rng, n)) * hit
            for k, rows in enumerate(risk_rows):
                dur[rows] += delay[k].astype(dtype)
            impact[:, block] = delay / mpd
            occurred += hit.sum(axis=1)
            total_cost[block] += (risk_cost.sample(rng, n) * hit).sum(axis=0)
        if len(cost_scale):
            total_cost[block] += cost_scale @ costs.sample(rng, n)
        total_cost[block] += inputs.fixed_cost
        net.forward(levels, dur, times, req)
        if nl:
            end = net.leaf_finish(times)
            crit = net.critical(levels, times, req, end)
            crit_count += net.leaf_rows(np.count_nonzero(crit, axis=1)) * counted
            finish_min[block] = np.maximum(end, 0.0)
        else:
            finish_min[block] = 0.0
        done += n
        if progress is not None:
            progress(done, iterations)

    finish = finish_min / mpd
    det = _deterministic(net, levels) / mpd
    to_date = _DateOf(calendar, project_start)
    det_finish = to_date(det)
    hist_counts, edges = np.histogram(finish, bins=bins)
    cumulative = np.cumsum(hist_counts) / iterations
    sensitivity = [
        Driver("task", net.leaf_ids[v], float(rho))
        for v, rho in zip(drawn_leaf, _draw_correlations(drawn_bits, finish), strict=True)
    ]
    if risks:
        sensitivity += [
            Driver("risk", r.id, float(rho))
            for r, rho in zip(risks, spearman(impact, finish), strict=True)
        ]
    sensitivity.sort(key=lambda d: (-abs(d.correlation), d.kind, str(d.id)))
    has_cost = (
        bool(inputs.cost_est) or inputs.fixed_cost != 0 or any(r.cost is not None for r in risks)
    )
    return SimulationResult(
        iterations=iterations,
        seed=seed,
        project_start=project_start,
        deterministic_days=det,
        deterministic_finish=det_finish,
        probability_deterministic=to_date.probability_by(finish_min, det_finish),
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
        targets={t: to_date.probability_by(finish_min, t) for t in targets},
        criticality={tid: float(crit_count[v] / iterations) for v, tid in enumerate(net.leaf_ids)},
        sensitivity=tuple(sensitivity),
        risk_occurrence={r.id: float(occurred[k] / iterations) for k, r in enumerate(risks)},
        cost=_cost_summary(total_cost, percentiles, inputs.deterministic_cost)
        if has_cost
        else None,
    )


def _deterministic(net: _Network, levels: list[_Level]) -> float:
    """The finish (minutes) with planned durations and no risk events: cpm's finish."""
    if not net.n_leaves:
        return 0.0
    dtype = levels[0].dtype
    dur = np.zeros((net.n, 1), dtype=dtype)
    dur[net.leaf_rank, 0] = net.planned
    times = np.empty((2 * net.n, 1), dtype=dtype)
    req = np.empty((len(net.link_src), 1), dtype=dtype)
    net.forward(levels, dur, times, req)
    return max(0.0, float(net.leaf_finish(times)[0]))


def _quantiles(x: Array, percentiles: Sequence[int]) -> Array:
    """Sample quantiles that are sample values (`inverted_cdf`): at least p% of the
    iterations finish within the p-th percentile."""
    if not percentiles:
        return np.zeros(0)
    q = np.asarray(percentiles, dtype=np.float64) / 100
    return np.asarray(np.quantile(x, q, method="inverted_cdf"), dtype=np.float64)


@dataclass
class _TaskInputs:
    duration: dict[int, Estimate]  # leaf index -> duration estimate
    cost_est: list[Estimate]  # costs with a spread, of the work left
    cost_scale: list[float]  # the fraction of each that is left to do
    fixed_cost: float  # fixed costs and the done parts, at their most likely values
    deterministic_cost: float  # every cost at its most likely value


def _task_inputs(net: _Network, uncertainties: Sequence[TaskUncertainty]) -> _TaskInputs:
    """Leaf duration estimates and costs (a summary's own estimates are ignored, as its
    duration is). The cost of the work done is its most likely value; the rest is drawn."""
    out = _TaskInputs({}, [], [], 0.0, 0.0)
    for u in uncertainties:
        where = f"Task {u.task_id}"
        if u.task_id not in net.node_of and u.task_id not in net.summaries:
            raise DomainError(UNKNOWN_TASK.format(where="An estimate", id=u.task_id))
        for est in (u.duration, u.cost):
            if est is not None and not est.is_valid():
                raise DomainError(BAD_ESTIMATE.format(where=where))
        v = net.node_of.get(u.task_id)
        if v is None:
            continue
        if u.duration is not None:
            out.duration[v] = u.duration
        if u.cost is not None:
            left = float(net.remaining[v])
            out.deterministic_cost += u.cost.most_likely
            if u.cost.optimistic == u.cost.pessimistic or left == 0:
                out.fixed_cost += u.cost.most_likely
            else:
                out.fixed_cost += (1 - left) * u.cost.most_likely
                out.cost_est.append(u.cost)
                out.cost_scale.append(left)
    return out


def _risk_inputs(net: _Network, risks: Sequence[RiskEvent]) -> list[Ints]:
    """The node ranks each risk delays: its unfinished tasks."""
    rows: list[Ints] = []
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
        mine: set[int] = set()
        for tid in r.task_ids:
            if tid in net.summaries:
                raise DomainError(SUMMARY_RISK.format(risk=r.id, id=tid))
            if tid not in net.node_of:
                raise DomainError(UNKNOWN_TASK.format(where=f"Risk {r.id}", id=tid))
            v = net.node_of[tid]
            if not net.complete[v]:
                mine.add(int(net.leaf_rank[v]))
        rows.append(np.array(sorted(mine), dtype=np.intp))
    return rows


def _cost_summary(total: Array, percentiles: Sequence[int], deterministic: float) -> CostSummary:
    return CostSummary(
        mean=float(total.mean()),
        std=float(total.std()),
        min=float(total.min()),
        max=float(total.max()),
        percentiles=tuple(
            (int(p), float(x))
            for p, x in zip(percentiles, _quantiles(total, percentiles), strict=True)
        ),
        deterministic=deterministic,
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

    def probability_by(self, finish_minutes: Array, target: date) -> float:
        """The fraction of iterations finishing by the end of `target`."""
        end_days = self.cal.day_index(target + timedelta(days=1)) - self.origin
        return float(np.mean(finish_minutes <= end_days * self.mpd))


def uncertainties_of(
    estimates: Mapping[int, Estimate], costs: Mapping[int, Estimate] | None = None
) -> list[TaskUncertainty]:
    """Task uncertainties from per-task duration and cost estimates (task ids as keys)."""
    costs = costs or {}
    ids = list(dict.fromkeys([*estimates, *costs]))
    return [TaskUncertainty(tid, estimates.get(tid), costs.get(tid)) for tid in ids]
