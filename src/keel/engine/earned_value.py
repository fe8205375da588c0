"""Earned value management: how much of the planned work is done, at what cost, and when the
project will finish at the rate it is going.

Inputs are a baseline per task (start, finish and budget; the budgets add up to BAC), its
percent complete and actual cost, a calendar and a status date. The measures, as PMBOK and
the earned schedule literature (Lipke) name them:

* PV (planned value) at a time t: each task's budget spread linearly over its baseline
  working time (a zero-length task earns its whole budget at its start), summed. Measured at
  the end of the status date.
* EV = sum of budget x percent complete; AC = sum of actual costs.
* SV = EV - PV, CV = EV - AC, SPI = EV / PV, CPI = EV / AC (None when the divisor is 0).
* EAC, three ways: `eac_cpi` = BAC / CPI (the cost rate so far goes on), `eac_budget_rate` =
  AC + (BAC - EV) (what is left costs as budgeted), `eac_cpi_spi` = AC + (BAC - EV) /
  (CPI x SPI) (the schedule pressure costs too). `eac` is `eac_cpi`; ETC = EAC - AC and
  VAC = BAC - EAC follow from it.
* TCPI, the cost performance the rest needs: (BAC - EV) / (BAC - AC) to finish on budget
  (`tcpi_bac`), (BAC - EV) / (EAC - AC) to finish at the EAC (`tcpi_eac`).
* Earned schedule: ES = the earliest time the baseline had earned today's EV (interpolating
  the PV curve, which is linear between task starts and finishes), AT = the time elapsed
  (working days to the end of the status date), SV(t) = ES - AT, SPI(t) = ES / AT, and the
  forecast duration IEAC(t) = PD / SPI(t) with PD the baseline duration, which gives the
  forecast finish date.

Times are working days from the project start (the start of its first working day);
a baseline start date means the start of that day, a finish date the end of it. Dates come
back as the day holding the last working minute of an offset.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Literal

import numpy as np
import numpy.typing as npt

from .calendars import WorkCalendar
from .errors import DateOutOfRange, DomainError

DUPLICATE_TASK = "Task {id} appears more than once."
BAD_BUDGET = "Task {id} has a negative or unknown budget."
BAD_PERCENT = "Task {id} has percent complete {value}; it must be between 0 and 100."
BAD_COST = "Task {id} has a negative or unknown actual cost."
FINISH_BEFORE_START = "Task {id} has a baseline finish before its baseline start."
NO_TASKS = "Earned value needs at least one task with a baseline."

_EPS = 1e-9


class TaskError(DomainError):
    """A problem with one task's input. `task_id` names the task; `for_task(name)` gives
    the message with another name for it (a file's own task id, say)."""

    def __init__(self, template: str, task_id: int, **values: object) -> None:
        self.template = template
        self.task_id = task_id
        self.values = values
        super().__init__(template.format(id=task_id, **values))

    def for_task(self, name: str) -> str:
        return self.template.format(id=name, **self.values)


Array = npt.NDArray[np.float64]


class Period(StrEnum):
    """How the S-curve series is cut: by working day, by week (Monday to Sunday) or by
    calendar month."""

    DAY = "day"
    WEEK = "week"
    MONTH = "month"


@dataclass(frozen=True)
class EvTask:
    """One task's baseline and status. `baseline_start`/`baseline_finish` are dates (work
    begins at the start of the first, ends at the end of the second) or working-day offsets
    from the project start. `budget` is the task's share of BAC."""

    id: int
    budget: float
    baseline_start: date | float
    baseline_finish: date | float
    percent_complete: float = 0.0  # 0..100
    actual_cost: float = 0.0


@dataclass(frozen=True)
class Measurement:
    """An earlier status: EV and AC as they were at the end of `status_date`."""

    status_date: date
    ev: float
    ac: float


@dataclass(frozen=True)
class PeriodPoint:
    """Cumulative values at the end of a period (`end` is its last day). EV and AC are None
    where no status is known: after the status date, or before it without a measurement."""

    end: date
    pv: float
    ev: float | None
    ac: float | None


@dataclass(frozen=True)
class EarnedValue:
    """Every measure at the status date (see the module docstring for the formulas)."""

    status_date: date
    bac: float
    pv: float
    ev: float
    ac: float
    sv: float
    cv: float
    spi: float | None
    cpi: float | None
    eac_cpi: float | None  # BAC / CPI
    eac_budget_rate: float  # AC + (BAC - EV)
    eac_cpi_spi: float | None  # AC + (BAC - EV) / (CPI x SPI)
    eac: float | None  # = eac_cpi
    etc: float | None  # EAC - AC
    vac: float | None  # BAC - EAC
    tcpi_bac: float | None  # (BAC - EV) / (BAC - AC)
    tcpi_eac: float | None  # (BAC - EV) / (EAC - AC)
    percent_complete: float  # EV / BAC x 100
    percent_spent: float  # AC / BAC x 100
    planned_duration_days: float  # PD
    actual_time_days: float  # AT
    earned_schedule_days: float  # ES
    sv_t_days: float  # ES - AT
    spi_t: float | None  # ES / AT
    ieac_t_days: float | None  # PD / SPI(t)
    planned_finish: date
    forecast_finish: date | None
    series: tuple[PeriodPoint, ...]


def _ratio(num: float, den: float) -> float | None:
    return num / den if abs(den) > _EPS else None


def earned_value(
    *,
    project_start: date,
    calendar: WorkCalendar,
    tasks: Sequence[EvTask],
    status_date: date,
    period: Period = Period.WEEK,
    history: Sequence[Measurement] = (),
) -> EarnedValue:
    """The earned value measures at the end of `status_date`, and the PV/EV/AC series by
    `period` from the project start to the later of the baseline finish and the status date
    (EV and AC from `history` before the status date). Raises DomainError for bad input."""
    if not tasks:
        raise DomainError(NO_TASKS)
    origin = calendar.day_index(project_start)
    mpd = calendar.minutes_per_day

    def start_offset(x: date | float) -> float:
        return float(calendar.day_index(x) - origin) if isinstance(x, date) else float(x)

    def end_offset(x: date | float) -> float:
        if isinstance(x, date):
            return float(calendar.day_index(x + timedelta(days=1)) - origin)
        return float(x)

    def to_date(days: float) -> date:
        minute = round(days * mpd)
        return calendar.day_at(origin + max(0, minute - 1) // mpd)

    def forecast(days: float | None) -> date | None:
        """A forecast so slow it leaves the calendar (year 9999) has no date to give."""
        if days is None:
            return None
        try:
            return to_date(days)
        except DateOutOfRange:
            return None

    seen: set[int] = set()
    for t in tasks:
        if t.id in seen:
            raise TaskError(DUPLICATE_TASK, t.id)
        seen.add(t.id)
        if not (math.isfinite(t.budget) and t.budget >= 0):
            raise TaskError(BAD_BUDGET, t.id)
        if not 0 <= t.percent_complete <= 100:
            raise TaskError(BAD_PERCENT, t.id, value=t.percent_complete)
        if not (math.isfinite(t.actual_cost) and t.actual_cost >= 0):
            raise TaskError(BAD_COST, t.id)
    starts = np.array([start_offset(t.baseline_start) for t in tasks])
    ends = np.array([end_offset(t.baseline_finish) for t in tasks])
    for t, s, f in zip(tasks, starts, ends, strict=True):
        if f < s:
            raise TaskError(FINISH_BEFORE_START, t.id)
    budgets = np.array([t.budget for t in tasks])
    curve = _PvCurve(starts, ends, budgets)

    bac = float(budgets.sum())
    at = float(calendar.day_index(status_date + timedelta(days=1)) - origin)
    pv = curve(at)
    ev = float(sum(t.budget * t.percent_complete / 100 for t in tasks))
    ac = float(sum(t.actual_cost for t in tasks))
    spi = _ratio(ev, pv)
    cpi = _ratio(ev, ac)
    eac_cpi = None if cpi is None else _ratio(bac, cpi)
    eac_cpi_spi = None
    if cpi is not None and spi is not None:
        rest = _ratio(bac - ev, cpi * spi)  # None when nothing is earned yet (CPI = 0)
        eac_cpi_spi = None if rest is None else ac + rest
    etc = None if eac_cpi is None else eac_cpi - ac
    pd_days = float(max(0.0, ends.max()))
    es = curve.earned_schedule(ev, bac)
    spi_t = _ratio(es, at) if at > 0 else None
    ieac_t = None if spi_t is None else _ratio(pd_days, spi_t)
    return EarnedValue(
        status_date=status_date,
        bac=bac,
        pv=pv,
        ev=ev,
        ac=ac,
        sv=ev - pv,
        cv=ev - ac,
        spi=spi,
        cpi=cpi,
        eac_cpi=eac_cpi,
        eac_budget_rate=ac + (bac - ev),
        eac_cpi_spi=eac_cpi_spi,
        eac=eac_cpi,
        etc=etc,
        vac=None if eac_cpi is None else bac - eac_cpi,
        tcpi_bac=_ratio(bac - ev, bac - ac),
        tcpi_eac=None if eac_cpi is None else _ratio(bac - ev, eac_cpi - ac),
        percent_complete=100 * ev / bac if bac > 0 else 0.0,
        percent_spent=100 * ac / bac if bac > 0 else 0.0,
        planned_duration_days=pd_days,
        actual_time_days=at,
        earned_schedule_days=es,
        sv_t_days=es - at,
        spi_t=spi_t,
        ieac_t_days=ieac_t,
        planned_finish=to_date(pd_days),
        forecast_finish=forecast(ieac_t),
        series=_series(
            calendar, project_start, origin, curve, status_date, ev, ac, history, period, pd_days
        ),
    )


class _PvCurve:
    """PV as a function of working days: linear between task starts and finishes, with a
    step where a zero-length task earns its budget.

    One time costs O(tasks) (`__call__`, exactly the sum of each task's share); many at once
    cost O((tasks + times) log tasks) (`many`): PV(t) = the budgets of the tasks finished by
    t + sum rate (t - start) over the tasks started and not finished (rate = budget / span)
    + the zero-length budgets reached, all from prefix sums over the tasks in order of
    start and of finish (the finished ones are among the started ones)."""

    def __init__(self, starts: Array, ends: Array, budgets: Array) -> None:
        self.starts = starts
        self.budgets = budgets
        self.span = ends - starts
        self.zero = self.span <= 0
        self.safe_span = np.where(self.zero, 1.0, self.span)
        self.points = np.unique(np.concatenate([[0.0], starts, ends]))

        def prefix(x: Array) -> Array:
            return np.concatenate(([0.0], np.cumsum(x)))

        spans = ~self.zero
        start, end, budget = starts[spans], ends[spans], budgets[spans]
        rate = budget / (end - start)
        by_start, by_end = np.argsort(start, kind="stable"), np.argsort(end, kind="stable")
        self._start, self._end = start[by_start], end[by_end]
        self._rate_s, self._at_s = prefix(rate[by_start]), prefix((rate * start)[by_start])
        self._rate_e, self._at_e = prefix(rate[by_end]), prefix((rate * start)[by_end])
        self._done = prefix(budget[by_end])
        steps = np.argsort(starts[self.zero], kind="stable")
        self._step_at = starts[self.zero][steps]
        self._steps = prefix(budgets[self.zero][steps])

    def __call__(self, t: float, *, before: bool = False) -> float:
        """PV at time t; `before`: just before t (without a step at t)."""
        frac = np.clip((t - self.starts) / self.safe_span, 0.0, 1.0)
        reached = self.starts < t if before else self.starts <= t
        frac = np.where(self.zero, reached.astype(np.float64), frac)
        return float((self.budgets * frac).sum())

    def many(self, t: Array, *, before: bool = False) -> Array:
        """PV at each of the times `t` (equal to `__call__` up to rounding)."""
        side: Literal["left", "right"] = "left" if before else "right"
        i = np.searchsorted(self._start, t, side=side)
        j = np.searchsorted(self._end, t, side=side)
        k = np.searchsorted(self._step_at, t, side=side)
        rate = self._rate_s[i] - self._rate_e[j]
        at = self._at_s[i] - self._at_e[j]
        running = np.where(i == j, 0.0, t * rate - at)  # nothing running: exactly 0
        out: Array = self._done[j] + running + self._steps[k]
        return out

    def earned_schedule(self, ev: float, bac: float) -> float:
        """The earliest time t >= 0 with PV(t) >= EV (0 when nothing is earned)."""
        target = min(ev, bac)
        if target <= _EPS:
            return 0.0
        # Where PV first reaches the target, from all the points at once; the exact walk
        # below then starts just before it (a margin covers `many`'s rounding).
        points = self.points
        near = target - _EPS - 1e-9 * max(1.0, bac)
        reached = np.maximum(self.many(points, before=True), self.many(points)) >= near
        first = int(np.argmax(reached)) if reached.any() else len(points) - 1
        begin = max(0, first - 1)
        prev_t = float(points[begin])
        prev_v = self(prev_t)
        if begin == 0 and prev_v >= target - _EPS:
            return prev_t
        for t in map(float, points[begin + 1 :]):
            left = self(t, before=True)
            if left >= target - _EPS:  # reached inside the linear piece (prev_t, t)
                return min(t, prev_t + (target - prev_v) / (left - prev_v) * (t - prev_t))
            v = self(t)
            if v >= target - _EPS:  # reached by a step at t
                return t
            prev_t, prev_v = t, v
        return prev_t


def _period_ends(start: date, last: date, period: Period, calendar: WorkCalendar) -> list[date]:
    ends: list[date] = []
    d = start
    while d <= last:
        if period == Period.DAY:
            end = d
        elif period == Period.WEEK:
            end = d + timedelta(days=6 - d.weekday())
        else:
            nxt = date(d.year + d.month // 12, d.month % 12 + 1, 1)
            end = nxt - timedelta(days=1)
        if period != Period.DAY or calendar.is_working_day(end):
            ends.append(end)
        d = end + timedelta(days=1)
    return ends


def _series(
    calendar: WorkCalendar,
    project_start: date,
    origin: int,
    curve: _PvCurve,
    status_date: date,
    ev: float,
    ac: float,
    history: Sequence[Measurement],
    period: Period,
    pd_days: float,
) -> tuple[PeriodPoint, ...]:
    mpd = calendar.minutes_per_day
    planned_last = calendar.day_at(origin + max(0, round(pd_days * mpd) - 1) // mpd)
    last = max(planned_last, status_date)
    past = sorted((m for m in history if m.status_date < status_date), key=lambda m: m.status_date)
    out: list[PeriodPoint] = []
    previous_end: date | None = None
    ends = _period_ends(project_start, last, period, calendar)
    times = [float(calendar.day_index(end + timedelta(days=1)) - origin) for end in ends]
    # PV never falls; `many` is exact up to rounding, which must not make it seem to.
    pvs = np.maximum.accumulate(curve.many(np.array(times))) if times else np.zeros(0)
    for end, pv in zip(ends, pvs.tolist(), strict=True):
        point_ev: float | None = None
        point_ac: float | None = None
        if end >= status_date and (previous_end is None or previous_end < status_date):
            point_ev, point_ac = ev, ac
        elif end < status_date:
            known = [m for m in past if m.status_date <= end]
            if known:
                point_ev, point_ac = known[-1].ev, known[-1].ac
        out.append(PeriodPoint(end=end, pv=pv, ev=point_ev, ac=point_ac))
        previous_end = end
    return tuple(out)
