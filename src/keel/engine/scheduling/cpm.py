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
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from itertools import chain, compress
from operator import attrgetter, eq
from time import perf_counter
from typing import cast

import numpy as np
import numpy.typing as npt

from ..calendars import WorkCalendar
from ..errors import CycleError, DomainError
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

_FS, _SS, _FF, _SF = 0, 1, 2, 3
_LINK_CODE = {LinkType.FS: _FS, LinkType.SS: _SS, LinkType.FF: _FF, LinkType.SF: _SF}
_NO_LIMIT = 1 << 62

# The passes run level by level (a level: the tasks whose longest chain of predecessors has
# the same length) with numpy when levels are this wide on average; on narrower, chain-like
# networks the per-level overhead costs more than it saves and the plain loops run instead.
# Both give the same results (tests/engine/test_cpm_equivalence.py).
VECTOR_MIN_WIDTH = 24
VECTOR_MIN_NODES = 2_000

# A link inside the engine: (other node, link code, lag in minutes).
_Edge = tuple[int, int, int]
_Ints = npt.NDArray[np.int64]
_Bools = npt.NDArray[np.bool_]


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
    return _Scheduler(project_start, calendar, tasks, links, status_date).run(
        critical_threshold_days
    )


class _Inputs:
    """Per-node inputs of the passes, indexed by node (gates keep the defaults: zero
    duration, no floor, no caps)."""

    def __init__(self, n: int) -> None:
        self.dur = [0] * n
        self.done_work = [0] * n
        self.floor: list[int | None] = [None] * n  # minimum ES (start, SNET/FNET, status)
        self.floor_end = [False] * n  # the floor is a finish-type point (FNET)
        self.pin: list[int | None] = [None] * n  # MSO/MFO start
        self.pin_end = [False] * n
        self.fixed: list[tuple[int, int] | None] = [None] * n  # (ES, EF) from actuals
        self.actual_es: list[int | None] = [None] * n
        self.started = [False] * n
        self.ccap = [_NO_LIMIT] * n  # maximum LF from SNLT/FNLT/MSO/MFO
        self.ccap_end = [True] * n  # the cap is a finish-type point
        self.cap = [_NO_LIMIT] * n  # maximum LF, deadlines included
        self.cap_end = [True] * n
        self.deadline_min = [_NO_LIMIT] * n
        self.fnlt_min = [_NO_LIMIT] * n
        self.done = [False] * n
        self.alap = [False] * n
        # Nodes that need more than the floor, the links and the duration in the forward
        # pass (actuals, pins, progress against the status date).
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
    def __init__(
        self,
        project_start: date,
        calendar: WorkCalendar,
        tasks: Sequence[TaskIn],
        links: Sequence[LinkIn],
        status_date: date | None,
    ) -> None:
        self.cal = calendar
        self.mpd = calendar.minutes_per_day
        self.origin = calendar.day_index(project_start)
        self.status_min = None if status_date is None else self._finish_minute(status_date)
        self.by_id: dict[int, TaskIn] = {t.id: t for t in tasks}
        if len(self.by_id) != len(tasks):
            seen: set[int] = set()
            for t in tasks:
                if t.id in seen:
                    raise DomainError(DUPLICATE_TASK.format(id=t.id))
                seen.add(t.id)
        self.links = links
        self._validate_tasks()
        self.children: dict[int, list[int]] = {}
        for t in tasks:
            if t.parent_id is not None:
                self.children.setdefault(t.parent_id, []).append(t.id)
        self._check_hierarchy()
        # Nodes 0..L-1 are the leaf tasks; gate nodes for summary links follow.
        children = self.children
        self.leaf_ids = [t.id for t in tasks if t.id not in children]
        self.node_of = {tid: i for i, tid in enumerate(self.leaf_ids)}
        self.owner: list[int] = list(self.leaf_ids)  # task id each node stands for
        self.n_leaves = len(self.leaf_ids)
        # Every link as four parallel lists: predecessor node, successor node, code, lag.
        self.e_p: list[int] = []
        self.e_s: list[int] = []
        self.e_code: list[int] = []
        self.e_lag: list[int] = []
        self.gates: dict[tuple[int, str], int] = {}
        self.leaves_cache: dict[int, list[int]] = {}
        self._adjacency: tuple[list[list[_Edge]], list[list[_Edge]]] | None = None
        self.level_starts: list[int] = []
        # Set to a dict to have `run` record when each phase ended (perf_counter seconds,
        # in phase order, after "start"); the benchmarks read it.
        self.timings: dict[str, float] | None = None

    # ---- input ------------------------------------------------------------------------

    def _validate_tasks(self) -> None:
        by_id = self.by_id
        dated = DATED_CONSTRAINTS
        for t in by_id.values():
            # One cheap test per task; the messages come from the checks below.
            if (
                t.duration_days >= 0
                and 0 <= t.percent_complete <= 100
                and (t.constraint_date is not None or t.constraint not in dated)
                and (t.parent_id is None or t.parent_id in by_id)
                and (t.actual_start is None or t.actual_finish is None)
            ):
                continue
            if t.duration_days < 0:
                raise DomainError(NEGATIVE_DURATION.format(id=t.id))
            if not 0 <= t.percent_complete <= 100:
                raise DomainError(BAD_PERCENT.format(id=t.id, value=t.percent_complete))
            if t.constraint in dated and t.constraint_date is None:
                raise DomainError(
                    MISSING_CONSTRAINT_DATE.format(id=t.id, constraint=str(t.constraint))
                )
            if t.parent_id is not None and t.parent_id not in by_id:
                raise DomainError(UNKNOWN_PARENT.format(id=t.id, parent=t.parent_id))
            if (
                t.actual_start is not None
                and t.actual_finish is not None
                and t.actual_finish < t.actual_start
            ):
                raise DomainError(FINISH_BEFORE_START.format(id=t.id))
        ends = {link.predecessor_id for link in self.links}
        ends.update(link.successor_id for link in self.links)
        if not ends.issubset(by_id):
            for link in self.links:
                for tid in (link.predecessor_id, link.successor_id):
                    if tid not in by_id:
                        raise DomainError(UNKNOWN_LINK_TASK.format(id=tid))

    def _check_hierarchy(self) -> None:
        state: dict[int, int] = {}  # 1 = on the current walk, 2 = known to reach a root
        for start in self.by_id:
            walk: list[int] = []
            tid: int | None = start
            while tid is not None and state.get(tid) is None:
                state[tid] = 1
                walk.append(tid)
                tid = self.by_id[tid].parent_id
            if tid is not None and state[tid] == 1:
                loop = walk[walk.index(tid) :]
                raise DomainError(HIERARCHY_LOOP.format(ids=", ".join(map(str, loop))))
            for w in walk:
                state[w] = 2

    def _leaves(self, summary_id: int) -> list[int]:
        cached = self.leaves_cache.get(summary_id)
        if cached is None:
            cached = []
            stack = [summary_id]
            while stack:
                tid = stack.pop()
                kids = self.children.get(tid)
                if kids is None:
                    cached.append(self.node_of[tid])
                else:
                    stack.extend(reversed(kids))
            self.leaves_cache[summary_id] = cached
        return cached

    def _gate(self, summary_id: int, kind: str) -> int:
        """A zero-duration node standing for one side of a summary (see module docstring):
        'out_f' = latest leaf finish, 'out_s' = latest leaf start, 'in_s' = bound on every
        leaf start, 'in_f' = bound on every leaf finish."""
        key = (summary_id, kind)
        node = self.gates.get(key)
        if node is None:
            node = len(self.owner)
            self.gates[key] = node
            self.owner.append(summary_id)
            leaves = self._leaves(summary_id)
            k = len(leaves)
            if kind in ("out_f", "out_s"):
                self.e_p.extend(leaves)
                self.e_s.extend([node] * k)
                self.e_code.extend([_FS if kind == "out_f" else _SS] * k)
            else:
                self.e_p.extend([node] * k)
                self.e_s.extend(leaves)
                self.e_code.extend([_SS if kind == "in_s" else _FF] * k)
            self.e_lag.extend([0] * k)
        return node

    def _add_edge(self, p: int, s: int, code: int, lag: int) -> None:
        self.e_p.append(p)
        self.e_s.append(s)
        self.e_code.append(code)
        self.e_lag.append(lag)

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
            for p, s, code, lag in zip(self.e_p, self.e_s, self.e_code, self.e_lag, strict=True):
                preds[s].append((p, code, lag))
                succs[p].append((s, code, lag))
            self._adjacency = (preds, succs)
        return self._adjacency

    def _build_links(self) -> None:
        links = self.links
        mpd = self.mpd
        children = self.children
        pids: list[int] = list(map(attrgetter("predecessor_id"), links))
        sids: list[int] = list(map(attrgetter("successor_id"), links))
        codes = [_LINK_CODE.get(t, -1) for t in map(attrgetter("type"), links)]
        # The first self-link or unknown link type, in link order, is the error.
        for i in _first_problems(pids, sids, codes):
            if pids[i] == sids[i]:
                raise CycleError([pids[i], sids[i]])
            codes[i] = _LINK_CODE[LinkType(links[i].type)]  # raises for an unknown type
        # np.rint rounds half to even like round(), on the same float products.
        lags: list[int] = (
            np.rint(np.array(list(map(attrgetter("lag_days"), links)), dtype=np.float64) * mpd)
            .astype(np.int64)
            .tolist()
        )
        node_of = self.node_of
        on_summary: list[int] = []
        if children:
            p_nodes = list(map(node_of.get, pids))
            s_nodes = list(map(node_of.get, sids))
            # A task not in node_of is a summary.
            keep = [p is not None and s is not None for p, s in zip(p_nodes, s_nodes, strict=True)]
            on_summary = [i for i, k in enumerate(keep) if not k]
        if on_summary:
            self.e_p.extend(cast(list[int], compress(p_nodes, keep)))
            self.e_s.extend(cast(list[int], compress(s_nodes, keep)))
            self.e_code.extend(compress(codes, keep))
            self.e_lag.extend(compress(lags, keep))
        else:
            self.e_p.extend(map(node_of.__getitem__, pids))
            self.e_s.extend(map(node_of.__getitem__, sids))
            self.e_code.extend(codes)
            self.e_lag.extend(lags)
        for i in on_summary:
            pid, sid, code = pids[i], sids[i], codes[i]
            if pid in children:
                p = self._gate(pid, "out_f" if code in (_FS, _FF) else "out_s")
            else:
                p = node_of[pid]
            if sid in children:
                s = self._gate(sid, "in_s" if code in (_FS, _SS) else "in_f")
            else:
                s = node_of[sid]
            self._add_edge(p, s, code, lags[i])

    def _order(self) -> list[int]:
        """A topological order of the nodes, level by level (`self.level_starts`)."""
        n = len(self.owner)
        p_arr = np.array(self.e_p, dtype=np.int64)
        s_arr = np.array(self.e_s, dtype=np.int64)
        out_count = np.bincount(p_arr, minlength=n)
        indeg: list[int] = np.bincount(s_arr, minlength=n).tolist()
        dst: list[int] = s_arr[np.argsort(p_arr, kind="stable")].tolist()
        off: list[int] = np.concatenate(([0], np.cumsum(out_count))).tolist()
        frontier = [v for v in range(n) if not indeg[v]]
        order: list[int] = []
        starts = [0]
        while frontier:
            order += frontier
            starts.append(len(order))
            nxt: list[int] = []
            for v in frontier:
                for k in range(off[v], off[v + 1]):
                    s = dst[k]
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
                tid = self.owner[cast(int, node)]
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
        mpd = self.mpd
        status = self.status_min
        inp = _Inputs(n)
        dur, floor, alap, deadline_min = inp.dur, inp.floor, inp.alap, inp.deadline_min
        by_id = self.by_id
        inherited = self._summary_deadlines()
        base_floor = max(status, 0) if status is not None else 0
        alap_type = ConstraintType.ALAP
        for v, tid in enumerate(self.leaf_ids):
            t = by_id[tid]
            d = round(t.duration_days * mpd)
            dur[v] = d
            if t.deadline is not None:
                deadline_min[v] = self._finish_minute(t.deadline)
            if t.parent_id is not None:
                deadline_min[v] = min(deadline_min[v], inherited.get(t.parent_id, _NO_LIMIT))
            if (
                t.constraint_date is None
                and t.actual_start is None
                and t.actual_finish is None
                and not t.percent_complete
            ):
                floor[v] = base_floor
                alap[v] = t.constraint == alap_type
            else:
                self._task_inputs(inp, v, t, d)
        for v in range(nl):
            if inp.deadline_min[v] <= inp.ccap[v]:  # at a tie the end-type cap is earlier
                inp.cap[v], inp.cap_end[v] = inp.deadline_min[v], True
            else:
                inp.cap[v], inp.cap_end[v] = inp.ccap[v], inp.ccap_end[v]
        return inp

    def _summary_deadlines(self) -> dict[int, int]:
        """The earliest deadline (as a finish minute) on each summary or its ancestors."""
        out: dict[int, int] = {}
        if not any(self.by_id[s].deadline is not None for s in self.children):
            return out
        for sid in self.children:
            chain_ids: list[int] = []
            cur: int | None = sid
            while cur is not None and cur not in out:
                chain_ids.append(cur)
                cur = self.by_id[cur].parent_id
            best = _NO_LIMIT if cur is None else out[cur]
            for tid in reversed(chain_ids):
                dl = self.by_id[tid].deadline
                if dl is not None:
                    best = min(best, self._finish_minute(dl))
                out[tid] = best
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
            return
        inp.done[v] = t.percent_complete >= 100
        if status is not None and t.percent_complete > 0:
            inp.started[v] = True
            inp.done_work[v] = round(d * t.percent_complete / 100)
        if t.actual_start is not None:
            inp.started[v] = True
            inp.actual_es[v] = self._start_minute(t.actual_start)
        lo = status if status is not None and not inp.started[v] else 0
        lo = max(lo, 0)
        c, cd = t.constraint, t.constraint_date
        inp.alap[v] = c == ConstraintType.ALAP and not inp.started[v]
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

    def run(self, critical_threshold_days: float) -> ScheduleResult:
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
        dur, done_work, floor, floor_end = inp.dur, inp.done_work, inp.floor, inp.floor_end
        pin, pin_end, fixed, actual_es = inp.pin, inp.pin_end, inp.fixed, inp.actual_es
        started, cap, cap_end = inp.started, inp.cap, inp.cap_end

        es = [0] * n
        ef = [0] * n
        es_end = [False] * n  # for zero-span nodes: the point closes the previous day
        pin_missed = [False] * n

        def forward(target: list[tuple[int, bool] | None]) -> None:
            for v in order:
                fx = fixed[v]
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
                pv = pin[v]
                if pv is not None:
                    pin_missed[v] = start > pv
                    start, best_end = pv, pin_end[v]
                tv = target[v]
                if tv is not None and tv[0] > start:
                    start, best_end = tv[0], tv[1]
                av = actual_es[v]
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
            if fixed[v] is not None:
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

        if any(inp.alap):
            target: list[tuple[int, bool] | None] = [None] * n
            for v in range(nl):
                if inp.alap[v] and ls[v] > es[v]:
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

        def by_rank_i(xs: list[int]) -> _Ints:
            return np.array(xs, dtype=np.int64)[rank_of]

        def by_rank_b(xs: list[bool]) -> _Bools:
            return np.array(xs, dtype=np.bool_)[rank_of]

        dur = by_rank_i(inp.dur)
        floor_end = by_rank_b(inp.floor_end)
        has_floor = np.array([f is not None for f in inp.floor], dtype=np.bool_)[rank_of]
        floor = np.array([0 if f is None else f for f in inp.floor], dtype=np.int64)[rank_of]
        cap = by_rank_i(inp.cap)
        cap_end = by_rank_b(inp.cap_end)
        fixed_nodes = [v for v in inp.special if inp.fixed[v] is not None]

        p_rank = rank[np.array(self.e_p, dtype=np.int64)]
        s_rank = rank[np.array(self.e_s, dtype=np.int64)]
        code = np.array(self.e_code, dtype=np.int64)
        lag = np.array(self.e_lag, dtype=np.int64)
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
        f_finish = np.concatenate((p_rank + n, 2 * n + fl))
        f_flag = np.concatenate((p_rank, n + fl))  # into [es_end | floor_end]
        f_from_finish = np.concatenate((from_finish, np.zeros(len(fl), dtype=np.bool_)))
        f_code_w = np.concatenate((lag, np.zeros(len(fl), dtype=np.int64)))
        perm = np.argsort(f_dst, kind="stable")
        f_dst, f_src, f_start, f_finish = f_dst[perm], f_src[perm], f_start[perm], f_finish[perm]
        f_flag, f_from_finish = f_flag[perm], f_from_finish[perm]
        f_w = (
            f_code_w[perm]
            - np.concatenate((into_finish, np.zeros(len(fl), np.bool_)))[perm] * dur[f_dst]
        )
        f_off = np.searchsorted(f_dst, np.arange(n + 1, dtype=np.int64))
        f_off_l: list[int] = f_off.tolist()
        zero_level: list[bool] = (np.add.reduceat(dur == 0, lvl_first) > 0).tolist()

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
                seg = f_off[a:b] - ea
                best = maximum_at(x, seg)
                if zero_level[lv]:
                    p_zero = times[f_start[ea:eb]] == times[f_finish[ea:eb]]
                    p_end = flags[f_flag[ea:eb]]
                    x_end = np.where(f_from_finish[ea:eb], ~p_zero | p_end, p_zero & p_end)
                    bad = (x == best[f_dst[ea:eb] - a]) & ~x_end
                    end = np.where(dur[a:b] == 0, ~or_at(bad, seg), floor_end[a:b])
                else:
                    end = floor_end[a:b].copy()
                es[a:b] = best
                ef[a:b] = best + dur[a:b]
                es_end[a:b] = end
                for r in special.get(lv, ()):
                    v = order[r]
                    fx = fixed[v]
                    if fx is not None:
                        es[r], ef[r] = fx
                        es_end[r] = True
                        continue
                    start, start_end = int(es[r]), bool(es_end[r])
                    pv = pin[v]
                    if pv is not None:
                        pin_missed[r] = start > pv
                        start, start_end = pv, pin_end[v]
                    tv = target.get(r)
                    if tv is not None and tv[0] > start:
                        start, start_end = tv
                    av = actual_es[v]
                    if av is not None:
                        start, start_end = av, False
                    es[r], es_end[r] = start, start_end
                    d = int(dur[r])
                    if status is not None and started[v] and done_work[v] < d:
                        ef[r] = max(start + done_work[v], status) + d - done_work[v]
                    else:
                        ef[r] = start + d

        # Backward: [LS | LF | finish]; the project finish is one more outgoing link of
        # every node, to a zero-span pseudo node at 2n whose end flag is `finish_end`.
        b_src = np.concatenate((p_rank, rs))
        b_dst = np.concatenate((s_rank + n * into_finish, np.full(n, 2 * n, dtype=np.int64)))
        b_node = np.concatenate((s_rank, np.full(n, n, dtype=np.int64)))
        b_lag = np.concatenate((lag, np.zeros(n, dtype=np.int64)))
        b_from_start = np.concatenate((~from_finish, np.zeros(n, dtype=np.bool_)))
        real = np.concatenate((np.ones(len(lag), np.bool_), np.zeros(n, np.bool_)))
        perm = np.argsort(b_src, kind="stable")
        b_src, b_dst, b_node, b_lag = b_src[perm], b_dst[perm], b_node[perm], b_lag[perm]
        b_from_start, real = b_from_start[perm], real[perm]
        b_off = np.searchsorted(b_src, np.arange(n + 1, dtype=np.int64))
        b_off_l: list[int] = b_off.tolist()
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
        fixed_by_level = specials_by_level(sorted(int(rank[v]) for v in fixed_nodes))
        minimum_at = np.minimum.reduceat
        for lv in range(n_levels - 1, -1, -1):
            a, b = starts[lv], starts[lv + 1]
            ea, eb = b_off_l[a], b_off_l[b]
            x = late[b_dst[ea:eb]]
            x += b_w[ea:eb]
            seg = b_off[a:b] - ea
            first = minimum_at(x, seg)
            best = np.minimum(first, cap[a:b])
            if zero_span_level[lv]:
                nodes = b_node[ea:eb]
                x_end = moves_on[nodes] | late_flags[nodes]
                good = (x == first[b_src[ea:eb] - a]) & x_end
                lf_end[a:b] = ((first == best) & or_at(good, seg)) | (
                    (cap[a:b] == best) & cap_end[a:b]
                )
            lf[a:b] = best
            ls[a:b] = best - span[a:b]
            for r in fixed_by_level.get(lv, ()):
                ls[r], lf[r], lf_end[r] = es[r], ef[r], es_end[r]

        alap = np.array(inp.alap, dtype=np.bool_)
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
    ) -> ScheduleResult:
        nl = self.n_leaves
        mpd = self.mpd
        origin = self.origin
        threshold = round(critical_threshold_days * mpd)
        es, ef, ls, lf = passes.es[:nl], passes.ef[:nl], passes.ls[:nl], passes.lf[:nl]
        es_end, lf_end = passes.es_end[:nl], passes.lf_end[:nl]
        free = passes.free[:nl]
        done = np.array(inp.done[:nl], dtype=np.bool_)
        deadline_min = np.array(inp.deadline_min[:nl], dtype=np.int64)
        ccap = np.array(inp.ccap[:nl], dtype=np.int64)
        fnlt_min = np.array(inp.fnlt_min[:nl], dtype=np.int64)

        # A milestone at the start of a day is later than a limit at the end of the day
        # before, though both are the same working minute (its float stays 0).
        point = ef == es
        late_point = point & ~es_end
        misses = ~done & (
            passes.pin_missed[:nl]
            | (ef > deadline_min)
            | (ef > ccap)
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
        day_dates = [day_at(i) for i in days.tolist()]
        ordinals = np.array([d.toordinal() for d in day_dates], dtype=np.int64)[where]
        dates_obj = np.empty(len(day_dates), dtype=object)
        dates_obj[:] = day_dates
        picked: list[date] = dates_obj[where].tolist()
        es_d, ef_d = picked[:nl], picked[nl : 2 * nl]
        ls_d, lf_d = picked[2 * nl : 3 * nl], picked[3 * nl :]
        es_o, ef_o = ordinals[:nl], ordinals[nl : 2 * nl]
        ls_o, lf_o = ordinals[2 * nl : 3 * nl], ordinals[3 * nl :]
        by_id = self.by_id
        leaf_ids = self.leaf_ids
        for v in inp.special:
            t = by_id[leaf_ids[v]]
            if t.actual_finish is not None or (ef[v] == es[v] and t.actual_start is not None):
                a = _day(t.actual_start or t.actual_finish) or es_d[v]
                es_d[v] = ls_d[v] = a
                ef_d[v] = lf_d[v] = _day(t.actual_finish) or a
            elif t.actual_start is not None:
                es_d[v] = _day(t.actual_start) or es_d[v]
            else:
                continue
            es_o[v], ef_o[v] = es_d[v].toordinal(), ef_d[v].toordinal()
            ls_o[v], lf_o[v] = ls_d[v].toordinal(), lf_d[v].toordinal()

        tf = lf - ef
        critical = ~done & (tf <= threshold)
        tf_days: list[float] = (tf / mpd).tolist()
        free_days: list[float] = (np.maximum(0, np.minimum(free, tf)) / mpd).tolist()
        es_l: list[int] = es.tolist()
        ef_l: list[int] = ef.tolist()
        out: dict[int, TaskOut] = {
            # Positional: 100,000 keyword calls cost a measurable 50 ms.
            tid: TaskOut(tid, a, b, c, d, tfd, ffd, cr, False, miss, m1, m2, m3, m4)
            for tid, a, b, c, d, tfd, ffd, cr, miss, m1, m2, m3, m4 in zip(
                leaf_ids,
                es_d,
                ef_d,
                ls_d,
                lf_d,
                tf_days,
                free_days,
                critical.tolist(),
                misses.tolist(),
                es_l,
                ef_l,
                ls.tolist(),
                lf.tolist(),
                strict=True,
            )
        }
        if self.children:
            self._rollup(
                out,
                np.stack((es, ef, ls, lf, es_o, ef_o, ls_o, lf_o, free)),
                done,
                threshold,
            )
        crit = sorted((es_l[v], ef_l[v], leaf_ids[v]) for v in np.flatnonzero(critical).tolist())
        first = date.fromordinal(int(es_o.min())) if nl else None
        project_start = self.cal.day_at(self.origin)
        if first is not None and first < project_start:
            project_start = first
        project_finish = project_start
        if nl:
            project_finish = max(project_finish, date.fromordinal(int(ef_o.max())))
        return ScheduleResult(
            tasks=out,
            project_start=project_start,
            project_finish=project_finish,
            critical_path=tuple(tid for _, _, tid in crit),
        )

    def _rollup(self, out: dict[int, TaskOut], leaf: _Ints, done: _Bools, threshold: int) -> None:
        """Summary rows: ES/LS = min over the leaf descendants, EF/LF = max, the free float
        of the leaf finishing last (the smallest at a tie), done when all are done."""
        by_id = self.by_id
        ancestors: dict[int, list[int]] = {}  # a summary and its ancestors, nearest first

        def up(pid: int) -> list[int]:
            chain_ids: list[int] = []
            cur: int | None = pid
            while cur is not None and cur not in ancestors:
                chain_ids.append(cur)
                cur = by_id[cur].parent_id
            tail = [] if cur is None else ancestors[cur]
            for tid in reversed(chain_ids):
                tail = [tid, *tail]
                ancestors[tid] = tail
            return ancestors[pid]

        per_leaf = [() if (p := by_id[tid].parent_id) is None else up(p) for tid in self.leaf_ids]
        summaries = list(dict.fromkeys(chain.from_iterable(per_leaf)))
        col = {sid: i for i, sid in enumerate(summaries)}
        pair_summary = np.fromiter((col[s] for s in chain.from_iterable(per_leaf)), dtype=np.int64)
        pair_leaf = np.repeat(np.arange(len(per_leaf), dtype=np.int64), [len(a) for a in per_leaf])
        by_summary = np.argsort(pair_summary, kind="stable")
        pair_summary, pair_leaf = pair_summary[by_summary], pair_leaf[by_summary]
        cuts = np.searchsorted(pair_summary, np.arange(len(summaries), dtype=np.int64))
        vals = leaf[:, pair_leaf]
        lo = np.minimum.reduceat(vals, cuts, axis=1)
        hi = np.maximum.reduceat(vals, cuts, axis=1)
        s_es, s_ls, s_es_o, s_ls_o = lo[0], lo[2], lo[4], lo[6]
        s_ef, s_lf, s_ef_o, s_lf_o = hi[1], hi[3], hi[5], hi[7]
        last = vals[1] == s_ef[pair_summary]
        last_free = np.minimum.reduceat(np.where(last, vals[8], _NO_LIMIT), cuts)
        all_done = np.logical_and.reduceat(done[pair_leaf], cuts)
        mpd = self.mpd
        tf = s_lf - s_ef
        for i, sid in enumerate(summaries):
            tfi = int(tf[i])
            deadline = by_id[sid].deadline
            s_done = bool(all_done[i])
            out[sid] = TaskOut(
                id=sid,
                early_start=date.fromordinal(int(s_es_o[i])),
                early_finish=date.fromordinal(int(s_ef_o[i])),
                late_start=date.fromordinal(int(s_ls_o[i])),
                late_finish=date.fromordinal(int(s_lf_o[i])),
                total_float_days=tfi / mpd,
                free_float_days=max(0, min(tfi, int(last_free[i]))) / mpd,
                critical=not s_done and tfi <= threshold,
                is_summary=True,
                misses_deadline=(
                    not s_done
                    and deadline is not None
                    and int(s_ef[i]) > self._finish_minute(deadline)
                ),
                early_start_minute=int(s_es[i]),
                early_finish_minute=int(s_ef[i]),
                late_start_minute=int(s_ls[i]),
                late_finish_minute=int(s_lf[i]),
            )


def _first_problems(pids: list[int], sids: list[int], codes: list[int]) -> list[int]:
    """Indexes of the links that are self-links or have an unknown type (usually none)."""
    bad = [i for i, c in enumerate(codes) if c < 0]
    if any(map(eq, pids, sids)):
        bad += [i for i, (p, s) in enumerate(zip(pids, sids, strict=True)) if p == s]
    return sorted(bad)


def _day(d: date | None) -> date | None:
    """A plain date, also from a date-time."""
    return d.date() if isinstance(d, datetime) else d
