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
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import cast

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

# A link inside the engine: (other node, link code, lag in minutes).
_Edge = tuple[int, int, int]


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
        self.by_id: dict[int, TaskIn] = {}
        for t in tasks:
            if t.id in self.by_id:
                raise DomainError(DUPLICATE_TASK.format(id=t.id))
            self.by_id[t.id] = t
        self.links = links
        self._validate_tasks()
        self.children: dict[int, list[int]] = {}
        for t in tasks:
            if t.parent_id is not None:
                self.children.setdefault(t.parent_id, []).append(t.id)
        self._check_hierarchy()
        # Nodes 0..L-1 are the leaf tasks; gate nodes for summary links follow.
        self.leaf_ids = [t.id for t in tasks if t.id not in self.children]
        self.node_of = {tid: i for i, tid in enumerate(self.leaf_ids)}
        self.owner: list[int] = list(self.leaf_ids)  # task id each node stands for
        self.n_leaves = len(self.leaf_ids)
        self.preds: list[list[_Edge]] = [[] for _ in self.leaf_ids]
        self.succs: list[list[_Edge]] = [[] for _ in self.leaf_ids]
        self.gates: dict[tuple[int, str], int] = {}
        self.leaves_cache: dict[int, list[int]] = {}

    # ---- input ------------------------------------------------------------------------

    def _validate_tasks(self) -> None:
        for t in self.by_id.values():
            if t.duration_days < 0:
                raise DomainError(NEGATIVE_DURATION.format(id=t.id))
            if not 0 <= t.percent_complete <= 100:
                raise DomainError(BAD_PERCENT.format(id=t.id, value=t.percent_complete))
            if t.constraint in DATED_CONSTRAINTS and t.constraint_date is None:
                raise DomainError(
                    MISSING_CONSTRAINT_DATE.format(id=t.id, constraint=str(t.constraint))
                )
            if t.parent_id is not None and t.parent_id not in self.by_id:
                raise DomainError(UNKNOWN_PARENT.format(id=t.id, parent=t.parent_id))
            if (
                t.actual_start is not None
                and t.actual_finish is not None
                and t.actual_finish < t.actual_start
            ):
                raise DomainError(FINISH_BEFORE_START.format(id=t.id))
        for link in self.links:
            for tid in (link.predecessor_id, link.successor_id):
                if tid not in self.by_id:
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
            self.preds.append([])
            self.succs.append([])
            for leaf in self._leaves(summary_id):
                if kind == "out_f":
                    self._add_edge(leaf, node, _FS, 0)
                elif kind == "out_s":
                    self._add_edge(leaf, node, _SS, 0)
                elif kind == "in_s":
                    self._add_edge(node, leaf, _SS, 0)
                else:
                    self._add_edge(node, leaf, _FF, 0)
        return node

    def _add_edge(self, p: int, s: int, code: int, lag: int) -> None:
        self.preds[s].append((p, code, lag))
        self.succs[p].append((s, code, lag))

    def _build_links(self) -> None:
        for link in self.links:
            pid, sid = link.predecessor_id, link.successor_id
            if pid == sid:
                raise CycleError([pid, sid])
            code = _LINK_CODE[LinkType(link.type)]
            lag = round(link.lag_days * self.mpd)
            if pid in self.children:
                p = self._gate(pid, "out_f" if code in (_FS, _FF) else "out_s")
            else:
                p = self.node_of[pid]
            if sid in self.children:
                s = self._gate(sid, "in_s" if code in (_FS, _SS) else "in_f")
            else:
                s = self.node_of[sid]
            self._add_edge(p, s, code, lag)

    def _order(self) -> list[int]:
        nodes = range(len(self.owner))
        edges = [(p, s) for s in nodes for (p, _, _) in self.preds[s]]
        try:
            return topological_order(nodes, edges)
        except CycleError as exc:
            ids: list[int] = []
            for node in exc.cycle:
                tid = self.owner[cast(int, node)]
                if not ids or ids[-1] != tid:
                    ids.append(tid)
            raise CycleError(ids) from None

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

    # ---- the passes -------------------------------------------------------------------

    def run(self, critical_threshold_days: float) -> ScheduleResult:
        self._build_links()
        order = self._order()
        n = len(self.owner)
        nl = self.n_leaves
        mpd = self.mpd
        status = self.status_min

        # Per-node inputs. Gates keep the defaults: zero duration, no floors, no caps.
        dur = [0] * n
        done_work = [0] * n
        floor: list[int | None] = [None] * n  # minimum ES (project start, SNET/FNET, status)
        floor_end = [False] * n  # the floor is a finish-type point (FNET)
        pin: list[int | None] = [None] * n  # MSO/MFO start
        pin_end = [False] * n
        fixed: list[tuple[int, int] | None] = [None] * n  # (ES, EF) from actuals
        actual_es: list[int | None] = [None] * n
        started = [False] * n
        ccap = [_NO_LIMIT] * n  # maximum LF from SNLT/FNLT/MSO/MFO
        ccap_end = [True] * n  # the cap is a finish-type point
        cap = [_NO_LIMIT] * n  # maximum LF, deadlines included
        cap_end = [True] * n
        deadline_min = [_NO_LIMIT] * n
        fnlt_min = [_NO_LIMIT] * n
        done = [False] * n
        alap = [False] * n

        for v in range(nl):
            t = self.by_id[self.leaf_ids[v]]
            d = round(t.duration_days * mpd)
            dur[v] = d
            for dl in self._own_and_summary_deadlines(self.leaf_ids[v]):
                deadline_min[v] = min(deadline_min[v], self._finish_minute(dl))
            if t.actual_finish is not None or (d == 0 and t.actual_start is not None):
                finish_day = t.actual_finish or t.actual_start
                assert finish_day is not None  # one of them is set, see above
                done_ef = self._finish_minute(finish_day)
                done_es = done_ef - d
                if t.actual_start is not None and d > 0:
                    done_es = self._start_minute(t.actual_start)
                fixed[v] = (done_es, done_ef)
                done[v] = True
                continue
            done[v] = t.percent_complete >= 100
            if status is not None and t.percent_complete > 0:
                started[v] = True
                done_work[v] = round(d * t.percent_complete / 100)
            if t.actual_start is not None:
                started[v] = True
                actual_es[v] = self._start_minute(t.actual_start)
            lo = status if status is not None and not started[v] else 0
            lo = max(lo, 0)
            c, cd = t.constraint, t.constraint_date
            alap[v] = c == ConstraintType.ALAP and not started[v]
            if cd is None:
                floor[v] = lo
                continue
            if c == ConstraintType.SNET:
                lo = max(lo, self._start_minute(cd))
            elif c == ConstraintType.FNET:
                c_min = self._finish_minute(cd) - d
                floor_end[v] = c_min > lo  # at a tie the start-type floor is later
                lo = max(lo, c_min)
            elif c == ConstraintType.MSO:
                pin[v] = c_min = self._start_minute(cd)
                ccap[v] = c_min + d
                ccap_end[v] = d > 0
            elif c == ConstraintType.MFO:
                pin[v] = c_min = self._finish_minute(cd) - d
                pin_end[v] = True
                ccap[v] = c_min + d
            elif c == ConstraintType.SNLT:
                ccap[v] = self._start_minute(cd) + d
                ccap_end[v] = d > 0
            elif c == ConstraintType.FNLT:
                ccap[v] = fnlt_min[v] = self._finish_minute(cd)
            floor[v] = lo
        for v in range(nl):
            cap[v], cap_end[v] = ccap[v], ccap_end[v]
            if deadline_min[v] <= cap[v]:  # at a tie the end-type cap is earlier
                cap[v], cap_end[v] = deadline_min[v], True

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
                for p, code, lag in self.preds[v]:
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

        def backward() -> None:
            # The finish is the latest moment: a milestone starting the day after beats
            # a finish closing the day before.
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
                for s, code, lag in self.succs[v]:
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

        backward()

        if any(alap):
            target: list[tuple[int, bool] | None] = [None] * n
            for v in range(nl):
                if alap[v] and ls[v] > es[v]:
                    target[v] = (ls[v], lf_end[v])
            forward(target)
            # Late dates do not change: every move stays within the moved task's float.

        # Free float, through gates: a gate passes on the slack of its own links.
        free = [0] * n
        for v in reversed(order):
            best_ff = finish - ef[v] if not self.succs[v] else _NO_LIMIT
            for s, code, lag in self.succs[v]:
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

        # A milestone at the start of a day is later than a limit at the end of the day
        # before, though both are the same working minute (its float stays 0).
        late_point = [ef[v] == es[v] and not es_end[v] for v in range(nl)]
        misses = [
            not done[v]
            and (
                pin_missed[v]
                or ef[v] > deadline_min[v]
                or ef[v] > ccap[v]
                or (late_point[v] and ef[v] in (deadline_min[v], fnlt_min[v]))
            )
            for v in range(nl)
        ]
        return self._result(
            _Times(es, ef, ls, lf, es_end, lf_end, free),
            done,
            misses,
            critical_threshold_days,
        )

    def _own_and_summary_deadlines(self, tid: int) -> list[date]:
        found: list[date] = []
        cur: int | None = tid
        while cur is not None:
            t = self.by_id[cur]
            if t.deadline is not None:
                found.append(t.deadline)
            cur = t.parent_id
        return found

    # ---- output -----------------------------------------------------------------------

    def _result(
        self,
        times: _Times,
        done: list[bool],
        misses: list[bool],
        critical_threshold_days: float,
    ) -> ScheduleResult:
        es, ef, ls, lf = times.es, times.ef, times.ls, times.lf
        mpd = self.mpd
        threshold = round(critical_threshold_days * mpd)
        out: dict[int, TaskOut] = {}
        rolls: dict[int, _Rollup] = {}
        crit: list[tuple[int, int, int]] = []
        for v in range(self.n_leaves):
            tid = self.leaf_ids[v]
            t = self.by_id[tid]
            if ef[v] == es[v]:
                es_d = ef_d = self._date(es[v], times.es_end[v])
                # Zero float: the same moment, shown on the same day.
                late_end = times.es_end[v] if lf[v] == es[v] else times.lf_end[v]
                ls_d = lf_d = self._date(lf[v], late_end)
            else:
                es_d, ef_d = self._date(es[v], False), self._date(ef[v], True)
                ls_d, lf_d = self._date(ls[v], False), self._date(lf[v], True)
            if t.actual_finish is not None or (ef[v] == es[v] and t.actual_start is not None):
                es_d = _day(t.actual_start or t.actual_finish) or es_d
                ef_d = _day(t.actual_finish) or es_d
                ls_d, lf_d = es_d, ef_d
            elif t.actual_start is not None:
                es_d = _day(t.actual_start) or es_d
            tf = lf[v] - ef[v]
            is_critical = not done[v] and tf <= threshold
            out[tid] = TaskOut(
                id=tid,
                early_start=es_d,
                early_finish=ef_d,
                late_start=ls_d,
                late_finish=lf_d,
                total_float_days=tf / mpd,
                free_float_days=max(0, min(times.free[v], tf)) / mpd,
                critical=is_critical,
                is_summary=False,
                misses_deadline=misses[v],
                early_start_minute=es[v],
                early_finish_minute=ef[v],
                late_start_minute=ls[v],
                late_finish_minute=lf[v],
            )
            if is_critical:
                crit.append((es[v], ef[v], tid))
            leaf = _Rollup(
                es[v], ef[v], ls[v], lf[v], es_d, ef_d, ls_d, lf_d, times.free[v], done[v]
            )
            parent = t.parent_id
            while parent is not None:
                roll = rolls.get(parent)
                if roll is None:
                    rolls[parent] = replace(leaf)
                else:
                    roll.add(leaf)
                parent = self.by_id[parent].parent_id
        for sid, roll in rolls.items():
            tf = roll.lf - roll.ef
            deadline = self.by_id[sid].deadline
            out[sid] = TaskOut(
                id=sid,
                early_start=roll.es_d,
                early_finish=roll.ef_d,
                late_start=roll.ls_d,
                late_finish=roll.lf_d,
                total_float_days=tf / mpd,
                free_float_days=max(0, min(tf, roll.last_free)) / mpd,
                critical=not roll.done and tf <= threshold,
                is_summary=True,
                misses_deadline=(
                    not roll.done
                    and deadline is not None
                    and roll.ef > self._finish_minute(deadline)
                ),
                early_start_minute=roll.es,
                early_finish_minute=roll.ef,
                late_start_minute=roll.ls,
                late_finish_minute=roll.lf,
            )
        crit.sort()
        leaf_outs = [out[tid] for tid in self.leaf_ids]
        project_start = min([self.cal.day_at(self.origin), *(o.early_start for o in leaf_outs)])
        project_finish = max([project_start, *(o.early_finish for o in leaf_outs)])
        return ScheduleResult(
            tasks=out,
            project_start=project_start,
            project_finish=project_finish,
            critical_path=tuple(tid for _, _, tid in crit),
        )


def _day(d: date | None) -> date | None:
    """A plain date, also from a date-time."""
    return d.date() if isinstance(d, datetime) else d


@dataclass(frozen=True)
class _Times:
    """Per-node results of the passes, in minutes (the *_end flags: see `_Scheduler._date`)."""

    es: list[int]
    ef: list[int]
    ls: list[int]
    lf: list[int]
    es_end: list[bool]
    lf_end: list[bool]
    free: list[int]


@dataclass
class _Rollup:
    """What a summary takes from its leaves: the span in minutes and in dates, the free
    float of the leaf finishing last, and whether all are done."""

    es: int
    ef: int
    ls: int
    lf: int
    es_d: date
    ef_d: date
    ls_d: date
    lf_d: date
    last_free: int
    done: bool

    def add(self, leaf: _Rollup) -> None:
        if leaf.ef > self.ef:
            self.last_free = leaf.last_free
        elif leaf.ef == self.ef:
            self.last_free = min(self.last_free, leaf.last_free)
        self.es = min(self.es, leaf.es)
        self.ef = max(self.ef, leaf.ef)
        self.ls = min(self.ls, leaf.ls)
        self.lf = max(self.lf, leaf.lf)
        self.es_d = min(self.es_d, leaf.es_d)
        self.ef_d = max(self.ef_d, leaf.ef_d)
        self.ls_d = min(self.ls_d, leaf.ls_d)
        self.lf_d = max(self.lf_d, leaf.lf_d)
        self.done = self.done and leaf.done
