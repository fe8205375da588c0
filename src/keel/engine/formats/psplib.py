"""PSPLIB single-mode `.sm` files (Kolisch & Sprecher 1997) read as plans.

Jobs keep their numbers as task ids (job 1 and job n+2 are the zero-duration dummy source
and sink). Every precedence is finish-to-start without lag, durations are working days,
and the renewable resources R1..Rk become plan resources with their capacities. The
header's MPM-Time (the critical-path length) is kept in `PsplibProject.mpm_time`.
Non-renewable and doubly constrained resources (multi-mode files) are refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..calendars import WorkCalendar
from ..types import LinkIn, TaskIn
from .plan_json import Plan, PlanFormatError, PlanTask, Resource

MISSING_SECTION = "no {section} section; this is not a PSPLIB single-mode (.sm) file."
BAD_LINE = "line {line}: {problem}."
UNKNOWN_JOB = "line {line}: job {job} is not in the file."
NOT_SINGLE_MODE = "line {line}: job {job} has {modes} modes; only single-mode files are read."
UNSUPPORTED_RESOURCES = "line {line}: non-renewable resources are not supported."


@dataclass(frozen=True)
class PsplibProject:
    """A PSPLIB instance: the plan plus the header's numbers."""

    plan: Plan
    mpm_time: int  # critical-path length stated in the file
    horizon: int


def looks_like_psplib(text: str) -> bool:
    """True for text with the section headers of a PSPLIB file."""
    return "PRECEDENCE RELATIONS:" in text and "REQUESTS/DURATIONS:" in text


def parse_psplib(text: str, *, name: str = "psplib", start: date | None = None) -> PsplibProject:
    """Read a `.sm` file's text. `start` dates the plan (default 2000-01-03, a Monday).
    Raises PlanFormatError naming the line."""
    lines = text.splitlines()

    def find(prefix: str) -> int:
        for i, line in enumerate(lines):
            if line.strip().startswith(prefix):
                return i
        raise PlanFormatError(MISSING_SECTION.format(section=prefix.rstrip(":")))

    def ints(i: int) -> list[int]:
        try:
            return [int(x) for x in lines[i].split()]
        except ValueError:
            raise PlanFormatError(
                BAD_LINE.format(line=i + 1, problem="expected whole numbers"), i + 1
            ) from None

    def after_colon(i: int) -> int:
        try:
            return int(lines[i].split(":", 1)[1].split()[0])
        except (IndexError, ValueError):
            raise PlanFormatError(
                BAD_LINE.format(line=i + 1, problem="expected a number after ':'"), i + 1
            ) from None

    horizon = after_colon(find("horizon"))
    i_nonren = find("- nonrenewable")
    if after_colon(i_nonren) or after_colon(find("- doubly constrained")):
        raise PlanFormatError(UNSUPPORTED_RESOURCES.format(line=i_nonren + 1), i_nonren + 1)
    i_info = find("pronr.")
    info = ints(i_info + 1)
    if len(info) < 6:
        raise PlanFormatError(
            BAD_LINE.format(line=i_info + 2, problem="expected 6 project numbers"), i_info + 2
        )
    n_jobs = info[1] + 2
    mpm_time = info[5]

    succ: dict[int, list[tuple[int, int]]] = {}
    i = find("jobnr.") + 1  # the precedence table's header
    for _ in range(n_jobs):
        row = ints(i)
        if len(row) < 3 or len(row) != 3 + row[2]:
            raise PlanFormatError(
                BAD_LINE.format(line=i + 1, problem="expected job, modes, count, successors"),
                i + 1,
            )
        if row[1] != 1:
            raise PlanFormatError(
                NOT_SINGLE_MODE.format(line=i + 1, job=row[0], modes=row[1]), i + 1
            )
        succ[row[0]] = [(s, i + 1) for s in row[3:]]
        i += 1

    i_req = find("REQUESTS/DURATIONS:")
    header = lines[i_req + 1].split() if i_req + 1 < len(lines) else []
    res_names = [f"R{header[k + 1]}" for k, word in enumerate(header[:-1]) if word == "R"]
    durations: dict[int, int] = {}
    demands: dict[int, tuple[tuple[str, float], ...]] = {}
    i = i_req + 3  # skip the column header and the dashes
    for _ in range(n_jobs):
        row = ints(i) if i < len(lines) else []
        if len(row) != 3 + len(res_names):
            raise PlanFormatError(
                BAD_LINE.format(
                    line=i + 1,
                    problem=f"expected job, mode, duration and {len(res_names)} requests",
                ),
                i + 1,
            )
        job = row[0]
        durations[job] = row[2]
        demands[job] = tuple(
            (res, float(q)) for res, q in zip(res_names, row[3:], strict=True) if q
        )
        i += 1

    i_cap = find("RESOURCEAVAILABILITIES:")
    caps = ints(i_cap + 2)
    if len(caps) != len(res_names):
        raise PlanFormatError(
            BAD_LINE.format(line=i_cap + 3, problem=f"expected {len(res_names)} capacities"),
            i_cap + 3,
        )

    links: list[LinkIn] = []
    for job, targets in succ.items():
        if job not in durations:
            raise PlanFormatError(UNKNOWN_JOB.format(line=i_req + 1, job=job), i_req + 1)
        for s, line in targets:
            if s not in durations:
                raise PlanFormatError(UNKNOWN_JOB.format(line=line, job=s), line)
            links.append(LinkIn(job, s))
    tasks = tuple(
        PlanTask(
            key=str(job),
            name=f"job {job}",
            task=TaskIn(id=job, duration_days=durations[job]),
            demands=demands[job],
        )
        for job in sorted(durations)
    )
    plan = Plan(
        name=name,
        start=start or date(2000, 1, 3),
        calendar=WorkCalendar(),
        tasks=tasks,
        links=tuple(links),
        resources=tuple(
            Resource(id=r, name=r, capacity=float(c)) for r, c in zip(res_names, caps, strict=True)
        ),
    )
    return PsplibProject(plan=plan, mpm_time=mpm_time, horizon=horizon)
