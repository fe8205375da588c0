"""Task costs, a seam for the app above. What a task costs (people's time at their rates,
materials, fixed costs) is known by the resources app, which planning must not import; that
app registers a provider at start-up and planning asks it when it saves a baseline or
compares the plan with one. Without a provider (or for a project with no costs at all)
costs are unknown, never zero."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal

from keel.apps.projects.models import Project

# project -> the planned cost of each leaf task that has any (tasks without cost omitted),
# or None when the project has no cost data.
CostProvider = Callable[[Project], Mapping[int, Decimal] | None]

_provider: CostProvider | None = None


def register_cost_provider(provider: CostProvider | None) -> None:
    global _provider
    _provider = provider


def planned_costs(project: Project) -> Mapping[int, Decimal] | None:
    return _provider(project) if _provider is not None else None
