"""Critical path method: early and late dates, total and free float, constraints, deadlines,
progress against a status date, and summary-task rollup.

Time inside is integer working minutes from the project start (minute 0 begins the first
working day on or after `project_start`); dates appear only when reading input and writing
output. The rules, as MS Project users expect them:

* Links (successor S of predecessor P, lag L): FS  S.ES >= P.EF + L;  SS  S.ES >= P.ES + L;
  FF  S.EF >= P.EF + L;  SF  S.EF >= P.ES + L. Lags are working days (negative = lead).
* Forward pass: ES is the latest link requirement, never before the project start.
  SNET/FNET push later; MSO/MFO pin the task even against its links (a predecessor then
  shows negative float and the task `misses_deadline`).
* Backward pass from the project finish (latest EF) with the inverse rules; no task's
  late finish is after the project finish (even one with only SS/SF successors). SNLT/FNLT,
  MSO/MFO and deadlines cap the late dates, which is how they produce negative float.
  Total float is LF - EF (equal to LS - ES for a task of fixed duration); free float is the
  smallest slack on any outgoing link (project finish - EF for a task without successors),
  never negative and never above total float.
* ALAP tasks (not started, total float >= 0) are moved to their late dates after the
  backward pass, and a second forward pass lets their successors follow; late dates stay
  as computed, so an ALAP task has zero total float.
* Dates: a start is the date holding its first working minute, a finish the date holding
  its last one. A zero-duration milestone is a point in time: it sits on the day that just
  ended when a finish drove it (after a task finishing Monday it is on Monday, as MS
  Project shows it) and on the day that starts when a start date drove it (SNET, project
  start, an SS link from a task).
* Progress: `actual_finish` (or `actual_start` on a milestone) means done, and the dates are
  the actuals. `actual_start` pins the start. With a `status_date`, percent complete splits
  the duration into done and remaining work; remaining work is placed no earlier than the
  end of the status date (the start of the next working day), and tasks not yet started do
  not start before then either. Without a status date only the actual dates count.
  Done tasks are never critical.
* Moments: a constraint date, deadline, actual date or status date given as a `datetime`
  (a `date` subclass) is used to the minute on the calendar's working hours (a moment
  outside them counts the working minutes before it); a plain `date` means the start or
  the end of that day as described above. Output dates are always plain dates.
* Summary tasks (any task named as a parent) are rolled up: ES/LS = min over their leaf
  descendants, EF/LF = max. A link into a summary applies to every leaf under it; a link
  out of a summary starts from its latest-finishing leaf (FS/FF) or latest-starting leaf
  (SS/SF). This is done with zero-duration gate nodes so that a link between two big
  summaries costs O(leaves), not O(leaves squared). A deadline on a summary applies to
  every leaf under it; constraints and progress on summaries are ignored.
* `misses_deadline`: early finish after the deadline, SNLT/FNLT not met, or an MSO/MFO pin
  its predecessors cannot meet. A milestone sitting at the start of the day after its
  deadline misses it with zero float (the same working minute, a later moment).

`schedule` takes and gives records; `schedule_columns` does the same on columns (numpy
arrays, one entry per task), for plans too big for a record per task to be cheap. Records
are turned into columns first, so both run the same code.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import repeat
from time import perf_counter
from typing import cast

import numpy as np
import numpy.typing as npt

from ..calendars import DATE_OUT_OF_RANGE, WorkCalendar
from ..errors import CycleError, DateOutOfRange, DomainError
from ..graph import topological_order
from ..types import (
    DATED_CONSTRAINTS,
    ConstraintType,
    LinkIn,
    LinkType,
    ScheduleResult,
    TaskIn,
    TaskOut,
)

DUPLICATE_TASK = "Task {id} appears more than once."
UNKNOWN_PARENT = "Task {id} names parent {parent}, which is not in the plan."
HIERARCHY_LOOP = "Tasks {ids} are each other's parents."
UNKNOWN_LINK_TASK = "A dependency names task {id}, which is not in the plan."
MISSING_CONSTRAINT_DATE = "Task {id} has a '{constraint}' constraint but no constraint date."
NEGATIVE_DURATION = "Task {id} has a negative duration."
BAD_PERCENT = "Task {id} has percent complete {value}; it must be between 0 and 100."
FINISH_BEFORE_START = "Task {id} has an actual finish before its actual start."
BAD_COLUMNS = "Task and link columns do not fit together ({reason})."

_FS, _SS, _FF, _SF = 0, 1, 2, 3
# Link type codes of `LinkColumns.type_code`.
LINK_CODES: Mapping[LinkType, int] = {
    LinkType.FS: _FS,
    LinkType.SS: _SS,
    LinkType.FF: _FF,
    LinkType.SF: _SF,
}
_NO_LIMIT = 1 << 62
_MAX_MINUTES = float(1 << 52)  # far past year 9999 in any calendar, exact in a float

# The passes run level by level (a level: the tasks whose longest chain of predecessors has
# the same length) with numpy when levels are this wide on average; on narrower, chain-like
# networks the per-level overhead costs more than it saves and the plain loops run instead.
# Both give the same results (tests/engine/test_cpm_equivalence.py).
VECTOR_MIN_WIDTH = 24
VECTOR_MIN_NODES = 2_000

# A link inside the engine: (other node, link code, lag in minutes).
_Edge = tuple[int, int, int]
_Ints = npt.NDArray[np.int64]
_Floats = npt.NDArray[np.float64]
_Bools = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class TaskColumns:
    """Tasks as columns, entry i for task i (for plans held as arrays, such as a big plan
    file read by `keel schedule`). `parent` is the index of the parent task, -1 for none.
    `details` holds the record of every task with a constraint, a deadline or progress, by
    index; their ids must be `ids[i]`, and their duration and parent are taken from the
    columns. Tasks not in `details` are ASAP tasks without a deadline or progress."""

    ids: Sequence[int]
    duration_days: _Floats
    parent: _Ints
    details: Mapping[int, TaskIn] = field(default_factory=dict)


@dataclass(frozen=True)
class LinkColumns:
    """Links as columns: task indexes into `TaskColumns`, `LINK_CODES` of the link types and
    lags in working days (negative = lead)."""

    predecessor: _Ints
    successor: _Ints
    type_code: _Ints
    lag_days: _Floats


@dataclass(frozen=True)
class ScheduleColumns:
    """`schedule_columns`: the values of `TaskOut`, entry i for task i (summaries rolled
    up), with times in working minutes (floats too: `total_float_minutes / minutes_per_day`
    is `TaskOut.total_float_days`) and dates as ordinals (`date.fromordinal`)."""

    early_start_minute: _Ints
    early_finish_minute: _Ints
    late_start_minute: _Ints
    late_finish_minute: _Ints
    early_start_day: _Ints
    early_finish_day: _Ints
    late_start_day: _Ints
    late_finish_day: _Ints
    total_float_minutes: _Ints
    free_float_minutes: _Ints
    critical: _Bools
    is_summary: _Bools
    misses_deadline: _Bools
    minutes_per_day: int
    project_start: date
    project_finish: date


def schedule(
    *,
    project_start: date,
    calendar: WorkCalendar,
    tasks: Sequence[TaskIn],
    links: Sequence[LinkIn],
    status_date: date | None = None,
    critical_threshold_days: float = 0.0,
) -> ScheduleResult:
    """Compute early/late dates and floats for a plan (rules in the module docstring).

    Raises DomainError for an inconsistent plan and CycleError (naming the task ids in the
    loop, summaries as themselves) for circular dependencies.
    """
    sch = _Scheduler.from_records(project_start, calendar, tasks, links, status_date)
    return sch.records(sch.run(critical_threshold_days))


def schedule_columns(
    *,
    project_start: date,
    calendar: WorkCalendar,
    tasks: TaskColumns,
    links: LinkColumns,
    status_date: date | None = None,
    critical_threshold_days: float = 0.0,
) -> ScheduleColumns:
    """`schedule` on a plan given as columns, with the result as columns: the same rules,
    checks and errors, without a record per task (see `ScheduleColumns`)."""
    n = len(tasks.ids)
    if not (
        len(tasks.duration_days) == n
        and len(tasks.parent) == n
        and len(links.successor) == len(links.predecessor)
        and len(links.type_code) == len(links.predecessor)
        and len(links.lag_days) == len(links.predecessor)
    ):
        raise DomainError(BAD_COLUMNS.format(reason="lengths differ"))
    for column, lowest in ((tasks.parent, -1), (links.predecessor, 0), (links.successor, 0)):
        if len(column) and not (column.min() >= lowest and column.max() < n):
            raise DomainError(BAD_COLUMNS.format(reason="an index is out of range"))
    dur = np.asarray(tasks.duration_days, dtype=np.float64)
    bad = ~(dur >= 0)  # NaN too
    bad[list(tasks.details)] = True  # checked one by one below
    for i in np.flatnonzero(bad).tolist():
        t = tasks.details.get(i)
        if t is None:
            raise DomainError(NEGATIVE_DURATION.format(id=tasks.ids[i]))
        _check_task(t, float(dur[i]), None)
    sch = _Scheduler(
        project_start,
        calendar,
        status_date,
        ids=tasks.ids,
        duration_days=dur,
        parent=np.asarray(tasks.parent, dtype=np.int64),
        details=tasks.details,
        link_p=np.asarray(links.predecessor, dtype=np.int64),
        link_s=np.asarray(links.successor, dtype=np.int64),
        link_code=np.asarray(links.type_code, dtype=np.int64),
        link_lag=np.asarray(links.lag_days, dtype=np.float64),
    )
    return sch.run(critical_threshold_days)


def stable_order(keys: _Ints) -> _Ints:
    """`np.argsort(keys, kind="stable")` for keys >= 0: one sort of `keys * len + index`,
    which numpy does with SIMD instructions, several times faster than its merge sort."""
    m = len(keys)
    if m == 0 or int(keys.max()) >= (1 << 62) // m - 1:
        return np.argsort(keys, kind="stable")
    return cast(_Ints, np.sort(keys * m + np.arange(m, dtype=np.int64)) % m)


def _duration_minutes(days: _Floats, mpd: int) -> _Ints:
    """Durations as whole working minutes: np.rint rounds half to even like round(), on the
    same float products. A duration past any date is cut to one still past any date, which
    int64 holds: it shows where the duration counts (DateOutOfRange) and nowhere else (a
    task done on its actual dates). Not a number is DateOutOfRange."""
    minutes = days * mpd
    if np.isnan(minutes).any():
        raise DateOutOfRange(DATE_OUT_OF_RANGE)
    return np.rint(np.minimum(minutes, _MAX_MINUTES)).astype(np.int64)


def _check_task(t: TaskIn, duration: float, known: Mapping[int, TaskIn] | None) -> None:
    """The first problem of one task, as a DomainError (the parent is checked against
    `known` when given)."""
    if duration < 0:
        raise DomainError(NEGATIVE_DURATION.format(id=t.id))
    if not 0 <= t.percent_complete <= 100:
        raise DomainError(BAD_PERCENT.format(id=t.id, value=t.percent_complete))
    if t.constraint in DATED_CONSTRAINTS and t.constraint_date is None:
        raise DomainError(MISSING_CONSTRAINT_DATE.format(id=t.id, constraint=str(t.constraint)))
    if known is not None and t.parent_id is not None and t.parent_id not in known:
        raise DomainError(UNKNOWN_PARENT.format(id=t.id, parent=t.parent_id))
    if (
        t.actual_start is not None
        and t.actual_finish is not None
        and t.actual_finish < t.actual_start
    ):
        raise DomainError(FINISH_BEFORE_START.format(id=t.id))


class _Inputs:
    """Per-node inputs of the passes, indexed by node (gates keep the defaults: zero
    duration, no floor, no caps). Pins, actuals and fixed dates are few: dictionaries."""

    def __init__(self, n: int) -> None:
        self.dur = np.zeros(n, dtype=np.int64)
        self.done_work = np.zeros(n, dtype=np.int64)
        self.floor = np.zeros(n, dtype=np.int64)  # minimum ES (start, SNET/FNET, status)
        self.has_floor = np.zeros(n, dtype=np.bool_)  # gates and done tasks have none
        self.floor_end = np.zeros(n, dtype=np.bool_)  # the floor is a finish-type point (FNET)
        self.pin: dict[int, int] = {}  # MSO/MFO start
        self.pin_end = np.zeros(n, dtype=np.bool_)
        self.fixed: dict[int, tuple[int, int]] = {}  # (ES, EF) from actuals
        self.actual_es: dict[int, int] = {}
        self.started = np.zeros(n, dtype=np.bool_)
        self.ccap = np.full(n, _NO_LIMIT, dtype=np.int64)  # maximum LF from SNLT/FNLT/MSO/MFO
        self.ccap_end = np.ones(n, dtype=np.bool_)  # the cap is a finish-type point
        self.cap = np.full(n, _NO_LIMIT, dtype=np.int64)  # maximum LF, deadlines included
        self.cap_end = np.ones(n, dtype=np.bool_)
        self.deadline_min = np.full(n, _NO_LIMIT, dtype=np.int64)
        self.fnlt_min = np.full(n, _NO_LIMIT, dtype=np.int64)
        self.done = np.zeros(n, dtype=np.bool_)
        self.alap = np.zeros(n, dtype=np.bool_)
        # Nodes that need more than the floor, the links and the duration in the forward
        # pass (actuals, pins, progress against the status date), in node order.
        self.special: list[int] = []


class _Passes:
    """What the passes give, per node: minutes, the *_end flags (see `_Scheduler._date`),
    free float and whether an MSO/MFO pin was missed."""

    def __init__(
        self,
        es: _Ints,
        ef: _Ints,
        ls: _Ints,
        lf: _Ints,
        es_end: _Bools,
        lf_end: _Bools,
        free: _Ints,
        pin_missed: _Bools,
    ) -> None:
        self.es, self.ef, self.ls, self.lf = es, ef, ls, lf
        self.es_end, self.lf_end = es_end, lf_end
        self.free, self.pin_missed = free, pin_missed


class _Scheduler:
    """One schedule, on tasks and links as columns (`from_records` turns records into
    them). Tasks are indexes 0..n-1 (`ids` gives their ids); nodes 0..L-1 are the leaf
    tasks in task order, gate nodes for summary links follow."""

    def __init__(
        self,
        project_start: date,
        calendar: WorkCalendar,
        status_date: date | None,
        *,
        ids: Sequence[int],
        duration_days: _Floats,
        parent: _Ints,
        details: Mapping[int, TaskIn],
        link_p: _Ints,
        link_s: _Ints,
        link_code: _Ints,
        link_lag: _Floats,
        link_types: Sequence[str] = (),
    ) -> None:
        self.cal = calendar
        self.mpd = calendar.minutes_per_day
        self.origin = calendar.day_index(project_start)
        self.status_min = None if status_date is None else self._finish_minute(status_date)
        self.ids = ids
        self.n_tasks = len(ids)
        self.duration_days = duration_days
        self.parent = parent
        self.details = details
        self.link_p, self.link_s = link_p, link_s
        self.link_code, self.link_lag = link_code, link_lag
        self.link_types = link_types  # the records' types, for the error on a bad one
        self._check_hierarchy()
        is_summary = np.zeros(self.n_tasks, dtype=np.bool_)
        is_summary[parent[parent >= 0]] = True
        self.is_summary = is_summary
        self.leaves = np.flatnonzero(~is_summary)
        self.n_leaves = len(self.leaves)
        self.node_of = np.full(self.n_tasks, -1, dtype=np.int64)  # -1: a summary
        self.node_of[self.leaves] = np.arange(self.n_leaves, dtype=np.int64)
        # Task index each node stands for (gates: their summary).
        self.owner: list[int] = self.leaves.tolist()
        # Every link as four parallel arrays: predecessor node, successor node, code, lag.
        empty = np.zeros(0, dtype=np.int64)
        self.e_p, self.e_s, self.e_code, self.e_lag = empty, empty, empty, empty
        self.gates: dict[tuple[int, str], int] = {}
        self.leaves_cache: dict[int, list[int]] = {}
        self._children: tuple[list[int], list[int]] | None = None
        self._lists: tuple[list[bool], list[int]] | None = None  # is_summary, node_of
        self._adjacency: tuple[list[list[_Edge]], list[list[_Edge]]] | None = None
        self.level_starts: list[int] = []
        self._summary_order: list[int] = []
        # Set to a dict to have `run` record when each phase ended (perf_counter seconds,
        # in phase order, after "start"); the benchmarks read it.
        self.timings: dict[str, float] | None = None

    @classmethod
    def from_records(
        cls,
        project_start: date,
        calendar: WorkCalendar,
        tasks: Sequence[TaskIn],
        links: Sequence[LinkIn],
        status_date: date | None,
    ) -> _Scheduler:
        """Check the records (the first problem in task order, then in link order) and turn
        them into columns."""
        by_id: dict[int, TaskIn] = {t.id: t for t in tasks}
        if len(by_id) != len(tasks):
            seen: set[int] = set()
            for t in tasks:
                if t.id in seen:
                    raise DomainError(DUPLICATE_TASK.format(id=t.id))
                seen.add(t.id)
        index = {tid: i for i, tid in enumerate(by_id)}
        # One loop over the records (faster than a pass per field: they are spread over
        # memory), with one cheap test per task; the messages come from `_check_task`.
        durations: list[float] = []
        parents: list[int] = []
        details: dict[int, TaskIn] = {}
        dated, asap = DATED_CONSTRAINTS, ConstraintType.ASAP
        for i, t in enumerate(tasks):
            d, pid = t.duration_days, t.parent_id
            if not (
                d >= 0
                and 0 <= t.percent_complete <= 100
                and (t.constraint_date is not None or t.constraint not in dated)
                and (pid is None or pid in by_id)
                and (t.actual_start is None or t.actual_finish is None)
            ):
                _check_task(t, d, by_id)
            durations.append(d)
            parents.append(-1 if pid is None else index[pid])
            if (
                t.constraint != asap
                or t.constraint_date is not None
                or t.deadline is not None
                or t.percent_complete
                or t.actual_start is not None
                or t.actual_finish is not None
            ):
                details[i] = t  # needs more than its duration and parent
        get = index.get
        link_p: list[int | None] = []
        link_s: list[int | None] = []
        types: list[LinkType] = []
        lags: list[float] = []
        for link in links:
            link_p.append(get(link.predecessor_id))
            link_s.append(get(link.successor_id))
            types.append(link.type)
            lags.append(link.lag_days)
        if None in link_p or None in link_s:
            for link in links:
                for tid in (link.predecessor_id, link.successor_id):
                    if tid not in by_id:
                        raise DomainError(UNKNOWN_LINK_TASK.format(id=tid))
        return cls(
            project_start,
            calendar,
            status_date,
            ids=list(by_id),
            duration_days=np.array(durations, dtype=np.float64),
            parent=np.array(parents, dtype=np.int64),
            details=details,
            link_p=np.array(link_p, dtype=np.int64),
            link_s=np.array(link_s, dtype=np.int64),
            link_code=np.array(list(map(LINK_CODES.get, types, repeat(-1))), dtype=np.int64),
            link_lag=np.array(lags, dtype=np.float64),
            link_types=types,
        )

    # ---- input ------------------------------------------------------------------------

    def _check_hierarchy(self) -> None:
        parent = self.parent
        n = self.n_tasks
        # Pointer doubling: after k rounds `up[v]` is v's 2**k-th ancestor (n: past a root),
        # so every task reaches n in ceil(log2(n)) rounds unless a loop is above it.
        up = np.append(np.where(parent < 0, n, parent), n)
        reach = 1
        while reach < n:
            up = up[up]
            reach *= 2
        if (up == n).all():
            return
        state: dict[int, int] = {}  # 1 = on the current walk, 2 = known to reach a root
        parents: list[int] = parent.tolist()
        for start in range(n):
            walk: list[int] = []
            v = start
            while v >= 0 and state.get(v) is None:
                state[v] = 1
                walk.append(v)
                v = parents[v]
            if v >= 0 and state[v] == 1:
                loop = walk[walk.index(v) :]
                raise DomainError(
                    HIERARCHY_LOOP.format(ids=", ".join(str(self.ids[i]) for i in loop))
                )
            for w in walk:
                state[w] = 2
        raise AssertionError("unreachable: pointer doubling found a loop")  # pragma: no cover

    def _kids(self, summary: int) -> list[int]:
        """The children of a task, in task order."""
        if self._children is None:
            by_parent = stable_order(self.parent + 1)
            first = np.searchsorted(
                self.parent[by_parent], np.arange(self.n_tasks + 1, dtype=np.int64)
            )
            self._children = (by_parent.tolist(), first.tolist())
        order, cuts = self._children
        return order[cuts[summary] : cuts[summary + 1]]

    def _leaves(self, summary: int) -> list[int]:
        """The leaf nodes under a summary, depth first in task order."""
        cached = self.leaves_cache.get(summary)
        if cached is None:
            if self._lists is None:
                self._lists = (self.is_summary.tolist(), self.node_of.tolist())
            is_summary, node_of = self._lists
            cached = []
            stack = [summary]
            while stack:
                i = stack.pop()
                if not is_summary[i]:
                    cached.append(node_of[i])
                    continue
                kids = self._kids(i)
                if any(map(is_summary.__getitem__, kids)):
                    stack.extend(reversed(kids))
                else:  # the usual case: all leaves, taken at once
                    cached += map(node_of.__getitem__, kids)
            self.leaves_cache[summary] = cached
        return cached

    def _gate(self, summary: int, kind: str, out: list[list[int]]) -> int:
        """A zero-duration node standing for one side of a summary (see module docstring):
        'out_f' = latest leaf finish, 'out_s' = latest leaf start, 'in_s' = bound on every
        leaf start, 'in_f' = bound on every leaf finish. Its links go to `out`."""
        key = (summary, kind)
        node = self.gates.get(key)
        if node is None:
            node = len(self.owner)
            self.gates[key] = node
            self.owner.append(summary)
            leaves = self._leaves(summary)
            k = len(leaves)
            e_p, e_s, e_code, e_lag = out
            if kind in ("out_f", "out_s"):
                e_p.extend(leaves)
                e_s.extend([node] * k)
                e_code.extend([_FS if kind == "out_f" else _SS] * k)
            else:
                e_p.extend([node] * k)
                e_s.extend(leaves)
                e_code.extend([_SS if kind == "in_s" else _FF] * k)
            e_lag.extend([0] * k)
        return node

    @property
    def preds(self) -> list[list[_Edge]]:
        """Incoming links of every node: (predecessor, code, lag)."""
        return self._adjacent()[0]

    @property
    def succs(self) -> list[list[_Edge]]:
        """Outgoing links of every node: (successor, code, lag)."""
        return self._adjacent()[1]

    def _adjacent(self) -> tuple[list[list[_Edge]], list[list[_Edge]]]:
        if self._adjacency is None:
            n = len(self.owner)
            preds: list[list[_Edge]] = [[] for _ in range(n)]
            succs: list[list[_Edge]] = [[] for _ in range(n)]
            for p, s, code, lag in zip(
                self.e_p.tolist(),
                self.e_s.tolist(),
                self.e_code.tolist(),
                self.e_lag.tolist(),
                strict=True,
            ):
                preds[s].append((p, code, lag))
                succs[p].append((s, code, lag))
            self._adjacency = (preds, succs)
        return self._adjacency

    def _build_links(self) -> None:
        pids, sids, codes = self.link_p, self.link_s, self.link_code
        # The first self-link or unknown link type, in link order, is the error.
        problems = np.flatnonzero((pids == sids) | (codes < 0) | (codes > _SF))
        if len(problems):
            i = int(problems[0])
            if pids[i] == sids[i]:
                raise CycleError([self.ids[int(pids[i])], self.ids[int(sids[i])]])
            if i < len(self.link_types):
                LinkType(self.link_types[i])  # raises ValueError, as LinkType("XX") does
            raise DomainError(BAD_COLUMNS.format(reason=f"link type code {codes[i]}"))
        # np.rint rounds half to even like round(), on the same float products.
        lags = np.rint(self.link_lag * self.mpd).astype(np.int64)
        p_nodes = self.node_of[pids]
        s_nodes = self.node_of[sids]
        keep = (p_nodes >= 0) & (s_nodes >= 0)  # neither end a summary
        if keep.all():
            self.e_p, self.e_s, self.e_code, self.e_lag = p_nodes, s_nodes, codes, lags
            return
        out: list[list[int]] = [[], [], [], []]
        if self._lists is None:
            self._lists = (self.is_summary.tolist(), self.node_of.tolist())
        is_summary, node_of = self._lists
        on_summary = np.flatnonzero(~keep)
        for pid, sid, code, lag in zip(
            pids[on_summary].tolist(),
            sids[on_summary].tolist(),
            codes[on_summary].tolist(),
            lags[on_summary].tolist(),
            strict=True,
        ):
            if is_summary[pid]:
                p = self._gate(pid, "out_f" if code in (_FS, _FF) else "out_s", out)
            else:
                p = node_of[pid]
            if is_summary[sid]:
                s = self._gate(sid, "in_s" if code in (_FS, _SS) else "in_f", out)
            else:
                s = node_of[sid]
            for column, value in zip(out, (p, s, code, lag), strict=True):
                column.append(value)

        def joined(kept: _Ints, more: list[int]) -> _Ints:
            return np.concatenate((kept[keep], np.array(more, dtype=np.int64)))

        self.e_p = joined(p_nodes, out[0])
        self.e_s = joined(s_nodes, out[1])
        self.e_code = joined(codes, out[2])
        self.e_lag = joined(lags, out[3])

    def _order(self) -> list[int]:
        """A topological order of the nodes, level by level (`self.level_starts`)."""
        n = len(self.owner)
        p_arr, s_arr = self.e_p, self.e_s
        out_count = np.bincount(p_arr, minlength=n)
        indeg: list[int] = np.bincount(s_arr, minlength=n).tolist()
        dst: list[int] = s_arr[stable_order(p_arr)].tolist()
        off: list[int] = np.concatenate(([0], np.cumsum(out_count))).tolist()
        frontier = [v for v in range(n) if not indeg[v]]
        order: list[int] = []
        starts = [0]
        while frontier:
            order += frontier
            starts.append(len(order))
            nxt: list[int] = []
            for v in frontier:
                for s in dst[off[v] : off[v + 1]]:
                    left = indeg[s] - 1
                    indeg[s] = left
                    if not left:
                        nxt.append(s)
            frontier = nxt
        if len(order) == n:
            self.level_starts = starts
            return order
        nodes = range(n)
        edges = [(p, s) for s in nodes for (p, _, _) in self.preds[s]]
        try:
            topological_order(nodes, edges)
        except CycleError as exc:
            ids: list[int] = []
            for node in exc.cycle:
                tid = self.ids[self.owner[cast(int, node)]]
                if not ids or ids[-1] != tid:
                    ids.append(tid)
            raise CycleError(ids) from None
        raise AssertionError("unreachable: Kahn's algorithm found a loop")  # pragma: no cover

    # ---- date <-> minute --------------------------------------------------------------

    def _start_minute(self, d: date) -> int:
        """The beginning of `d` (of the next working day if `d` is not worked)."""
        if isinstance(d, datetime):
            return self._moment_minute(d)
        return (self.cal.day_index(d) - self.origin) * self.mpd

    def _finish_minute(self, d: date) -> int:
        """The end of `d` (of the previous working day if `d` is not worked)."""
        if isinstance(d, datetime):
            return self._moment_minute(d)
        return (self.cal.day_index(d + timedelta(days=1)) - self.origin) * self.mpd

    def _moment_minute(self, moment: datetime) -> int:
        """Working minutes from minute 0 to a date-time (see "Moments" above)."""
        return self.cal.to_offset(moment, self.cal.day_at(self.origin))

    def _date(self, minute: int, end: bool) -> date:
        """The date holding working minute `minute`, or `minute - 1` for an end point."""
        return self.cal.day_at(self.origin + (minute - 1 if end else minute) // self.mpd)

    # ---- inputs -----------------------------------------------------------------------

    def _inputs(self) -> _Inputs:
        n = len(self.owner)
        nl = self.n_leaves
        status = self.status_min
        inp = _Inputs(n)
        inp.dur[:nl] = _duration_minutes(self.duration_days[self.leaves], self.mpd)
        inp.floor[:nl] = max(status, 0) if status is not None else 0
        inp.has_floor[:nl] = True
        inherited = self._summary_deadlines()
        if inherited:
            by_task = np.full(self.n_tasks + 1, _NO_LIMIT, dtype=np.int64)  # n: no parent
            by_task[list(inherited)] = list(inherited.values())
            up = self.parent[self.leaves]
            inp.deadline_min[:nl] = by_task[np.where(up < 0, self.n_tasks, up)]
        node_of = self.node_of
        for i in sorted(self.details):
            v = int(node_of[i])
            if v < 0:
                continue  # a summary: only its deadline counts (above)
            t = self.details[i]
            if t.deadline is not None:
                inp.deadline_min[v] = min(int(inp.deadline_min[v]), self._finish_minute(t.deadline))
            if (
                t.constraint_date is None
                and t.actual_start is None
                and t.actual_finish is None
                and not t.percent_complete
            ):
                inp.alap[v] = t.constraint == ConstraintType.ALAP
            else:
                self._task_inputs(inp, v, t, int(inp.dur[v]))
        # At a tie the end-type cap (the deadline) is earlier.
        by_deadline = inp.deadline_min <= inp.ccap
        inp.cap = np.where(by_deadline, inp.deadline_min, inp.ccap)
        inp.cap_end = by_deadline | inp.ccap_end
        return inp

    def _summary_deadlines(self) -> dict[int, int]:
        """The earliest deadline (as a finish minute) on each summary or its ancestors."""
        out: dict[int, int] = {}
        details = self.details
        summaries = [i for i, t in details.items() if t.deadline is not None and self.is_summary[i]]
        if not summaries:
            return out
        parents: list[int] = self.parent.tolist()
        for sid in np.flatnonzero(self.is_summary).tolist():
            chain_ids: list[int] = []
            cur = sid
            while cur >= 0 and cur not in out:
                chain_ids.append(cur)
                cur = parents[cur]
            best = _NO_LIMIT if cur < 0 else out[cur]
            for i in reversed(chain_ids):
                t = details.get(i)
                if t is not None and t.deadline is not None:
                    best = min(best, self._finish_minute(t.deadline))
                out[i] = best
        return out

    def _task_inputs(self, inp: _Inputs, v: int, t: TaskIn, d: int) -> None:
        """Actuals, progress and constraints of one leaf."""
        status = self.status_min
        inp.special.append(v)
        if t.actual_finish is not None or (d == 0 and t.actual_start is not None):
            finish_day = t.actual_finish or t.actual_start
            assert finish_day is not None  # one of them is set, see above
            done_ef = self._finish_minute(finish_day)
            done_es = done_ef - d
            if t.actual_start is not None and d > 0:
                done_es = self._start_minute(t.actual_start)
            inp.fixed[v] = (done_es, done_ef)
            inp.done[v] = True
            inp.has_floor[v] = False
            return
        inp.done[v] = t.percent_complete >= 100
        started = False
        if status is not None and t.percent_complete > 0:
            started = True
            inp.done_work[v] = round(d * t.percent_complete / 100)
        if t.actual_start is not None:
            started = True
            inp.actual_es[v] = self._start_minute(t.actual_start)
        inp.started[v] = started
        lo = status if status is not None and not started else 0
        lo = max(lo, 0)
        c, cd = t.constraint, t.constraint_date
        inp.alap[v] = c == ConstraintType.ALAP and not started
        if cd is None:
            inp.floor[v] = lo
            return
        if c == ConstraintType.SNET:
            lo = max(lo, self._start_minute(cd))
        elif c == ConstraintType.FNET:
            c_min = self._finish_minute(cd) - d
            inp.floor_end[v] = c_min > lo  # at a tie the start-type floor is later
            lo = max(lo, c_min)
        elif c == ConstraintType.MSO:
            inp.pin[v] = c_min = self._start_minute(cd)
            inp.ccap[v] = c_min + d
            inp.ccap_end[v] = d > 0
        elif c == ConstraintType.MFO:
            inp.pin[v] = c_min = self._finish_minute(cd) - d
            inp.pin_end[v] = True
            inp.ccap[v] = c_min + d
        elif c == ConstraintType.SNLT:
            inp.ccap[v] = self._start_minute(cd) + d
            inp.ccap_end[v] = d > 0
        elif c == ConstraintType.FNLT:
            inp.ccap[v] = inp.fnlt_min[v] = self._finish_minute(cd)
        inp.floor[v] = lo

    # ---- the passes -------------------------------------------------------------------

    def _mark(self, phase: str) -> None:
        if self.timings is not None:
            self.timings[phase] = perf_counter()

    def run(self, critical_threshold_days: float) -> ScheduleColumns:
        self._mark("start")
        self._build_links()
        self._mark("links")
        order = self._order()
        self._mark("order")
        inp = self._inputs()
        self._mark("inputs")
        n = len(self.owner)
        levels = len(self.level_starts) - 1
        if n >= VECTOR_MIN_NODES and n >= VECTOR_MIN_WIDTH * levels:
            passes = self._passes_by_level(order, inp)
        else:
            passes = self._passes_in_order(order, inp)
        self._mark("passes")
        result = self._result(passes, inp, critical_threshold_days)
        self._mark("output")
        return result

    def _passes_in_order(self, order: list[int], inp: _Inputs) -> _Passes:
        """The passes one node at a time (the reference the level-wise passes must match)."""
        n = len(self.owner)
        nl = self.n_leaves
        status = self.status_min
        preds, succs = self._adjacent()
        dur: list[int] = inp.dur.tolist()
        done_work: list[int] = inp.done_work.tolist()
        floor: list[int | None] = [
            f if has else None
            for f, has in zip(inp.floor.tolist(), inp.has_floor.tolist(), strict=True)
        ]
        floor_end: list[bool] = inp.floor_end.tolist()
        pin_end: list[bool] = inp.pin_end.tolist()
        started: list[bool] = inp.started.tolist()
        cap: list[int] = inp.cap.tolist()
        cap_end: list[bool] = inp.cap_end.tolist()
        pin, fixed, actual_es = inp.pin, inp.fixed, inp.actual_es

        es = [0] * n
        ef = [0] * n
        es_end = [False] * n  # for zero-span nodes: the point closes the previous day
        pin_missed = [False] * n

        def forward(target: list[tuple[int, bool] | None]) -> None:
            for v in order:
                fx = fixed.get(v)
                if fx is not None:
                    es[v], ef[v] = fx
                    es_end[v] = True
                    continue
                best: int | None = floor[v]
                best_end = floor_end[v]
                d = dur[v]
                for p, code, lag in preds[v]:
                    if code == _FS:
                        x = ef[p] + lag
                    elif code == _SS:
                        x = es[p] + lag
                    elif code == _FF:
                        x = ef[p] + lag - d
                    else:
                        x = es[p] + lag - d
                    if best is None or x >= best:
                        if d == 0:
                            # A finish is an end point unless it is a milestone's point.
                            p_zero = ef[p] == es[p]
                            if code in (_FS, _FF):
                                x_end = not p_zero or es_end[p]
                            else:
                                x_end = p_zero and es_end[p]
                            # At equal minutes a start-type point is the later moment.
                            best_end = x_end if best is None or x > best else (best_end and x_end)
                        best = x
                start = 0 if best is None else best
                pv = pin.get(v)
                if pv is not None:
                    pin_missed[v] = start > pv
                    start, best_end = pv, pin_end[v]
                tv = target[v]
                if tv is not None and tv[0] > start:
                    start, best_end = tv[0], tv[1]
                av = actual_es.get(v)
                if av is not None:
                    start, best_end = av, False
                es[v] = start
                es_end[v] = best_end
                if status is not None and started[v] and done_work[v] < d:
                    ef[v] = max(start + done_work[v], status) + d - done_work[v]
                else:
                    ef[v] = start + d

        forward([None] * n)
        finish = max((ef[v] for v in range(nl)), default=0)

        ls = [0] * n
        lf = [0] * n
        lf_end = [False] * n

        # The finish is the latest moment: a milestone starting the day after beats a
        # finish closing the day before.
        finish_end = not any(
            ef[v] == finish and ef[v] == es[v] and not es_end[v] for v in range(nl)
        )
        for v in reversed(order):
            if v in fixed:
                ls[v], lf[v], lf_end[v] = es[v], ef[v], es_end[v]
                continue
            span = ef[v] - es[v]
            best = finish  # no task may finish after the project
            best_end = finish_end
            for s, code, lag in succs[v]:
                if code == _FS:
                    x = ls[s] - lag
                elif code == _SS:
                    x = ls[s] - lag + span
                elif code == _FF:
                    x = lf[s] - lag
                else:
                    x = lf[s] - lag + span
                # A late finish closes the day before a task's late start (as MS Project
                # shows it); a milestone successor passes its own point on.
                x_end = ef[s] != es[s] or lf_end[s]
                if x < best:
                    best, best_end = x, x_end
                elif x == best:
                    best_end = best_end or x_end  # an end point is the earlier moment
            if cap[v] < best:
                best, best_end = cap[v], cap_end[v]
            elif cap[v] == best:
                best_end = best_end or cap_end[v]
            lf[v] = best
            ls[v] = best - span
            lf_end[v] = best_end

        if inp.alap.any():
            alap: list[bool] = inp.alap.tolist()
            target: list[tuple[int, bool] | None] = [None] * n
            for v in range(nl):
                if alap[v] and ls[v] > es[v]:
                    target[v] = (ls[v], lf_end[v])
            forward(target)
            # Late dates do not change: every move stays within the moved task's float.

        # Free float, through gates: a gate passes on the slack of its own links.
        free = [0] * n
        for v in reversed(order):
            best_ff = finish - ef[v] if not succs[v] else _NO_LIMIT
            for s, code, lag in succs[v]:
                if code == _FS:
                    slack = es[s] - ef[v] - lag
                elif code == _SS:
                    slack = es[s] - es[v] - lag
                elif code == _FF:
                    slack = ef[s] - ef[v] - lag
                else:
                    slack = ef[s] - es[v] - lag
                if s >= nl:
                    slack += free[s]
                best_ff = min(best_ff, slack)
            free[v] = best_ff

        def ints(xs: list[int]) -> _Ints:
            return np.array(xs, dtype=np.int64)

        def bools(xs: list[bool]) -> _Bools:
            return np.array(xs, dtype=np.bool_)

        return _Passes(
            ints(es),
            ints(ef),
            ints(ls),
            ints(lf),
            bools(es_end),
            bools(lf_end),
            ints(free),
            bools(pin_missed),
        )

    def _passes_by_level(self, order: list[int], inp: _Inputs) -> _Passes:
        """The same passes with numpy, one topological level at a time: every node of a
        level depends only on earlier levels. Nodes are renumbered by their rank in `order`
        so that a level is a slice; the few nodes with actuals, pins or progress are
        finished one by one exactly as in `_passes_in_order`."""
        n = len(self.owner)
        nl = self.n_leaves
        status = self.status_min
        starts = self.level_starts
        n_levels = len(starts) - 1
        rank_of = np.array(order, dtype=np.int64)  # node at each rank
        rank = np.empty(n, dtype=np.int64)  # rank of each node
        rank[rank_of] = np.arange(n, dtype=np.int64)
        lvl_first = np.array(starts[:-1], dtype=np.int64)

        dur = inp.dur[rank_of]
        floor_end = inp.floor_end[rank_of]
        has_floor = inp.has_floor[rank_of]
        floor = np.where(inp.has_floor, inp.floor, 0)[rank_of]
        cap = inp.cap[rank_of]
        cap_end = inp.cap_end[rank_of]
        fixed_nodes = [v for v in inp.special if v in inp.fixed]

        p_rank = rank[self.e_p]
        s_rank = rank[self.e_s]
        code = self.e_code
        lag = self.e_lag
        from_finish = (code == _FS) | (code == _FF)
        into_finish = (code == _FF) | (code == _SF)
        # A node without a floor and without predecessors (never a gate in practice)
        # starts at 0 like one with a zero floor.
        indeg = np.bincount(s_rank, minlength=n)
        has_floor |= indeg == 0
        rs = np.arange(n, dtype=np.int64)

        # Forward: times in one array, [ES | EF | floor]; the floor of a node is one more
        # incoming link, from a milestone-like pseudo node at 2n + rank.
        fl = rs[has_floor]
        f_dst = np.concatenate((s_rank, fl))
        f_src = np.concatenate((p_rank + n * from_finish, 2 * n + fl))
        f_start = np.concatenate((p_rank, 2 * n + fl))
        f_flag = np.concatenate((p_rank, n + fl))  # into [es_end | floor_end]
        f_from_finish = np.concatenate((from_finish, np.zeros(len(fl), dtype=np.bool_)))
        f_code_w = np.concatenate((lag, np.zeros(len(fl), dtype=np.int64)))
        perm = stable_order(f_dst)
        f_dst, f_src, f_start = f_dst[perm], f_src[perm], f_start[perm]
        f_flag, f_from_finish = f_flag[perm], f_from_finish[perm]
        f_w = (
            f_code_w[perm]
            - np.concatenate((into_finish, np.zeros(len(fl), np.bool_)))[perm] * dur[f_dst]
        )
        f_off = np.searchsorted(f_dst, np.arange(n + 1, dtype=np.int64))
        f_off_l: list[int] = f_off.tolist()
        dur_zero = dur == 0
        zero_level: list[bool] = (np.add.reduceat(dur_zero, lvl_first) > 0).tolist()
        # Per level, so that the loops below slice instead of computing: the first node of
        # each node's level, a link's node within its level and a node's first link within
        # its level's links.
        level_first = np.repeat(lvl_first, np.diff(np.array(starts)))
        f_local = f_dst - level_first[f_dst]
        f_seg = f_off[:-1] - f_off[level_first]

        special_rank = sorted(int(rank[v]) for v in inp.special)
        level_of = np.repeat(np.arange(n_levels), np.diff(np.array(starts)))

        def specials_by_level(ranks: list[int]) -> dict[int, list[int]]:
            out: dict[int, list[int]] = {}
            for r in ranks:
                out.setdefault(int(level_of[r]), []).append(r)
            return out

        times = np.zeros(3 * n, dtype=np.int64)
        times[2 * n :] = floor
        es = times[:n]
        ef = times[n : 2 * n]
        flags = np.zeros(2 * n, dtype=np.bool_)
        flags[n:] = floor_end
        es_end = flags[:n]
        # Whether a link's source (a node, or a floor at 2n + rank) spans no time: its end
        # flag then passes on; otherwise a link from its finish is an end point.
        zero_span = np.ones(3 * n, dtype=np.bool_)
        pin_missed = np.zeros(n, dtype=np.bool_)
        pin, pin_end, actual_es = inp.pin, inp.pin_end, inp.actual_es
        started, done_work, fixed = inp.started, inp.done_work, inp.fixed
        maximum_at, or_at = np.maximum.reduceat, np.logical_or.reduceat

        def forward(target: dict[int, tuple[int, bool]]) -> None:
            special = specials_by_level(sorted({*special_rank, *target}))
            for lv in range(n_levels):
                a, b = starts[lv], starts[lv + 1]
                ea, eb = f_off_l[a], f_off_l[b]
                x = times[f_src[ea:eb]]
                x += f_w[ea:eb]
                seg = f_seg[a:b]
                best = maximum_at(x, seg, out=es[a:b])
                np.add(best, dur[a:b], out=ef[a:b])
                if zero_level[lv]:
                    x_end = np.where(
                        zero_span[f_start[ea:eb]], flags[f_flag[ea:eb]], f_from_finish[ea:eb]
                    )
                    bad = np.greater(x == best[f_local[ea:eb]], x_end)  # max, not an end
                    es_end[a:b] = np.where(dur_zero[a:b], ~or_at(bad, seg), floor_end[a:b])
                else:
                    es_end[a:b] = floor_end[a:b]
                for r in special.get(lv, ()):
                    v = order[r]
                    fx = fixed.get(v)
                    if fx is not None:
                        es[r], ef[r] = fx
                        es_end[r] = True
                        continue
                    start, start_end = int(es[r]), bool(es_end[r])
                    pv = pin.get(v)
                    if pv is not None:
                        pin_missed[r] = start > pv
                        start, start_end = pv, bool(pin_end[v])
                    tv = target.get(r)
                    if tv is not None and tv[0] > start:
                        start, start_end = tv
                    av = actual_es.get(v)
                    if av is not None:
                        start, start_end = av, False
                    es[r], es_end[r] = start, start_end
                    d = int(dur[r])
                    done = int(done_work[v])
                    if status is not None and started[v] and done < d:
                        ef[r] = max(start + done, status) + d - done
                    else:
                        ef[r] = start + d
                np.equal(es[a:b], ef[a:b], out=zero_span[a:b])

        # Backward: [LS | LF | finish]; the project finish is one more outgoing link of
        # every node, to a zero-span pseudo node at 2n whose end flag is `finish_end`.
        b_src = np.concatenate((p_rank, rs))
        b_dst = np.concatenate((s_rank + n * into_finish, np.full(n, 2 * n, dtype=np.int64)))
        b_node = np.concatenate((s_rank, np.full(n, n, dtype=np.int64)))
        b_lag = np.concatenate((lag, np.zeros(n, dtype=np.int64)))
        b_from_start = np.concatenate((~from_finish, np.zeros(n, dtype=np.bool_)))
        real = np.concatenate((np.ones(len(lag), np.bool_), np.zeros(n, np.bool_)))
        perm = stable_order(b_src)
        b_src, b_dst, b_node, b_lag = b_src[perm], b_dst[perm], b_node[perm], b_lag[perm]
        b_from_start, real = b_from_start[perm], real[perm]
        b_off = np.searchsorted(b_src, np.arange(n + 1, dtype=np.int64))
        b_off_l: list[int] = b_off.tolist()
        b_local = b_src - level_first[b_src]
        b_seg = b_off[:-1] - b_off[level_first]
        self._mark("level setup")
        forward({})
        leaf_ranks = rank[:nl]
        finish = int(ef[leaf_ranks].max()) if nl else 0
        span = ef - es
        leaf_point = (ef[leaf_ranks] == finish) & (span[leaf_ranks] == 0)
        finish_end = not bool((leaf_point & ~es_end[leaf_ranks]).any())

        b_w = b_from_start * span[b_src] - b_lag
        zero_span_level: list[bool] = (np.add.reduceat(span == 0, lvl_first) > 0).tolist()
        late = np.zeros(2 * n + 1, dtype=np.int64)
        late[2 * n] = finish
        ls = late[:n]
        lf = late[n : 2 * n]
        late_flags = np.zeros(n + 1, dtype=np.bool_)
        late_flags[n] = finish_end
        lf_end = late_flags[:n]
        moves_on = np.concatenate((span != 0, [False]))  # "ef[s] != es[s]"
        # What a link into each node passes back: an end point, unless the node is a
        # milestone-like point whose own late finish is not one.
        passes_end = moves_on | late_flags
        fixed_by_level = specials_by_level(sorted(int(rank[v]) for v in fixed_nodes))
        minimum_at = np.minimum.reduceat
        for lv in range(n_levels - 1, -1, -1):
            a, b = starts[lv], starts[lv + 1]
            ea, eb = b_off_l[a], b_off_l[b]
            x = late[b_dst[ea:eb]]
            x += b_w[ea:eb]
            seg = b_seg[a:b]
            first = minimum_at(x, seg)
            best = np.minimum(first, cap[a:b], out=lf[a:b])
            if zero_span_level[lv]:
                good = (x == first[b_local[ea:eb]]) & passes_end[b_node[ea:eb]]
                lf_end[a:b] = ((first == best) & or_at(good, seg)) | (
                    (cap[a:b] == best) & cap_end[a:b]
                )
            np.subtract(best, span[a:b], out=ls[a:b])
            for r in fixed_by_level.get(lv, ()):
                ls[r], lf[r], lf_end[r] = es[r], ef[r], es_end[r]
            passes_end[a:b] |= lf_end[a:b]

        alap = inp.alap
        if alap.any():
            moved = np.flatnonzero(alap & (ls[rank[: len(alap)]] > es[rank[: len(alap)]]))
            target = {int(rank[v]): (int(ls[rank[v]]), bool(lf_end[rank[v]])) for v in moved}
            forward(target)
            # Late dates do not change: every move stays within the moved task's float.

        # Free float: the smallest slack of the outgoing links (project finish - EF for a
        # node without links); a gate passes on the slack of its own links.
        src_time = times[b_src + n * ~b_from_start]
        slack = times[np.minimum(b_dst, 2 * n - 1)] - src_time - b_lag
        has_succ = np.diff(b_off) > 1
        slack[~real] = np.where(has_succ[b_src[~real]], _NO_LIMIT, finish - ef[b_src[~real]])
        free_r = minimum_at(slack, b_off[:-1])
        if n > nl:
            # Levels with links into gates again, last level first, adding the gates' own
            # free float (known: a gate's successors are in later levels).
            gate_rank = np.zeros(n + 1, dtype=np.bool_)
            gate_rank[rank[nl:]] = True
            into_gate = gate_rank[b_node]
            free_x = np.concatenate((free_r, [0]))
            redo: list[bool] = (np.add.reduceat(into_gate, b_off[lvl_first]) > 0).tolist()
            for lv in range(n_levels - 1, -1, -1):
                if redo[lv]:
                    a, b = starts[lv], starts[lv + 1]
                    ea, eb = b_off_l[a], b_off_l[b]
                    x = slack[ea:eb] + np.where(into_gate[ea:eb], free_x[b_node[ea:eb]], 0)
                    free_x[a:b] = minimum_at(x, b_off[a:b] - ea)
            free_r = free_x[:n]

        return _Passes(
            es[rank].copy(),
            ef[rank].copy(),
            ls[rank].copy(),
            lf[rank].copy(),
            es_end[rank].copy(),
            lf_end[rank].copy(),
            free_r[rank],
            pin_missed[rank],
        )

    # ---- output -----------------------------------------------------------------------

    def _result(
        self, passes: _Passes, inp: _Inputs, critical_threshold_days: float
    ) -> ScheduleColumns:
        nl = self.n_leaves
        mpd = self.mpd
        origin = self.origin
        threshold = round(critical_threshold_days * mpd)
        es, ef, ls, lf = passes.es[:nl], passes.ef[:nl], passes.ls[:nl], passes.lf[:nl]
        es_end, lf_end = passes.es_end[:nl], passes.lf_end[:nl]
        done = inp.done[:nl]
        deadline_min = inp.deadline_min[:nl]
        fnlt_min = inp.fnlt_min[:nl]

        # A milestone at the start of a day is later than a limit at the end of the day
        # before, though both are the same working minute (its float stays 0).
        point = ef == es
        late_point = point & ~es_end
        misses = ~done & (
            passes.pin_missed[:nl]
            | (ef > deadline_min)
            | (ef > inp.ccap[:nl])
            | (late_point & ((ef == deadline_min) | (ef == fnlt_min)))
        )
        # Day indexes of the four dates (see `_date`); zero float: the same moment, shown
        # on the same day.
        es_day = origin + (es - (point & es_end)) // mpd
        ef_day = np.where(point, es_day, origin + (ef - 1) // mpd)
        late_end = np.where(lf == es, es_end, lf_end)
        lf_day = np.where(point, origin + (lf - late_end) // mpd, origin + (lf - 1) // mpd)
        ls_day = np.where(point, lf_day, origin + ls // mpd)
        days, where = np.unique(
            np.concatenate((es_day, ef_day, ls_day, lf_day)), return_inverse=True
        )
        day_at = self.cal.day_at
        ordinals = np.array([day_at(i).toordinal() for i in days.tolist()], dtype=np.int64)
        ordinals = ordinals[where]
        es_o, ef_o = ordinals[:nl], ordinals[nl : 2 * nl]
        ls_o, lf_o = ordinals[2 * nl : 3 * nl], ordinals[3 * nl :]
        leaves = self.leaves
        for v in inp.special:
            t = self.details[int(leaves[v])]
            if t.actual_finish is not None or (ef[v] == es[v] and t.actual_start is not None):
                a = _day(t.actual_start or t.actual_finish)
                assert a is not None  # one of them is set, see above
                es_o[v] = ls_o[v] = a.toordinal()
                ef_o[v] = lf_o[v] = (_day(t.actual_finish) or a).toordinal()
            elif t.actual_start is not None:
                es_o[v] = t.actual_start.toordinal()

        # Task-indexed columns: leaves from the passes, summaries rolled up from them.
        n = self.n_tasks
        is_summary = self.is_summary
        cols: list[_Ints] = []
        for k, leaf_values in enumerate((es, ef, ls, lf, es_o, ef_o, ls_o, lf_o)):
            column = np.full(n, _NO_LIMIT if k % 2 == 0 else -_NO_LIMIT, dtype=np.int64)
            column[leaves] = leaf_values
            cols.append(column)
        last_free = np.full(n, _NO_LIMIT, dtype=np.int64)
        last_free[leaves] = passes.free[:nl]
        all_done = np.ones(n, dtype=np.bool_)
        all_done[leaves] = done
        missed = np.zeros(n, dtype=np.bool_)
        missed[leaves] = misses
        if self.n_leaves < n:
            self._rollup(cols, last_free, all_done)
            for i, t in self.details.items():
                if is_summary[i] and t.deadline is not None and not all_done[i]:
                    missed[i] = int(cols[1][i]) > self._finish_minute(t.deadline)
        tf = cols[3] - cols[1]
        first = date.fromordinal(int(es_o.min())) if nl else None
        project_start = self.cal.day_at(self.origin)
        if first is not None and first < project_start:
            project_start = first
        project_finish = project_start
        if nl:
            project_finish = max(project_finish, date.fromordinal(int(ef_o.max())))
        return ScheduleColumns(
            early_start_minute=cols[0],
            early_finish_minute=cols[1],
            late_start_minute=cols[2],
            late_finish_minute=cols[3],
            early_start_day=cols[4],
            early_finish_day=cols[5],
            late_start_day=cols[6],
            late_finish_day=cols[7],
            total_float_minutes=tf,
            free_float_minutes=np.maximum(0, np.minimum(last_free, tf)),
            critical=~all_done & (tf <= threshold),
            is_summary=is_summary,
            misses_deadline=missed,
            minutes_per_day=mpd,
            project_start=project_start,
            project_finish=project_finish,
        )

    def _rollup(self, cols: list[_Ints], last_free: _Ints, all_done: _Bools) -> None:
        """Summary values from their children, deepest summaries first: ES/LS and their
        days = min over the leaf descendants, EF/LF and theirs = max (`cols`, in that
        order, pairs of min and max), the free float of the leaf finishing last (the
        smallest at a tie), done when all are done. Also sets the order of the summaries
        in `records` (`_summary_order`)."""
        n = self.n_tasks
        parent = self.parent
        # Depths by pointer doubling: `up` jumps 2**k levels, `depth` counts the steps.
        up = np.append(np.where(parent < 0, n, parent), n)
        depth = np.append((parent >= 0).astype(np.int64), 0)
        while (up != n).any():
            depth = depth + depth[up]
            up = up[up]
        depth = depth[:n]
        first_leaf = np.full(n, n, dtype=np.int64)
        first_leaf[self.leaves] = np.arange(self.n_leaves, dtype=np.int64)
        by_depth = stable_order(depth)
        deepest = int(depth.max())
        cuts: list[int] = np.searchsorted(
            depth[by_depth], np.arange(deepest + 2, dtype=np.int64)
        ).tolist()
        for d in range(deepest, 0, -1):
            kids = by_depth[cuts[d] : cuts[d + 1]]
            up_d = parent[kids]
            for k, column in enumerate(cols):
                (np.minimum if k % 2 == 0 else np.maximum).at(column, up_d, column[kids])
            np.logical_and.at(all_done, up_d, all_done[kids])
            np.minimum.at(first_leaf, up_d, first_leaf[kids])
            last = cols[1][kids] == cols[1][up_d]
            np.minimum.at(last_free, up_d[last], last_free[kids[last]])
        summaries = np.flatnonzero(self.is_summary)
        # The order in which walking the leaves (each up its ancestors) first meets them.
        self._summary_order = summaries[
            np.lexsort((-depth[summaries], first_leaf[summaries]))
        ].tolist()

    def records(self, out: ScheduleColumns) -> ScheduleResult:
        """The result as records: leaves in task order, then the summaries."""
        order = np.concatenate((self.leaves, np.array(self._summary_order, dtype=np.int64)))
        mpd = self.mpd
        day_ordinals = np.concatenate(
            (
                out.early_start_day[order],
                out.early_finish_day[order],
                out.late_start_day[order],
                out.late_finish_day[order],
            )
        )
        days, where = np.unique(day_ordinals, return_inverse=True)
        dates = np.empty(len(days), dtype=object)
        dates[:] = [date.fromordinal(d) for d in days.tolist()]
        picked: list[date] = dates[where].tolist()
        k = len(order)
        ids = self.ids
        tasks: dict[int, TaskOut] = {
            # Positional: 100,000 keyword calls cost a measurable 50 ms.
            ids[i]: TaskOut(ids[i], a, b, c, d, tfd, ffd, cr, su, mi, m1, m2, m3, m4)
            for i, a, b, c, d, tfd, ffd, cr, su, mi, m1, m2, m3, m4 in zip(
                order.tolist(),
                picked[:k],
                picked[k : 2 * k],
                picked[2 * k : 3 * k],
                picked[3 * k :],
                (out.total_float_minutes[order] / mpd).tolist(),
                (out.free_float_minutes[order] / mpd).tolist(),
                out.critical[order].tolist(),
                out.is_summary[order].tolist(),
                out.misses_deadline[order].tolist(),
                out.early_start_minute[order].tolist(),
                out.early_finish_minute[order].tolist(),
                out.late_start_minute[order].tolist(),
                out.late_finish_minute[order].tolist(),
                strict=True,
            )
        }
        leaves = self.leaves
        critical = leaves[out.critical[leaves]].tolist()
        es: list[int] = out.early_start_minute.tolist()
        ef: list[int] = out.early_finish_minute.tolist()
        crit = sorted((es[i], ef[i], ids[i]) for i in critical)
        return ScheduleResult(
            tasks=tasks,
            project_start=out.project_start,
            project_finish=out.project_finish,
            critical_path=tuple(tid for _, _, tid in crit),
        )


def _day(d: date | None) -> date | None:
    """A plain date, also from a date-time."""
    return d.date() if isinstance(d, datetime) else d
