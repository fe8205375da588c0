"""The demo shows resource allocation working at once: people with skills and rates, costs
that add up without warnings, baselines priced (so earned value reads in money), expenses
in every state, stock with a low item, purchases and bookings."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from keel.apps.planning.models import Baseline
from keel.apps.projects.models import Project
from keel.apps.resources.models import (
    Assignment,
    Booking,
    Expense,
    PurchaseOrder,
    Resource,
)
from keel.apps.resources.selectors_money import compute_costs
from keel.apps.resources.selectors_stock import low_stock
from keel.cli.main import app


@pytest.mark.django_db
def test_the_demo_has_resources_and_money() -> None:
    assert CliRunner().invoke(app, ["demo"]).exit_code == 0
    assert Resource.objects.filter(user__isnull=True).count() >= 3  # contractors
    assert not Resource.objects.filter(user__isnull=False, rates__isnull=True).exists()
    for project in Project.objects.all():
        summary = compute_costs(project)
        assert summary.missing_rates == [], project.code
        assert summary.total.budget > 0 and summary.total.planned > 0
        assert summary.total.actual > 0, project.code
        baseline = Baseline.objects.get(project=project, is_primary=True)
        assert baseline.cost is not None and baseline.cost > 0
        assert Assignment.objects.filter(task__project=project).exists()
        assert Booking.objects.filter(project=project).exists()
    assert set(Expense.objects.values_list("status", flat=True)) >= {
        "approved",
        "submitted",
        "rejected",
    }
    fit = Project.objects.get(code="FIT")
    assert [level.item.code for level in low_stock(fit)] == ["FIT-PT"]
    assert set(PurchaseOrder.objects.values_list("status", flat=True)) >= {"approved", "requested"}
