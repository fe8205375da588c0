"""Resource allocation: people and their skills, rates and leave; assignments to tasks;
budgets, planned costs and expenses; materials, stock, purchases and equipment bookings."""

from .money import (
    BudgetLine,
    CostCategory,
    Expense,
    ExpenseStatus,
    FinanceSettings,
    PlannedCost,
)
from .people import Assignment, CostRate, Leave, Resource, ResourceSkill, Skill, TaskSkill
from .stock import (
    Booking,
    Equipment,
    Item,
    PurchaseLine,
    PurchaseOrder,
    PurchaseStatus,
    StockLevel,
    StockMove,
    StockMoveKind,
)

__all__ = [
    "Assignment",
    "Booking",
    "BudgetLine",
    "CostCategory",
    "CostRate",
    "Equipment",
    "Expense",
    "ExpenseStatus",
    "FinanceSettings",
    "Item",
    "Leave",
    "PlannedCost",
    "PurchaseLine",
    "PurchaseOrder",
    "PurchaseStatus",
    "Resource",
    "ResourceSkill",
    "Skill",
    "StockLevel",
    "StockMove",
    "StockMoveKind",
    "TaskSkill",
]
