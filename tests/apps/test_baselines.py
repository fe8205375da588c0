"""Baselines: saving the plan, comparing with it (variance in working days, slipped tasks,
late milestones), the API and the page, with the role matrix."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from keel.apps.planning.models import Baseline, BaselineTask, Task
from keel.apps.planning.selectors import baseline_comparison
from keel.apps.planning.services import (
    MSG_BASELINE_EMPTY,
    baseline_save,
    baseline_update,
    dependency_create,
    task_create,
    task_delete,
    task_update,
)
from keel.common.errors import Conflict, PermissionDenied, ValidationFailed

from ..conftest import World


@pytest.fixture
def plan(world: World) -> dict[str, Task]:
    return make_plan(world)


def make_plan(world: World) -> dict[str, Task]:
    """Design (3 days, two people) -> Build (5 days) -> Launch (a milestone), under a phase."""
    m, p = world.manager, world.project
    phase = task_create(actor=m, project=p, name="Phase")
    design = task_create(
        actor=m,
        project=p,
        name="Design",
        parent_id=phase.pk,
        duration_days=Decimal("3"),
        assignee_ids=[world.member.pk, world.manager.pk],
    )
    build = task_create(
        actor=m, project=p, name="Build", parent_id=phase.pk, duration_days=Decimal("5")
    )
    launch = task_create(actor=m, project=p, name="Launch", is_milestone=True)
    dependency_create(actor=m, project=p, predecessor_id=design.pk, successor_id=build.pk)
    dependency_create(actor=m, project=p, predecessor_id=build.pk, successor_id=launch.pk)
    return {t.name.lower(): Task.objects.get(pk=t.pk) for t in (phase, design, build, launch)}


def test_saving_a_baseline_copies_every_task(world: World, plan: dict[str, Task]) -> None:
    b = baseline_save(actor=world.manager, project=world.project, name="Approved plan")
    assert (b.number, b.name, b.is_primary, b.task_count) == (1, "Approved plan", True, 4)
    assert (b.start, b.finish) == (dt.date(2026, 3, 2), dt.date(2026, 3, 11))
    rows = {r.name: r for r in BaselineTask.objects.filter(baseline=b)}
    assert rows["Design"].work_hours == Decimal("48.00")  # 3 days x 8 h x 2 people
    assert rows["Build"].work_hours == Decimal("40.00")
    assert rows["Phase"].work_hours == Decimal("88.00") and rows["Phase"].is_summary
    assert rows["Launch"].work_hours == 0 and rows["Launch"].is_milestone
    assert b.work_hours == Decimal("88.00")
    second = baseline_save(actor=world.manager, project=world.project)
    assert (second.number, second.name) == (2, "Baseline 2")
    assert list(Baseline.objects.filter(is_primary=True)) == [second]


def test_only_managers_save_baselines_and_an_empty_plan_has_none(world: World) -> None:
    with pytest.raises(ValidationFailed) as exc:
        baseline_save(actor=world.manager, project=world.project)
    assert exc.value.fields == {"non_field": [MSG_BASELINE_EMPTY]}
    task_create(actor=world.manager, project=world.project, name="T")
    for role in ("member", "viewer"):
        with pytest.raises(PermissionDenied):
            baseline_save(actor=world.user(role), project=world.project)
    assert not Baseline.objects.exists()


def test_comparison_measures_slippage_in_working_days(world: World, plan: dict[str, Task]) -> None:
    b = baseline_save(actor=world.manager, project=world.project)
    design = plan["design"]
    task_update(  # two more working days, over a weekend
        actor=world.manager,
        task=design,
        version=design.version,
        changes={"duration_days": Decimal("5")},
    )
    extra = task_create(actor=world.manager, project=world.project, name="Extra")
    c = baseline_comparison(world.viewer, b)
    rows = {r.name: r for r in c.rows}
    assert rows["Design"].finish_variance == 2 and rows["Design"].start_variance == 0
    assert rows["Design"].duration_variance == Decimal("2")
    assert rows["Design"].work_variance == Decimal("32.00")
    assert rows["Build"].start_variance == 2 and rows["Build"].finish_variance == 2
    assert rows["Launch"].finish_variance == 2
    assert rows["Extra"].saved is None and rows["Extra"].task == extra
    assert c.finish_variance == 2
    assert [r.name for r in c.slipped] == ["Design", "Build"]
    assert [r.name for r in c.late_milestones] == ["Launch"]
    task_delete(actor=world.manager, task=Task.objects.get(pk=plan["build"].pk))
    rows = {r.name: r for r in baseline_comparison(world.viewer, b).rows}
    assert rows["Build"].task is None and rows["Build"].saved is not None


def test_baseline_update_checks_versions_and_keeps_one_primary(
    world: World, plan: dict[str, Task]
) -> None:
    first = baseline_save(actor=world.manager, project=world.project)
    baseline_save(actor=world.manager, project=world.project)
    first.refresh_from_db()
    updated = baseline_update(
        actor=world.manager,
        baseline=first,
        version=first.version,
        changes={"is_primary": True, "name": "Contract"},
    )
    assert updated.is_primary and updated.name == "Contract"
    assert Baseline.objects.filter(is_primary=True).count() == 1
    with pytest.raises(Conflict):
        baseline_update(
            actor=world.manager, baseline=first, version=first.version, changes={"note": "x"}
        )
    with pytest.raises(ValidationFailed):
        baseline_update(
            actor=world.manager, baseline=updated, version=updated.version, changes={"finish": 1}
        )


# ---------------------------------------------------------------- page


def test_baselines_page(world: World, plan: dict[str, Task], login: Any) -> None:
    url = reverse("planning:baselines", args=[world.project.pk])
    assert login(world.outsider).get(url).status_code == 404
    viewer = login(world.viewer)
    page = viewer.get(url).content.decode()
    assert "No baseline yet" in page and 'data-testid="baseline-form"' not in page
    assert viewer.post(url, {"name": "Sneaky"}).status_code == 403
    manager = login(world.manager)
    r = manager.post(url, {"name": "Agreed", "primary": "on"})
    assert r.status_code == 302
    b = Baseline.objects.get()
    assert b.name == "Agreed" and b.created_by == world.manager
    build = plan["build"]
    task_update(
        actor=world.manager, task=build, version=build.version, changes={"duration_days": 7}
    )
    page = viewer.get(url).content.decode()
    assert "Agreed" in page and 'data-testid="slipped-count">1<' in page
    slipped = viewer.get(url + f"?b={b.pk}&slipped=1").content.decode()
    # Build, the Phase above it and the Launch milestone after it
    assert slipped.count('data-testid="variance-row"') == 3
