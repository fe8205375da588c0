"""API of the money area: a project's budget lines and planned costs (the finance team),
expenses with receipts and their approval, and the cost summary. Reads through
selectors_money, writes through services_money: the pages call the same functions."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import File, Form, Query, Router, Status, UploadedFile

from keel.apps.projects import selectors as project_selectors
from keel.common.api import ListQuery, PathId, errors, paginate

from . import selectors_money as selectors
from . import services_money as services
from .schemas_money import (
    BudgetLineCreate,
    BudgetLineOut,
    BudgetLinePage,
    BudgetLinePatch,
    CostsOut,
    CostsQuery,
    ExpenseCreate,
    ExpenseOut,
    ExpensePage,
    ExpensePatch,
    ExpenseQuery,
    FinanceSettingsIn,
    FinanceSettingsOut,
    PlannedCostCreate,
    PlannedCostOut,
    PlannedCostPage,
    PlannedCostPatch,
    RejectIn,
    VersionIn,
)

router = Router(tags=["costs"])


def _actor(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


def _project(request: HttpRequest, project_id: int) -> Any:
    return project_selectors.project_get(_actor(request), project_id)


# ---------------------------------------------------------------- spend alerts


@router.get(
    "/projects/{project_id}/finance-settings",
    response={200: FinanceSettingsOut, **errors(401, 403, 404, 422)},
)
def finance_settings_get(request: HttpRequest, project_id: PathId) -> Any:
    """At which percentages of the budget spend alerts go out (those who see the money)."""
    actor = _actor(request)
    project = _project(request, project_id)
    selectors.require_finance(actor, project)
    row = selectors.finance_settings_of(project)
    row.alert_percentages = selectors.alert_percentages(row)
    return row


@router.put(
    "/projects/{project_id}/finance-settings",
    response={200: FinanceSettingsOut, **errors(400, 401, 403, 404, 409, 422)},
)
def finance_settings_put(
    request: HttpRequest, project_id: PathId, payload: FinanceSettingsIn
) -> Any:
    """Set the alert percentages (1..1000; those who may change the budget)."""
    return services.finance_settings_set(
        actor=_actor(request),
        project=_project(request, project_id),
        version=payload.version,
        alert_percentages=payload.alert_percentages,
    )


# ---------------------------------------------------------------- budget lines


@router.get(
    "/projects/{project_id}/budget-lines",
    response={200: BudgetLinePage, **errors(401, 403, 404, 422)},
)
def budget_line_list(request: HttpRequest, project_id: PathId, query: Query[ListQuery]) -> Any:
    """The project's budget lines (the finance team)."""
    project = _project(request, project_id)
    return paginate(selectors.budget_lines_for(_actor(request), project), query)


@router.post(
    "/projects/{project_id}/budget-lines",
    response={201: BudgetLineOut, **errors(400, 401, 403, 404, 422)},
)
def budget_line_create(request: HttpRequest, project_id: PathId, payload: BudgetLineCreate) -> Any:
    """Add a slice of the budget: a category, optionally a WBS element and a month."""
    line = services.budget_line_create(
        actor=_actor(request), project=_project(request, project_id), values=payload.dict()
    )
    return Status(201, line)


@router.patch(
    "/budget-lines/{line_id}",
    response={200: BudgetLineOut, **errors(400, 401, 403, 404, 409, 422)},
)
def budget_line_update(request: HttpRequest, line_id: PathId, payload: BudgetLinePatch) -> Any:
    actor = _actor(request)
    line = selectors.budget_line_get(actor, line_id)
    changes = payload.model_dump(exclude_unset=True, exclude={"version"})
    return services.budget_line_update(
        actor=actor, line=line, version=payload.version, changes=changes
    )


@router.delete("/budget-lines/{line_id}", response={204: None, **errors(401, 403, 404, 409, 422)})
def budget_line_delete(request: HttpRequest, line_id: PathId, version: int | None = None) -> Any:
    """Remove a budget line; with `?version=` a change made since is a 409."""
    actor = _actor(request)
    services.budget_line_delete(
        actor=actor, line=selectors.budget_line_get(actor, line_id), version=version
    )
    return Status(204, None)


# ---------------------------------------------------------------- planned costs


@router.get(
    "/projects/{project_id}/planned-costs",
    response={200: PlannedCostPage, **errors(401, 403, 404, 422)},
)
def planned_cost_list(request: HttpRequest, project_id: PathId, query: Query[ListQuery]) -> Any:
    """The project's planned costs other than labour (the finance team)."""
    project = _project(request, project_id)
    return paginate(selectors.planned_costs_for(_actor(request), project), query)


@router.post(
    "/projects/{project_id}/planned-costs",
    response={201: PlannedCostOut, **errors(400, 401, 403, 404, 422)},
)
def planned_cost_create(
    request: HttpRequest, project_id: PathId, payload: PlannedCostCreate
) -> Any:
    """Plan materials, equipment, a service or a fixed cost: an item and a quantity (priced
    at the item's unit cost) or an amount."""
    values = payload.model_dump(exclude_none=True)
    values.setdefault("task_id", None)
    cost = services.planned_cost_create(
        actor=_actor(request), project=_project(request, project_id), values=values
    )
    return Status(201, cost)


@router.patch(
    "/planned-costs/{cost_id}",
    response={200: PlannedCostOut, **errors(400, 401, 403, 404, 409, 422)},
)
def planned_cost_update(request: HttpRequest, cost_id: PathId, payload: PlannedCostPatch) -> Any:
    actor = _actor(request)
    cost = selectors.planned_cost_get(actor, cost_id)
    changes = payload.model_dump(exclude_unset=True, exclude={"version"})
    return services.planned_cost_update(
        actor=actor, cost=cost, version=payload.version, changes=changes
    )


@router.delete("/planned-costs/{cost_id}", response={204: None, **errors(401, 403, 404, 409, 422)})
def planned_cost_delete(request: HttpRequest, cost_id: PathId, version: int | None = None) -> Any:
    actor = _actor(request)
    services.planned_cost_delete(
        actor=actor, cost=selectors.planned_cost_get(actor, cost_id), version=version
    )
    return Status(204, None)


# ---------------------------------------------------------------- expenses


@router.get(
    "/projects/{project_id}/expenses",
    response={200: ExpensePage, **errors(401, 403, 404, 422)},
    tags=["expenses"],
)
def expense_list(request: HttpRequest, project_id: PathId, query: Query[ExpenseQuery]) -> Any:
    """Every expense of the project for the finance team; your own for anyone else who may
    claim. Newest first."""
    project = _project(request, project_id)
    rows = selectors.expenses_for(
        _actor(request),
        project,
        status=query.status,
        category=query.category,
        claimant_id=query.claimant_id,
        date_from=query.date_from,
        date_to=query.date_to,
    )
    return paginate(rows, query)


@router.post(
    "/projects/{project_id}/expenses",
    response={201: ExpenseOut, **errors(400, 401, 403, 404, 422)},
    tags=["expenses"],
)
def expense_create(
    request: HttpRequest,
    project_id: PathId,
    payload: Form[ExpenseCreate],
    # ninja reads an optional file from a File() default; B008 expects only plain values.
    receipt: UploadedFile | None = File(None),  # type: ignore[type-arg]  # noqa: B008
) -> Any:
    """Record an expense of your own (a draft), as multipart form data with an optional
    `receipt` file (PDF, PNG, JPEG or WEBP, at most 10 MB)."""
    expense = services.expense_create(
        actor=_actor(request),
        project=_project(request, project_id),
        values=payload.model_dump(),
        receipt=receipt,
    )
    return Status(201, expense)


@router.get(
    "/expenses/{expense_id}",
    response={200: ExpenseOut, **errors(401, 403, 404, 422)},
    tags=["expenses"],
)
def expense_detail(request: HttpRequest, expense_id: PathId) -> Any:
    return selectors.expense_get(_actor(request), expense_id)


@router.patch(
    "/expenses/{expense_id}",
    response={200: ExpenseOut, **errors(400, 401, 403, 404, 409, 422)},
    tags=["expenses"],
)
def expense_update(request: HttpRequest, expense_id: PathId, payload: ExpensePatch) -> Any:
    """Change your own draft or rejected expense (422 code `expense_locked` otherwise)."""
    actor = _actor(request)
    expense = selectors.expense_get(actor, expense_id)
    changes = payload.model_dump(exclude_unset=True, exclude={"version"})
    return services.expense_update(
        actor=actor, expense=expense, version=payload.version, changes=changes
    )


@router.delete(
    "/expenses/{expense_id}",
    response={204: None, **errors(401, 403, 404, 409, 422)},
    tags=["expenses"],
)
def expense_delete(request: HttpRequest, expense_id: PathId, version: int | None = None) -> Any:
    """Delete your own draft or rejected expense and its receipt."""
    actor = _actor(request)
    services.expense_delete(
        actor=actor, expense=selectors.expense_get(actor, expense_id), version=version
    )
    return Status(204, None)


@router.post(
    "/expenses/{expense_id}/submit",
    response={200: ExpenseOut, **errors(400, 401, 403, 404, 409, 422)},
    tags=["expenses"],
)
def expense_submit(request: HttpRequest, expense_id: PathId, payload: VersionIn) -> Any:
    """Send your draft or rejected expense for approval."""
    actor = _actor(request)
    expense = selectors.expense_get(actor, expense_id)
    return services.expense_submit(actor=actor, expense=expense, version=payload.version)


@router.post(
    "/expenses/{expense_id}/approve",
    response={200: ExpenseOut, **errors(400, 401, 403, 404, 409, 422)},
    tags=["expenses"],
)
def expense_approve(request: HttpRequest, expense_id: PathId, payload: VersionIn) -> Any:
    """Approve a submitted expense (not your own: 403 code `own_expense`)."""
    actor = _actor(request)
    expense = selectors.expense_get(actor, expense_id)
    return services.expense_approve(actor=actor, expense=expense, version=payload.version)


@router.post(
    "/expenses/{expense_id}/reject",
    response={200: ExpenseOut, **errors(400, 401, 403, 404, 409, 422)},
    tags=["expenses"],
)
def expense_reject(request: HttpRequest, expense_id: PathId, payload: RejectIn) -> Any:
    """Send a submitted expense back with the reason."""
    actor = _actor(request)
    expense = selectors.expense_get(actor, expense_id)
    return services.expense_reject(
        actor=actor, expense=expense, version=payload.version, reason=payload.reason
    )


@router.get(
    "/expenses/{expense_id}/receipt",
    response={200: None, **errors(401, 403, 404, 422)},
    tags=["expenses"],
)
def expense_receipt(request: HttpRequest, expense_id: PathId) -> Any:
    """The receipt file, for its claimant and the finance team (404 when there is none)."""
    return selectors.receipt_download(_actor(request), expense_id)


# ---------------------------------------------------------------- the cost summary


@router.get(
    "/projects/{project_id}/costs",
    response={200: CostsOut, **errors(401, 403, 404, 422)},
)
def costs(request: HttpRequest, project_id: PathId, query: Query[CostsQuery]) -> Any:
    """Budget, planned, actual and forecast cost by category, month or WBS element, with the
    estimate at completion both bottom-up and as BAC / CPI (the finance team)."""
    summary = selectors.costs_for(_actor(request), _project(request, project_id))
    rows = {"category": summary.by_category, "month": summary.by_month, "wbs": summary.by_wbs}
    return {
        **{k: getattr(summary, k) for k in CostsOut.model_fields if hasattr(summary, k)},
        "by": query.by,
        "rows": [_row(r) for r in rows[query.by]],
        "total": _figures(summary.total),
        "over_budget": [r.label for r in summary.over_budget],
    }


def _figures(f: Any) -> dict[str, Any]:
    return {**f.__dict__, "variance": f.variance}


def _row(r: Any) -> dict[str, Any]:
    return {
        "key": r.key,
        "label": r.label,
        "depth": r.depth,
        "task_id": r.task_id,
        "figures": _figures(r.figures),
    }
