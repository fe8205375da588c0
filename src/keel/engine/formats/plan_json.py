"""Plan JSON: Keel's own plan file (described in docs/plan-json.md), read and written.

A plan is parsed into a `Plan`: engine records (`TaskIn`, `LinkIn`, a `WorkCalendar`) plus
what the engine does not schedule (names, three-point estimates, resource demands). Task
ids in the file may be strings or integers; they are kept as written (`PlanTask.key`) and
the engine gets the integers 1..n in file order. Every problem is a `PlanFormatError` whose
message names the task or the line; the messages are the constants below.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any

from ..calendars import WorkCalendar
from ..errors import DomainError
from ..graph import find_cycle
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

_WHERE_PLAN = "plan"


class PlanFormatError(DomainError):
    """A plan file that cannot be read; `line` is set when the problem has one."""

    code = "bad_plan_file"

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


@dataclass(frozen=True)
class Resource:
    """A renewable resource: `capacity` units available on every working day."""

    id: str
    name: str
    capacity: float


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

    @cached_property
    def _keys(self) -> dict[int, str]:
        return {t.task.id: t.key for t in self.tasks}

    def key_of(self, task_id: int) -> str:
        """The file's id of the task the engine knows as `task_id`."""
        return self._keys.get(task_id, str(task_id))


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
    return json.dumps(key, ensure_ascii=False)


class _Reader:
    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw

    def plan(self) -> Plan:
        raw = self.raw
        name = self._str(raw, "name", _WHERE_PLAN)
        start = self._date(raw, "start", _WHERE_PLAN, required=True)
        assert start is not None  # required above
        status_date = self._date(raw, "status_date", _WHERE_PLAN)
        calendar = self._calendar(raw.get("calendar"))
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
        cycle = find_cycle(ids, edges)
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
        minutes = 480 if hours is None else round(hours * 60)
        try:
            return WorkCalendar(
                weekdays=frozenset(weekdays),
                minutes_per_day=minutes,
                holidays=self._dates(spec, "holidays"),
                working_days=self._dates(spec, "working_days"),
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
                Resource(id=rid, name=self._str(item, "name", where, rid), capacity=capacity)
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
        estimates = [
            self._number(item, f, where) for f in ("optimistic", "most_likely", "pessimistic")
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
        constraint_date = self._date(item, "constraint_date", where)
        if constraint_date is None and constraint not in (ConstraintType.ASAP, ConstraintType.ALAP):
            raise PlanFormatError(
                MISSING_CONSTRAINT_DATE.format(task=_q(key), value=_q(str(constraint)))
            )
        percent = self._number(item, "percent_complete", where) or 0.0
        if not 0 <= percent <= 100:
            raise PlanFormatError(BAD_PERCENT.format(task=_q(key)))
        priority = self._number(item, "priority", where) or 0
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
            try:
                link_type = LinkType(str(kind).upper())
            except ValueError:
                raise PlanFormatError(BAD_LINK_TYPE.format(task=_q(key), value=_q(kind))) from None
            lag = self._number(p, "lag", where) or 0.0
            preds.append((pkey, LinkIn(ids[pkey], tid, link_type, lag)))
        parent = self._parent(item, ids)
        task = TaskIn(
            id=tid,
            duration_days=duration,
            parent_id=parent,
            constraint=constraint,
            constraint_date=constraint_date,
            deadline=self._date(item, "deadline", where),
            percent_complete=percent,
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
        )
        return plan_task, preds

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
        },
    }
    if plan.status_date is not None:
        out["status_date"] = plan.status_date.isoformat()
    out["resources"] = [
        {"id": r.id, "name": r.name, "capacity": _num(r.capacity)} for r in plan.resources
    ]
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
            item["constraint_date"] = t.constraint_date.isoformat()
        if t.deadline is not None:
            item["deadline"] = t.deadline.isoformat()
        if t.percent_complete:
            item["percent_complete"] = _num(t.percent_complete)
        if pt.priority:
            item["priority"] = pt.priority
        if pt.demands:
            item["demands"] = {rid: _num(units) for rid, units in pt.demands}
        if t.id in preds:
            item["predecessors"] = preds[t.id]
        tasks.append(item)
    out["tasks"] = tasks
    return out


def dump_plan_json(plan: Plan) -> str:
    """The plan as indented JSON text."""
    return json.dumps(plan_to_dict(plan), indent=2, ensure_ascii=False) + "\n"
