"""Plan files read and written: Keel's plan JSON, PSPLIB `.sm`, MS Project XML (MSPDI) and
CSV, all read into `Plan`; with the mpxj extra (and Java) also MS Project `.mpp`/`.mpx`,
Primavera `.xer`/PMXML, Planner and GanttProject files, read through MPXJ (mpxj.py).

`parse_plan` picks the reader by file name and content (`dump_plan` the writer by name);
`leveling_problem` turns a plan into the leveler's integer input (see
scheduling/leveling.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

from ..errors import DomainError
from ..scheduling.leveling import Activity, Precedence
from ..types import DATED_CONSTRAINTS, ConstraintType, LinkType
from .csv_plan import dump_csv_plan, looks_like_csv, parse_csv_plan
from .mpxj import MPXJ_EXTENSIONS, MpxjFormatError, looks_like_mpxj, parse_mpxj
from .mspdi import (
    MspdiFormatError,
    dump_mspdi,
    looks_like_mspdi,
    parse_mspdi,
    stored_dates,
    task_moments,
)
from .plan_json import (
    Baseline,
    CalendarException,
    CalendarSpec,
    Plan,
    PlanFormatError,
    PlanTask,
    Resource,
    dump_plan_json,
    engine_calendar,
    parse_plan_json,
    plan_to_dict,
)
from .psplib import PsplibProject, looks_like_psplib, parse_psplib

__all__ = [
    "Baseline",
    "CalendarException",
    "CalendarSpec",
    "LevelingProblem",
    "MpxjFormatError",
    "MspdiFormatError",
    "Plan",
    "PlanFormatError",
    "PlanTask",
    "PsplibProject",
    "Resource",
    "dump_csv_plan",
    "dump_mspdi",
    "dump_plan",
    "dump_plan_json",
    "engine_calendar",
    "leveling_problem",
    "parse_csv_plan",
    "parse_mpxj",
    "parse_mspdi",
    "parse_plan",
    "parse_plan_json",
    "parse_psplib",
    "plan_format",
    "plan_to_dict",
    "reads_bytes",
    "stored_dates",
    "task_moments",
]

FORMATS = ("json", "mspdi", "csv", "psplib", "mpxj")
UNKNOWN_OUTPUT = "cannot tell the format to write from {name!r}: use .json, .xml or .csv."
CSV_START = date(2000, 1, 3)  # like PSPLIB: a CSV file has no dates


NOT_UTF8 = "the file is not UTF-8 text ({reason})."
_TEXT_EXTENSIONS = (".sm", ".csv", ".json")  # never sniffed for MPXJ's formats


def reads_bytes(filename: str) -> bool:
    """Whether a file is read as bytes rather than UTF-8 text: the formats MPXJ reads by
    extension (binary, or text in the encoding the file declares)."""
    return filename.lower().endswith(MPXJ_EXTENSIONS)


def plan_format(text: str | bytes, filename: str) -> str:
    """Which reader a file needs: by extension, else by content. An `.xml` file holding
    Primavera PMXML, Planner or GanttProject XML is read by MPXJ ("mpxj"), as are the
    extensions in `MPXJ_EXTENSIONS`."""
    lower = filename.lower()
    if lower.endswith(MPXJ_EXTENSIONS) or (
        not lower.endswith(_TEXT_EXTENSIONS) and looks_like_mpxj(text[:4000])
    ):
        return "mpxj"
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    for ext, fmt in ((".sm", "psplib"), (".xml", "mspdi"), (".csv", "csv"), (".json", "json")):
        if lower.endswith(ext):
            return fmt
    stripped = text.lstrip("\ufeff").lstrip()
    if stripped.startswith("{"):
        return "json"
    if looks_like_mspdi(stripped):
        return "mspdi"
    if looks_like_psplib(text):
        return "psplib"
    if looks_like_csv(text):
        return "csv"
    return "json"


def dump_plan(plan: Plan, *, filename: str) -> str:
    """Write a plan in the format its file name asks for (.json, .xml, .csv)."""
    lower = filename.lower()
    if lower.endswith(".json"):
        return dump_plan_json(plan)
    if lower.endswith(".xml"):
        return dump_mspdi(plan)
    if lower.endswith(".csv"):
        return dump_csv_plan(plan)
    raise DomainError(UNKNOWN_OUTPUT.format(name=filename))


SUMMARY_DEMANDS = "task {task} is a summary; put its resource demands on its subtasks."


def parse_plan(text: str | bytes, *, filename: str, start: date | None = None) -> Plan:
    """A `.sm` file (or text that looks like PSPLIB) is read as PSPLIB, dated `start`; an
    `.xml` file (or MS Project XML text) as MSPDI; a `.csv` file as a CSV table starting on
    `start` (2000-01-03 when None); MS Project `.mpp`/`.mpt`/`.mpx`, Primavera `.xer`/PMXML,
    Planner and GanttProject files (by extension or content) through MPXJ; anything else as
    plan JSON. Bytes other than MPXJ's formats are decoded as UTF-8. Raises PlanFormatError
    (MpxjFormatError also where the mpxj extra or Java is missing)."""
    fmt = plan_format(text, filename)
    stem = filename.replace("\\", "/").rsplit("/", 1)[-1]
    if fmt == "mpxj":
        data = text.encode("utf-8") if isinstance(text, str) else text
        return parse_mpxj(data, name=stem.rsplit(".", 1)[0])
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise PlanFormatError(NOT_UTF8.format(reason=exc.reason)) from None
    if fmt == "psplib":
        return parse_psplib(text, name=stem, start=start).plan
    if fmt == "mspdi":
        return parse_mspdi(text, name=stem.rsplit(".", 1)[0])
    if fmt == "csv":
        return parse_csv_plan(text, name=stem.rsplit(".", 1)[0], start=start or CSV_START)
    return parse_plan_json(text)


@dataclass(frozen=True)
class LevelingProblem:
    """A plan as integer leveling input. One time unit is `unit_days` working days (the
    largest that divides every duration, lag and earliest start, in whole minutes); one
    demand unit is 1/`scale` of a resource unit (100 when some demand is fractional)."""

    activities: tuple[Activity, ...]
    precedences: tuple[Precedence, ...]
    capacities: dict[str, int]
    unit_days: float
    scale: int


def leveling_problem(plan: Plan) -> LevelingProblem:
    """Leaf tasks become activities; a link on a summary applies to every leaf under it
    (exactly what cpm's summary gates mean). SNET/FNET/MSO/MFO dates become earliest starts,
    and so does the end of the status date for tasks not yet started; other progress is not
    used by the leveler (a started task is leveled like one not started)."""
    cal = plan.calendar
    mpd = cal.minutes_per_day
    origin = cal.day_index(plan.start)
    children: dict[int, list[int]] = {}
    for pt in plan.tasks:
        if pt.task.parent_id is not None:
            children.setdefault(pt.task.parent_id, []).append(pt.task.id)
    leaves_of: dict[int, list[int]] = {}

    def leaves(tid: int) -> list[int]:
        if tid not in children:
            return [tid]
        if tid not in leaves_of:
            leaves_of[tid] = [x for c in children[tid] for x in leaves(c)]
        return leaves_of[tid]

    status_end = None
    if plan.status_date is not None:
        status_end = (cal.day_index(plan.status_date + timedelta(days=1)) - origin) * mpd
    dur: dict[int, int] = {}
    release: dict[int, int] = {}
    for pt in plan.tasks:
        t = pt.task
        if t.id in children:
            if pt.demands:
                raise DomainError(SUMMARY_DEMANDS.format(task=pt.key))
            continue
        dur[t.id] = round(t.duration_days * mpd)
        rel = 0
        if t.constraint in DATED_CONSTRAINTS and t.constraint_date is not None:
            if t.constraint in (ConstraintType.SNET, ConstraintType.MSO):
                rel = (cal.day_index(t.constraint_date) - origin) * mpd
            elif t.constraint in (ConstraintType.FNET, ConstraintType.MFO):
                end = cal.day_index(t.constraint_date) + (
                    1 if cal.is_working_day(t.constraint_date) else 0
                )
                rel = (end - origin) * mpd - dur[t.id]
        if status_end is not None and t.percent_complete == 0 and t.actual_start is None:
            rel = max(rel, status_end)  # work not started waits for the status date
        release[t.id] = max(0, rel)
    lags = [round(link.lag_days * mpd) for link in plan.links]
    unit = math.gcd(mpd, *dur.values(), *release.values(), *lags)
    fractional = any(
        not float(x).is_integer()
        for x in [
            *(r.capacity for r in plan.resources),
            *(q for pt in plan.tasks for _, q in pt.demands),
        ]
    )
    scale = 100 if fractional else 1
    activities = tuple(
        Activity(
            id=pt.task.id,
            duration=dur[pt.task.id] // unit,
            demands={rid: round(q * scale) for rid, q in pt.demands},
            release=release[pt.task.id] // unit,
            priority=pt.priority,
        )
        for pt in plan.tasks
        if pt.task.id in dur
    )
    precedences = tuple(
        Precedence(p, s, LinkType(link.type), lag // unit)
        for link, lag in zip(plan.links, lags, strict=True)
        for p in leaves(link.predecessor_id)
        for s in leaves(link.successor_id)
    )
    return LevelingProblem(
        activities=activities,
        precedences=precedences,
        capacities={r.id: round(r.capacity * scale) for r in plan.resources},
        unit_days=unit / mpd,
        scale=scale,
    )
