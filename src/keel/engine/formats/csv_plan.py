"""A plan as a CSV table, read and written: one row per task.

Columns (a header row names them, any order, case ignored): `id` (required), `name`,
`duration` (working days; required except on summaries), `predecessors` and either
`parent` (the id of the summary above) or `wbs` (an outline number such as 1.2.3; a row's
parent is the row whose wbs drops the last part). Predecessors are separated by `;`, each
an id, a link type (FS when left out) and a lag in working days: `3FS+2;5SS;7FF-0.5`.
A CSV file carries no dates: the plan starts on `start` with the default calendar.
Writing gives `id,name,duration,predecessors,parent,wbs`.
"""

from __future__ import annotations

import csv
import io
import math
import re
from datetime import date

from ..calendars import WorkCalendar
from ..graph import find_cycle
from ..types import LinkIn, LinkType, TaskIn
from .plan_json import Plan, PlanFormatError, PlanTask

NO_HEADER = 'line 1: a CSV plan needs a header row with an "id" column.'
MISSING_ID = 'line {line}: "id" is empty.'
DUPLICATE_ID = "line {line}: task {task} appears more than once."
BAD_DURATION = 'line {line}: "duration" is {value!r}, not a number of working days >= 0.'
MISSING_DURATION = 'line {line}: task {task} needs a "duration".'
BAD_PREDECESSOR = (
    "line {line}: predecessor {value!r} is not an id with an optional type and lag (3FS+2)."
)
UNKNOWN_TASK = "line {line}: {field} {value!r} is not a task in the table."
DEPENDENCY_LOOP = "dependency loop: {path}."
PARENT_LOOP = "tasks {path} are each other's parents."

COLUMNS = ("id", "name", "duration", "predecessors", "parent", "wbs")
_LINK = re.compile(r"^(.+?)\s*(FS|SS|FF|SF)?\s*(?:([+-])\s*(\d+(?:\.\d*)?|\.\d+)\s*d?)?$", re.I)


def looks_like_csv(text: str) -> bool:
    first = text.lstrip("\ufeff").split("\n", 1)[0].lower()
    return "id" in [c.strip() for c in first.split(",")]


def parse_csv_plan(text: str, *, name: str, start: date) -> Plan:
    """Read a CSV plan. Raises PlanFormatError naming the line."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    rows = [(reader.line_num, r) for r in reader if any(c.strip() for c in r)]
    if not rows:
        raise PlanFormatError(NO_HEADER, 1)
    header = [h.strip().lower() for h in rows[0][1]]
    if "id" not in header:
        raise PlanFormatError(NO_HEADER, 1)
    records: list[tuple[int, dict[str, str]]] = []
    for line, r in rows[1:]:
        cells = {h: (r[i].strip() if i < len(r) else "") for i, h in enumerate(header)}
        records.append((line, cells))
    ids: dict[str, int] = {}
    for n, (line, cells) in enumerate(records, start=1):
        key = cells["id"]
        if not key:
            raise PlanFormatError(MISSING_ID.format(line=line), line)
        if key in ids:
            raise PlanFormatError(DUPLICATE_ID.format(line=line, task=key), line)
        ids[key] = n
    by_wbs = {cells["wbs"]: cells["id"] for _, cells in records if cells.get("wbs")}
    parents: dict[str, str | None] = {}
    for line, cells in records:
        parent = cells.get("parent") or None
        if parent is None and cells.get("wbs") and "." in cells["wbs"]:
            parent = by_wbs.get(cells["wbs"].rsplit(".", 1)[0])
        if parent is not None and parent not in ids:
            raise PlanFormatError(
                UNKNOWN_TASK.format(line=line, field="parent", value=parent), line
            )
        parents[cells["id"]] = parent
    summaries = {p for p in parents.values() if p is not None}
    tasks: list[PlanTask] = []
    links: list[LinkIn] = []
    for line, cells in records:
        key = cells["id"]
        raw = cells.get("duration", "")
        if not raw and key not in summaries:
            raise PlanFormatError(MISSING_DURATION.format(line=line, task=key), line)
        try:
            duration = float(raw) if raw else 0.0
        except ValueError:
            duration = -1.0
        if not (math.isfinite(duration) and duration >= 0):
            raise PlanFormatError(BAD_DURATION.format(line=line, value=raw), line)
        for item in filter(None, (p.strip() for p in cells.get("predecessors", "").split(";"))):
            links.append(_link(item, ids[key], ids, line))
        parent = parents[key]
        tasks.append(
            PlanTask(
                key=key,
                name=cells.get("name") or key,
                task=TaskIn(
                    id=ids[key],
                    duration_days=duration,
                    parent_id=None if parent is None else ids[parent],
                ),
            )
        )
    keys = {v: k for k, v in ids.items()}
    cycle = find_cycle(ids.values(), [(lk.predecessor_id, lk.successor_id) for lk in links])
    if cycle is not None:
        raise PlanFormatError(DEPENDENCY_LOOP.format(path=" -> ".join(keys[t] for t in cycle)))
    for start_key in parents:
        seen: list[str] = []
        cur: str | None = start_key
        while cur is not None and cur not in seen:
            seen.append(cur)
            cur = parents[cur]
        if cur is not None:
            raise PlanFormatError(PARENT_LOOP.format(path=", ".join(seen[seen.index(cur) :])))
    return Plan(
        name=name,
        start=start,
        calendar=WorkCalendar(),
        tasks=tuple(tasks),
        links=tuple(links),
    )


def _link(item: str, successor: int, ids: dict[str, int], line: int) -> LinkIn:
    if item in ids:
        return LinkIn(ids[item], successor)
    m = _LINK.match(item)
    if m is None:
        raise PlanFormatError(BAD_PREDECESSOR.format(line=line, value=item), line)
    key, kind, sign, amount = m.groups()
    if key not in ids:
        raise PlanFormatError(UNKNOWN_TASK.format(line=line, field="predecessor", value=key), line)
    lag = float(amount) * (-1 if sign == "-" else 1) if amount else 0.0
    return LinkIn(ids[key], successor, LinkType((kind or "FS").upper()), lag)


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def dump_csv_plan(plan: Plan) -> str:
    """The plan's tasks as CSV (ids as the plan writes them)."""
    key_of = {t.task.id: t.key for t in plan.tasks}
    preds: dict[int, list[str]] = {}
    for link in plan.links:
        lag = ""
        if link.lag_days:
            lag = ("+" if link.lag_days > 0 else "-") + _num(abs(link.lag_days))
        preds.setdefault(link.successor_id, []).append(
            f"{key_of[link.predecessor_id]}{link.type}{lag}"
        )
    children: dict[int | None, list[int]] = {}
    for t in plan.tasks:
        children.setdefault(t.task.parent_id, []).append(t.task.id)
    wbs: dict[int, str] = {}
    pending: list[tuple[int | None, str]] = [(None, "")]
    while pending:
        parent, prefix = pending.pop()
        for i, tid in enumerate(children.get(parent, []), start=1):
            wbs[tid] = f"{prefix}{i}"
            pending.append((tid, f"{prefix}{i}."))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for pt in plan.tasks:
        task = pt.task
        writer.writerow(
            [
                pt.key,
                pt.name,
                _num(task.duration_days),
                ";".join(preds.get(task.id, [])),
                "" if task.parent_id is None else key_of[task.parent_id],
                wbs.get(task.id, ""),
            ]
        )
    return out.getvalue()
