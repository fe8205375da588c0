"""API shapes of the money area: budget lines, planned costs, expenses, the cost summary.
Money leaves as decimal strings with two places, beside the project's currency."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from ninja import Schema
from pydantic import Field

from keel.common.api import Day, Decimal2, Id, In, ListQuery, Page, Version, omittable

from .models import CostCategory, ExpenseStatus

Amount = Annotated[
    Decimal,
    Field(
        max_digits=14, decimal_places=2, description="In the project's currency, e.g. `1250.00`."
    ),
]
Quantity = Annotated[Decimal, Field(max_digits=12, decimal_places=3, gt=0)]


def _currency(obj: Any) -> str:
    return str(obj.project.currency)


class BudgetLineOut(Schema):
    id: int
    project_id: int
    category: CostCategory
    task_id: int | None
    period: dt.date | None = Field(description="The month's first day; null: not phased.")
    amount: Decimal2
    currency: str
    note: str
    version: int

    @staticmethod
    def resolve_currency(obj: Any) -> str:
        return _currency(obj)


class BudgetLinePage(Page[BudgetLineOut]):
    pass


class BudgetLineCreate(In):
    category: CostCategory
    amount: Amount = Field(ge=0)
    task_id: Id | None = Field(None, description="A WBS element (task) of the project.")
    period: Day | None = Field(None, description="Any day of the month; stored as its first.")
    note: Annotated[str, Field(max_length=200)] = ""


class BudgetLinePatch(In):
    category: CostCategory = omittable()
    amount: Amount = omittable(ge=0)
    task_id: Id | None = None
    period: Day | None = None
    note: Annotated[str, Field(max_length=200)] = omittable()
    version: Version


class PlannedCostOut(Schema):
    id: int
    project_id: int
    task_id: int | None
    category: CostCategory
    description: str
    item_id: int | None
    quantity: Decimal | None
    amount: Decimal2
    currency: str
    date: dt.date | None
    version: int

    @staticmethod
    def resolve_currency(obj: Any) -> str:
        return _currency(obj)


class PlannedCostPage(Page[PlannedCostOut]):
    pass


class PlannedCostCreate(In):
    category: CostCategory
    description: Annotated[str, Field(min_length=1, max_length=200)]
    task_id: Id | None = None
    item_id: Id | None = Field(None, description="With `quantity`: amount = quantity x unit cost.")
    quantity: Quantity | None = None
    amount: Amount | None = Field(None, ge=0, description="Without an item.")
    date: Day | None = Field(None, description="When the cost falls; null: the task's start.")


class PlannedCostPatch(In):
    category: CostCategory = omittable()
    description: Annotated[str, Field(min_length=1, max_length=200)] = omittable()
    task_id: Id | None = None
    item_id: Id | None = None
    quantity: Quantity | None = None
    amount: Amount = omittable(ge=0)
    date: Day | None = None
    version: Version


class ExpenseOut(Schema):
    id: int
    project_id: int
    task_id: int | None
    category: CostCategory
    date: dt.date
    amount: Decimal2
    currency: str
    supplier: str
    description: str
    status: ExpenseStatus
    claimant_id: int
    claimant: str
    reviewer_id: int | None
    reviewed_at: dt.datetime | None
    review_comment: str = Field(description="Why it was rejected.")
    has_receipt: bool
    receipt_name: str
    receipt_type: str
    version: int

    @staticmethod
    def resolve_currency(obj: Any) -> str:
        return _currency(obj)

    @staticmethod
    def resolve_claimant(obj: Any) -> str:
        return str(obj.claimant.display_name)

    @staticmethod
    def resolve_has_receipt(obj: Any) -> bool:
        return bool(obj.receipt.name)


class ExpensePage(Page[ExpenseOut]):
    pass


class ExpenseQuery(ListQuery):
    status: ExpenseStatus | None = None
    category: CostCategory | None = None
    claimant_id: Id | None = Field(None, description="Someone's expenses (the finance team).")
    date_from: Day | None = None
    date_to: Day | None = None


class ExpenseCreate(In):
    category: CostCategory
    date: Day
    amount: Amount = Field(gt=0)
    description: Annotated[str, Field(min_length=1, max_length=500)]
    supplier: Annotated[str, Field(max_length=200)] = ""
    task_id: Id | None = None


class ExpensePatch(In):
    category: CostCategory = omittable()
    date: Day = omittable()
    amount: Amount = omittable(gt=0)
    description: Annotated[str, Field(min_length=1, max_length=500)] = omittable()
    supplier: Annotated[str, Field(max_length=200)] = omittable()
    task_id: Id | None = None
    version: Version


class FinanceSettingsOut(Schema):
    alert_percentages: list[int] = Field(
        description="Percentages of the budget at which actual cost or the forecast alert."
    )
    alerted_actual: int = Field(description="The highest threshold actual cost was announced at.")
    alerted_forecast: int
    version: int = Field(description="0 while the project uses the defaults.")


class FinanceSettingsIn(In):
    alert_percentages: list[int] = Field(max_length=20)
    version: int = Field(ge=0, le=2**31 - 1, description="0 while the project uses the defaults.")


class VersionIn(In):
    version: Version


class RejectIn(In):
    version: Version
    reason: Annotated[str, Field(max_length=500)]


class FiguresOut(Schema):
    budget: Decimal2
    planned: Decimal2
    actual: Decimal2
    forecast: Decimal2
    variance: Decimal2 = Field(description="Budget - forecast; negative: over budget.")


class CostRowOut(Schema):
    key: str
    label: str
    depth: int
    task_id: int | None
    figures: FiguresOut


class CostsOut(Schema):
    currency: str
    by: str
    rows: list[CostRowOut]
    total: FiguresOut
    bac: Decimal2 = Field(description="Budget at completion: the budget, else the planned cost.")
    earned_value: Decimal2
    cpi: Decimal | None = Field(description="EV / AC.")
    eac_bottom_up: Decimal2 = Field(description="Actual + what is still to be spent.")
    eac_cpi: Decimal2 | None = Field(description="BAC / CPI.")
    spent_percent: Decimal | None = Field(description="Actual as a percentage of the budget.")
    forecast_percent: Decimal | None
    missing_rates: list[str] = Field(description="People whose hours have no usable rate.")
    missing_hours: Decimal2
    over_budget: list[str] = Field(description="WBS elements forecast above their budget.")


class CostsQuery(In):
    by: Annotated[str, Field(pattern="^(category|month|wbs)$")] = "category"
