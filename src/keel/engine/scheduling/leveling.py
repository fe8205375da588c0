"""Resource leveling: a heuristic for the resource-constrained project scheduling problem.

Time is an integer unit chosen by the caller (working days, or working minutes; the plan
adapter picks the largest unit that divides every duration and lag). Offsets count working
time from the project start, so calendars are handled where units become dates, as in cpm.

The rules:

* Every activity has a fixed duration and asks for a constant number of units of some
  renewable resources while it runs; at no time may the units in use exceed a resource's
  capacity. An activity asking for more than a capacity is an error.
* Links are the four types of cpm with lags (negative = lead). Each becomes a start-to-start
  distance `S_succ >= S_pred + delta` (FS: d_pred + lag; SS: lag; FF: d_pred + lag - d_succ;
  SF: lag - d_succ). `release` is an earliest start (SNET, a status date, ...).
* The heuristic: the serial schedule-generation scheme (SGS) places activities one by one,
  in a precedence-feasible order, each at the earliest time its links and the remaining
  capacity allow. The order comes from priority rules (LFT, LST, MTS, GRPW, WRUP, minimum
  slack), then from samples that alternate between regret-based biased random sampling
  around the LFT rule and the best schedule's start order with random jitter. Every
  schedule is improved by forward-backward improvement (double justification): shift every
  activity as late as possible in order of decreasing finish, then as early as possible in
  order of increasing start, repeated while the makespan shrinks. Justification never
  lengthens a schedule. The best schedule wins; ties go to the first found. It stops at
  `samples` sampled schedules or as soon as a schedule meets the lower bound.
* Deterministic: the same input and `seed` give the same schedule. There is no clock.
* Priorities: when activities have different `priority` values, the higher priority is
  placed first whenever both are eligible (it dominates every rule and the sampling), and
  justification is not applied because it may reorder them.
* The lower bound is the larger of the critical-path length (links and releases only) and,
  for each resource, ceil(total work / capacity). `optimal` is true only when the makespan
  equals that bound (a schedule can be optimal without the bound showing it).
* Delays: for each activity that starts later than its early start without resources, how
  much later and why: `resource` when, at the earliest time its (leveled) predecessors
  allowed, some resource lacked capacity (the first such resource, by name); otherwise
  `predecessor_id`, the predecessor whose own delay pushed it.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from ..errors import DomainError
from ..graph import topological_order
from ..types import LinkType

DUPLICATE_ACTIVITY = "Task {id} appears more than once."
UNKNOWN_ACTIVITY = "A dependency names task {id}, which is not in the plan."
NEGATIVE_DURATION = "Task {id} has a negative duration."
NEGATIVE_RELEASE = "Task {id} has a negative earliest start."
UNKNOWN_RESOURCE = "Task {id} asks for resource {resource}, which is not in the plan."
NEGATIVE_CAPACITY = "Resource {resource} has a negative capacity."
NEGATIVE_DEMAND = "Task {id} asks for a negative amount of resource {resource}."
OVER_CAPACITY = "Task {id} needs {units} of resource {resource}, which has only {capacity}."
UNKNOWN_RULE = "Unknown priority rule {rule}; use one of: {rules}."

DEFAULT_SAMPLES = 300
# Jitter of the samples drawn around the best schedule, in mean activity durations
# (tuned on PSPLIB j30: narrower stays stuck, wider is plain random sampling).
_JITTER = 5.0


@dataclass(frozen=True)
class Activity:
    """One task to level. `demands` maps a resource id to the units used while it runs."""

    id: int
    duration: int
    demands: Mapping[str, int] = field(default_factory=dict)
    release: int = 0
    priority: int = 0  # higher goes first when tasks compete


@dataclass(frozen=True)
class Precedence:
    """A link as in cpm (`type` from the predecessor's side first), lag in time units."""

    predecessor_id: int
    successor_id: int
    type: LinkType = LinkType.FS
    lag: int = 0


@dataclass(frozen=True)
class Delay:
    """How far leveling moved one activity past its early start, and why (see module)."""

    units: int
    resource: str | None = None
    predecessor_id: int | None = None


@dataclass(frozen=True)
class LevelingResult:
    """The leveled schedule: starts in time units from the project start."""

    starts: dict[int, int]
    makespan: int
    critical_path_length: int
    resource_bound: int
    lower_bound: int
    optimal: bool
    delays: dict[int, Delay]
    overload_before: dict[str, int]  # unit x time above capacity in the early-start schedule
    overload_after: dict[str, int]
    schedules: int  # schedules generated (each justified schedule counts once)


# ---- the network inside: indexes 0..n-1 ---------------------------------------------------


class _Net:
    """Durations, demands and start-to-start distances of one direction of time."""

    __slots__ = ("caps", "dur", "horizon", "n", "preds", "release", "req", "succs")

    def __init__(
        self,
        dur: list[int],
        req: list[list[tuple[int, int]]],
        caps: list[int],
        preds: list[list[tuple[int, int]]],
        release: list[int],
    ) -> None:
        self.n = len(dur)
        self.dur = dur
        self.req = req
        self.caps = caps
        self.preds = preds
        self.release = release
        self.succs: list[list[tuple[int, int]]] = [[] for _ in dur]
        for j, plist in enumerate(preds):
            for p, delta in plist:
                self.succs[p].append((j, delta))
        # No serial SGS schedule can end later than this (see _sgs).
        positive = sum(max(0, delta) for plist in preds for _, delta in plist)
        self.horizon = max(release, default=0) + sum(dur) + positive + 1

    def reversed(self) -> _Net:
        """The mirror network: S'_x = T - S_x - d_x turns S_j >= S_i + delta into
        S'_i >= S'_j + delta + d_j - d_i. Releases are not mirrored: justification never
        moves an activity before its place in a schedule that met them."""
        preds: list[list[tuple[int, int]]] = [[] for _ in range(self.n)]
        for j, plist in enumerate(self.preds):
            for i, delta in plist:
                preds[i].append((j, delta + self.dur[j] - self.dur[i]))
        mirror = _Net(self.dur, self.req, self.caps, preds, [0] * self.n)
        mirror.horizon = max(mirror.horizon, self.horizon)
        return mirror


def _sgs(net: _Net, order: Sequence[int]) -> list[int]:
    """Serial SGS: place each activity of `order` (precedence-feasible) at its earliest
    start that its links and the capacity left by those placed before it allow."""
    horizon = net.horizon
    avail = [[c] * horizon for c in net.caps]
    start = [0] * net.n
    dur, req, preds, release = net.dur, net.req, net.preds, net.release
    for j in order:
        t = release[j]
        for p, delta in preds[j]:
            x = start[p] + delta
            if x > t:
                t = x
        d = dur[j]
        rq = req[j]
        if d and rq:
            moved = True
            while moved:
                moved = False
                for r, q in rq:
                    a = avail[r]
                    end = t + d
                    if min(a[t:end]) < q:
                        # Jump past the last period in the window that is short.
                        tau = end - 1
                        while a[tau] >= q:
                            tau -= 1
                        t = tau + 1
                        moved = True
                        break
            end = t + d
            for r, q in rq:
                a = avail[r]
                for tau in range(t, end):
                    a[tau] -= q
        start[j] = t
    return start


def _ordered(net: _Net, key: Sequence[float] | Sequence[tuple[float, ...]]) -> list[int]:
    """The precedence-feasible order that takes the eligible activity of smallest key."""
    n = net.n
    indeg = [len(p) for p in net.preds]
    heap = [(key[j], j) for j in range(n) if indeg[j] == 0]
    heapq.heapify(heap)
    order: list[int] = []
    succs = net.succs
    while heap:
        _, j = heapq.heappop(heap)
        order.append(j)
        for s, _delta in succs[j]:
            indeg[s] -= 1
            if indeg[s] == 0:
                heapq.heappush(heap, (key[s], s))
    return order


def _makespan(net: _Net, start: Sequence[int]) -> int:
    return max((s + d for s, d in zip(start, net.dur, strict=True)), default=0)


class _Leveler:
    def __init__(
        self,
        activities: Sequence[Activity],
        precedences: Sequence[Precedence],
        capacities: Mapping[str, int],
    ) -> None:
        self.ids = [a.id for a in activities]
        index: dict[int, int] = {}
        for i, a in enumerate(activities):
            if a.id in index:
                raise DomainError(DUPLICATE_ACTIVITY.format(id=a.id))
            index[a.id] = i
            if a.duration < 0:
                raise DomainError(NEGATIVE_DURATION.format(id=a.id))
            if a.release < 0:
                raise DomainError(NEGATIVE_RELEASE.format(id=a.id))
        self.res_names = list(capacities)
        res_index = {name: r for r, name in enumerate(self.res_names)}
        caps = [capacities[name] for name in self.res_names]
        for name, c in capacities.items():
            if c < 0:
                raise DomainError(NEGATIVE_CAPACITY.format(resource=name))
        dur = [a.duration for a in activities]
        req: list[list[tuple[int, int]]] = []
        for a in activities:
            rq: list[tuple[int, int]] = []
            for name, q in a.demands.items():
                r = res_index.get(name)
                if r is None:
                    raise DomainError(UNKNOWN_RESOURCE.format(id=a.id, resource=name))
                if q < 0:
                    raise DomainError(NEGATIVE_DEMAND.format(id=a.id, resource=name))
                if q > caps[r] and a.duration > 0:
                    raise DomainError(
                        OVER_CAPACITY.format(id=a.id, units=q, resource=name, capacity=caps[r])
                    )
                if q > 0:
                    rq.append((r, q))
            req.append(rq)
        preds: list[list[tuple[int, int]]] = [[] for _ in activities]
        edges: list[tuple[int, int]] = []
        for link in precedences:
            for tid in (link.predecessor_id, link.successor_id):
                if tid not in index:
                    raise DomainError(UNKNOWN_ACTIVITY.format(id=tid))
            p, s = index[link.predecessor_id], index[link.successor_id]
            kind = LinkType(link.type)
            if kind == LinkType.FS:
                delta = dur[p] + link.lag
            elif kind == LinkType.SS:
                delta = link.lag
            elif kind == LinkType.FF:
                delta = dur[p] + link.lag - dur[s]
            else:
                delta = link.lag - dur[s]
            preds[s].append((p, delta))
            edges.append((link.predecessor_id, link.successor_id))
        topological_order(self.ids, edges)  # raises CycleError naming the task ids
        self.fwd = _Net(dur, req, caps, preds, [a.release for a in activities])
        self.bwd = self.fwd.reversed()
        self.priority = [a.priority for a in activities]
        self.prioritized = len(set(self.priority)) > 1
        self._bounds()

    # ---- bounds and rule keys ---------------------------------------------------------

    def _bounds(self) -> None:
        net = self.fwd
        n = net.n
        order = _ordered(net, [0] * n)
        self.topo = order
        es = [0] * n
        for j in order:
            t = net.release[j]
            for p, delta in net.preds[j]:
                t = max(t, es[p] + delta)
            es[j] = t
        self.es = es
        self.cpm = _makespan(net, es)
        # Latest starts against the critical-path length.
        ls = [self.cpm - d for d in net.dur]
        for j in reversed(order):
            for s, delta in net.succs[j]:
                ls[j] = min(ls[j], ls[s] - delta)
        self.ls = ls
        work = [0] * len(net.caps)
        for j in range(n):
            for r, q in net.req[j]:
                work[r] += q * net.dur[j]
        self.resource_bound = max(
            (-(-w // c) for w, c in zip(work, net.caps, strict=True) if c > 0), default=0
        )
        self.lower_bound = max(self.cpm, self.resource_bound)

    def _rule_keys(self) -> dict[str, list[float]]:
        net = self.fwd
        n = net.n
        # All successors, direct or not (for MTS), and the work of an activity and its
        # direct successors (GRPW), as in Kolisch's survey of priority rules.
        reach: list[set[int]] = [set() for _ in range(n)]
        for j in reversed(self.topo):
            for s, _ in net.succs[j]:
                reach[j].add(s)
                reach[j] |= reach[s]
        work = [sum(q for _, q in net.req[j]) * net.dur[j] for j in range(n)]
        lf = [self.ls[j] + net.dur[j] for j in range(n)]
        return {
            "lft": [float(x) for x in lf],
            "lst": [float(x) for x in self.ls],
            "mts": [-float(len(r)) for r in reach],
            "grpw": [
                -float(net.dur[j] + sum(net.dur[s] for s, _ in net.succs[j])) for j in range(n)
            ],
            "wrup": [-float(len(net.succs[j]) * 0.7 + 0.3 * work[j]) for j in range(n)],
            "slack": [float(self.ls[j] - self.es[j]) for j in range(n)],
        }

    def _keyed(self, key: Sequence[float]) -> list[tuple[float, ...]]:
        """Priority first (higher first) when priorities differ, then the rule, then the
        latest finish and the index for a stable order."""
        lf = self.ls
        return [(-self.priority[j], key[j], lf[j], j) for j in range(self.fwd.n)]

    # ---- improvement ------------------------------------------------------------------

    def _justify(self, start: list[int]) -> tuple[list[int], int]:
        """Forward-backward improvement until the makespan stops shrinking."""
        fwd, bwd = self.fwd, self.bwd
        dur = fwd.dur
        n = fwd.n
        best = _makespan(fwd, start)
        while True:
            # Right: latest finishes first, i.e. mirrored starts T - F in increasing order.
            key = [(-(start[j] + dur[j]), -start[j], j) for j in range(n)]
            mirrored = _sgs(bwd, _ordered(bwd, key))
            t_end = _makespan(bwd, mirrored)
            right = [t_end - mirrored[j] - dur[j] for j in range(n)]
            # Left: earliest starts first.
            key = [(right[j], right[j] + dur[j], j) for j in range(n)]
            left = _sgs(fwd, _ordered(fwd, key))
            span = _makespan(fwd, left)
            if span < best:
                start, best = left, span
                continue
            if span == best:
                start = left
            return start, best

    # ---- search -----------------------------------------------------------------------

    def run(
        self, *, rules: Sequence[str], samples: int, justify: bool, seed: int
    ) -> tuple[list[int], int, int]:
        """The best schedule found: (starts, makespan, schedules generated)."""
        keys = self._rule_keys()
        for rule in rules:
            if rule not in keys:
                raise DomainError(UNKNOWN_RULE.format(rule=rule, rules=", ".join(keys)))
        improve = justify and not self.prioritized
        best_start: list[int] = []
        best_span = -1
        count = 0

        def consider(start: list[int]) -> bool:
            nonlocal best_start, best_span, count
            count += 1
            span = _makespan(self.fwd, start)
            if improve and span > self.lower_bound:
                start, span = self._justify(start)
            if best_span < 0 or span < best_span:
                best_start, best_span = start, span
            return best_span <= self.lower_bound

        for rule in rules:
            if consider(_sgs(self.fwd, _ordered(self.fwd, self._keyed(keys[rule])))):
                return best_start, best_span, count
        if not best_start and consider(_sgs(self.fwd, self.topo)):
            return best_start, best_span, count
        rng = random.Random(seed)  # noqa: S311  (a reproducible search, not a secret)
        lft = keys["lft"]
        n = self.fwd.n
        mean_dur = max(1.0, sum(self.fwd.dur) / max(1, n))
        for k in range(samples):
            if k % 2 == 0 or self.prioritized:
                order = self._sample(lft, rng)
            else:
                # Around the best schedule so far: its starts, jittered by up to a mean duration.
                width = mean_dur * _JITTER
                base = best_start
                order = _ordered(
                    self.fwd,
                    [(base[j] + rng.random() * width, j) for j in range(n)],
                )
            if consider(_sgs(self.fwd, order)):
                break
        return best_start, best_span, count

    def _sample(self, key: Sequence[float], rng: random.Random) -> list[int]:
        """Regret-based biased random sampling: an eligible activity is drawn with weight
        (max key - its key + 1)^2 among the eligible activities of the highest priority."""
        net = self.fwd
        indeg = [len(p) for p in net.preds]
        eligible = [j for j in range(net.n) if indeg[j] == 0]
        order: list[int] = []
        prio = self.priority
        choices: Callable[..., list[int]] = rng.choices
        while eligible:
            pool = eligible
            if self.prioritized:
                top = max(prio[j] for j in eligible)
                pool = [j for j in eligible if prio[j] == top]
            if len(pool) == 1:
                j = pool[0]
            else:
                worst = max(key[j] for j in pool)
                weights = [(worst - key[j] + 1.0) ** 2 for j in pool]
                j = choices(pool, weights)[0]
            eligible.remove(j)
            order.append(j)
            for s, _ in net.succs[j]:
                indeg[s] -= 1
                if indeg[s] == 0:
                    eligible.append(s)
        return order

    # ---- reporting --------------------------------------------------------------------

    def overload(self, start: Sequence[int]) -> dict[str, int]:
        net = self.fwd
        horizon = max(net.horizon, _makespan(net, start) + 1)
        use = [[0] * horizon for _ in net.caps]
        for j in range(net.n):
            for r, q in net.req[j]:
                u = use[r]
                for tau in range(start[j], start[j] + net.dur[j]):
                    u[tau] += q
        return {
            name: sum(max(0, x - cap) for x in u)
            for name, cap, u in zip(self.res_names, net.caps, use, strict=True)
        }

    def delays(self, start: Sequence[int]) -> dict[int, Delay]:
        net = self.fwd
        horizon = max(net.horizon, _makespan(net, start) + 1)
        use = [[0] * horizon for _ in net.caps]
        for j in range(net.n):
            for r, q in net.req[j]:
                u = use[r]
                for tau in range(start[j], start[j] + net.dur[j]):
                    u[tau] += q
        out: dict[int, Delay] = {}
        for j in range(net.n):
            late = start[j] - self.es[j]
            if late <= 0:
                continue
            own = net.release[j]
            driver: int | None = None
            for p, delta in net.preds[j]:
                if start[p] + delta > own or (driver is None and start[p] + delta == own):
                    own, driver = start[p] + delta, p
            resource: str | None = None
            if start[j] > own:
                for r, q in sorted(net.req[j], key=lambda rq: self.res_names[rq[0]]):
                    u = use[r]
                    window = range(own, own + net.dur[j])
                    if any(
                        u[tau] - (q if start[j] <= tau < start[j] + net.dur[j] else 0) + q
                        > net.caps[r]
                        for tau in window
                    ):
                        resource = self.res_names[r]
                        break
                driver = None
            out[self.ids[j]] = Delay(
                units=late,
                resource=resource,
                predecessor_id=None if driver is None else self.ids[driver],
            )
        return out


def level(
    *,
    activities: Sequence[Activity],
    precedences: Sequence[Precedence],
    capacities: Mapping[str, int],
    samples: int = DEFAULT_SAMPLES,
    rules: Sequence[str] = ("lft", "lst", "mts", "grpw", "wrup", "slack"),
    justify: bool = True,
    seed: int = 0,
) -> LevelingResult:
    """Level a plan (rules in the module docstring). `samples` bounds the random-sampling
    phase; `rules=("lft",), samples=0, justify=False` is the classic single-pass serial SGS.

    Raises DomainError for an inconsistent input and CycleError for a dependency loop.
    """
    lev = _Leveler(activities, precedences, capacities)
    start, span, count = lev.run(rules=rules, samples=samples, justify=justify, seed=seed)
    return LevelingResult(
        starts={lev.ids[j]: s for j, s in enumerate(start)},
        makespan=span,
        critical_path_length=lev.cpm,
        resource_bound=lev.resource_bound,
        lower_bound=lev.lower_bound,
        optimal=span == lev.lower_bound,
        delays=lev.delays(start),
        overload_before=lev.overload(lev.es),
        overload_after=lev.overload(start),
        schedules=count,
    )
