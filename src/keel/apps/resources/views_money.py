"""Money pages of a project: Costs (budget vs planned vs actual vs forecast, with a chart and
an Excel export), Budget (budget lines, planned costs, spend alerts) and Expenses (claims,
receipts, approval). Thin: parse a form, call one service, map its refusals."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from keel.apps.projects.forms import project_for
from keel.apps.projects.permissions import ProjectAction, page_flags
from keel.common.charts import LineChart, Series, line_chart_svg
from keel.common.errors import Conflict, KeelError, NotFound, PermissionDenied
from keel.common.pages import apply_service_errors, service_errors, service_messages

from . import selectors_money as selectors
from . import services_money as services
from .forms_money import (
    AlertsForm,
    BudgetLineEditForm,
    BudgetLineForm,
    ExpenseEditForm,
    ExpenseForm,
    PlannedCostEditForm,
    PlannedCostForm,
    RejectForm,
    VersionForm,
)
from .models import ExpenseStatus

P = ProjectAction
COSTS = "resources/costs.html"
BUDGET = "resources/budget.html"
BUDGET_EDIT = "resources/budget_edit.html"
EXPENSES = "resources/expenses.html"
EXPENSE = "resources/expense.html"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# ---------------------------------------------------------------- costs


def _chart(summary: selectors.CostSummary) -> str:
    """Cumulative budget, planned, actual and forecast cost over the months."""
    months = [(r.month, r.figures) for r in summary.by_month if r.month is not None]
    series = []
    for name, attr, color, dashed in (
        (_("Budget"), "budget", "#667382", True),
        (_("Planned"), "planned", "#206bc4", False),
        (_("Actual"), "actual", "#d63939", False),
        (pgettext("cost", "Forecast"), "forecast", "#f59f00", True),
    ):
        running = Decimal(0)
        points = []
        for month, figures in months:
            running += getattr(figures, attr)
            points.append((month, float(running)))  # a drawing position, not money
        series.append(Series(name, points, color, dashed))
    chart = LineChart(title=_("Cumulative cost by month"), series=series, y_label=summary.currency)
    return mark_safe(line_chart_svg(chart))  # noqa: S308  (our SVG, texts escaped)


@login_required
@require_GET
@service_errors
def costs(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_for(request.user, pk, P.VIEW_FINANCE)
    summary = selectors.costs_for(request.user, project)
    ctx = {
        "project": project,
        "tab": "costs",
        "summary": summary,
        "chart_svg": _chart(summary),
        **page_flags(request.user, project),
    }
    return render(request, COSTS, ctx)


def _sheet(wb: Any, title: str, heading: str, rows: list[Any], total: Any, fmt: str) -> None:
    from openpyxl.styles import Font  # type: ignore[import-untyped]  # no stubs installed

    ws = wb.create_sheet(title)
    names = [_("Budget"), _("Planned"), _("Actual"), pgettext("cost", "Forecast"), _("Variance")]
    ws.append([heading, *names])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for r in rows:
        f = r.figures
        ws.append(["  " * r.depth + r.label, f.budget, f.planned, f.actual, f.forecast, f.variance])
    ws.append(
        [_("Total"), total.budget, total.planned, total.actual, total.forecast, total.variance]
    )
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    for row in ws.iter_rows(min_row=2, min_col=2):
        for cell in row:
            cell.number_format = fmt
    ws.column_dimensions["A"].width = 40
    for col in "BCDEF":
        ws.column_dimensions[col].width = 16


@login_required
@require_GET
@service_errors
def costs_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    """The Costs page's tables as a workbook: numbers stay numbers, shown in the currency."""
    from openpyxl import Workbook  # type: ignore[import-untyped]  # no stubs installed

    project = project_for(request.user, pk, P.VIEW_FINANCE)
    s = selectors.costs_for(request.user, project)
    fmt = f'#,##0.00 "{s.currency}"'
    wb = Workbook()
    wb.remove(wb.active)
    _sheet(wb, _("By category"), _("Category"), s.by_category, s.total, fmt)
    _sheet(wb, _("By month"), _("Month"), s.by_month, s.total, fmt)
    _sheet(wb, _("By WBS element"), _("WBS element"), s.by_wbs, s.total, fmt)
    ws = wb.create_sheet(pgettext("cost", "Forecast"))
    for label, value in (
        (_("Budget at completion (BAC)"), s.bac),
        (_("Earned value (EV)"), s.earned_value),
        (_("Actual cost (AC)"), s.total.actual),
        (_("EAC = actual + remaining planned"), s.eac_bottom_up),
        (_("EAC = BAC / CPI"), s.eac_cpi),
    ):
        ws.append([label, value])
        ws.cell(ws.max_row, 2).number_format = fmt
    ws.append([_("CPI = EV / AC"), s.cpi])
    ws.column_dimensions["A"].width = 40
    buffer = io.BytesIO()
    wb.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = (
        content_disposition_header(as_attachment=True, filename=f"{project.code}-costs.xlsx")
        or "attachment"
    )
    return response


# ---------------------------------------------------------------- budget


def _budget_context(request: HttpRequest, project: Any, **forms: Any) -> dict[str, Any]:
    tasks = selectors.task_choices(project)
    settings_row = selectors.finance_settings_of(project)
    alerts = ", ".join(str(p) for p in selectors.alert_percentages(settings_row))
    return {
        "project": project,
        "tab": "costs",
        "lines": selectors.budget_lines_for(request.user, project),
        "planned": selectors.planned_costs_for(request.user, project),
        "line_form": forms.get("line_form") or BudgetLineForm(tasks=tasks),
        "cost_form": forms.get("cost_form")
        or PlannedCostForm(tasks=tasks, items=selectors.item_choices(project)),
        "alerts_form": forms.get("alerts_form")
        or AlertsForm(initial={"alert_percentages": alerts, "version": settings_row.version}),
        **page_flags(request.user, project),
    }


@login_required
@require_GET
@service_errors
def budget(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_for(request.user, pk, P.EDIT_BUDGET)
    return render(request, BUDGET, _budget_context(request, project))


@login_required
@require_POST
@service_errors
def budget_line_new(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_for(request.user, pk, P.EDIT_BUDGET)
    form = BudgetLineForm(request.POST, tasks=selectors.task_choices(project))
    status = 422
    if form.is_valid():
        try:
            services.budget_line_create(actor=request.user, project=project, values=form.values())
        except KeelError as exc:
            status = apply_service_errors(form, exc)
        else:
            messages.success(request, _("The budget line was added."))
            return redirect("resources:budget", pk=pk)
    return render(request, BUDGET, _budget_context(request, project, line_form=form), status=status)


@login_required
@require_POST
@service_errors
def planned_cost_new(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_for(request.user, pk, P.EDIT_BUDGET)
    form = PlannedCostForm(
        request.POST,
        tasks=selectors.task_choices(project),
        items=selectors.item_choices(project),
    )
    status = 422
    if form.is_valid():
        try:
            services.planned_cost_create(actor=request.user, project=project, values=form.values())
        except KeelError as exc:
            status = apply_service_errors(form, exc)
        else:
            messages.success(request, _("The planned cost was added."))
            return redirect("resources:budget", pk=pk)
    return render(request, BUDGET, _budget_context(request, project, cost_form=form), status=status)


@login_required
@require_POST
@service_errors
def budget_alerts(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_for(request.user, pk, P.EDIT_BUDGET)
    form = AlertsForm(request.POST)
    status = 422
    if form.is_valid():
        try:
            services.finance_settings_set(
                actor=request.user,
                project=project,
                version=form.cleaned_data["version"],
                alert_percentages=form.cleaned_data["alert_percentages"],
            )
        except KeelError as exc:
            status = apply_service_errors(form, exc)
        else:
            messages.success(request, _("The spend alerts were saved."))
            return redirect("resources:budget", pk=pk)
    ctx = _budget_context(request, project, alerts_form=form)
    return render(request, BUDGET, ctx, status=status)


def _line_initial(line: Any) -> dict[str, Any]:
    return {
        "category": line.category,
        "amount": line.amount,
        "task": str(line.task_id or ""),
        "period": line.period.strftime("%Y-%m") if line.period else "",
        "note": line.note,
        "version": line.version,
    }


def _cost_initial(cost: Any) -> dict[str, Any]:
    return {
        "category": cost.category,
        "description": cost.description,
        "task": str(cost.task_id or ""),
        "date": cost.date,
        "item": str(cost.item_id or ""),
        "quantity": cost.quantity,
        "amount": None if cost.item_id else cost.amount,
        "version": cost.version,
    }


def _edit(
    request: HttpRequest,
    *,
    obj: Any,
    get: Any,
    make_form: Any,
    initial: Any,
    save: Any,
    title: str,
    delete_url: str,
) -> HttpResponse:
    """The edit page of a budget line or a planned cost: a stale save shows the stored
    values with the reason; a refused one the messages on the form."""
    form = make_form(initial=initial(obj))
    status = 200
    if request.method == "POST":
        form = make_form(request.POST, initial=initial(obj))
        status = 422
        if form.is_valid():
            try:
                save(obj, form.cleaned_data["version"], form.values())
            except Conflict as exc:
                obj = get()
                form = make_form(initial=initial(obj))
                status = apply_service_errors(form, exc)
            except KeelError as exc:
                status = apply_service_errors(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("resources:budget", pk=obj.project_id)
    ctx = {
        "project": obj.project,
        "tab": "costs",
        "form": form,
        "object": obj,
        "title": title,
        "delete_url": delete_url,
        **page_flags(request.user, obj.project),
    }
    return render(request, BUDGET_EDIT, ctx, status=status)


@login_required
@require_http_methods(["GET", "POST"])
@service_errors
def budget_line_edit(request: HttpRequest, pk: int) -> HttpResponse:
    from django.urls import reverse

    line = selectors.budget_line_get(request.user, pk)
    project_for(request.user, line.project_id, P.EDIT_BUDGET)
    tasks = selectors.task_choices(line.project)
    return _edit(
        request,
        obj=line,
        get=lambda: selectors.budget_line_get(request.user, pk),
        make_form=lambda *a, **kw: BudgetLineEditForm(*a, tasks=tasks, **kw),
        initial=_line_initial,
        save=lambda obj, version, values: services.budget_line_update(
            actor=request.user, line=obj, version=version, changes=values
        ),
        title=_("Budget line"),
        delete_url=reverse("resources:budget_line_delete", args=[pk]),
    )


@login_required
@require_http_methods(["GET", "POST"])
@service_errors
def planned_cost_edit(request: HttpRequest, pk: int) -> HttpResponse:
    from django.urls import reverse

    cost = selectors.planned_cost_get(request.user, pk)
    project_for(request.user, cost.project_id, P.EDIT_BUDGET)
    tasks = selectors.task_choices(cost.project)
    items = selectors.item_choices(cost.project)
    return _edit(
        request,
        obj=cost,
        get=lambda: selectors.planned_cost_get(request.user, pk),
        make_form=lambda *a, **kw: PlannedCostEditForm(*a, tasks=tasks, items=items, **kw),
        initial=_cost_initial,
        save=lambda obj, version, values: services.planned_cost_update(
            actor=request.user, cost=obj, version=version, changes=values
        ),
        title=_("Planned cost"),
        delete_url=reverse("resources:planned_cost_delete", args=[pk]),
    )


def _version(request: HttpRequest) -> int | None:
    form = VersionForm(request.POST)
    return form.cleaned_data["version"] if form.is_valid() else None


@login_required
@require_POST
@service_errors
def budget_line_delete(request: HttpRequest, pk: int) -> HttpResponse:
    line = selectors.budget_line_get(request.user, pk)
    project_id = line.project_id
    try:
        services.budget_line_delete(actor=request.user, line=line, version=_version(request))
    except Conflict as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The budget line was deleted."))
    return redirect("resources:budget", pk=project_id)


@login_required
@require_POST
@service_errors
def planned_cost_delete(request: HttpRequest, pk: int) -> HttpResponse:
    cost = selectors.planned_cost_get(request.user, pk)
    project_id = cost.project_id
    try:
        services.planned_cost_delete(actor=request.user, cost=cost, version=_version(request))
    except Conflict as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The planned cost was deleted."))
    return redirect("resources:budget", pk=project_id)


# ---------------------------------------------------------------- expenses


def _expenses_context(request: HttpRequest, project: Any, form: Any = None) -> dict[str, Any]:
    flags = page_flags(request.user, project)
    status = request.GET.get("status") or None
    if status not in ExpenseStatus.values:
        status = None
    return {
        "project": project,
        "tab": "expenses",
        "expenses": selectors.expenses_for(request.user, project, status=status),
        "status": status,
        "statuses": ExpenseStatus.choices,
        "form": form or ExpenseForm(tasks=selectors.task_choices(project)),
        **flags,
    }


@login_required
@require_http_methods(["GET", "POST"])
@service_errors
def expenses(request: HttpRequest, pk: int) -> HttpResponse:
    """The project's expenses (one's own, or all for the finance team) and a new claim."""
    project = project_for(request.user, pk)
    if request.method == "GET":
        return render(request, EXPENSES, _expenses_context(request, project))
    form = ExpenseForm(request.POST, request.FILES, tasks=selectors.task_choices(project))
    status = 422
    if form.is_valid():
        try:
            expense = services.expense_create(
                actor=request.user,
                project=project,
                values=form.values(),
                receipt=form.cleaned_data["receipt"],
            )
        except KeelError as exc:
            status = apply_service_errors(form, exc)
        else:
            messages.success(request, _("The expense was saved as a draft; submit it when ready."))
            return redirect("resources:expense", pk=expense.pk)
    return render(request, EXPENSES, _expenses_context(request, project, form), status=status)


def _expense_initial(expense: Any) -> dict[str, Any]:
    return {
        "category": expense.category,
        "date": expense.date,
        "amount": expense.amount,
        "task": str(expense.task_id or ""),
        "supplier": expense.supplier,
        "description": expense.description,
        "version": expense.version,
    }


def _expense_page(
    request: HttpRequest,
    expense: Any,
    *,
    form: Any = None,
    reject: Any = None,
    problems: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    project = expense.project
    flags = page_flags(request.user, project)
    own = expense.claimant_id == request.user.pk
    editable = own and expense.status in services.OPEN_EXPENSE and flags["can_submit_expense"]
    tasks = selectors.task_choices(project) if editable else []
    ctx = {
        "project": project,
        "tab": "expenses",
        "expense": expense,
        "own": own,
        "editable": editable,
        "can_review": (
            flags["can_approve_expense"] and not own and expense.status == ExpenseStatus.SUBMITTED
        ),
        "form": form
        or (ExpenseEditForm(initial=_expense_initial(expense), tasks=tasks) if editable else None),
        "reject_form": reject or RejectForm(initial={"version": expense.version}),
        "problems": problems or [],
        **flags,
    }
    return render(request, EXPENSE, ctx, status=status)


@login_required
@require_http_methods(["GET", "POST"])
@service_errors
def expense(request: HttpRequest, pk: int) -> HttpResponse:
    """One expense: its details, the claimant's edit form, the reviewer's buttons."""
    item = selectors.expense_get(request.user, pk)
    if request.method == "GET":
        return _expense_page(request, item)
    tasks = selectors.task_choices(item.project)
    form = ExpenseEditForm(request.POST, request.FILES, initial=_expense_initial(item), tasks=tasks)
    status = 422
    if form.is_valid():
        changed = {"task_id" if n == "task" else n for n in form.changed_data}
        changes = {k: v for k, v in form.values().items() if k in changed}
        try:
            services.expense_update(
                actor=request.user,
                expense=item,
                version=form.cleaned_data["version"],
                changes=changes,
                receipt=form.cleaned_data["receipt"],
            )
        except Conflict as exc:
            item = selectors.expense_get(request.user, pk)
            form = ExpenseEditForm(initial=_expense_initial(item), tasks=tasks)
            status = apply_service_errors(form, exc)
        except KeelError as exc:
            status = apply_service_errors(form, exc)
        else:
            messages.success(request, _("The expense was saved."))
            return redirect("resources:expense", pk=pk)
    return _expense_page(request, item, form=form, status=status)


@login_required
@require_POST
@service_errors
def expense_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Submit, approve, reject (with a reason) or delete an expense."""
    if action not in ("submit", "approve", "reject", "delete"):
        raise Http404
    item = selectors.expense_get(request.user, pk)
    version = _version(request)
    reject = RejectForm(request.POST) if action == "reject" else None
    try:
        if action == "submit":
            services.expense_submit(actor=request.user, expense=item, version=version)
            notice = _("The expense was submitted for approval.")
        elif action == "approve":
            services.expense_approve(actor=request.user, expense=item, version=version)
            notice = _("The expense was approved.")
        elif action == "reject":
            services.expense_reject(
                actor=request.user,
                expense=item,
                version=version,
                reason=request.POST.get("reason", ""),
            )
            notice = _("The expense was sent back to its claimant.")
        else:
            services.expense_delete(actor=request.user, expense=item, version=version)
            messages.success(request, _("The expense was deleted."))
            return redirect("resources:expenses", pk=item.project_id)
    except KeelError as exc:
        # Shown on the expense's page, with the status: "not your own" is a 403 in words.
        item = selectors.expense_get(request.user, pk)
        if reject is not None:
            reject = RejectForm(request.POST)
        return _expense_page(
            request, item, reject=reject, problems=service_messages(exc), status=exc.status
        )
    messages.success(request, notice)
    return redirect("resources:expense", pk=pk)


@login_required
@require_GET
def expense_receipt(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The receipt file (a streamed response, so the refusals are mapped here rather than by
    `service_errors`, which wraps views answering an HttpResponse)."""
    try:
        return selectors.receipt_download(request.user, pk)
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(str(exc.message)) from exc
