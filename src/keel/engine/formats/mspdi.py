"""MS Project XML (MSPDI) read into a `Plan` and written from one.

Reading keeps what Keel can use or carry: tasks with their outline (the outline levels in
file order give each task its parent), durations, links with type and lag, constraints,
deadlines, progress (percent complete, actual start and finish), baselines, task
calendars, calendars with their weekday hours and exceptions (recurring exceptions are
expanded into dated ones), resources and assignments. Task ids are the file's task UIDs
(`PlanTask.key` is the UID as text and the engine id is the UID itself); resource and
calendar ids are their UIDs as text. The project summary task (outline level 0) and blank
rows are dropped. Seconds in durations are rounded to the minute.

Times stay exact to the minute: durations and lags in working minutes become working days
of the plan calendar's length, and constraint, deadline, actual and status dates are kept
as date-times (the engine reads a `datetime` to the minute). The engine calendar is the
project calendar through `engine_calendar` (one set of working hours for all working days);
task and resource calendars are carried, not scheduled. docs/scheduling.md ("MS Project
files") lists what this changes against MS Project's own dates.

Writing produces the elements MS Project needs (the 2007 schema's order): the project's
name, start, minutes per day and calendar, the calendars (weekday hours, exceptions both as
2003-style dated weekdays and as 2007-style exceptions), tasks with UID, ID, name, outline
level and number, start and finish (computed by the engine), duration, progress,
constraints and links, baselines, resources and assignments. Every problem with a file is a
`MspdiFormatError` naming the line or the task UID.
"""

from __future__ import annotations

import calendar as _calendar
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any

from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type stubs

from ..errors import DomainError
from ..graph import find_cycle
from ..types import ConstraintType, LinkIn, LinkType, ScheduleResult, TaskIn
from .plan_json import (
    STANDARD_DAY,
    Baseline,
    CalendarException,
    CalendarSpec,
    Periods,
    Plan,
    PlanFormatError,
    PlanTask,
    Resource,
    engine_calendar,
    resolve_week,
)

NS = "http://schemas.microsoft.com/project"

NOT_XML = "line {line}: not valid XML ({reason})."
NOT_MSPDI = "line {line}: the root element is <{tag}>, not an MS Project <Project> ({ns})."
BAD_VALUE = "line {line}: <{tag}> is {value!r}, not {expected}."
DUPLICATE_UID = "line {line}: task UID {uid} appears more than once."
MISSING_UID = "line {line}: a <{tag}> has no <UID>."
UNKNOWN_PREDECESSOR = "task UID {uid}: predecessor UID {pred} is not in the file."
DEPENDENCY_LOOP = "dependency loop between task UIDs {path}."
MISSING_CONSTRAINT_DATE = "task UID {uid}: constraint type {code} needs a <ConstraintDate>."
BAD_CONSTRAINT = "task UID {uid}: <ConstraintType> {code} is not one of 0..7."
BAD_LINK_TYPE = "task UID {uid}: link from UID {pred} has <Type> {code}, not one of 0..3."
BAD_HOURS = "line {line}: working times overlap or run backwards."

# MSPDI codes.
_LINK_TYPES = {0: LinkType.FF, 1: LinkType.FS, 2: LinkType.SF, 3: LinkType.SS}
_LINK_CODES = {v: k for k, v in _LINK_TYPES.items()}
_CONSTRAINTS = (
    ConstraintType.ASAP,
    ConstraintType.ALAP,
    ConstraintType.MSO,
    ConstraintType.MFO,
    ConstraintType.SNET,
    ConstraintType.SNLT,
    ConstraintType.FNET,
    ConstraintType.FNLT,
)
_CONSTRAINT_CODES = {c: i for i, c in enumerate(_CONSTRAINTS)}
_ELAPSED_LAG = frozenset({4, 6, 8, 10, 12, 36, 38, 40, 42, 44})
_PERCENT_LAG = frozenset({19, 20, 51, 52})
_FORMAT_DAYS = 7
_NO_CALENDAR = -1
_UNASSIGNED = -65535
_WORKWEEK_LIMIT_DAYS = 366 * 30  # alternative work weeks are expanded this far at most

_DURATION = re.compile(
    r"^(-)?P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?"
    r"(?:(\d+(?:\.\d+)?)S)?)?$"
)


class MspdiFormatError(PlanFormatError):
    """An MS Project XML file that cannot be read."""

    code = "bad_mspdi_file"


def looks_like_mspdi(text: str) -> bool:
    """XML whose text mentions the MS Project namespace or starts a <Project>."""
    head = text.lstrip()[:2000]
    return head.startswith("<") and (NS in head or "<Project" in head)


# ---- reading ------------------------------------------------------------------------------


class _Doc:
    """Namespace-aware element access with values parsed and errors naming the line."""

    def __init__(self, ns: str) -> None:
        self.p = f"{{{ns}}}" if ns else ""

    def all(self, el: Any, path: str) -> list[Any]:
        return list(el.findall("/".join(self.p + part for part in path.split("/"))))

    def one(self, el: Any, tag: str) -> Any:
        return el.find(self.p + tag)

    def text(self, el: Any, tag: str) -> str | None:
        child = el.find(self.p + tag)
        if child is None or child.text is None or not child.text.strip():
            return None
        return str(child.text).strip()

    def _bad(self, el: Any, tag: str, value: str, expected: str) -> MspdiFormatError:
        line = el.find(self.p + tag).sourceline
        return MspdiFormatError(
            BAD_VALUE.format(line=line, tag=tag, value=value, expected=expected), line
        )

    def integer(self, el: Any, tag: str, default: int | None = None) -> int | None:
        value = self.text(el, tag)
        if value is None:
            return default
        try:
            return int(value)
        except ValueError:
            raise self._bad(el, tag, value, "a whole number") from None

    def number(self, el: Any, tag: str, default: float | None = None) -> float | None:
        value = self.text(el, tag)
        if value is None:
            return default
        try:
            return float(value)
        except ValueError:
            raise self._bad(el, tag, value, "a number") from None

    def flag(self, el: Any, tag: str) -> bool:
        value = self.text(el, tag)
        return value is not None and value.lower() in ("1", "true")

    def moment(self, el: Any, tag: str) -> datetime | None:
        value = self.text(el, tag)
        if value is None:
            return None
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise self._bad(el, tag, value, "a date-time (YYYY-MM-DDTHH:MM:SS)") from None
        return moment.replace(tzinfo=None, second=0, microsecond=0)

    def minutes(self, el: Any, tag: str) -> int | None:
        """An ISO 8601 duration (PT8H0M0S) in whole minutes."""
        value = self.text(el, tag)
        if value is None:
            return None
        m = _DURATION.match(value)
        if m is None:
            raise self._bad(el, tag, value, "a duration (PT8H0M0S)")
        days, hours, mins, secs = (float(g) if g else 0.0 for g in m.groups()[1:])
        total = round(days * 1440 + hours * 60 + mins + secs / 60)
        return -total if m.group(1) else total

    def clock(self, el: Any, tag: str) -> int | None:
        """A time of day (08:00:00) as a minute of the day; 00:00 as an end is 1440."""
        value = self.text(el, tag)
        if value is None:
            return None
        try:
            t = time.fromisoformat(value)
        except ValueError:
            raise self._bad(el, tag, value, "a time (HH:MM:SS)") from None
        return t.hour * 60 + t.minute


def _root(text: str | bytes) -> tuple[Any, _Doc]:
    data = text.encode("utf-8") if isinstance(text, str) else text
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        encoding="utf-8" if isinstance(text, str) else None,
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        line = exc.lineno or 1
        raise MspdiFormatError(NOT_XML.format(line=line, reason=exc.msg), line) from None
    tag = etree.QName(root)
    if tag.localname != "Project" or tag.namespace not in (NS, None):
        raise MspdiFormatError(
            NOT_MSPDI.format(line=root.sourceline, tag=tag.localname, ns=NS), root.sourceline
        )
    return root, _Doc(tag.namespace or "")


def parse_mspdi(text: str | bytes, *, name: str = "") -> Plan:
    """Read MS Project XML. `name` is used when the file names no project."""
    root, doc = _root(text)
    calendars = tuple(_read_calendar(doc, c) for c in doc.all(root, "Calendars/Calendar"))
    cal_ids = {c.id for c in calendars}
    calendars = tuple(  # a base the file does not hold (MS Project's -65533) is none
        c if c.base_id is None or c.base_id in cal_ids else replace(c, base_id=None)
        for c in calendars
    )
    project_cal = doc.integer(root, "CalendarUID")
    calendar_id: str | None = str(project_cal) if str(project_cal) in cal_ids else None
    if calendar_id is None:
        calendar_id = next((c.id for c in calendars if c.base_id is None), None)
    try:
        cal = engine_calendar(calendars, calendar_id)
    except DomainError as exc:
        raise MspdiFormatError(f"project calendar {calendar_id}: {exc}") from None
    mpd = cal.minutes_per_day
    start_moment = doc.moment(root, "StartDate")

    rows: list[_TaskRow] = []
    seen: set[int] = set()
    summary_name: str | None = None
    for el in doc.all(root, "Tasks/Task"):
        if doc.flag(el, "IsNull"):
            continue
        uid = doc.integer(el, "UID")
        if uid is None:
            raise MspdiFormatError(MISSING_UID.format(line=el.sourceline, tag="Task"))
        level = doc.integer(el, "OutlineLevel")
        if level is None:
            number = doc.text(el, "OutlineNumber")
            level = number.count(".") + 1 if number else 1
        if level <= 0:
            summary_name = doc.text(el, "Name")
            continue
        if uid in seen:
            raise MspdiFormatError(DUPLICATE_UID.format(line=el.sourceline, uid=uid))
        seen.add(uid)
        rows.append(_TaskRow(uid, level, el))
    if start_moment is None:
        starts = [m for r in rows if (m := doc.moment(r.el, "Start")) is not None]
        # Plans are wall-clock times on the plan's calendar: naive by design.
        start_moment = min(starts, default=datetime(2000, 1, 3))  # noqa: DTZ001

    # Outline levels in file order give the parents.
    parent_of: dict[int, int | None] = {}
    stack: list[tuple[int, int]] = []
    for row in rows:
        while stack and stack[-1][0] >= row.level:
            stack.pop()
        parent_of[row.uid] = stack[-1][1] if stack else None
        stack.append((row.level, row.uid))

    durations = {r.uid: doc.minutes(r.el, "Duration") or 0 for r in rows}
    tasks: list[PlanTask] = []
    links: list[LinkIn] = []
    for row in rows:
        tasks.append(_read_task(doc, row, parent_of[row.uid], durations[row.uid], mpd, cal_ids))
        links.extend(_read_links(doc, row, durations, mpd, seen))
    cycle = find_cycle(seen, [(link.predecessor_id, link.successor_id) for link in links])
    if cycle is not None:
        raise MspdiFormatError(DEPENDENCY_LOOP.format(path=" -> ".join(map(str, cycle))))

    resources, demands = _read_resources(doc, root, seen, cal_ids)
    tasks = [
        _with_demands(pt, demands[pt.task.id]) if pt.task.id in demands else pt for pt in tasks
    ]
    return Plan(
        name=doc.text(root, "Name") or doc.text(root, "Title") or summary_name or name,
        start=start_moment.date(),
        calendar=cal,
        tasks=tuple(tasks),
        links=tuple(links),
        resources=tuple(resources),
        status_date=doc.moment(root, "StatusDate"),
        calendars=calendars,
        calendar_id=calendar_id,
    )


@dataclass(frozen=True)
class _TaskRow:
    uid: int
    level: int
    el: Any


def _with_demands(pt: PlanTask, demands: list[tuple[str, float]]) -> PlanTask:
    return replace(pt, demands=tuple(demands))


def _read_task(
    doc: _Doc, row: _TaskRow, parent: int | None, minutes: int, mpd: int, cal_ids: set[str]
) -> PlanTask:
    el, uid = row.el, row.uid
    code = doc.integer(el, "ConstraintType", 0)
    assert code is not None  # defaulted
    if not 0 <= code < len(_CONSTRAINTS):
        raise MspdiFormatError(BAD_CONSTRAINT.format(uid=uid, code=code))
    constraint = _CONSTRAINTS[code]
    constraint_date = doc.moment(el, "ConstraintDate")
    if constraint in (ConstraintType.ASAP, ConstraintType.ALAP):
        constraint_date = None
    elif constraint_date is None:
        raise MspdiFormatError(MISSING_CONSTRAINT_DATE.format(uid=uid, code=code))
    percent = doc.number(el, "PercentComplete", 0.0) or 0.0
    task_cal = doc.integer(el, "CalendarUID", _NO_CALENDAR)
    baselines: list[Baseline] = []
    for b in doc.all(el, "Baseline"):
        b_minutes = doc.minutes(b, "Duration")
        baselines.append(
            Baseline(
                number=doc.integer(b, "Number", 0) or 0,
                start=doc.moment(b, "Start"),
                finish=doc.moment(b, "Finish"),
                duration_days=None if b_minutes is None else b_minutes / mpd,
                cost=_money(doc.number(b, "Cost")),
            )
        )
    task = TaskIn(
        id=uid,
        duration_days=max(0, minutes) / mpd,
        parent_id=parent,
        constraint=constraint,
        constraint_date=constraint_date,
        deadline=doc.moment(el, "Deadline"),
        percent_complete=min(100.0, max(0.0, percent)),
        actual_start=doc.moment(el, "ActualStart"),
        actual_finish=doc.moment(el, "ActualFinish"),
    )
    return PlanTask(
        key=str(uid),
        name=doc.text(el, "Name") or "",
        task=task,
        priority=doc.integer(el, "Priority", 0) or 0,
        calendar_id=str(task_cal) if str(task_cal) in cal_ids else None,
        baselines=tuple(baselines),
        actual_cost=_money(doc.number(el, "ActualCost")),
    )


def _read_links(
    doc: _Doc, row: _TaskRow, durations: dict[int, int], mpd: int, uids: set[int]
) -> Iterator[LinkIn]:
    for pl in doc.all(row.el, "PredecessorLink"):
        if doc.flag(pl, "CrossProject"):
            continue
        pred = doc.integer(pl, "PredecessorUID")
        if pred is None:
            raise MspdiFormatError(MISSING_UID.format(line=pl.sourceline, tag="PredecessorLink"))
        if pred not in uids:
            raise MspdiFormatError(UNKNOWN_PREDECESSOR.format(uid=row.uid, pred=pred))
        code = doc.integer(pl, "Type", 1)
        if code not in _LINK_TYPES:
            raise MspdiFormatError(BAD_LINK_TYPE.format(uid=row.uid, pred=pred, code=code))
        lag = (doc.number(pl, "LinkLag", 0.0) or 0.0) / 10  # tenths of minutes
        fmt = doc.integer(pl, "LagFormat", _FORMAT_DAYS)
        if fmt in _PERCENT_LAG:
            lag = lag / 100 * durations.get(pred, 0)  # tenths of a percent of the predecessor
        elif fmt in _ELAPSED_LAG:
            lag = lag / 1440 * mpd  # elapsed days counted as working days (approximation)
        yield LinkIn(pred, row.uid, _LINK_TYPES[code], round(lag) / mpd)


def _read_resources(
    doc: _Doc, root: Any, task_uids: set[int], cal_ids: set[str]
) -> tuple[list[Resource], dict[int, list[tuple[str, float]]]]:
    resources: list[Resource] = []
    for el in doc.all(root, "Resources/Resource"):
        uid = doc.integer(el, "UID")
        name = doc.text(el, "Name")
        if uid is None or doc.flag(el, "IsNull") or (uid == 0 and name is None):
            continue  # blank rows and MS Project's unnamed placeholder
        cal = doc.integer(el, "CalendarUID", _NO_CALENDAR)
        resources.append(
            Resource(
                id=str(uid),
                name=name or str(uid),
                capacity=max(0.0, doc.number(el, "MaxUnits", 1.0) or 0.0),
                calendar_id=str(cal) if str(cal) in cal_ids else None,
            )
        )
    res_ids = {r.id for r in resources}
    demands: dict[int, list[tuple[str, float]]] = {}
    for el in doc.all(root, "Assignments/Assignment"):
        tid = doc.integer(el, "TaskUID")
        rid = doc.integer(el, "ResourceUID", _UNASSIGNED)
        if tid not in task_uids or str(rid) not in res_ids:
            continue  # the project summary, or MS Project's "unassigned" resource
        assert tid is not None  # in task_uids
        units = max(0.0, doc.number(el, "Units", 1.0) or 0.0)
        have = demands.setdefault(tid, [])
        if all(r != str(rid) for r, _ in have):
            have.append((str(rid), units))
    return resources, demands


# ---- calendars ----------------------------------------------------------------------------


def _periods(doc: _Doc, el: Any) -> Periods:
    out: list[tuple[int, int]] = []
    for wt in doc.all(el, "WorkingTimes/WorkingTime"):
        lo, hi = doc.clock(wt, "FromTime"), doc.clock(wt, "ToTime")
        if lo is None or hi is None:
            continue
        out.append((lo, 1440 if hi == 0 else hi))
    out.sort()
    previous = 0
    for lo, hi in out:
        if not previous <= lo < hi:
            raise MspdiFormatError(BAD_HOURS.format(line=el.sourceline), el.sourceline)
        previous = hi
    return tuple(out)


def _day_periods(doc: _Doc, el: Any) -> Periods:
    if not doc.flag(el, "DayWorking"):
        return ()
    return _periods(doc, el) or STANDARD_DAY


def _weekday(day_type: int) -> int:
    """MSPDI DayType 1 = Sunday .. 7 = Saturday, as Monday = 0."""
    return (day_type - 2) % 7


def _span(doc: _Doc, el: Any) -> tuple[date, date] | None:
    tp = doc.one(el, "TimePeriod")
    if tp is None:
        return None
    lo, hi = doc.moment(tp, "FromDate"), doc.moment(tp, "ToDate")
    if lo is None or hi is None:
        return None
    return lo.date(), max(lo.date(), hi.date())


def _read_calendar(doc: _Doc, el: Any) -> CalendarSpec:
    uid = doc.integer(el, "UID")
    if uid is None:
        raise MspdiFormatError(MISSING_UID.format(line=el.sourceline, tag="Calendar"))
    week: list[Periods | None] = [None] * 7
    dated: list[CalendarException] = []
    for wd in doc.all(el, "WeekDays/WeekDay"):
        day_type = doc.integer(wd, "DayType", 0) or 0
        if 1 <= day_type <= 7:
            week[_weekday(day_type)] = _day_periods(doc, wd)
        elif day_type == 0 and (span := _span(doc, wd)) is not None:
            dated.append(CalendarException(span[0], span[1], _day_periods(doc, wd)))
    exceptions = doc.all(el, "Exceptions/Exception")
    if exceptions:  # 2007+: these are the truth; the dated weekdays repeat them for 2003
        dated = [x for exc in exceptions for x in _expand_exception(doc, exc)]
    base = doc.integer(el, "BaseCalendarUID", _NO_CALENDAR)
    is_base = doc.flag(el, "IsBaseCalendar") or base in (None, _NO_CALENDAR)
    spec = CalendarSpec(
        id=str(uid),
        name=doc.text(el, "Name") or "",
        week=tuple(week) if any(w is not None for w in week) else (),
        exceptions=(),
        base_id=None if is_base else str(base),
    )
    dated.extend(_work_weeks(doc, el, spec))
    dated.sort(key=lambda e: (e.start, e.finish))
    return CalendarSpec(
        id=spec.id, name=spec.name, week=spec.week, exceptions=tuple(dated), base_id=spec.base_id
    )


def _expand_exception(doc: _Doc, el: Any) -> list[CalendarException]:
    """A 2007+ <Exception>, recurring or not, as dated exceptions (its range bounds it)."""
    span = _span(doc, el)
    if span is None:
        return []
    lo, hi = span
    periods = _day_periods(doc, el)
    name = doc.text(el, "Name") or ""
    kind = doc.integer(el, "Type", 1)
    period = max(1, doc.integer(el, "Period", 1) or 1)
    if kind == 1:  # every day of the range
        return [CalendarException(lo, hi, periods, name)]
    days: list[date] = []
    d = lo
    while d <= hi:
        if _occurs(doc, el, kind, period, lo, d):
            days.append(d)
        d += timedelta(days=1)
    return [CalendarException(x, x, periods, name) for x in days]


def _occurs(doc: _Doc, el: Any, kind: int | None, period: int, lo: date, d: date) -> bool:
    months = (d.year - lo.year) * 12 + d.month - lo.month
    if kind == 7:  # every `period` days
        return (d - lo).days % period == 0
    if kind == 6:  # weekly: DaysOfWeek bits, 1 = Sunday .. 64 = Saturday
        mask = doc.integer(el, "DaysOfWeek", 0) or 0
        week_start = lo - timedelta(days=(lo.weekday() + 1) % 7)  # weeks start on Sunday
        on_day = bool(mask & (1 << ((d.weekday() + 1) % 7)))
        return on_day and ((d - week_start).days // 7) % period == 0
    if kind in (4, 2):  # monthly / yearly on a day of the month
        day = doc.integer(el, "MonthDay", 1) or 1
        if kind == 2 and d.month - 1 != (doc.integer(el, "Month", 0) or 0):
            return False
        last = _calendar.monthrange(d.year, d.month)[1]
        return d.day == min(day, last) and (kind == 2 or months % period == 0)
    if kind in (5, 3):  # monthly / yearly on the nth weekday of the month
        if kind == 3 and d.month - 1 != (doc.integer(el, "Month", 0) or 0):
            return False
        if kind == 5 and months % period != 0:
            return False
        item = doc.integer(el, "MonthItem", 3) or 3  # 3 = Sunday .. 9 = Saturday
        position = doc.integer(el, "MonthPosition", 0) or 0  # 0..3 = first..fourth, 4 = last
        if _weekday(item - 2) != d.weekday():
            return False
        if position >= 4:
            return d.day + 7 > _calendar.monthrange(d.year, d.month)[1]
        return (d.day - 1) // 7 == position
    return False


def _work_weeks(doc: _Doc, el: Any, spec: CalendarSpec) -> list[CalendarException]:
    """Alternative work weeks (2007+) as dated exceptions on the days they change."""
    out: list[CalendarException] = []
    default = resolve_week((spec,), spec.id)
    for ww in doc.all(el, "WorkWeeks/WorkWeek"):
        span = _span(doc, ww)
        if span is None:
            continue
        week: dict[int, Periods] = {}
        for wd in doc.all(ww, "WeekDays/WeekDay"):
            day_type = doc.integer(wd, "DayType", 0) or 0
            if 1 <= day_type <= 7:
                week[_weekday(day_type)] = _day_periods(doc, wd)
        d, hi = span[0], min(span[1], span[0] + timedelta(days=_WORKWEEK_LIMIT_DAYS))
        while d <= hi:
            p = week.get(d.weekday())
            if p is not None and p != default[d.weekday()]:
                out.append(CalendarException(d, d, p, doc.text(ww, "Name") or ""))
            d += timedelta(days=1)
    return out


def stored_dates(text: str | bytes) -> dict[int, tuple[datetime, datetime]]:
    """The Start and Finish MS Project stored for each task (by UID), project summary and
    blank rows left out."""
    root, doc = _root(text)
    out: dict[int, tuple[datetime, datetime]] = {}
    for el in doc.all(root, "Tasks/Task"):
        uid = doc.integer(el, "UID")
        level = doc.integer(el, "OutlineLevel", 1)
        start, finish = doc.moment(el, "Start"), doc.moment(el, "Finish")
        if uid is None or doc.flag(el, "IsNull") or (level or 0) <= 0:
            continue
        if start is not None and finish is not None:
            out[uid] = (start, finish)
    return out


def task_moments(plan: Plan, result: ScheduleResult) -> dict[int, tuple[datetime, datetime]]:
    """Early start and finish of every task as date-times on the plan calendar's hours. A
    start is the beginning of its first working minute, a finish the end of its last one
    (17:00, not 08:00 the next day); a milestone is the end of the working minute before
    it when that is on its day (12:00 rather than 13:00 after a morning's work, 17:00 the
    day before when a finish drove it there), else the beginning of its minute."""
    cal, origin = plan.calendar, plan.start
    one = timedelta(minutes=1)

    def begin(m: int) -> datetime:
        return cal.from_offset(origin, m)

    def end(m: int) -> datetime:
        return cal.from_offset(origin, m - 1) + one

    out: dict[int, tuple[datetime, datetime]] = {}
    for tid, o in result.tasks.items():
        m = o.early_start_minute
        if o.early_finish_minute == m:  # a moment: the end of a minute if on its day
            point = end(m) if end(m).date() == o.early_start else begin(m)
            out[tid] = (point, point)
            continue
        s = begin(m)
        if s.date() != o.early_start:
            s = end(m)
        out[tid] = (s, end(o.early_finish_minute))
    return out


# ---- writing ------------------------------------------------------------------------------


def _ids(keys: list[str], fallback: list[int]) -> dict[str, int]:
    """Keys that are distinct positive integers keep their value; otherwise `fallback`."""
    if all(k.isdigit() and int(k) > 0 for k in keys) and len({int(k) for k in keys}) == len(keys):
        return {k: int(k) for k in keys}
    return dict(zip(keys, fallback, strict=True))


def _duration(minutes: float) -> str:
    m = round(minutes)
    sign = "-" if m < 0 else ""
    return f"{sign}PT{abs(m) // 60}H{abs(m) % 60}M0S"


def _stamp(d: datetime) -> str:
    return d.strftime("%Y-%m-%dT%H:%M:%S")


def dump_mspdi(plan: Plan) -> str:
    """The plan as MS Project XML (UTF-8 text). Dates are computed by the engine."""
    from ..scheduling import schedule  # here: scheduling does not need the formats

    cal = plan.calendar
    mpd = cal.minutes_per_day
    first, last = cal.periods[0][0], cal.periods[-1][1]

    def at(d: date | None, end: bool) -> str | None:
        if d is None:
            return None
        if isinstance(d, datetime):
            return _stamp(d)
        minute = last if end else first
        return _stamp(datetime.combine(d, time()) + timedelta(minutes=minute))

    moments: dict[int, tuple[datetime, datetime]] = {}
    try:
        result = schedule(
            project_start=plan.start,
            calendar=cal,
            tasks=[t.task for t in plan.tasks],
            links=plan.links,
            status_date=plan.status_date,
        )
        moments = task_moments(plan, result)
    except DomainError:
        pass  # dates are optional in MSPDI; MS Project computes its own

    # Calendars: the named ones, or one "Standard" made from the engine calendar.
    specs = plan.calendars or (_spec_from_calendar(plan),)
    cal_uid = _ids([c.id for c in specs], list(range(1, len(specs) + 1)))
    project_cal = plan.calendar_id if plan.calendar_id in cal_uid else specs[0].id
    task_uid = _ids([t.key for t in plan.tasks], list(range(1, len(plan.tasks) + 1)))
    uid_of = {t.task.id: task_uid[t.key] for t in plan.tasks}
    res_uid = _ids([r.id for r in plan.resources], list(range(1, len(plan.resources) + 1)))

    root = etree.Element(f"{{{NS}}}Project", nsmap={None: NS})

    def sub(parent: Any, tag: str, value: object = None) -> Any:
        el = etree.SubElement(parent, f"{{{NS}}}{tag}")
        if value is not None:
            el.text = str(value)
        return el

    sub(root, "SaveVersion", 14)
    sub(root, "Name", plan.name)
    sub(root, "ScheduleFromStart", 1)
    sub(root, "StartDate", at(plan.start, False))
    sub(root, "CurrencyCode", "USD")
    sub(root, "CalendarUID", cal_uid[project_cal])
    sub(root, "DefaultStartTime", f"{first // 60:02d}:{first % 60:02d}:00")
    sub(root, "DefaultFinishTime", f"{last // 60 % 24:02d}:{last % 60:02d}:00")
    sub(root, "MinutesPerDay", mpd)
    sub(root, "MinutesPerWeek", mpd * len(cal.weekdays))
    sub(root, "DaysPerMonth", 20)
    sub(root, "DefaultTaskType", 1)
    if plan.status_date is not None:
        sub(root, "StatusDate", at(plan.status_date, True))

    cals = sub(root, "Calendars")
    for spec in specs:
        _write_calendar(sub, cals, spec, cal_uid)

    children: dict[int | None, list[PlanTask]] = {}
    for pt in plan.tasks:
        children.setdefault(pt.task.parent_id, []).append(pt)
    outline: dict[int, tuple[int, str]] = {}
    pending: list[tuple[int | None, int, str]] = [(None, 0, "")]
    while pending:
        parent, depth, prefix = pending.pop()
        for i, pt in enumerate(children.get(parent, []), start=1):
            number = f"{prefix}{i}"
            outline[pt.task.id] = (depth + 1, number)
            pending.append((pt.task.id, depth + 1, number + "."))
    preds: dict[int, list[LinkIn]] = {}
    for link in plan.links:
        preds.setdefault(link.successor_id, []).append(link)

    tasks_el = sub(root, "Tasks")
    for position, pt in enumerate(plan.tasks, start=1):
        t = pt.task
        level, number = outline.get(t.id, (1, str(position)))
        is_summary = t.id in children
        el = sub(tasks_el, "Task")
        sub(el, "UID", uid_of[t.id])
        sub(el, "ID", position)
        sub(el, "Name", pt.name)
        sub(el, "Type", 1)  # fixed duration: assignments do not change the duration
        sub(el, "IsNull", 0)
        sub(el, "WBS", number)
        sub(el, "OutlineNumber", number)
        sub(el, "OutlineLevel", level)
        if pt.priority:
            sub(el, "Priority", pt.priority)
        if t.id in moments:
            sub(el, "Start", _stamp(moments[t.id][0]))
            sub(el, "Finish", _stamp(moments[t.id][1]))
        sub(el, "Duration", _duration(t.duration_days * mpd))
        sub(el, "DurationFormat", _FORMAT_DAYS)
        sub(el, "Milestone", int(t.duration_days == 0 and not is_summary))
        sub(el, "Summary", int(is_summary))
        sub(el, "PercentComplete", _num(t.percent_complete))
        sub(el, "ActualStart", at(t.actual_start, False))
        sub(el, "ActualFinish", at(t.actual_finish, True))
        if pt.actual_cost is not None:
            sub(el, "ActualCost", _num(round(pt.actual_cost * 100, 6)))
        sub(el, "ConstraintType", _CONSTRAINT_CODES[ConstraintType(t.constraint)])
        task_cal = cal_uid.get(pt.calendar_id) if pt.calendar_id is not None else None
        sub(el, "CalendarUID", _NO_CALENDAR if task_cal is None else task_cal)
        if t.constraint_date is not None:
            finish_type = t.constraint in (
                ConstraintType.FNET,
                ConstraintType.FNLT,
                ConstraintType.MFO,
            )
            sub(el, "ConstraintDate", at(t.constraint_date, finish_type))
        if t.deadline is not None:
            sub(el, "Deadline", at(t.deadline, True))
        for link in preds.get(t.id, []):
            pl = sub(el, "PredecessorLink")
            sub(pl, "PredecessorUID", uid_of[link.predecessor_id])
            sub(pl, "Type", _LINK_CODES[LinkType(link.type)])
            sub(pl, "CrossProject", 0)
            sub(pl, "LinkLag", round(link.lag_days * mpd) * 10)
            sub(pl, "LagFormat", _FORMAT_DAYS)
        for b in pt.baselines:
            bl = sub(el, "Baseline")
            sub(bl, "Number", b.number)
            if b.start is not None:
                sub(bl, "Start", _stamp(b.start))
            if b.finish is not None:
                sub(bl, "Finish", _stamp(b.finish))
            if b.duration_days is not None:
                sub(bl, "Duration", _duration(b.duration_days * mpd))
            if b.cost is not None:
                sub(bl, "Cost", _num(round(b.cost * 100, 6)))
    for el in tasks_el.iter(f"{{{NS}}}ActualStart", f"{{{NS}}}ActualFinish"):
        if el.text is None:
            el.getparent().remove(el)

    res_el = sub(root, "Resources")
    for position, r in enumerate(plan.resources, start=1):
        el = sub(res_el, "Resource")
        sub(el, "UID", res_uid[r.id])
        sub(el, "ID", position)
        sub(el, "Name", r.name)
        sub(el, "Type", 1)
        sub(el, "IsNull", 0)
        sub(el, "MaxUnits", _num(r.capacity))
        if r.calendar_id is not None and r.calendar_id in cal_uid:
            sub(el, "CalendarUID", cal_uid[r.calendar_id])

    asg_el = sub(root, "Assignments")
    n = 0
    for pt in plan.tasks:
        for rid, units in pt.demands:
            n += 1
            el = sub(asg_el, "Assignment")
            sub(el, "UID", n)
            sub(el, "TaskUID", uid_of[pt.task.id])
            sub(el, "ResourceUID", res_uid[rid])
            sub(el, "Units", _num(units))
    body: bytes = etree.tostring(
        root, xml_declaration=True, encoding="UTF-8", standalone=True, pretty_print=True
    )
    return body.decode("utf-8")


def _num(x: float) -> float | int:
    return int(x) if float(x).is_integer() else x


def _money(cents: float | None) -> float | None:
    """MSPDI currency values are hundredths (1000.50 is written 100050)."""
    return None if cents is None else cents / 100


def _spec_from_calendar(plan: Plan) -> CalendarSpec:
    cal = plan.calendar
    week = tuple(cal.periods if i in cal.weekdays else () for i in range(7))
    exceptions = [CalendarException(d, d, (), "Holiday") for d in sorted(cal.holidays)]
    exceptions += [
        CalendarException(d, d, cal.periods, "Working day")
        for d in sorted(cal.working_days - cal.holidays)
    ]
    exceptions.sort(key=lambda e: e.start)
    return CalendarSpec(id="1", name="Standard", week=week, exceptions=tuple(exceptions))


def _write_calendar(sub: Any, parent: Any, spec: CalendarSpec, uid: dict[str, int]) -> None:
    def clock(m: int) -> str:
        return f"{m // 60 % 24:02d}:{m % 60:02d}:00"

    def day(el: Any, periods: Periods) -> None:
        sub(el, "DayWorking", int(bool(periods)))

    def times(el: Any, periods: Periods) -> None:
        if periods:
            wts = sub(el, "WorkingTimes")
            for lo, hi in periods:
                wt = sub(wts, "WorkingTime")
                sub(wt, "FromTime", clock(lo))
                sub(wt, "ToTime", clock(hi))

    def span(el: Any, exc: CalendarException) -> None:
        tp = sub(el, "TimePeriod")
        sub(tp, "FromDate", f"{exc.start.isoformat()}T00:00:00")
        sub(tp, "ToDate", f"{exc.finish.isoformat()}T23:59:00")

    el = sub(parent, "Calendar")
    sub(el, "UID", uid[spec.id])
    sub(el, "Name", spec.name)
    base = uid.get(spec.base_id) if spec.base_id is not None else None
    sub(el, "IsBaseCalendar", int(base is None))
    sub(el, "BaseCalendarUID", _NO_CALENDAR if base is None else base)
    wds = sub(el, "WeekDays")
    for i, periods in enumerate(spec.week):
        if periods is None:
            continue
        wd = sub(wds, "WeekDay")
        sub(wd, "DayType", (i + 1) % 7 + 1)
        day(wd, periods)
        times(wd, periods)
    for exc in spec.exceptions:
        wd = sub(wds, "WeekDay")
        sub(wd, "DayType", 0)
        day(wd, exc.periods)
        span(wd, exc)
        times(wd, exc.periods)
    if spec.exceptions:
        excs = sub(el, "Exceptions")
        for exc in spec.exceptions:
            x = sub(excs, "Exception")
            sub(x, "EnteredByOccurrences", 0)
            span(x, exc)
            sub(x, "Occurrences", (exc.finish - exc.start).days + 1)
            sub(x, "Name", exc.name)
            sub(x, "Type", 1)
            day(x, exc.periods)
            times(x, exc.periods)
