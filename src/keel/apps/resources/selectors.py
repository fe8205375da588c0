"""Reads every area of resource allocation shares: a person's resource in a workspace and
the cost rate in effect on a day."""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from keel.apps.accounts.models import Workspace
from keel.apps.accounts.permissions import WorkspaceAction
from keel.apps.accounts.selectors import workspace_require
from keel.common.errors import NotFound

from .models import CostRate, Resource


def workspace_for(
    actor: Any, workspace_id: int, action: WorkspaceAction = WorkspaceAction.VIEW_RESOURCES
) -> Workspace:
    """The workspace whose people or catalogue the actor asks for: 404 to a non-member, 403
    without the right."""
    ws = Workspace.objects.filter(pk=workspace_id).first()
    if ws is None:
        raise NotFound()
    workspace_require(actor, action, ws)
    return ws


def resource_of_user(workspace_id: int, user_id: int) -> Resource | None:
    return Resource.objects.filter(workspace_id=workspace_id, user_id=user_id).first()


@dataclass(frozen=True)
class Rate:
    effective_from: date
    standard: Decimal
    overtime: Decimal
    currency: str


class RateTable:
    """Every rate of some resources, looked up by day without further queries: the rate in
    effect on a day is the latest one whose effective date is on or before it."""

    def __init__(self, rates: Iterable[CostRate]) -> None:
        self._by_resource: dict[int, list[Rate]] = {}
        for r in sorted(rates, key=lambda r: (r.resource_id, r.effective_from)):
            self._by_resource.setdefault(r.resource_id, []).append(
                Rate(r.effective_from, r.standard_rate, r.overtime_rate, r.currency)
            )
        self._days = {k: [r.effective_from for r in v] for k, v in self._by_resource.items()}

    def on(self, resource_id: int, day: date) -> Rate | None:
        days = self._days.get(resource_id)
        if not days:
            return None
        i = bisect.bisect_right(days, day) - 1
        return self._by_resource[resource_id][i] if i >= 0 else None

    def first(self, resource_id: int) -> Rate | None:
        rates = self._by_resource.get(resource_id)
        return rates[0] if rates else None


def rate_table(resource_ids: Iterable[int]) -> RateTable:
    """One query for the rates of all the resources."""
    return RateTable(CostRate.objects.filter(resource_id__in=list(resource_ids)))


def rate_on(resource: Resource, day: date) -> Rate | None:
    return rate_table([resource.pk]).on(resource.pk, day)
