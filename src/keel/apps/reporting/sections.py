"""The sections this app fills from planning, tracking and projects, registered from
apps.ReportingConfig.ready (see registry.py). Each returns plain JSON (dates as ISO text,
numbers as numbers or decimal text), the same whether it is shown live for a draft or stored
when the report is issued. Top risks and open quality issues are sections the risk register
and quality control will register; until then a report has no such section."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Q, Sum
from django.utils.translation import gettext_lazy as _

from keel.apps.planning.models import Baseline, Task, TaskStatus
from keel.apps.planning.selectors import (
    Comparison,
    baseline_comparison,
    milestones_for,
    primary_baseline,
)
from keel.apps.projects.models import Project
from keel.apps.projects.selectors import goals_for
from keel.apps.tracking.charts import earned_value_charts
from keel.apps.tracking.models import EntryStatus, TimeEntry
from keel.apps.tracking.selectors import EV_UNIT, EarnedValueReport, earned_value_for
from keel.engine.errors import DomainError

from .registry import Section, SectionContext, register_section

LIST_LIMIT = 50  # tasks listed in "done" and "next"; the rest are counted
SLIPPED_LIMIT = 10
TOP_TASKS = 10
CLOSED = (TaskStatus.DONE, TaskStatus.CANCELLED)


def iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def plain(value: Decimal | None) -> str | None:
    """A decimal as people write it: `100`, `0.2`, `4.25` (never `1E+2`)."""
    return None if value is None else f"{value.normalize():f}"


def num(value: float | Decimal | None, digits: int = 2) -> float | None:
    return None if value is None else round(float(value), digits)


# ---------------------------------------------------------------- shared reads


def _project(ctx: SectionContext) -> Project:
    """The project as stored now: the caller's copy may predate a recalculation."""
    return ctx.cached(  # type: ignore[no-any-return]
        "project", lambda: Project.objects.select_related("workspace").get(pk=ctx.project.pk)
    )


def _earned_value(ctx: SectionContext) -> EarnedValueReport | None:
    def read() -> EarnedValueReport | None:
        try:
            return earned_value_for(ctx.reader, _project(ctx))
        except DomainError:  # a baseline the engine cannot measure: shown as no measure
            return None

    return ctx.cached("earned_value", read)  # type: ignore[no-any-return]


def _baseline(ctx: SectionContext) -> Baseline | None:
    return ctx.cached("baseline", lambda: primary_baseline(_project(ctx)))  # type: ignore[no-any-return]


def _comparison(ctx: SectionContext) -> Comparison | None:
    def read() -> Comparison | None:
        baseline = _baseline(ctx)
        if baseline is None:
            return None
        baseline.project = _project(ctx)
        return baseline_comparison(ctx.reader, baseline)

    return ctx.cached("comparison", read)  # type: ignore[no-any-return]


def _leaves(project: Project) -> Any:
    """Tasks that carry work: not summaries (their dates and progress roll up)."""
    return Task.objects.filter(project=project, is_summary=False)


def _owner(task: Task) -> str:
    return task.owner.display_name if task.owner else ""


# ---------------------------------------------------------------- the sections


def summary(ctx: SectionContext) -> dict[str, Any]:
    project = _project(ctx)
    ev = _earned_value(ctx)
    baseline = _baseline(ctx)
    comparison = _comparison(ctx)
    rows = list(
        _leaves(project).values_list("status", "percent_complete", "duration_days", "is_milestone")
    )
    work = [
        (pct, float(days)) for status, pct, days, ms in rows if not ms and status != "cancelled"
    ]
    total_days = sum(d for _p, d in work)
    percent = (
        sum(p * d for p, d in work) / total_days
        if total_days
        else (sum(p for p, _d in work) / len(work) if work else 0.0)
    )
    target_slip = None
    if project.scheduled_finish and project.target_finish:
        target_slip = (project.scheduled_finish - project.target_finish).days
    return {
        "status_date": iso(project.status_date or ctx.today),
        "phase": project.phase,
        "start_date": iso(project.start_date),
        "target_finish": iso(project.target_finish),
        "scheduled_finish": iso(project.scheduled_finish),
        "target_slip_days": target_slip,
        "baseline": str(baseline) if baseline else None,
        "baseline_finish": iso(baseline.finish) if baseline else None,
        "baseline_variance_days": comparison.finish_variance if comparison else None,
        "health": ev.health if ev else "unknown",
        "spi": num(ev.value.spi) if ev else None,
        "cpi": num(ev.value.cpi) if ev else None,
        "percent_complete": round(percent, 1),
        "tasks": sum(1 for _s, _p, _d, ms in rows if not ms),
        "tasks_done": sum(1 for s, _p, _d, ms in rows if not ms and s == TaskStatus.DONE),
        "tasks_blocked": sum(1 for s, _p, _d, ms in rows if not ms and s == TaskStatus.BLOCKED),
    }


def goals(ctx: SectionContext) -> dict[str, Any]:
    rows = []
    for g in goals_for(ctx.reader, _project(ctx)).order_by("kind", "due_date", "pk"):
        progress = g.progress
        rows.append(
            {
                "title": g.title,
                "kind": g.kind,
                "metric": g.metric,
                "unit": g.unit,
                "baseline_value": plain(g.baseline_value),
                "current_value": plain(g.current_value),
                "target_value": plain(g.target_value),
                "due_date": iso(g.due_date),
                "progress": None if progress is None else round(progress * 100, 1),
                "owner": g.owner.display_name if g.owner else "",
            }
        )
    return {"goals": rows}


def milestones(ctx: SectionContext) -> dict[str, Any]:
    comparison = _comparison(ctx)
    saved = {}
    if comparison is not None:
        saved = {r.task.pk: r.saved for r in comparison.rows if r.task is not None and r.saved}
    rows = []
    for row in milestones_for(ctx.reader, _project(ctx)):
        t = row.task
        baseline = saved.get(t.pk)
        rows.append(
            {
                "wbs": t.wbs_code,
                "name": t.name,
                "target": iso(t.deadline),
                "forecast": iso(t.finish),
                "baseline_finish": iso(baseline.finish) if baseline else None,
                "actual_finish": iso(t.actual_finish),
                "status": str(row.status),
            }
        )
    return {"milestones": rows}


def _variance_row(r: Any) -> dict[str, Any]:
    return {
        "wbs": r.wbs_code,
        "name": r.name,
        "baseline_finish": iso(r.saved.finish if r.saved else None),
        "finish": iso(r.task.finish if r.task else None),
        "days": r.finish_variance,
    }


def variance(ctx: SectionContext) -> dict[str, Any]:
    comparison = _comparison(ctx)
    ev = _earned_value(ctx)
    out: dict[str, Any] = {"baseline": None, "earned_value": None}
    if comparison is not None:
        out["baseline"] = {
            "name": str(comparison.baseline),
            "finish": iso(comparison.baseline.finish),
            "finish_variance_days": comparison.finish_variance,
            "slipped_count": len(comparison.slipped),
            "slipped": [_variance_row(r) for r in comparison.slipped[:SLIPPED_LIMIT]],
            "late_milestones": [_variance_row(r) for r in comparison.late_milestones],
        }
    if ev is not None:
        v = ev.value
        out["earned_value"] = {
            "unit": EV_UNIT,
            "sv": num(v.sv, 1),
            "cv": num(v.cv, 1),
            "spi": num(v.spi),
            "cpi": num(v.cpi),
            "spi_health": ev.spi_health,
            "cpi_health": ev.cpi_health,
            "sv_t_days": num(v.sv_t_days, 1),
        }
    return out


def earned_value(ctx: SectionContext) -> dict[str, Any]:
    ev = _earned_value(ctx)
    if ev is None:
        return {"available": False}
    v = ev.value
    return {
        "available": True,
        "unit": EV_UNIT,
        "baseline": str(ev.baseline),
        "status_date": iso(v.status_date),
        "health": ev.health,
        "bac": num(v.bac, 1),
        "pv": num(v.pv, 1),
        "ev": num(v.ev, 1),
        "ac": num(v.ac, 1),
        "sv": num(v.sv, 1),
        "cv": num(v.cv, 1),
        "spi": num(v.spi),
        "cpi": num(v.cpi),
        "eac": num(v.eac, 1),
        "etc": num(v.etc, 1),
        "vac": num(v.vac, 1),
        "percent_complete": num(v.percent_complete, 1),
        "percent_spent": num(v.percent_spent, 1),
        "planned_finish": iso(v.planned_finish),
        "forecast_finish": iso(v.forecast_finish),
        "untracked_tasks": ev.untracked_tasks,
    }


def earned_value_chart_svgs(ctx: SectionContext) -> dict[str, str]:
    ev = _earned_value(ctx)
    return {} if ev is None else {k: str(v) for k, v in earned_value_charts(ev).items()}


def _task_rows(tasks: Iterable[Task], limit: int) -> tuple[list[dict[str, Any]], int]:
    rows: list[dict[str, Any]] = []
    count = 0
    for t in tasks:
        count += 1
        if len(rows) < limit:
            rows.append(
                {
                    "wbs": t.wbs_code,
                    "name": t.name,
                    "owner": _owner(t),
                    "status": t.status,
                    "start": iso(t.start),
                    "finish": iso(t.finish),
                    "deadline": iso(t.deadline),
                    "actual_finish": iso(t.actual_finish),
                    "milestone": t.is_milestone,
                    "critical": t.is_critical,
                }
            )
    return rows, count


def done_this_period(ctx: SectionContext) -> dict[str, Any]:
    """Tasks finished in the period: their actual finish falls in it."""
    period = ctx.period
    tasks = (
        _leaves(ctx.project)
        .filter(status=TaskStatus.DONE, actual_finish__gte=period.start)
        .filter(actual_finish__lte=period.end)
        .select_related("owner")
        .order_by("actual_finish", "wbs_code", "pk")
    )
    rows, count = _task_rows(tasks, LIST_LIMIT)
    return {"tasks": rows, "count": count}


def planned_next_period(ctx: SectionContext) -> dict[str, Any]:
    """Open tasks that start, finish or are due in the next period."""
    nxt = ctx.period.next
    within = (
        Q(start__gte=nxt.start, start__lte=nxt.end)
        | Q(finish__gte=nxt.start, finish__lte=nxt.end)
        | Q(deadline__gte=nxt.start, deadline__lte=nxt.end)
    )
    tasks = (
        _leaves(ctx.project)
        .filter(within)
        .exclude(status__in=CLOSED)
        .select_related("owner")
        .order_by("start", "wbs_code", "pk")
    )
    rows, count = _task_rows(tasks, LIST_LIMIT)
    return {"start": iso(nxt.start), "end": iso(nxt.end), "tasks": rows, "count": count}


def _hours(value: Decimal | float | None) -> str:
    """Hours with two decimals, whatever the database's sum returned."""
    return str(Decimal(str(value or 0)).quantize(Decimal("0.01")))


def time_in_period(ctx: SectionContext) -> dict[str, Any]:
    """Approved hours of the period, by task (people's own hours stay on the Time page,
    which only managers see); hours still waiting for approval are counted apart."""
    period = ctx.period
    in_period = TimeEntry.objects.filter(
        project=ctx.project, date__gte=period.start, date__lte=period.end
    )
    approved = in_period.filter(status=EntryStatus.APPROVED)
    by_task = list(
        approved.values("task_id", "task__wbs_code", "task__name")
        .annotate(total=Sum("hours"))
        .order_by("-total", "task__wbs_code")
    )
    waiting = in_period.filter(status=EntryStatus.SUBMITTED).aggregate(total=Sum("hours"))
    total = sum((Decimal(r["total"]) for r in by_task), Decimal("0"))
    return {
        "approved_hours": _hours(total),
        "waiting_hours": _hours(waiting["total"]),
        "people": approved.values("user_id").distinct().count(),
        "tasks": [
            {"wbs": r["task__wbs_code"], "name": r["task__name"], "hours": _hours(r["total"])}
            for r in by_task[:TOP_TASKS]
        ],
        "task_count": len(by_task),
    }


BUILT_IN = [
    Section("summary", _("Summary"), 10, summary, "reporting/sections/summary.html"),
    Section("goals", _("Goals"), 20, goals, "reporting/sections/goals.html"),
    Section("milestones", _("Milestones"), 30, milestones, "reporting/sections/milestones.html"),
    Section(
        "variance",
        _("Schedule and cost variance"),
        40,
        variance,
        "reporting/sections/variance.html",
    ),
    Section(
        "earned_value",
        _("Earned value"),
        50,
        earned_value,
        "reporting/sections/earned_value.html",
        charts=earned_value_chart_svgs,
    ),
    # 60 and 70 are kept for the risk register's top risks and quality control's open issues.
    Section("done", _("Done this period"), 80, done_this_period, "reporting/sections/done.html"),
    Section(
        "next",
        _("Planned for the next period"),
        90,
        planned_next_period,
        "reporting/sections/next.html",
    ),
    Section("time", _("Time"), 100, time_in_period, "reporting/sections/time.html"),
]


def register_built_in() -> None:
    for s in BUILT_IN:
        register_section(s)
