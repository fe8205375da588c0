"""Task costs, a seam for the app above. What a task costs (people's time at their rates,
materials, fixed costs) is known by the resources app, which planning must not import; that
app registers a provider at start-up and planning asks it when it saves a baseline or
compares the plan with one. Without a provider (or for a project with no costs at all)
costs are unknown, never zero."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date
from decimal import Decimal

from keel.apps.projects.models import Project

# project -> the planned cost of each leaf task that has any (tasks without cost omitted),
# or None when the project has no cost data.
CostProvider = Callable[[Project], Mapping[int, Decimal] | None]

# (project, last day) -> actual cost as (task id or None, day, amount) rows up to that day:
# approved time at the rates of the day, approved expenses, material used.
ActualCostProvider = Callable[[Project, date], Iterable[tuple[int | None, date, Decimal]]]

_provider: CostProvider | None = None
_actual_provider: ActualCostProvider | None = None


def register_cost_provider(provider: CostProvider | None) -> None:
    global _provider
    _provider = provider


def planned_costs(project: Project) -> Mapping[int, Decimal] | None:
    return _provider(project) if _provider is not None else None


def register_actual_cost_provider(provider: ActualCostProvider | None) -> None:
    global _actual_provider
    _actual_provider = provider


def actual_costs(project: Project, until: date) -> list[tuple[int | None, date, Decimal]]:
    return list(_actual_provider(project, until)) if _actual_provider is not None else []
