"""What-if and change requests: the engine's impact before a decision, approval applying
every change in one transaction, rejection, permissions, bad input."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from keel.apps.planning.models import Baseline, ChangeRequest, Dependency, Task
from keel.apps.planning.services import (
    MSG_CHANGE_COMMENT,
    MSG_CHANGE_EMPTY,
    change_request_create,
    change_request_decide,
    change_request_submit,
    change_request_update,
    change_request_withdraw,
    dependency_create,
    task_create,
    task_delete,
    what_if,
)
from keel.common.errors import Conflict, PermissionDenied, ValidationFailed

from ..conftest import World


@pytest.fixture
def plan(world: World) -> dict[str, Task]:
    """Design (3 days) -> Build (5) -> Launch (milestone); Docs (2) on the side."""
    m, p = world.manager, world.project
    tasks = {
        "design": task_create(actor=m, project=p, name="Design", duration_days=Decimal("3")),
        "build": task_create(actor=m, project=p, name="Build", duration_days=Decimal("5")),
        "launch": task_create(actor=m, project=p, name="Launch", is_milestone=True),
        "docs": task_create(actor=m, project=p, name="Docs", duration_days=Decimal("2")),
    }
    dependency_create(
        actor=m, project=p, predecessor_id=tasks["design"].pk, successor_id=tasks["build"].pk
    )
    dependency_create(
        actor=m, project=p, predecessor_id=tasks["build"].pk, successor_id=tasks["launch"].pk
    )
    return {k: Task.objects.get(pk=t.pk) for k, t in tasks.items()}


def longer_build(plan: dict[str, Task], days: int = 8) -> list[dict[str, Any]]:
    return [{"op": "update", "task_id": plan["build"].pk, "fields": {"duration_days": days}}]


def test_what_if_previews_without_saving(world: World, plan: dict[str, Task]) -> None:
    before = list(Task.objects.values_list("id", "start", "finish", "version"))
    impact = what_if(actor=world.viewer, project=world.project, changes=longer_build(plan))
    assert impact.finish_before == dt.date(2026, 3, 11)
    assert impact.finish_after == dt.date(2026, 3, 16)
    assert impact.finish_delta_days == 3
    assert impact.work_delta_hours == Decimal("24.00")
    assert {m.name for m in impact.moved} == {"Build", "Launch"}
    assert impact.critical_after == ["Design", "Build", "Launch"]
    assert list(Task.objects.values_list("id", "start", "finish", "version")) == before


def test_what_if_adds_removes_and_relinks(world: World, plan: dict[str, Task]) -> None:
    changes = [
        {"op": "add", "name": "Permit", "duration_days": 4, "after_id": plan["design"].pk},
        {
            "op": "link",
            "predecessor_id": plan["docs"].pk,
            "successor_id": plan["launch"].pk,
            "lag_days": 10,
        },
        {"op": "remove", "task_id": plan["build"].pk},
    ]
    impact = what_if(actor=world.manager, project=world.project, changes=changes)
    assert impact.added == ["Permit"] and impact.removed == ["Build"]
    # Launch now waits for Docs (2 days) plus a 10-day lag: 12 working days from 2 March.
    assert impact.finish_after == dt.date(2026, 3, 17)


def test_a_loop_in_a_what_if_is_a_field_error(world: World, plan: dict[str, Task]) -> None:
    loop = [{"op": "link", "predecessor_id": plan["launch"].pk, "successor_id": plan["design"].pk}]
    with pytest.raises(ValidationFailed) as exc:
        what_if(actor=world.manager, project=world.project, changes=loop)
    assert "Design" in str(exc.value.fields["changes"][0])


@pytest.mark.parametrize(
    "changes,field",
    [
        ([{"op": "explode"}], "changes.0.op"),
        ([{"op": "update", "task_id": 999999, "fields": {"name": "x"}}], "changes.0.task_id"),
        ([{"op": "update", "task_id": "PLAN", "fields": {"duration_days": -1}}], None),
        ([{"op": "add", "name": ""}], "changes.0.name"),
        ([{"op": "unlink", "dependency_id": 999999}], "changes.0.dependency_id"),
        ("REMOVE_TWICE", "changes.1.task_id"),
        ("not a list", "changes"),
    ],
)
def test_bad_changes_name_the_operation(
    world: World, plan: dict[str, Task], changes: Any, field: str | None
) -> None:
    if changes == "REMOVE_TWICE":  # a task removed cannot be changed again in the list
        changes = [{"op": "remove", "task_id": plan["build"].pk}] * 2
    if changes and isinstance(changes, list) and changes[0].get("task_id") == "PLAN":
        changes = [{"op": "update", "task_id": plan["build"].pk, "fields": {"duration_days": -1}}]
        field = "changes.0.duration_days"
    with pytest.raises(ValidationFailed) as exc:
        what_if(actor=world.manager, project=world.project, changes=changes)
    assert field in exc.value.fields


def test_request_submit_approve_applies_in_one_go(world: World, plan: dict[str, Task]) -> None:
    cr = change_request_create(
        actor=world.member,
        project=world.project,
        title="Longer build",
        reason="The supplier needs three more days.",
        changes=[
            *longer_build(plan),
            {"op": "add", "name": "Inspection", "duration_days": 1, "after_id": plan["build"].pk},
        ],
        cost_delta=Decimal("1200"),
    )
    assert (cr.number, cr.status, cr.affects_schedule, cr.affects_scope, cr.affects_cost) == (
        1,
        "draft",
        True,
        True,
        True,
    )
    cr = change_request_submit(actor=world.member, cr=cr, version=cr.version)
    # Three more days of Build, then a day of Inspection before the end.
    assert cr.status == "submitted" and cr.impact["submitted"]["finish_delta_days"] == 4
    with pytest.raises(PermissionDenied):
        change_request_decide(actor=world.member, cr=cr, version=cr.version, approve=True)
    cr = change_request_decide(
        actor=world.manager, cr=cr, version=cr.version, approve=True, save_baseline=True
    )
    assert cr.status == "approved" and cr.decided_by == world.manager
    build = Task.objects.get(pk=plan["build"].pk)
    assert build.duration_days == Decimal("8") and build.finish == dt.date(2026, 3, 16)
    inspection = Task.objects.get(name="Inspection")
    assert Dependency.objects.filter(predecessor=build, successor=inspection).exists()
    assert cr.baseline == Baseline.objects.get(is_primary=True)
    assert cr.baseline.name.startswith("CR-1")
    assert cr.history.count() == 3  # created, submitted, decided


def test_a_failing_change_rolls_back_everything(world: World, plan: dict[str, Task]) -> None:
    cr = change_request_create(
        actor=world.manager,
        project=world.project,
        title="Two changes",
        reason="r",
        changes=[*longer_build(plan), {"op": "remove", "task_id": plan["docs"].pk}],
    )
    cr = change_request_submit(actor=world.manager, cr=cr, version=cr.version)
    task_delete(actor=world.manager, task=plan["docs"])  # the plan moved on meanwhile
    with pytest.raises(ValidationFailed) as exc:
        change_request_decide(actor=world.manager, cr=cr, version=cr.version, approve=True)
    assert "changed since" in str(exc.value.fields["changes"][0])
    assert Task.objects.get(pk=plan["build"].pk).duration_days == Decimal("5")
    assert ChangeRequest.objects.get(pk=cr.pk).status == "submitted"


def test_reject_needs_a_comment_and_changes_nothing(world: World, plan: dict[str, Task]) -> None:
    cr = change_request_create(
        actor=world.member,
        project=world.project,
        title="t",
        reason="r",
        changes=longer_build(plan),
    )
    cr = change_request_submit(actor=world.member, cr=cr, version=cr.version)
    with pytest.raises(ValidationFailed) as exc:
        change_request_decide(actor=world.manager, cr=cr, version=cr.version, approve=False)
    assert exc.value.fields == {"comment": [MSG_CHANGE_COMMENT]}
    cr = change_request_decide(
        actor=world.manager, cr=cr, version=cr.version, approve=False, comment="Not now."
    )
    assert cr.status == "rejected"
    assert Task.objects.get(pk=plan["build"].pk).duration_days == Decimal("5")
    with pytest.raises(ValidationFailed):
        change_request_decide(actor=world.manager, cr=cr, version=cr.version, approve=True)


def test_drafts_belong_to_their_requester(world: World, plan: dict[str, Task]) -> None:
    with pytest.raises(ValidationFailed) as exc:
        change_request_create(actor=world.member, project=world.project, title="t", reason="r")
    assert exc.value.fields == {"changes": [MSG_CHANGE_EMPTY]}
    with pytest.raises(PermissionDenied):
        change_request_create(
            actor=world.viewer,
            project=world.project,
            title="t",
            reason="r",
            changes=longer_build(plan),
        )
    cr = change_request_create(
        actor=world.manager, project=world.project, title="t", reason="r", cost_delta=5
    )
    with pytest.raises(PermissionDenied):
        change_request_update(
            actor=world.member, cr=cr, version=cr.version, changes={"title": "mine now"}
        )
    with pytest.raises(Conflict):
        change_request_update(actor=world.manager, cr=cr, version=9, changes={"title": "x"})
    cr = change_request_withdraw(actor=world.manager, cr=cr, version=cr.version)
    assert cr.status == "withdrawn"
    with pytest.raises(ValidationFailed):
        change_request_update(
            actor=world.manager, cr=cr, version=cr.version, changes={"title": "again"}
        )
