"""Baselines through the API: the role matrix, the comparison, bad input."""

from __future__ import annotations

from typing import Any

import pytest

from keel.apps.planning.models import Baseline, Task
from keel.apps.planning.services import baseline_save, task_update

from ..apps.test_baselines import make_plan
from ..conftest import ROLES, World
from .helpers import PROJECT_MANAGE, PROJECT_VIEW, assert_error, expect


@pytest.fixture
def plan(world: World) -> dict[str, Task]:
    return make_plan(world)


@pytest.mark.parametrize("role", ROLES)
def test_baseline_api_by_role(as_role: Any, world: World, plan: dict[str, Task], role: str) -> None:
    client = as_role(role)
    r = client.post(f"/projects/{world.project.pk}/baselines", {"name": "Plan A"})
    assert r.status_code == expect(PROJECT_MANAGE, role, 201), r.content
    b = Baseline.objects.first() or baseline_save(actor=world.manager, project=world.project)
    assert client.get(f"/projects/{world.project.pk}/baselines").status_code == PROJECT_VIEW[role]
    assert client.get(f"/baselines/{b.pk}").status_code == PROJECT_VIEW[role]
    assert client.get(f"/baselines/{b.pk}/comparison").status_code == PROJECT_VIEW[role]
    r = client.patch(f"/baselines/{b.pk}", {"name": "Renamed", "version": b.version})
    assert r.status_code == PROJECT_MANAGE[role]
    r = client.delete(f"/baselines/{b.pk}")
    assert r.status_code == expect(PROJECT_MANAGE, role, 204)
    assert Baseline.objects.filter(pk=b.pk).exists() is (r.status_code != 204)


def test_comparison_api(as_role: Any, world: World, plan: dict[str, Task]) -> None:
    b = baseline_save(actor=world.manager, project=world.project)
    build = plan["build"]
    task_update(
        actor=world.manager, task=build, version=build.version, changes={"duration_days": 6}
    )
    body = as_role("viewer").get(f"/baselines/{b.pk}/comparison").json()
    assert body["finish_variance_days"] == 1
    assert body["slipped_task_ids"] == [build.pk]
    assert body["late_milestone_ids"] == [plan["launch"].pk]
    row = next(r for r in body["rows"] if r["task_id"] == build.pk)
    assert (row["baseline_finish"], row["finish"], row["finish_variance_days"]) == (
        "2026-03-11",
        "2026-03-12",
        1,
    )


def test_bad_baseline_input(as_role: Any, world: World, plan: dict[str, Task]) -> None:
    client = as_role("manager")
    r = client.post(f"/projects/{world.project.pk}/baselines", {"name": "x" * 101})
    assert_error(r, 422, field="name")
    b = baseline_save(actor=world.manager, project=world.project)
    assert_error(client.patch(f"/baselines/{b.pk}", {"name": "y"}), 422, field="version")
    assert_error(client.patch(f"/baselines/{b.pk}", {"name": "y", "version": 9}), 409)
    assert Baseline.objects.get(pk=b.pk).name == "Baseline 1"
