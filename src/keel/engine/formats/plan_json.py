"""Plan JSON: Keel's own plan file (described in docs/plan-json.md), read and written.

A plan is parsed into a `Plan`: engine records (`TaskIn`, `LinkIn`, a `WorkCalendar`) plus
what the engine does not schedule (names, three-point estimates, resource demands). Task
ids in the file may be strings or integers; they are kept as written (`PlanTask.key`) and
the engine gets the integers 1..n in file order. Every problem is a `PlanFormatError` whose
message names the task or the line; the messages are the constants below.

`plan_columns` reads a parsed plan for scheduling only, as the columns `schedule_columns`
takes, without a record per task (`keel schedule --json` on big plans); it leaves any plan
it does not cover, and every problem, to `parse_plan_json`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cached_property
from itertools import product
from operator import itemgetter
from typing import Any

import numpy as np

from ..calendars import WorkCalendar
from ..errors import DomainError
from ..graph import find_cycle
from ..scheduling.cpm import LINK_CODES, LinkColumns, TaskColumns
from ..simulation import Distribution, Estimate, RiskEvent
from ..types import ConstraintType, LinkIn, LinkType, TaskIn

NOT_JSON = "line {line}: not valid JSON ({reason})."
NOT_A_PLAN = 'a plan is a JSON object with "name", "start" and "tasks".'
MISSING_FIELD = '{where}: "{field}" is required.'
BAD_TYPE = '{where}: "{field}" must be {expected}.'
BAD_DATE = '{where}: "{field}" is {value}, not a date (YYYY-MM-DD).'
NEGATIVE_DURATION = 'task {task}: "duration" must not be negative.'
DUPLICATE_TASK = "task {task} appears more than once."
UNKNOWN_PREDECESSOR = "task {task}: predecessor {pred} is not in the plan."
DEPENDENCY_LOOP = "dependency loop: {path}."
BAD_LINK_TYPE = "task {task}: link type {value} is not one of FS, SS, FF, SF."
UNKNOWN_PARENT = "task {task}: parent {parent} is not in the plan."
PARENT_LOOP = "tasks {path} are each other's parents."
BAD_CONSTRAINT = "task {task}: constraint {value} is not one of {choices}."
MISSING_CONSTRAINT_DATE = 'task {task}: constraint {value} needs a "constraint_date".'
BAD_PERCENT = 'task {task}: "percent_complete" must be between 0 and 100.'
BAD_ESTIMATES = "task {task}: estimates must be 0 <= optimistic <= most_likely <= pessimistic."
UNKNOWN_RESOURCE = 'task {task}: resource {resource} is not in "resources".'
DUPLICATE_RESOURCE = "resource {resource} appears more than once."
NEGATIVE_UNITS = '{where}: "{field}" must not be negative.'
BAD_CALENDAR = "calendar: {reason}"
BAD_MOMENT = (
    '{where}: "{field}" is {value}, not a date (YYYY-MM-DD) or date-time (YYYY-MM-DDTHH:MM).'
)
BAD_HOURS = '{where}: working hours {value} are not "HH:MM-HH:MM" ranges in order within a day.'
UNKNOWN_CALENDAR = '{where}: calendar {calendar} is not in "calendars".'
BAD_WEEK = '{where}: "week" must list 7 days, Monday first, each a list of hours or null.'

# Risk analysis fields (see "Risk analysis" in docs/plan-json.md).
BAD_DISTRIBUTION = "task {task}: distribution {value} is not one of pert, triangular."
DISTRIBUTION_WITHOUT_ESTIMATES = (
    'task {task}: "distribution" needs "optimistic", "most_likely" and "pessimistic".'
)
BAD_THREE_POINT = (
    '{where}: "{field}" must be a number >= 0 or an object with "optimistic", "most_likely" '
    'and "pessimistic", 0 <= optimistic <= most_likely <= pessimistic.'
)
BAD_PROBABILITY = '{where}: "probability" must be a number between 0 and 1.'
UNKNOWN_RISK_TASK = "risk {risk}: task {task} is not in the plan."
DUPLICATE_RISK = "risk {risk} appears more than once."

_WHERE_PLAN = "plan"
_LINK_TYPES = {str(t): t for t in LinkType}


class PlanFormatError(DomainError):
    """A plan file that cannot be read; `line` is set when the problem has one."""

    code = "bad_plan_file"

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


@dataclass(frozen=True)
class Resource:
    """A renewable resource: `capacity` units available on every working day. `calendar_id`
    names its own calendar in `Plan.calendars` (kept for exchange; not scheduled)."""

    id: str
    name: str
    capacity: float
    calendar_id: str | None = None


Periods = tuple[tuple[int, int], ...]  # minute-of-day ranges, sorted, e.g. ((480, 720),)


@dataclass(frozen=True)
class CalendarException:
    """Days `start`..`finish` (inclusive) worked during `periods`; no periods = not worked."""

    start: date
    finish: date
    periods: Periods = ()
    name: str = ""


@dataclass(frozen=True)
class CalendarSpec:
    """A named calendar as exchange formats hold it: working hours per weekday (`week`, 7
    entries, Monday first; None = as the base calendar; all None when `week` is empty) and
    exceptions. `base_id` names the calendar it derives from."""

    id: str
    name: str
    week: tuple[Periods | None, ...] = ()
    exceptions: tuple[CalendarException, ...] = ()
    base_id: str | None = None


@dataclass(frozen=True)
class Baseline:
    """A saved baseline of a task (MS Project keeps 0..10)."""

    number: int
    start: datetime | None = None
    finish: datetime | None = None
    duration_days: float | None = None
    cost: float | None = None  # the budget (earned value's BAC share)


@dataclass(frozen=True)
class PlanTask:
    """One task as the file has it: the engine's view in `task`, the rest beside it."""

    key: str  # the id as written in the file
    name: str
    task: TaskIn
    optimistic: float | None = None
    most_likely: float | None = None
    pessimistic: float | None = None
    demands: tuple[tuple[str, float], ...] = ()  # (resource id, units) in file order
    priority: int = 0
    calendar_id: str | None = None  # own calendar in `Plan.calendars` (exchange only)
    baselines: tuple[Baseline, ...] = ()
    # Risk analysis: how the three-point estimate is sampled (None = pert when given) and
    # the task's cost (fixed when the three values are equal).
    distribution: Distribution | None = None
    cost: Estimate | None = None
    actual_cost: float | None = None  # spent so far (earned value's AC)


@dataclass(frozen=True)
class Plan:
    """A whole plan. `links` use the engine ids (`PlanTask.task.id`)."""

    name: str
    start: date
    calendar: WorkCalendar
    tasks: tuple[PlanTask, ...]
    links: tuple[LinkIn, ...]
    resources: tuple[Resource, ...] = ()
    status_date: date | None = None
    # Named calendars (MS Project's base, resource and task calendars). When set,
    # `calendar` is `engine_calendar(calendars, calendar_id)`.
    calendars: tuple[CalendarSpec, ...] = ()
    calendar_id: str | None = None
    risks: tuple[RiskEvent, ...] = ()  # risk events, task ids as in `links`

    @cached_property
    def _keys(self) -> dict[int, str]:
        return {t.task.id: t.key for t in self.tasks}

    def key_of(self, task_id: int) -> str:
        """The file's id of the task the engine knows as `task_id`."""
        return self._keys.get(task_id, str(task_id))


# ---- named calendars ----------------------------------------------------------------------

STANDARD_DAY: Periods = ((480, 720), (780, 1020))  # MS Project's Standard: 8-12, 13-17
STANDARD_WEEK: tuple[Periods, ...] = (STANDARD_DAY,) * 5 + ((), ())


def resolve_week(calendars: tuple[CalendarSpec, ...], calendar_id: str) -> tuple[Periods, ...]:
    """The 7 weekday patterns of a calendar, Monday first, filled in from its base calendars
    (and from MS Project's Standard week where no calendar in the chain says)."""
    by_id = {c.id: c for c in calendars}
    week: list[Periods | None] = [None] * 7
    seen: set[str] = set()
    cur = by_id.get(calendar_id)
    while cur is not None and cur.id not in seen:
        seen.add(cur.id)
        for i, periods in enumerate(cur.week[:7]):
            if week[i] is None:
                week[i] = periods
        cur = by_id.get(cur.base_id) if cur.base_id is not None else None
    return tuple(STANDARD_WEEK[i] if p is None else p for i, p in enumerate(week))


def resolve_exceptions(
    calendars: tuple[CalendarSpec, ...], calendar_id: str
) -> dict[date, Periods]:
    """Every exception day of a calendar and its bases (the calendar's own win)."""
    by_id = {c.id: c for c in calendars}
    chain: list[CalendarSpec] = []
    cur = by_id.get(calendar_id)
    while cur is not None and cur not in chain:
        chain.append(cur)
        cur = by_id.get(cur.base_id) if cur.base_id is not None else None
    days: dict[date, Periods] = {}
    for spec in reversed(chain):
        for exc in spec.exceptions:
            d = exc.start
            while d <= exc.finish:
                days[d] = exc.periods
                d += timedelta(days=1)
    return days


def engine_calendar(calendars: tuple[CalendarSpec, ...], calendar_id: str | None) -> WorkCalendar:
    """The engine calendar closest to a named calendar.

    The engine has one set of working hours for every working day, so a week whose working
    days differ in hours is approximated: the most common hours of a working weekday (the
    earliest weekday on a tie) are used on every working day. A non-working exception on a
    working weekday is a holiday, a working one on a non-working weekday a make-up day
    (with those same hours); changed hours on a working day are not represented."""
    if calendar_id is None or all(c.id != calendar_id for c in calendars):
        return WorkCalendar(periods=STANDARD_DAY)
    week = resolve_week(calendars, calendar_id)
    working = [p for p in week if p]
    if not working:
        return WorkCalendar(periods=STANDARD_DAY)
    periods = max(working, key=lambda p: (working.count(p), -week.index(p)))
    weekdays = frozenset(i for i, p in enumerate(week) if p)
    holidays: set[date] = set()
    extra: set[date] = set()
    for d, day_periods in resolve_exceptions(calendars, calendar_id).items():
        if not day_periods and d.weekday() in weekdays:
            holidays.add(d)
        elif day_periods and d.weekday() not in weekdays:
            extra.add(d)
    return WorkCalendar(
        weekdays=weekdays,
        minutes_per_day=sum(hi - lo for lo, hi in periods),
        holidays=frozenset(holidays),
        working_days=frozenset(extra),
        periods=periods,
    )


def format_hours(periods: Periods) -> list[str]:
    """Working periods as "HH:MM-HH:MM" strings."""
    return [f"{lo // 60:02d}:{lo % 60:02d}-{hi // 60:02d}:{hi % 60:02d}" for lo, hi in periods]


def parse_hours(values: object, where: str) -> Periods:
    """Working periods from "HH:MM-HH:MM" strings; raises PlanFormatError."""
    if not isinstance(values, list):
        raise PlanFormatError(BAD_HOURS.format(where=where, value=_q(values)))
    out: list[tuple[int, int]] = []
    try:
        for v in values:
            lo_s, hi_s = str(v).split("-")
            lo, hi = (int(x[:-3]) * 60 + int(x[-2:]) for x in (lo_s.strip(), hi_s.strip()))
            out.append((lo, hi))
    except ValueError:
        raise PlanFormatError(BAD_HOURS.format(where=where, value=_q(values))) from None
    previous = 0
    for lo, hi in out:
        if not previous <= lo < hi <= 1440:
            raise PlanFormatError(BAD_HOURS.format(where=where, value=_q(values)))
        previous = hi
    return tuple(out)


def iso_moment(d: date) -> str:
    """A date as YYYY-MM-DD, a date-time as YYYY-MM-DDTHH:MM (with seconds if any)."""
    if isinstance(d, datetime):
        return d.isoformat(timespec="seconds" if d.second else "minutes")
    return d.isoformat()


# ---- reading ------------------------------------------------------------------------------


def parse_plan_json(text: str) -> Plan:
    """Read a plan from JSON text. Raises PlanFormatError."""
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PlanFormatError(
            NOT_JSON.format(line=exc.lineno, reason=exc.msg), exc.lineno
        ) from None
    if not isinstance(raw, dict):
        raise PlanFormatError(NOT_A_PLAN)
    return _Reader(raw).plan()


def _q(key: object) -> str:
    """A task or resource id as messages quote it."""
    if isinstance(key, str) and key.isprintable() and '"' not in key and "\\" not in key:
        return f'"{key}"'  # what json.dumps gives, without its cost (once per task)
    return json.dumps(key, ensure_ascii=False)


def _acyclic(n: int, links: list[LinkIn]) -> bool:
    """Whether the links (engine ids 1..n) leave no loop: Kahn's algorithm on integers,
    much faster than `find_cycle`, which then runs only to name a loop."""
    indeg = [0] * (n + 1)
    succ: list[list[int]] = [[] for _ in range(n + 1)]
    for link in links:
        succ[link.predecessor_id].append(link.successor_id)
        indeg[link.successor_id] += 1
    ready = [v for v in range(n + 1) if not indeg[v]]
    for v in ready:  # grows while it is read
        for s in succ[v]:
            indeg[s] -= 1
            if not indeg[s]:
                ready.append(s)
    return len(ready) == n + 1


class _Reader:
    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw
        self.cal_ids: set[str] = set()

    def plan(self) -> Plan:
        raw = self.raw
        name = self._str(raw, "name", _WHERE_PLAN)
        start = self._date(raw, "start", _WHERE_PLAN, required=True)
        assert start is not None  # required above
        status_date = self._moment(raw, "status_date", _WHERE_PLAN)
        calendar = self._calendar(raw.get("calendar"))
        calendars = self._calendars(raw.get("calendars", []))
        cal_ids = [c.id for c in calendars]
        calendar_id = raw.get("project_calendar")
        if calendar_id is not None and str(calendar_id) not in cal_ids:
            raise PlanFormatError(
                UNKNOWN_CALENDAR.format(where=_WHERE_PLAN, calendar=_q(calendar_id))
            )
        self.cal_ids = set(cal_ids)
        resources = self._resources(raw.get("resources", []))
        raw_tasks = raw.get("tasks")
        if not isinstance(raw_tasks, list):
            if raw_tasks is None:
                raise PlanFormatError(MISSING_FIELD.format(where=_WHERE_PLAN, field="tasks"))
            raise PlanFormatError(
                BAD_TYPE.format(where=_WHERE_PLAN, field="tasks", expected="a list")
            )
        ids: dict[str, int] = {}
        for i, item in enumerate(raw_tasks):
            if not isinstance(item, dict):
                raise PlanFormatError(
                    BAD_TYPE.format(where=f"task #{i + 1}", field="tasks", expected="objects")
                )
            key = self._key(item, f"task #{i + 1}")
            if key in ids:
                raise PlanFormatError(DUPLICATE_TASK.format(task=_q(key)))
            ids[key] = i + 1
        parents = {self._parent(item, ids) for item in raw_tasks} - {None}
        res_ids = {r.id for r in resources}
        tasks: list[PlanTask] = []
        links: list[LinkIn] = []
        edges: list[tuple[str, str]] = []
        for item in raw_tasks:
            key = self._key(item, "")
            task, preds = self._task(
                item, key, ids, is_summary=ids[key] in parents, res_ids=res_ids
            )
            tasks.append(task)
            for pred_key, link in preds:
                links.append(link)
                edges.append((pred_key, key))
        cycle = None if _acyclic(len(ids), links) else find_cycle(ids, edges)
        if cycle is not None:
            raise PlanFormatError(DEPENDENCY_LOOP.format(path=" -> ".join(_q(k) for k in cycle)))
        self._check_hierarchy(tasks)
        return Plan(
            name=name,
            start=start,
            calendar=calendar,
            tasks=tuple(tasks),
            links=tuple(links),
            resources=tuple(resources),
            status_date=status_date,
            calendars=calendars,
            calendar_id=None if calendar_id is None else str(calendar_id),
            risks=self._risks(raw.get("risks", []), ids),
        )

    # ---- fields -----------------------------------------------------------------------

    @staticmethod
    def _key(item: Mapping[str, Any], where: str) -> str:
        value = item.get("id")
        if value is None:
            raise PlanFormatError(MISSING_FIELD.format(where=where, field="id"))
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise PlanFormatError(
                BAD_TYPE.format(where=where, field="id", expected="a string or an integer")
            )
        return str(value)

    @staticmethod
    def _parent(item: Mapping[str, Any], ids: Mapping[str, int]) -> int | None:
        value = item.get("parent")
        if value is None:
            return None
        key = str(value)
        if key not in ids:
            raise PlanFormatError(
                UNKNOWN_PARENT.format(task=_q(_Reader._key(item, "")), parent=_q(key))
            )
        return ids[key]

    @staticmethod
    def _str(obj: Mapping[str, Any], field: str, where: str, default: str | None = None) -> str:
        value = obj.get(field, default)
        if value is None:
            raise PlanFormatError(MISSING_FIELD.format(where=where, field=field))
        if not isinstance(value, str):
            raise PlanFormatError(BAD_TYPE.format(where=where, field=field, expected="a string"))
        return value

    @staticmethod
    def _number(
        obj: Mapping[str, Any], field: str, where: str, *, required: bool = False
    ) -> float | None:
        value = obj.get(field)
        if value is None:
            if required:
                raise PlanFormatError(MISSING_FIELD.format(where=where, field=field))
            return None
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise PlanFormatError(BAD_TYPE.format(where=where, field=field, expected="a number"))
        return float(value) if isinstance(value, float) else int(value)

    @staticmethod
    def _date(
        obj: Mapping[str, Any], field: str, where: str, *, required: bool = False
    ) -> date | None:
        value = obj.get(field)
        if value is None:
            if required:
                raise PlanFormatError(MISSING_FIELD.format(where=where, field=field))
            return None
        try:
            if not isinstance(value, str) or len(value) != 10:
                raise ValueError(value)
            return date.fromisoformat(value)
        except ValueError:
            raise PlanFormatError(
                BAD_DATE.format(where=where, field=field, value=_q(value))
            ) from None

    @staticmethod
    def _moment(obj: Mapping[str, Any], field: str, where: str) -> date | None:
        """A date or a naive date-time (YYYY-MM-DDTHH:MM[:SS])."""
        value = obj.get(field)
        if value is None:
            return None
        if isinstance(value, str) and len(value) > 10:
            try:
                moment = datetime.fromisoformat(value)
                if moment.tzinfo is None:
                    return moment
            except ValueError:
                pass
            raise PlanFormatError(BAD_MOMENT.format(where=where, field=field, value=_q(value)))
        return _Reader._date(obj, field, where)

    def _calendar_ref(self, obj: Mapping[str, Any], where: str) -> str | None:
        value = obj.get("calendar")
        if value is None:
            return None
        if str(value) not in self.cal_ids:
            raise PlanFormatError(UNKNOWN_CALENDAR.format(where=where, calendar=_q(value)))
        return str(value)

    def _calendars(self, raw: object) -> tuple[CalendarSpec, ...]:
        if not isinstance(raw, list):
            raise PlanFormatError(
                BAD_TYPE.format(where=_WHERE_PLAN, field="calendars", expected="a list")
            )
        out: list[CalendarSpec] = []
        for i, item in enumerate(raw):
            where = f"calendar #{i + 1}"
            if not isinstance(item, dict):
                raise PlanFormatError(
                    BAD_TYPE.format(where=where, field="calendars", expected="objects")
                )
            cid = self._key(item, where)
            where = f"calendar {_q(cid)}"
            week_raw = item.get("week", [])
            if not isinstance(week_raw, list) or len(week_raw) not in (0, 7):
                raise PlanFormatError(BAD_WEEK.format(where=where))
            week = tuple(None if d is None else parse_hours(d, where) for d in week_raw)
            exceptions: list[CalendarException] = []
            for e in item.get("exceptions", []):
                if not isinstance(e, dict):
                    raise PlanFormatError(
                        BAD_TYPE.format(where=where, field="exceptions", expected="objects")
                    )
                start = self._date(e, "start", where, required=True)
                finish = self._date(e, "finish", where) or start
                assert start is not None and finish is not None  # required above
                exceptions.append(
                    CalendarException(
                        start=start,
                        finish=finish,
                        periods=parse_hours(e.get("hours", []), where),
                        name=self._str(e, "name", where, ""),
                    )
                )
            base = item.get("base")
            out.append(
                CalendarSpec(
                    id=cid,
                    name=self._str(item, "name", where, cid),
                    week=week,
                    exceptions=tuple(exceptions),
                    base_id=None if base is None else str(base),
                )
            )
        return tuple(out)

    def _baselines(self, raw: object, where: str) -> tuple[Baseline, ...]:
        if not isinstance(raw, list):
            raise PlanFormatError(
                BAD_TYPE.format(where=where, field="baselines", expected="a list")
            )
        out: list[Baseline] = []
        for item in raw:
            if not isinstance(item, dict):
                raise PlanFormatError(
                    BAD_TYPE.format(where=where, field="baselines", expected="a list of objects")
                )
            number = self._number(item, "number", where) or 0
            start = self._moment(item, "start", where)
            finish = self._moment(item, "finish", where)
            out.append(
                Baseline(
                    number=int(number),
                    start=_as_datetime(start),
                    finish=_as_datetime(finish),
                    duration_days=self._number(item, "duration", where),
                    cost=self._money(item, "cost", where),
                )
            )
        return tuple(out)

    def _money(self, obj: Mapping[str, Any], field: str, where: str) -> float | None:
        """An amount of money, >= 0 (earned value's budgets and actual costs)."""
        value = self._number(obj, field, where)
        if value is not None and value < 0:
            raise PlanFormatError(NEGATIVE_UNITS.format(where=where, field=field))
        return value

    def _dates(self, obj: Mapping[str, Any], field: str) -> frozenset[date]:
        values = obj.get(field, [])
        if not isinstance(values, list):
            raise PlanFormatError(
                BAD_TYPE.format(where="calendar", field=field, expected="a list of dates")
            )
        return frozenset(
            d for v in values if (d := self._date({field: v}, field, "calendar")) is not None
        )

    def _calendar(self, spec: object) -> WorkCalendar:
        if spec is None:
            return WorkCalendar()
        if not isinstance(spec, dict):
            raise PlanFormatError(
                BAD_TYPE.format(where=_WHERE_PLAN, field="calendar", expected="an object")
            )
        weekdays = spec.get("weekdays", [0, 1, 2, 3, 4])
        if not isinstance(weekdays, list) or not all(
            isinstance(w, int) and not isinstance(w, bool) for w in weekdays
        ):
            raise PlanFormatError(
                BAD_TYPE.format(
                    where="calendar", field="weekdays", expected="a list of 0 (Monday) .. 6"
                )
            )
        hours = self._number(spec, "hours_per_day", "calendar")
        periods = parse_hours(spec.get("hours", []), "calendar")
        if hours is None and periods:
            minutes = sum(hi - lo for lo, hi in periods)
        else:
            minutes = 480 if hours is None else round(hours * 60)
        try:
            return WorkCalendar(
                weekdays=frozenset(weekdays),
                minutes_per_day=minutes,
                holidays=self._dates(spec, "holidays"),
                working_days=self._dates(spec, "working_days"),
                periods=periods,
            )
        except DomainError as exc:
            raise PlanFormatError(BAD_CALENDAR.format(reason=exc)) from None

    def _resources(self, raw: object) -> list[Resource]:
        if not isinstance(raw, list):
            raise PlanFormatError(
                BAD_TYPE.format(where=_WHERE_PLAN, field="resources", expected="a list")
            )
        out: list[Resource] = []
        seen: set[str] = set()
        for i, item in enumerate(raw):
            where = f"resource #{i + 1}"
            if not isinstance(item, dict):
                raise PlanFormatError(
                    BAD_TYPE.format(where=where, field="resources", expected="objects")
                )
            rid = self._key(item, where)
            where = f"resource {_q(rid)}"
            if rid in seen:
                raise PlanFormatError(DUPLICATE_RESOURCE.format(resource=_q(rid)))
            seen.add(rid)
            capacity = self._number(item, "capacity", where, required=True)
            assert capacity is not None  # required above
            if capacity < 0:
                raise PlanFormatError(NEGATIVE_UNITS.format(where=where, field="capacity"))
            out.append(
                Resource(
                    id=rid,
                    name=self._str(item, "name", where, rid),
                    capacity=capacity,
                    calendar_id=self._calendar_ref(item, where),
                )
            )
        return out

    def _task(
        self,
        item: Mapping[str, Any],
        key: str,
        ids: Mapping[str, int],
        *,
        is_summary: bool,
        res_ids: set[str],
    ) -> tuple[PlanTask, list[tuple[str, LinkIn]]]:
        where = f"task {_q(key)}"
        tid = ids[key]
        duration = self._number(item, "duration", where, required=not is_summary) or 0.0
        if duration < 0:
            raise PlanFormatError(NEGATIVE_DURATION.format(task=_q(key)))
        # Optional fields are looked up only when present: the helpers give None otherwise.
        estimates = [
            self._number(item, f, where) if f in item else None
            for f in ("optimistic", "most_likely", "pessimistic")
        ]
        given = [e for e in estimates if e is not None]
        if given and (len(given) < 3 or not 0 <= given[0] <= given[1] <= given[2]):
            raise PlanFormatError(BAD_ESTIMATES.format(task=_q(key)))
        constraint = ConstraintType.ASAP
        raw_constraint = item.get("constraint")
        if raw_constraint is not None:
            try:
                constraint = ConstraintType(str(raw_constraint).lower())
            except ValueError:
                raise PlanFormatError(
                    BAD_CONSTRAINT.format(
                        task=_q(key), value=_q(raw_constraint), choices=", ".join(ConstraintType)
                    )
                ) from None
        constraint_date = (
            self._moment(item, "constraint_date", where) if "constraint_date" in item else None
        )
        if constraint_date is None and constraint not in (ConstraintType.ASAP, ConstraintType.ALAP):
            raise PlanFormatError(
                MISSING_CONSTRAINT_DATE.format(task=_q(key), value=_q(str(constraint)))
            )
        percent = (
            self._number(item, "percent_complete", where) if "percent_complete" in item else None
        ) or 0.0
        if not 0 <= percent <= 100:
            raise PlanFormatError(BAD_PERCENT.format(task=_q(key)))
        priority = (self._number(item, "priority", where) if "priority" in item else None) or 0
        demands_raw = item.get("demands", {})
        if not isinstance(demands_raw, dict):
            raise PlanFormatError(
                BAD_TYPE.format(where=where, field="demands", expected="an object")
            )
        demands: list[tuple[str, float]] = []
        for rid in demands_raw:
            if rid not in res_ids:
                raise PlanFormatError(UNKNOWN_RESOURCE.format(task=_q(key), resource=_q(rid)))
            units = self._number(demands_raw, rid, where)
            if units is None:
                raise PlanFormatError(BAD_TYPE.format(where=where, field=rid, expected="a number"))
            if units < 0:
                raise PlanFormatError(NEGATIVE_UNITS.format(where=where, field=rid))
            demands.append((rid, units))
        preds_raw = item.get("predecessors", [])
        if not isinstance(preds_raw, list):
            raise PlanFormatError(
                BAD_TYPE.format(where=where, field="predecessors", expected="a list")
            )
        preds: list[tuple[str, LinkIn]] = []
        for p in preds_raw:
            if not isinstance(p, dict):
                raise PlanFormatError(
                    BAD_TYPE.format(where=where, field="predecessors", expected="a list of objects")
                )
            pkey = self._key(p, where)
            if pkey not in ids:
                raise PlanFormatError(UNKNOWN_PREDECESSOR.format(task=_q(key), pred=_q(pkey)))
            kind = p.get("type", "FS")
            link_type = _LINK_TYPES.get(kind) if isinstance(kind, str) else None
            if link_type is None:
                try:
                    link_type = LinkType(str(kind).upper())
                except ValueError:
                    raise PlanFormatError(
                        BAD_LINK_TYPE.format(task=_q(key), value=_q(kind))
                    ) from None
            lag = (self._number(p, "lag", where) if "lag" in p else None) or 0.0
            preds.append((pkey, LinkIn(ids[pkey], tid, link_type, lag)))
        parent = self._parent(item, ids)
        task = TaskIn(
            id=tid,
            duration_days=duration,
            parent_id=parent,
            constraint=constraint,
            constraint_date=constraint_date,
            deadline=self._moment(item, "deadline", where) if "deadline" in item else None,
            percent_complete=percent,
            actual_start=(
                self._moment(item, "actual_start", where) if "actual_start" in item else None
            ),
            actual_finish=(
                self._moment(item, "actual_finish", where) if "actual_finish" in item else None
            ),
        )
        plan_task = PlanTask(
            key=key,
            name=self._str(item, "name", where, key),
            task=task,
            optimistic=estimates[0],
            most_likely=estimates[1],
            pessimistic=estimates[2],
            demands=tuple(demands),
            priority=int(priority),
            calendar_id=self._calendar_ref(item, where),
            baselines=self._baselines(item.get("baselines", []), where),
            distribution=self._distribution(item, key, bool(given)),
            cost=self._estimate(item, "cost", where),
            actual_cost=self._money(item, "actual_cost", where),
        )
        return plan_task, preds

    # ---- risk analysis ----------------------------------------------------------------

    @staticmethod
    def _distribution(
        item: Mapping[str, Any], key: str, has_estimates: bool
    ) -> Distribution | None:
        value = item.get("distribution")
        if value is None:
            return None
        if not has_estimates:
            raise PlanFormatError(DISTRIBUTION_WITHOUT_ESTIMATES.format(task=_q(key)))
        try:
            return Distribution(str(value).lower())
        except ValueError:
            raise PlanFormatError(BAD_DISTRIBUTION.format(task=_q(key), value=_q(value))) from None

    def _estimate(self, obj: Mapping[str, Any], field: str, where: str) -> Estimate | None:
        """A number (a fixed value) or a three-point object with an optional distribution."""
        value = obj.get(field)
        if value is None:
            return None
        bad = PlanFormatError(BAD_THREE_POINT.format(where=where, field=field))
        if isinstance(value, dict):
            points = [
                self._number(value, f, where) for f in ("optimistic", "most_likely", "pessimistic")
            ]
            kind = value.get("distribution", "pert")
            try:
                distribution = Distribution(str(kind).lower())
            except ValueError:
                raise bad from None
            if any(x is None for x in points):
                raise bad
            low, likely, high = (float(x or 0) for x in points)
            est = Estimate(low, likely, high, distribution)
        else:
            fixed = self._number(obj, field, where)
            est = Estimate.fixed(float(fixed or 0))
        if not est.is_valid():
            raise bad
        return est

    def _risks(self, raw: object, ids: Mapping[str, int]) -> tuple[RiskEvent, ...]:
        if not isinstance(raw, list):
            raise PlanFormatError(
                BAD_TYPE.format(where=_WHERE_PLAN, field="risks", expected="a list")
            )
        out: list[RiskEvent] = []
        seen: set[str] = set()
        for i, item in enumerate(raw):
            where = f"risk #{i + 1}"
            if not isinstance(item, dict):
                raise PlanFormatError(
                    BAD_TYPE.format(where=where, field="risks", expected="objects")
                )
            rid = self._key(item, where)
            where = f"risk {_q(rid)}"
            if rid in seen:
                raise PlanFormatError(DUPLICATE_RISK.format(risk=_q(rid)))
            seen.add(rid)
            probability = self._number(item, "probability", where, required=True)
            if probability is None or not 0 <= probability <= 1:
                raise PlanFormatError(BAD_PROBABILITY.format(where=where))
            task_keys = item.get("tasks", [])
            if not isinstance(task_keys, list):
                raise PlanFormatError(
                    BAD_TYPE.format(where=where, field="tasks", expected="a list")
                )
            task_ids: list[int] = []
            for k in task_keys:
                if str(k) not in ids:
                    raise PlanFormatError(UNKNOWN_RISK_TASK.format(risk=_q(rid), task=_q(k)))
                task_ids.append(ids[str(k)])
            delay = self._estimate(item, "delay", where)
            if delay is None:
                raise PlanFormatError(MISSING_FIELD.format(where=where, field="delay"))
            out.append(
                RiskEvent(
                    id=rid,
                    probability=float(probability),
                    task_ids=tuple(task_ids),
                    delay=delay,
                    cost=self._estimate(item, "cost", where),
                    name=self._str(item, "name", where, rid),
                )
            )
        return tuple(out)

    @staticmethod
    def _check_hierarchy(tasks: list[PlanTask]) -> None:
        parent = {t.task.id: t.task.parent_id for t in tasks}
        key = {t.task.id: t.key for t in tasks}
        for start in parent:
            seen: list[int] = []
            cur: int | None = start
            while cur is not None and cur not in seen:
                seen.append(cur)
                cur = parent[cur]
            if cur is not None:
                loop = seen[seen.index(cur) :]
                raise PlanFormatError(PARENT_LOOP.format(path=", ".join(_q(key[t]) for t in loop)))


# ---- reading for scheduling only ----------------------------------------------------------

# Task fields beyond id, name, duration, parent and predecessors: a task with any of them is
# read by `_Reader._task` (and its record kept for the scheduler).
_RICH_FIELDS = frozenset(
    {
        "optimistic",
        "most_likely",
        "pessimistic",
        "constraint",
        "constraint_date",
        "deadline",
        "percent_complete",
        "priority",
        "demands",
        "actual_start",
        "actual_finish",
        "calendar",
        "baselines",
        "distribution",
        "cost",
        "actual_cost",
    }
)
# The four link types in every case ("fs" is FS, as the reader reads it).
_LINK_CODES: dict[object, int] = {
    "".join(chars): code
    for t, code in LINK_CODES.items()
    for chars in product(*((c, c.lower()) for c in str(t)))
}
# Durations and lags beyond this many days are left to the general reader: within it a
# float holds an integer exactly, and its product with minutes per day too.
_FAST_LIMIT = 1e12
_BIG_FLOAT = 2.0**63  # orjson reads integers beyond 64 bits as floats, json as integers


@dataclass(frozen=True)
class PlanColumns:
    """A plan read for scheduling only, as `schedule_columns` takes it: engine task i is the
    file's task i (`keys[i]` its id as written, `tasks.ids` are 1..n as in `Plan`)."""

    name: str
    start: date
    calendar: WorkCalendar
    status_date: date | None
    keys: list[str]
    tasks: TaskColumns
    links: LinkColumns


def plan_columns(raw: object) -> PlanColumns | None:
    """A parsed plan JSON object as columns, without a record per task (tasks with fields
    beyond id, name, duration, parent and predecessors get one, read as `parse_plan_json`
    reads them). None when the plan needs `parse_plan_json`: it has named calendars, or
    anything is wrong with it (which `parse_plan_json` then reports). Loops, of links or of
    parents, are left to `schedule_columns`, which finds every one `parse_plan_json` would.
    Everything else `parse_plan_json` checks is checked, so a plan it rejects gives None or
    a loop. A float of 2**63 or more (where orjson reads a longer integer as a float) also
    gives None, so a plan parsed by orjson gives what one parsed by `json` gives."""
    try:
        return _columns(raw)
    except (PlanFormatError, KeyError, TypeError, AttributeError, ValueError):
        return None


def _columns(raw: object) -> PlanColumns | None:
    if not isinstance(raw, dict):
        return None
    raw_tasks = raw.get("tasks")
    if type(raw_tasks) is not list or _has_big_float([v for k, v in raw.items() if k != "tasks"]):
        return None
    reader = _Reader(raw)
    name = reader._str(raw, "name", _WHERE_PLAN)
    start = reader._date(raw, "start", _WHERE_PLAN, required=True)
    assert start is not None  # required above
    status_date = reader._moment(raw, "status_date", _WHERE_PLAN)
    calendar = reader._calendar(raw.get("calendar"))
    if reader._calendars(raw.get("calendars", [])) or raw.get("project_calendar") is not None:
        return None  # named calendars: `keel schedule` shows working hours too
    res_ids = {r.id for r in reader._resources(raw.get("resources", []))}

    keys = _keys(list(map(itemgetter("id"), raw_tasks)))  # TypeError: not all objects
    if keys is None:
        return None
    n = len(keys)
    ids = dict(zip(keys, range(1, n + 1), strict=True))  # engine ids, as `Plan` has them
    if len(ids) != n:
        return None  # a duplicate

    # One loop touching each task once (several passes over 100,000 dictionaries, each a
    # loop in C, take longer: the dictionaries are spread over memory); what it collects
    # is checked afterwards. Tasks with more fields are also read by `_Reader._task`.
    durations: list[Any] = []
    parents: list[int] = []  # engine ids, 0 for none
    link_p: list[int] = []
    link_s: list[int] = []
    link_code: list[int] = []
    lags: list[Any] = []
    rich: list[int] = []
    add_duration, add_parent, add_rich = durations.append, parents.append, rich.append
    add_p, add_s, add_code, add_lag = link_p.append, link_s.append, link_code.append, lags.append
    plain = _RICH_FIELDS.isdisjoint
    codes = _LINK_CODES
    no_links: list[Any] = []
    for i, item in enumerate(raw_tasks):
        if not plain(item):
            add_rich(i)
        if type(item.get("name", "")) is not str:
            return None
        add_duration(item.get("duration"))
        key = item.get("parent")
        if key is None:
            add_parent(0)
        elif type(key) is str:
            add_parent(ids[key])
        elif type(key) is int:
            add_parent(ids[str(key)])
        else:
            return None
        preds = item.get("predecessors", no_links)
        if type(preds) is not list:
            return None
        for link in preds:
            key = link["id"]
            if type(key) is not str:
                if type(key) is not int:
                    return None
                key = str(key)
            add_p(ids[key])
            add_s(i)
            add_code(codes[link.get("type", "FS")])
            add_lag(link.get("lag", 0))
    missing = [i for i, d in enumerate(durations) if d is None]
    duration_values, lag_values = _numbers(durations), _numbers(lags)
    if duration_values is None or lag_values is None:
        return None
    details: dict[int, TaskIn] = {}
    for i in rich:
        item = raw_tasks[i]
        if _has_big_float([item]):
            return None
        plan_task, _ = reader._task(item, keys[i], ids, is_summary=True, res_ids=res_ids)
        details[i] = plan_task.task
    duration_days = np.array(duration_values, dtype=np.float64)
    lag_days = np.array(lag_values, dtype=np.float64)
    if not (
        ((duration_days >= 0) & (duration_days <= _FAST_LIMIT)).all()
        and (np.abs(lag_days) <= _FAST_LIMIT).all()
    ):
        return None  # negative, not finite or too big: the reader says which
    parent = np.array(parents, dtype=np.int64) - 1
    if missing:
        is_parent = np.zeros(n, dtype=np.bool_)
        is_parent[parent[parent >= 0]] = True
        if not is_parent[missing].all():
            return None  # a task that is no summary needs a duration
    reader._risks(raw.get("risks", []), ids)
    predecessor = np.array(link_p, dtype=np.int64) - 1
    successor = np.array(link_s, dtype=np.int64)
    type_code = np.array(link_code, dtype=np.int64)
    return PlanColumns(
        name=name,
        start=start,
        calendar=calendar,
        status_date=status_date,
        keys=keys,
        tasks=TaskColumns(
            ids=range(1, n + 1), duration_days=duration_days, parent=parent, details=details
        ),
        links=LinkColumns(
            predecessor=predecessor, successor=successor, type_code=type_code, lag_days=lag_days
        ),
    )


def _numbers(values: list[Any]) -> list[float] | None:
    """Numbers (None, a missing value, as 0), or None when one is of another type."""
    kinds = set(map(type, values))
    if kinds <= {int, float}:
        return values
    if not kinds <= {int, float, type(None)}:
        return None
    return [0 if x is None else x for x in values]


def _keys(values: list[Any], *, none: bool = False) -> list[Any] | None:
    """Ids as strings (integers written as strings, None kept when `none`), or None when
    one is of another type."""
    kinds = set(map(type, values))
    if kinds <= ({str, type(None)} if none else {str}):
        return values
    if not kinds <= ({str, int, type(None)} if none else {str, int}):
        return None
    return [x if type(x) is not int else str(x) for x in values]


def _has_big_float(values: list[Any]) -> bool:
    """Whether a float of 2**63 or more in size is anywhere in these JSON values."""
    stack = list(values)
    while stack:
        v = stack.pop()
        if type(v) is float:
            if not abs(v) < _BIG_FLOAT:
                return True
        elif type(v) is dict:
            stack.extend(v.values())
        elif type(v) is list:
            stack.extend(v)
    return False


# ---- writing ------------------------------------------------------------------------------


def _num(x: float) -> float | int:
    """Whole numbers as integers, so a written plan reads like a hand-written one."""
    return int(x) if float(x).is_integer() else x


def plan_to_dict(plan: Plan) -> dict[str, Any]:
    """The JSON object of a plan; `parse_plan_json(json.dumps(plan_to_dict(p))) == p`
    for plans whose task ids are 1..n in order or were read from a file."""
    key_of = {t.task.id: t.key for t in plan.tasks}
    preds: dict[int, list[dict[str, Any]]] = {}
    for link in plan.links:
        preds.setdefault(link.successor_id, []).append(
            {"id": key_of[link.predecessor_id], "type": str(link.type), "lag": _num(link.lag_days)}
        )
    cal = plan.calendar
    out: dict[str, Any] = {
        "name": plan.name,
        "start": plan.start.isoformat(),
        "calendar": {
            "weekdays": sorted(cal.weekdays),
            "hours_per_day": _num(cal.minutes_per_day / 60),
            "holidays": sorted(d.isoformat() for d in cal.holidays),
            "working_days": sorted(d.isoformat() for d in cal.working_days),
            "hours": format_hours(cal.periods),
        },
    }
    if plan.status_date is not None:
        out["status_date"] = iso_moment(plan.status_date)
    if plan.calendars:
        out["calendars"] = [_calendar_dict(c) for c in plan.calendars]
    if plan.calendar_id is not None:
        out["project_calendar"] = plan.calendar_id
    resources: list[dict[str, Any]] = []
    for r in plan.resources:
        res: dict[str, Any] = {"id": r.id, "name": r.name, "capacity": _num(r.capacity)}
        if r.calendar_id is not None:
            res["calendar"] = r.calendar_id
        resources.append(res)
    out["resources"] = resources
    tasks: list[dict[str, Any]] = []
    for pt in plan.tasks:
        t = pt.task
        item: dict[str, Any] = {"id": pt.key, "name": pt.name, "duration": _num(t.duration_days)}
        if pt.optimistic is not None:
            item["optimistic"] = _num(pt.optimistic)
        if pt.most_likely is not None:
            item["most_likely"] = _num(pt.most_likely)
        if pt.pessimistic is not None:
            item["pessimistic"] = _num(pt.pessimistic)
        if t.parent_id is not None:
            item["parent"] = key_of[t.parent_id]
        if t.constraint != ConstraintType.ASAP:
            item["constraint"] = str(t.constraint)
        if t.constraint_date is not None:
            item["constraint_date"] = iso_moment(t.constraint_date)
        if t.deadline is not None:
            item["deadline"] = iso_moment(t.deadline)
        if t.percent_complete:
            item["percent_complete"] = _num(t.percent_complete)
        if t.actual_start is not None:
            item["actual_start"] = iso_moment(t.actual_start)
        if t.actual_finish is not None:
            item["actual_finish"] = iso_moment(t.actual_finish)
        if pt.calendar_id is not None:
            item["calendar"] = pt.calendar_id
        if pt.baselines:
            item["baselines"] = [_baseline_dict(b) for b in pt.baselines]
        if pt.priority:
            item["priority"] = pt.priority
        if pt.demands:
            item["demands"] = {rid: _num(units) for rid, units in pt.demands}
        if pt.distribution is not None:
            item["distribution"] = str(pt.distribution)
        if pt.cost is not None:
            item["cost"] = _estimate_json(pt.cost)
        if pt.actual_cost is not None:
            item["actual_cost"] = _num(pt.actual_cost)
        if t.id in preds:
            item["predecessors"] = preds[t.id]
        tasks.append(item)
    out["tasks"] = tasks
    if plan.risks:
        out["risks"] = [_risk_dict(plan, r) for r in plan.risks]
    return out


def _estimate_json(e: Estimate) -> float | int | dict[str, Any]:
    if e.optimistic == e.pessimistic:
        return _num(e.most_likely)
    out: dict[str, Any] = {
        "optimistic": _num(e.optimistic),
        "most_likely": _num(e.most_likely),
        "pessimistic": _num(e.pessimistic),
    }
    if e.distribution != Distribution.PERT:
        out["distribution"] = str(e.distribution)
    return out


def _risk_dict(plan: Plan, r: RiskEvent) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": r.id,
        "name": r.name,
        "probability": _num(r.probability),
        "tasks": [plan.key_of(t) for t in r.task_ids],
        "delay": _estimate_json(r.delay),
    }
    if r.cost is not None:
        out["cost"] = _estimate_json(r.cost)
    return out


def _calendar_dict(c: CalendarSpec) -> dict[str, Any]:
    out: dict[str, Any] = {"id": c.id, "name": c.name}
    if c.base_id is not None:
        out["base"] = c.base_id
    if c.week:
        out["week"] = [None if p is None else format_hours(p) for p in c.week]
    if c.exceptions:
        out["exceptions"] = [
            {
                "start": e.start.isoformat(),
                "finish": e.finish.isoformat(),
                "hours": format_hours(e.periods),
                "name": e.name,
            }
            for e in c.exceptions
        ]
    return out


def _baseline_dict(b: Baseline) -> dict[str, Any]:
    out: dict[str, Any] = {"number": b.number}
    if b.start is not None:
        out["start"] = iso_moment(b.start)
    if b.finish is not None:
        out["finish"] = iso_moment(b.finish)
    if b.duration_days is not None:
        out["duration"] = _num(b.duration_days)
    if b.cost is not None:
        out["cost"] = _num(b.cost)
    return out


def _as_datetime(d: date | None) -> datetime | None:
    if d is None or isinstance(d, datetime):
        return d
    return datetime.combine(d, datetime.min.time())


def dump_plan_json(plan: Plan) -> str:
    """The plan as indented JSON text."""
    return json.dumps(plan_to_dict(plan), indent=2, ensure_ascii=False) + "\n"
