"""Reads of a project's money: its budget lines, planned costs and expenses (with who may
see them), and the cost summary: budget, planned, actual and forecast cost by category, by
month and by WBS element, in a constant number of queries and in Decimal throughout.

How each figure is made (docs/costs.md says the same for people):
- planned labour: each assignment's work (task duration x the project's hours per day x
  units) at the standard rate in effect on the task's start; spread over the months of the
  task's dates in proportion to calendar days;
- planned materials, equipment, services, other: PlannedCost rows (in the month of their
  date, else of their task's start) and equipment bookings (calendar days x daily rate,
  spread over the days booked);
- actual: approved time at the rate in effect on its day (the hours of a person's day beyond
  their capacity, counted over all their approved entries that day in every project, cost the
  overtime rate, shared over that day's entries in proportion to their hours), approved
  expenses, material used;
- forecast (estimate at completion, bottom-up): actual + what is still to be spent, which is
  planned x (1 - percent complete) for costs on a task and, for costs on no task, the whole
  amount until its date has passed. The project's EAC is also given as BAC / CPI with
  CPI = EV / AC and EV = planned - still to be spent.
A rate in another currency than the project's is never added: those hours are listed as
"without a usable rate".
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db.models import Q, QuerySet, Sum
from django.http import FileResponse
from django.utils.translation import gettext_lazy as _

from keel.apps.planning.models import Task
from keel.apps.planning.selectors import project_today
from keel.apps.projects.models import Project
from keel.apps.projects.permissions import ProjectAction, can, require
from keel.apps.tracking.models import EntryStatus, TimeEntry
from keel.common.errors import NotFound, PermissionDenied
from keel.common.money import ZERO, money

from .models import (
    Assignment,
    Booking,
    BudgetLine,
    CostCategory,
    Expense,
    ExpenseStatus,
    FinanceSettings,
    Item,
    PlannedCost,
    Resource,
    StockMove,
    StockMoveKind,
)
from .models.money import DEFAULT_ALERT_PERCENTAGES
from .selectors import rate_table

P = ProjectAction
HUNDRED = Decimal(100)
MEASURES = ("budget", "planned", "actual", "remaining")
NO_TASK = "none"
NO_MONTH = "none"

MSG_NOT_YOURS = _(
    "Only the person who claimed this expense and the project's finance team can see it."
)
MSG_NO_RECEIPT = _("This expense has no receipt.")
LABEL_NO_TASK = _("Not on a task")
LABEL_NO_MONTH = _("Not phased by month")


# ---------------------------------------------------------------- lists and single rows


def budget_lines_for(actor: Any, project: Project) -> QuerySet[BudgetLine]:
    require(actor, P.VIEW_FINANCE, project)
    return BudgetLine.objects.filter(project=project).select_related("project", "task")


def budget_line_get(actor: Any, line_id: int) -> BudgetLine:
    line = (
        BudgetLine.objects.select_related("project__workspace", "task").filter(pk=line_id).first()
    )
    if line is None:
        raise NotFound()
    require(actor, P.VIEW_FINANCE, line.project)
    return line


def planned_costs_for(actor: Any, project: Project) -> QuerySet[PlannedCost]:
    require(actor, P.VIEW_FINANCE, project)
    return PlannedCost.objects.filter(project=project).select_related("project", "task", "item")


def planned_cost_get(actor: Any, cost_id: int) -> PlannedCost:
    cost = (
        PlannedCost.objects.select_related("project__workspace", "task", "item")
        .filter(pk=cost_id)
        .first()
    )
    if cost is None:
        raise NotFound()
    require(actor, P.VIEW_FINANCE, cost.project)
    return cost


def expenses_for(
    actor: Any,
    project: Project,
    *,
    status: str | None = None,
    category: str | None = None,
    claimant_id: int | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[Expense]:
    """The finance team sees every expense of the project; anyone else who may claim sees
    their own only."""
    if not can(actor, P.VIEW_FINANCE, project):
        require(actor, P.SUBMIT_EXPENSE, project)
    qs = Expense.objects.filter(project=project).select_related(
        "project", "task", "claimant", "reviewer"
    )
    if not can(actor, P.VIEW_FINANCE, project):
        qs = qs.filter(claimant=actor)
    if status:
        qs = qs.filter(status=status)
    if category:
        qs = qs.filter(category=category)
    if claimant_id is not None:
        qs = qs.filter(claimant_id=claimant_id)
    if date_from is not None:
        qs = qs.filter(date__gte=date_from)
    if date_to is not None:
        qs = qs.filter(date__lte=date_to)
    return qs.order_by("-date", "-pk")


def expense_get(actor: Any, expense_id: int) -> Expense:
    """The expense for its claimant and the finance team; 404 when its project is not
    visible, 403 for other people of the project."""
    expense = (
        Expense.objects.select_related("project__workspace", "task", "claimant", "reviewer")
        .filter(pk=expense_id)
        .first()
    )
    if expense is None:
        raise NotFound()
    require(actor, P.VIEW, expense.project)
    if expense.claimant_id != actor.pk and not can(actor, P.VIEW_FINANCE, expense.project):
        raise PermissionDenied(MSG_NOT_YOURS)
    return expense


def receipt_storage() -> FileSystemStorage:
    """Private storage, never served by the web server: receipts leave only through
    `receipt_download`, which checks the right to see them."""
    return FileSystemStorage(location=settings.KEEL_RECEIPTS_ROOT)


def receipt_download(actor: Any, expense_id: int) -> FileResponse:
    """The receipt as an attachment with its stored type, for the claimant and the finance
    team; 404 when the expense has none (or its file is gone)."""
    expense = expense_get(actor, expense_id)
    storage = receipt_storage()
    if not expense.receipt.name or not storage.exists(expense.receipt.name):
        raise NotFound(MSG_NO_RECEIPT)
    response = FileResponse(
        storage.open(expense.receipt.name, "rb"),
        as_attachment=True,
        filename=expense.receipt_name or PurePath(expense.receipt.name).name,
        content_type=expense.receipt_type or "application/octet-stream",
    )
    # The stored type is the one checked on upload; the browser must not guess another.
    response["X-Content-Type-Options"] = "nosniff"
    return response


def require_finance(actor: Any, project: Project) -> None:
    require(actor, P.VIEW_FINANCE, project)


def finance_settings_of(project: Project) -> FinanceSettings:
    """The project's settings, or unsaved defaults (version 0 means none saved yet)."""
    row = FinanceSettings.objects.filter(project=project).first()
    if row is None:
        row = FinanceSettings(
            project=project, alert_percentages=list(DEFAULT_ALERT_PERCENTAGES), version=0
        )
    return row


def alert_percentages(row: FinanceSettings) -> list[int]:
    return sorted({int(p) for p in (row.alert_percentages or DEFAULT_ALERT_PERCENTAGES)})


# ---------------------------------------------------------------- the cost summary


@dataclass(frozen=True)
class Figures:
    budget: Decimal
    planned: Decimal
    actual: Decimal
    forecast: Decimal

    @property
    def variance(self) -> Decimal:
        """Budget left over at completion (negative: over budget)."""
        return self.budget - self.forecast


@dataclass(frozen=True)
class CostRow:
    key: str
    label: str
    figures: Figures
    depth: int = 0
    task_id: int | None = None
    month: dt.date | None = None


@dataclass(frozen=True)
class CostSummary:
    project: Project
    currency: str
    by_category: list[CostRow]
    by_month: list[CostRow]
    by_wbs: list[CostRow]
    total: Figures
    # BAC: the budget, or the planned cost when no budget was entered.
    bac: Decimal
    earned_value: Decimal
    cpi: Decimal | None
    eac_bottom_up: Decimal  # actual + still to be spent
    eac_cpi: Decimal | None  # BAC / CPI
    spent_percent: Decimal | None  # actual as a percentage of the budget
    forecast_percent: Decimal | None
    missing_rates: list[str] = field(default_factory=list)  # people whose hours cost nothing
    missing_hours: Decimal = ZERO
    over_budget: list[CostRow] = field(default_factory=list)


class _Ledger:
    """Amounts of each measure by category, by month and by task, unrounded until the end
    so the rows and the total agree with the sum of the parts."""

    def __init__(self) -> None:
        self.category: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
        self.month: dict[tuple[str, dt.date | None], Decimal] = defaultdict(Decimal)
        self.task: dict[tuple[str, int | None], Decimal] = defaultdict(Decimal)
        self.total: dict[str, Decimal] = defaultdict(Decimal)
        # Actual cost by task and day, for earned value's AC over time.
        self.spent: list[tuple[int | None, dt.date, Decimal]] = []

    def add(
        self,
        measure: str,
        category: str,
        task_id: int | None,
        months: dict[dt.date | None, Decimal],
        day: dt.date | None = None,
    ) -> None:
        amount = sum(months.values(), Decimal(0))
        if day is not None:
            self.spent.append((task_id, day, amount))
        self.category[measure, category] += amount
        self.task[measure, task_id] += amount
        self.total[measure] += amount
        for month, part in months.items():
            self.month[measure, month] += part

    def figures(self, get: Any) -> Figures:
        actual = get("actual")
        return Figures(
            budget=money(get("budget")),
            planned=money(get("planned")),
            actual=money(actual),
            forecast=money(actual + get("remaining")),
        )


def _month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _spread(amount: Decimal, start: dt.date, finish: dt.date) -> dict[dt.date | None, Decimal]:
    """The amount over the months from start to finish, in proportion to calendar days."""
    finish = max(finish, start)
    days = Decimal((finish - start).days + 1)
    out: dict[dt.date | None, Decimal] = {}
    day = start
    while day <= finish:
        month = _month(day)
        next_month = _month(month + dt.timedelta(days=32))
        last = min(finish, next_month - dt.timedelta(days=1))
        out[month] = out.get(month, Decimal(0)) + amount * ((last - day).days + 1) / days
        day = last + dt.timedelta(days=1)
    return out


def _scaled(
    months: dict[dt.date | None, Decimal], factor: Decimal
) -> dict[dt.date | None, Decimal]:
    return {m: v * factor for m, v in months.items()}


@dataclass
class _Gathered:
    ledger: _Ledger = field(default_factory=_Ledger)
    missing: dict[int, str] = field(default_factory=dict)  # resource or user key -> name
    missing_hours: Decimal = ZERO
    # Planned costs on no task, by category and month, and what was spent on no task, by
    # category: nothing measures such a cost's progress but the spending against it.
    untasked_planned: dict[str, dict[dt.date | None, Decimal]] = field(default_factory=dict)
    untasked_actual: dict[str, Decimal] = field(default_factory=dict)


def _add_planned(
    g: _Gathered,
    *,
    category: str,
    task: Task | None,
    months: dict[dt.date | None, Decimal],
) -> None:
    g.ledger.add("planned", category, task.pk if task else None, months)
    if task is None:
        # Still to be spent: see _untasked_remaining, once the spending is known.
        planned = g.untasked_planned.setdefault(category, {})
        for month, amount in months.items():
            planned[month] = planned.get(month, Decimal(0)) + amount
        return
    left = (HUNDRED - task.percent_complete) / HUNDRED
    if left:
        g.ledger.add("remaining", category, task.pk, _scaled(months, left))


def _untasked_remaining(g: _Gathered) -> None:
    """A planned cost on no task is earned only as money is spent on no task in its
    category: what is still to be spent is the planned amount less that spending, in the
    months of the plan."""
    for category, months in g.untasked_planned.items():
        planned = sum(months.values(), Decimal(0))
        left = max(planned - g.untasked_actual.get(category, Decimal(0)), Decimal(0))
        if planned > 0 and left > 0:
            g.ledger.add("remaining", category, None, _scaled(months, left / planned))


def _planned_labour(g: _Gathered, project: Project, tasks: dict[int, Task], rates: Any) -> None:
    assignments = Assignment.objects.filter(task__project=project).select_related("resource")
    for a in assignments:
        task = tasks.get(a.task_id)
        if task is None or task.is_summary or task.is_milestone:
            continue
        start = task.start or project.start_date
        finish = task.finish or start
        rate = rates.on(a.resource_id, start)
        hours = task.duration_days * project.hours_per_day * a.units / HUNDRED
        if rate is None or rate.currency != project.currency:
            g.missing[a.resource_id] = a.resource.name
            continue
        months = _spread(hours * rate.standard, start, finish)
        _add_planned(g, category=CostCategory.LABOUR, task=task, months=months)


def _planned_other(g: _Gathered, project: Project, tasks: dict[int, Task]) -> None:
    for pc in PlannedCost.objects.filter(project=project):
        task = tasks.get(pc.task_id) if pc.task_id else None
        day = pc.date or (task.start if task and task.start else project.start_date)
        _add_planned(
            g,
            category=pc.category,
            task=task,
            months={_month(day): pc.amount},
        )


def _bookings(
    g: _Gathered, project: Project, today: dt.date, *, planned: bool, actual: bool
) -> None:
    """Equipment is paid for by the day it is held: the booked days up to today are actual
    cost (whether or not its task moved on), the days after are still to be spent."""
    category = CostCategory.EQUIPMENT
    for b in Booking.objects.filter(project=project).select_related("equipment"):
        rate = b.equipment.daily_rate
        held_until = min(b.finish, today)
        if planned:
            amount = Decimal((b.finish - b.start).days + 1) * rate
            g.ledger.add("planned", category, b.task_id, _spread(amount, b.start, b.finish))
            start_left = max(b.start, held_until + dt.timedelta(days=1))
            if start_left <= b.finish:
                left = Decimal((b.finish - start_left).days + 1) * rate
                g.ledger.add("remaining", category, b.task_id, _spread(left, start_left, b.finish))
        if actual:
            day = b.start
            while day <= held_until:
                g.ledger.add("actual", category, b.task_id, {_month(day): rate}, day)
                day += dt.timedelta(days=1)


def _actual_labour(
    g: _Gathered, project: Project, rates: Any, resources: dict[int, Resource]
) -> None:
    entries = list(
        TimeEntry.objects.filter(project=project, status=EntryStatus.APPROVED).select_related(
            "user"
        )
    )
    if not entries:
        return
    users = {e.user_id for e in entries}
    # Rounded back to the hours' cents: SQLite adds decimals up as floats.
    day_totals = {
        (row["user_id"], row["date"]): Decimal(row["total"]).quantize(Decimal("0.01"))
        for row in TimeEntry.objects.filter(
            user_id__in=users,
            status=EntryStatus.APPROVED,
            date__gte=min(e.date for e in entries),
            date__lte=max(e.date for e in entries),
        )
        .values("user_id", "date")
        .annotate(total=Sum("hours"))
    }
    for e in entries:
        resource = resources.get(e.user_id)
        rate = rates.on(resource.pk, e.date) if resource is not None else None
        if resource is None or rate is None or rate.currency != project.currency:
            g.missing[-e.user_id if resource is None else resource.pk] = (
                resource.name if resource is not None else e.user.display_name
            )
            g.missing_hours += e.hours
            continue
        day_total = day_totals.get((e.user_id, e.date), e.hours)
        over = max(day_total - resource.capacity_hours, Decimal(0))
        overtime = e.hours * over / day_total if day_total else Decimal(0)
        cost = (e.hours - overtime) * rate.standard + overtime * rate.overtime
        g.ledger.add("actual", CostCategory.LABOUR, e.task_id, {_month(e.date): cost}, e.date)


def _actual_other(g: _Gathered, project: Project) -> None:
    for x in Expense.objects.filter(project=project, status=ExpenseStatus.APPROVED).only(
        "category", "task_id", "date", "amount"
    ):
        g.ledger.add("actual", x.category, x.task_id, {_month(x.date): x.amount}, x.date)
        if x.task_id is None:
            g.untasked_actual[x.category] = g.untasked_actual.get(x.category, ZERO) + x.amount
    for m in StockMove.objects.filter(project=project, kind=StockMoveKind.USAGE).only(
        "task_id", "date", "quantity", "unit_cost"
    ):
        cost = abs(m.quantity) * m.unit_cost
        g.ledger.add("actual", CostCategory.MATERIALS, m.task_id, {_month(m.date): cost}, m.date)
        if m.task_id is None:
            mat = CostCategory.MATERIALS
            g.untasked_actual[mat] = g.untasked_actual.get(mat, ZERO) + cost


def _budget(g: _Gathered, project: Project) -> None:
    for line in BudgetLine.objects.filter(project=project).only(
        "category", "task_id", "period", "amount"
    ):
        month = _month(line.period) if line.period else None
        g.ledger.add("budget", line.category, line.task_id, {month: line.amount})


def _wbs_rows(ledger: _Ledger, tasks: dict[int, Task]) -> list[CostRow]:
    """Each task's own amounts plus those of the tasks below it, in WBS order; the tasks
    with no money at all are left out."""
    rolled: dict[tuple[str, int], Decimal] = defaultdict(Decimal)
    for (measure, task_id), amount in ledger.task.items():
        seen: set[int] = set()
        current = tasks.get(task_id) if task_id is not None else None
        while current is not None and current.pk not in seen:
            seen.add(current.pk)
            rolled[measure, current.pk] += amount
            current = tasks.get(current.parent_id) if current.parent_id else None
    rows = []
    ordered = sorted(tasks.values(), key=lambda t: (_wbs_key(t.wbs_code), t.pk))
    for t in ordered:
        if not any(rolled.get((m, t.pk)) for m in MEASURES):
            continue
        figures = ledger.figures(lambda m, pk=t.pk: rolled.get((m, pk), Decimal(0)))
        label = f"{t.wbs_code} {t.name}".strip()
        rows.append(CostRow(str(t.pk), label, figures, depth=t.wbs_code.count("."), task_id=t.pk))
    if any(ledger.task.get((m, None)) for m in MEASURES):
        figures = ledger.figures(lambda m: ledger.task.get((m, None), Decimal(0)))
        rows.append(CostRow(NO_TASK, str(LABEL_NO_TASK), figures))
    return rows


def _wbs_key(code: str) -> tuple[int, ...]:
    return tuple(int(p) if p.isdigit() else 0 for p in code.split(".") if p)


def _month_rows(ledger: _Ledger) -> list[CostRow]:
    months = sorted({m for (_measure, m) in ledger.month if m is not None})
    rows = [
        CostRow(
            m.strftime("%Y-%m"),
            m.strftime("%Y-%m"),
            ledger.figures(lambda measure, m=m: ledger.month.get((measure, m), Decimal(0))),
            month=m,
        )
        for m in months
    ]
    if any(ledger.month.get((measure, None)) for measure in MEASURES):
        figures = ledger.figures(lambda measure: ledger.month.get((measure, None), Decimal(0)))
        rows.append(CostRow(NO_MONTH, str(LABEL_NO_MONTH), figures))
    return rows


def _percent(part: Decimal, whole: Decimal) -> Decimal | None:
    return (part * HUNDRED / whole).quantize(Decimal("0.1"), ROUND_HALF_UP) if whole > 0 else None


def _gather(
    project: Project, *, planned: bool = True, actual: bool = True, budget: bool = True
) -> tuple[_Gathered, dict[int, Task]]:
    today = project_today(project)
    tasks = {
        t.pk: t
        for t in Task.objects.filter(project=project).only(
            "pk",
            "parent_id",
            "wbs_code",
            "name",
            "start",
            "finish",
            "duration_days",
            "percent_complete",
            "is_summary",
            "is_milestone",
        )
    }
    resources: dict[int, Resource] = {
        r.user_id: r
        for r in Resource.objects.filter(
            workspace_id=project.workspace_id,
            user_id__in=TimeEntry.objects.filter(
                project=project, status=EntryStatus.APPROVED
            ).values("user_id"),
        )
        if r.user_id is not None
    }
    assigned = Assignment.objects.filter(task__project=project).values("resource_id")
    rates = rate_table(
        [r.pk for r in resources.values()] + [row["resource_id"] for row in assigned]
    )
    g = _Gathered()
    if planned:
        _planned_labour(g, project, tasks, rates)
        _planned_other(g, project, tasks)
    _bookings(g, project, today, planned=planned, actual=actual)
    if actual:
        _actual_labour(g, project, rates, resources)
        _actual_other(g, project)
    if budget:
        _budget(g, project)
    if planned:
        _untasked_remaining(g)
    return g, tasks


def planned_cost_by_task(project: Project) -> dict[int, Decimal] | None:
    """Each task's planned cost (people at their rates, planned costs, bookings), for the
    baselines (planning.costing); None when nothing in the project has a cost. Costs on no
    task are not in any task's budget."""
    g, _tasks = _gather(project, actual=False, budget=False)
    if not g.ledger.total.get("planned"):
        return None
    return {
        task_id: money(amount)
        for (measure, task_id), amount in g.ledger.task.items()
        if measure == "planned" and task_id is not None
    }


def actual_cost_rows(project: Project, until: dt.date) -> list[tuple[int | None, dt.date, Decimal]]:
    """Actual cost by task and day up to `until`, for earned value (planning.costing)."""
    g, _tasks = _gather(project, planned=False, budget=False)
    return [row for row in g.ledger.spent if row[1] <= until]


def compute_costs(project: Project) -> CostSummary:
    """The summary, without a permission check: for the alerts run and for the selectors
    below, which check first."""
    g, tasks = _gather(project)
    ledger = g.ledger
    total = ledger.figures(lambda m: ledger.total.get(m, Decimal(0)))
    by_category = [
        CostRow(
            str(c.value),
            str(c.label),
            ledger.figures(lambda m, c=c: ledger.category.get((m, str(c.value)), Decimal(0))),
        )
        for c in CostCategory
    ]
    by_wbs = _wbs_rows(ledger, tasks)
    bac = total.budget if total.budget > 0 else total.planned
    earned = money(ledger.total["planned"] - ledger.total["remaining"])
    cpi = (
        (earned / total.actual).quantize(Decimal("0.01"), ROUND_HALF_UP)
        if total.actual > 0 and earned > 0
        else None
    )
    eac_cpi = money(bac * total.actual / earned) if cpi is not None else None
    return CostSummary(
        project=project,
        currency=project.currency,
        by_category=by_category,
        by_month=_month_rows(ledger),
        by_wbs=by_wbs,
        total=total,
        bac=bac,
        earned_value=earned,
        cpi=cpi,
        eac_bottom_up=total.forecast,
        eac_cpi=eac_cpi,
        spent_percent=_percent(total.actual, total.budget),
        forecast_percent=_percent(total.forecast, total.budget),
        missing_rates=sorted(set(g.missing.values())),
        missing_hours=g.missing_hours,
        over_budget=[
            r
            for r in by_wbs
            if r.task_id is not None
            and r.figures.budget > 0
            and r.figures.forecast > r.figures.budget
        ],
    )


def costs_for(actor: Any, project: Project) -> CostSummary:
    require(actor, P.VIEW_FINANCE, project)
    return compute_costs(project)


# ---------------------------------------------------------------- spend alerts


def spend_crossings(project: Project, summary: CostSummary | None = None) -> list[tuple[str, int]]:
    """The alert thresholds actual cost and the forecast have newly crossed: for each kind
    ('actual', 'forecast') the highest percentage of the budget reached and not announced
    yet. A project without a budget raises none."""
    summary = summary or compute_costs(project)
    row = finance_settings_of(project)
    thresholds = alert_percentages(row)
    found: list[tuple[str, int]] = []
    for kind, percent, announced in (
        ("actual", summary.spent_percent, row.alerted_actual),
        ("forecast", summary.forecast_percent, row.alerted_forecast),
    ):
        if percent is None:
            continue
        reached = [p for p in thresholds if percent >= p]
        if reached and max(reached) > announced:
            found.append((kind, max(reached)))
    return found


def projects_with_budget(project_ids: Iterable[int] | None = None) -> QuerySet[Project]:
    """The projects an alerts run looks at: those with a budget line."""
    qs = Project.objects.filter(budget_lines__isnull=False).distinct()
    if project_ids is not None:
        qs = qs.filter(Q(pk__in=list(project_ids)))
    return qs


# ---------------------------------------------------------------- choices for the forms


def task_choices(project: Project) -> list[tuple[int, str]]:
    rows = Task.objects.filter(project=project).values_list("pk", "wbs_code", "name")
    ordered = sorted(rows, key=lambda r: (_wbs_key(r[1]), r[0]))
    return [(pk, f"{code} {name}".strip()) for pk, code, name in ordered]


def item_choices(project: Project) -> list[tuple[int, str]]:
    rows = Item.objects.filter(workspace_id=project.workspace_id, is_active=True)
    return [(i.pk, f"{i.code} {i.name} ({i.unit_cost}/{i.unit})") for i in rows]
