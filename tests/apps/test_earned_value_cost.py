"""Earned value in money: the baseline's planned costs as budgets and the actual cost (from
the provider the resources app registers) as AC, for those who may see the finances."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from keel.apps.planning import costing
from keel.apps.planning.models import Task
from keel.apps.planning.services import baseline_save, dependency_create, task_create, task_update
from keel.apps.projects.models import Project
from keel.apps.tracking.selectors import earned_value_for
from keel.common.errors import PermissionDenied, ValidationFailed

from ..conftest import World

PLANNED: dict[int, Decimal] = {}
SPENT: list[tuple[int | None, dt.date, Decimal]] = []


def _planned(project: Project) -> dict[int, Decimal] | None:
    return dict(PLANNED) or None


def _spent(project: Project, until: dt.date) -> list[tuple[int | None, dt.date, Decimal]]:
    return [row for row in SPENT if row[1] <= until]


@pytest.fixture
def priced(fin_world: World) -> Iterator[dict[str, Task]]:
    """A (5 days, 1,000) -> B (5 days, 3,000) from Monday 2 March 2026, saved as the
    baseline, status date at the end of the first week."""
    m, p = fin_world.manager, fin_world.project
    a = task_create(actor=m, project=p, name="A", duration_days=Decimal("5"))
    b = task_create(actor=m, project=p, name="B", duration_days=Decimal("5"))
    dependency_create(actor=m, project=p, predecessor_id=a.pk, successor_id=b.pk)
    saved = costing._provider, costing._actual_provider
    PLANNED.clear()
    SPENT.clear()
    PLANNED.update({a.pk: Decimal("1000"), b.pk: Decimal("3000")})
    costing.register_cost_provider(_planned)
    costing.register_actual_cost_provider(_spent)
    baseline_save(actor=m, project=p)
    p.status_date = dt.date(2026, 3, 6)
    p.save(update_fields=["status_date"])
    yield {"a": Task.objects.get(pk=a.pk), "b": Task.objects.get(pk=b.pk)}
    costing.register_cost_provider(saved[0])
    costing.register_actual_cost_provider(saved[1])
    PLANNED.clear()
    SPENT.clear()


def test_measures_money(fin_world: World, priced: dict[str, Task]) -> None:
    a = priced["a"]
    task_update(
        actor=fin_world.manager, task=a, version=a.version, changes={"percent_complete": 50}
    )
    SPENT.extend(
        [
            (a.pk, dt.date(2026, 3, 3), Decimal("600")),
            (None, dt.date(2026, 3, 4), Decimal("150")),  # an expense on no task
            (a.pk, dt.date(2026, 3, 9), Decimal("999")),  # after the status date
        ]
    )
    report = earned_value_for(fin_world.finance, fin_world.project, unit="cost")
    assert report is not None and report.unit == "cost"
    v = report.value
    assert (v.bac, v.pv, v.ev, v.ac) == (4000.0, 1000.0, 500.0, 750.0)
    assert v.cpi == pytest.approx(500 / 750)
    hours = earned_value_for(fin_world.finance, fin_world.project)
    assert hours is not None and hours.unit == "hours" and hours.value.bac == 80.0


@pytest.mark.parametrize("role", ["member", "viewer"])
def test_money_is_refused_to_those_who_may_not_see_it(
    fin_world: World, priced: dict[str, Task], role: str
) -> None:
    with pytest.raises(PermissionDenied):
        earned_value_for(fin_world.user(role), fin_world.project, unit="cost")


def test_a_baseline_without_costs_cannot_measure_money(fin_world: World) -> None:
    task_create(actor=fin_world.manager, project=fin_world.project, name="A")
    baseline_save(actor=fin_world.manager, project=fin_world.project)
    with pytest.raises(ValidationFailed):
        earned_value_for(fin_world.manager, fin_world.project, unit="cost")


@pytest.mark.parametrize(("role", "status"), [("finance", 200), ("member", 403), ("viewer", 403)])
def test_api_unit_cost_by_role(
    fin_world: World, priced: dict[str, Task], api_client: Any, role: str, status: int
) -> None:
    r = api_client(fin_world.user(role)).get(
        f"/api/v1/projects/{fin_world.project.pk}/earned-value?unit=cost"
    )
    assert r.status_code == status
    if status == 200:
        assert r.json()["unit"] == "cost" and r.json()["bac"] == 4000.0


def test_api_refuses_an_unknown_unit(
    fin_world: World, priced: dict[str, Task], api_client: Any
) -> None:
    r = api_client(fin_world.manager).get(
        f"/api/v1/projects/{fin_world.project.pk}/earned-value?unit=euros"
    )
    assert r.status_code == 422


@pytest.mark.parametrize(("role", "toggle"), [("manager", True), ("member", False)])
def test_page_offers_money_to_finance_eyes(
    fin_world: World, priced: dict[str, Task], login: Any, role: str, toggle: bool
) -> None:
    client = login(fin_world.user(role))
    html = client.get(f"/projects/{fin_world.project.pk}/earned-value/?unit=cost").content.decode()
    assert ('data-testid="ev-unit"' in html) is toggle
    assert ("4,000" in html or "4000" in html) is toggle
