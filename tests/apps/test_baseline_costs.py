"""Baselines keep each task's planned cost when the plan has costs (through the cost
provider the resources app registers); the comparison shows the cost variance, and only
to those who may see the project's money."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

import pytest

from keel.apps.planning import costing
from keel.apps.planning.models import BaselineTask, Task
from keel.apps.planning.selectors import baseline_comparison
from keel.apps.planning.services import baseline_save
from keel.apps.projects.models import Project

from ..conftest import World
from .test_baselines import make_plan

COSTS: dict[int, Decimal] = {}


def _provider(project: Project) -> Mapping[int, Decimal] | None:
    return dict(COSTS) if COSTS else None


@pytest.fixture
def priced(fin_world: World) -> Iterator[dict[str, Task]]:
    plan = make_plan(fin_world)
    COSTS.clear()
    COSTS.update({plan["design"].pk: Decimal("1200.50"), plan["build"].pk: Decimal("800")})
    saved = costing._provider
    costing.register_cost_provider(_provider)
    yield plan
    costing.register_cost_provider(saved)
    COSTS.clear()


def test_the_baseline_keeps_costs_rolled_up(fin_world: World, priced: dict[str, Task]) -> None:
    b = baseline_save(actor=fin_world.manager, project=fin_world.project)
    rows = {r.name: r.cost for r in BaselineTask.objects.filter(baseline=b)}
    assert rows == {
        "Phase": Decimal("2000.50"),
        "Design": Decimal("1200.50"),
        "Build": Decimal("800.00"),
        "Launch": Decimal("0.00"),
    }
    assert b.cost == Decimal("2000.50")


def test_without_costs_the_baseline_says_unknown(world: World) -> None:
    make_plan(world)
    b = baseline_save(actor=world.manager, project=world.project)
    assert b.cost is None
    assert set(BaselineTask.objects.filter(baseline=b).values_list("cost", flat=True)) == {None}


@pytest.mark.parametrize(
    ("role", "sees"),
    [("manager", True), ("finance", True), ("member", False), ("viewer", False)],
)
def test_cost_variance_only_for_finance_eyes(
    fin_world: World, priced: dict[str, Task], role: str, sees: bool
) -> None:
    b = baseline_save(actor=fin_world.manager, project=fin_world.project)
    COSTS[priced["design"].pk] = Decimal("1500.50")
    by_name = {r.name: r.cost_variance for r in baseline_comparison(fin_world.user(role), b).rows}
    if sees:
        assert by_name["Design"] == Decimal("300.00")
        assert by_name["Build"] == Decimal("0.00")
    else:
        assert set(by_name.values()) == {None}


@pytest.mark.parametrize(("role", "sees"), [("finance", True), ("member", False)])
def test_api_shows_baseline_cost_to_finance_only(
    fin_world: World, priced: dict[str, Task], api_client: Any, role: str, sees: bool
) -> None:
    b = baseline_save(actor=fin_world.manager, project=fin_world.project)
    client = api_client(fin_world.user(role))
    listed = client.get(f"/api/v1/projects/{fin_world.project.pk}/baselines").json()["items"]
    compared = client.get(f"/api/v1/baselines/{b.pk}/comparison").json()
    design = next(r for r in compared["rows"] if r["name"] == "Design")
    if sees:
        assert Decimal(listed[0]["cost"]) == Decimal("2000.50")
        assert Decimal(design["cost_variance"]) == Decimal("0")
    else:
        assert listed[0]["cost"] is None
        assert design["cost_variance"] is None


@pytest.mark.parametrize(("role", "sees"), [("manager", True), ("member", False)])
def test_page_shows_the_cost_column_to_finance_eyes(
    fin_world: World, priced: dict[str, Task], login: Any, role: str, sees: bool
) -> None:
    baseline_save(actor=fin_world.manager, project=fin_world.project)
    html = login(fin_world.user(role)).get(f"/projects/{fin_world.project.pk}/baselines/").content
    assert (b'data-testid="cost-variance"' in html) is sees
