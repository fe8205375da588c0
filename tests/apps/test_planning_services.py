"""Planning services: tasks, the WBS, dependencies, loops, versions and the schedule seam."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from keel.apps.planning.models import Dependency, Task
from keel.apps.planning.selectors import milestones_for, task_tree
from keel.apps.planning.services import (
    MSG_LINK_SUMMARY,
    dependency_create,
    dependency_delete,
    task_create,
    task_delete,
    task_move,
    task_update,
)
from keel.common.errors import Conflict, PermissionDenied, ValidationFailed

from ..conftest import World

MON = dt.date(2026, 3, 2)  # the factory project's start, a Monday


def mk(world: World, name: str, days: str = "2", **kw: object) -> Task:
    kw.setdefault("owner_id", world.member.pk)  # the member's own task, unless said otherwise
    return task_create(
        actor=world.manager, project=world.project, name=name, duration_days=Decimal(days), **kw
    )


def test_create_schedules_from_project_start(world: World) -> None:
    t = mk(world, "Design", "3")
    assert (t.start, t.finish) == (MON, dt.date(2026, 3, 4))
    assert t.wbs_code == "1"
    assert t.version == 1


def test_dependency_moves_successor_and_marks_critical_path(world: World) -> None:
    a = mk(world, "A", "3")
    b = mk(world, "B", "2")
    c = mk(world, "C", "1")
    dependency_create(
        actor=world.member, project=world.project, predecessor_id=a.pk, successor_id=b.pk
    )
    for t in (a, b, c):
        t.refresh_from_db()
    assert b.start == dt.date(2026, 3, 5) and b.finish == dt.date(2026, 3, 6)
    assert a.is_critical and b.is_critical and not c.is_critical
    assert c.total_float == Decimal("4.00")
    world.project.refresh_from_db()
    assert world.project.scheduled_finish == dt.date(2026, 3, 6)


def test_lag_and_link_types(world: World) -> None:
    a = mk(world, "A", "2")
    b = mk(world, "B", "2")
    dependency_create(
        actor=world.manager,
        project=world.project,
        predecessor_id=a.pk,
        successor_id=b.pk,
        type="SS",
        lag_days=Decimal("1"),
    )
    b.refresh_from_db()
    assert b.start == dt.date(2026, 3, 3)


def test_loop_is_refused_and_named(world: World) -> None:
    a, b, c = mk(world, "Pour concrete"), mk(world, "Cure"), mk(world, "Strip forms")
    dependency_create(
        actor=world.manager, project=world.project, predecessor_id=a.pk, successor_id=b.pk
    )
    dependency_create(
        actor=world.manager, project=world.project, predecessor_id=b.pk, successor_id=c.pk
    )
    with pytest.raises(ValidationFailed) as exc:
        dependency_create(
            actor=world.manager, project=world.project, predecessor_id=c.pk, successor_id=a.pk
        )
    message = str(exc.value.message)
    for name in ("Pour concrete", "Cure", "Strip forms"):
        assert name in message
    assert exc.value.code == "dependency_cycle"
    assert Dependency.objects.count() == 2


def test_link_between_summary_and_its_subtask_is_refused(world: World) -> None:
    parent = mk(world, "Phase")
    child = mk(world, "Step", parent_id=parent.pk)
    with pytest.raises(ValidationFailed) as exc:
        dependency_create(
            actor=world.manager,
            project=world.project,
            predecessor_id=parent.pk,
            successor_id=child.pk,
        )
    assert str(MSG_LINK_SUMMARY) in exc.value.fields["successor_id"]


def test_summary_rolls_up_dates_and_progress(world: World) -> None:
    phase = mk(world, "Phase")
    a = mk(world, "A", "4", parent_id=phase.pk)
    b = mk(world, "B", "1", parent_id=phase.pk)
    dependency_create(
        actor=world.manager, project=world.project, predecessor_id=a.pk, successor_id=b.pk
    )
    a.refresh_from_db()
    task_update(actor=world.member, task=a, version=a.version, changes={"percent_complete": 50})
    phase.refresh_from_db()
    assert phase.is_summary
    assert (phase.start, phase.finish) == (MON, dt.date(2026, 3, 6))
    assert phase.percent_complete == 40  # (4 days x 50% + 1 day x 0%) / 5 days
    a.refresh_from_db()
    b.refresh_from_db()
    assert [t.wbs_code for t in (phase, a, b)] == ["1", "1.1", "1.2"]


def test_stale_version_is_refused_and_changes_nothing(world: World) -> None:
    t = mk(world, "A")
    task_update(actor=world.manager, task=t, version=1, changes={"name": "A2"})
    with pytest.raises(Conflict):
        task_update(actor=world.member, task=t, version=1, changes={"name": "lost update"})
    t.refresh_from_db()
    assert t.name == "A2" and t.version == 2


def test_member_edits_tasks_but_cannot_delete_viewer_cannot_edit(world: World) -> None:
    t = mk(world, "A")
    task_update(actor=world.member, task=t, version=t.version, changes={"status": "in_progress"})
    with pytest.raises(PermissionDenied):
        task_delete(actor=world.member, task=t)
    with pytest.raises(PermissionDenied):
        task_update(actor=world.viewer, task=t, version=t.version + 1, changes={"name": "x"})
    task_delete(actor=world.manager, task=t)
    assert not Task.objects.filter(pk=t.pk).exists()


def test_bad_input_gets_field_errors_and_saves_nothing(world: World) -> None:
    with pytest.raises(ValidationFailed) as exc:
        task_create(
            actor=world.manager,
            project=world.project,
            name="",
            duration_days=Decimal("-1"),
            constraint_type="snet",
        )
    assert {"name", "duration_days", "constraint_date"} <= set(exc.value.fields)
    with pytest.raises(ValidationFailed) as exc:
        task_create(
            actor=world.manager,
            project=world.project,
            name="x",
            optimistic_days=Decimal(5),
            most_likely_days=Decimal(3),
            pessimistic_days=Decimal(9),
        )
    assert "optimistic_days" in exc.value.fields
    assert Task.objects.count() == 0


def test_move_renumbers_wbs_and_refuses_moving_under_own_subtask(world: World) -> None:
    a, b, c = mk(world, "A"), mk(world, "B"), mk(world, "C")
    moved = task_move(actor=world.member, task=c, parent_id=a.pk, position=0, version=c.version)
    b.refresh_from_db()
    assert moved.wbs_code == "1.1" and b.wbs_code == "2"
    a.refresh_from_db()
    with pytest.raises(ValidationFailed):
        task_move(actor=world.member, task=a, parent_id=moved.pk, position=0, version=a.version)
    b = task_move(actor=world.member, task=b, parent_id=None, position=0, version=b.version)
    a.refresh_from_db()
    assert (b.wbs_code, a.wbs_code) == ("1", "2")


def test_milestone_status(world: World) -> None:
    a = mk(world, "Build", "5")
    on_time = mk(world, "Handover", "0", is_milestone=True, deadline=dt.date(2026, 4, 30))
    late = mk(world, "Too early", "0", is_milestone=True, deadline=dt.date(2026, 3, 3))
    for m in (on_time, late):
        dependency_create(
            actor=world.manager, project=world.project, predecessor_id=a.pk, successor_id=m.pk
        )
    rows = {r.task.name: r.status for r in milestones_for(world.viewer, world.project, today=MON)}
    assert rows == {"Handover": "on_track", "Too early": "late"}


def test_deleting_a_dependency_releases_the_successor(world: World) -> None:
    a, b = mk(world, "A", "3"), mk(world, "B")
    dep = dependency_create(
        actor=world.manager, project=world.project, predecessor_id=a.pk, successor_id=b.pk
    )
    dependency_delete(actor=world.manager, dependency=dep)
    b.refresh_from_db()
    assert b.start == MON


def test_task_tree_is_in_outline_order(world: World) -> None:
    a = mk(world, "A")
    mk(world, "B")
    mk(world, "A1", parent_id=a.pk)
    assert [t.name for t in task_tree(world.viewer, world.project)] == ["A", "A1", "B"]


def test_calendar_change_reschedules(world: World) -> None:
    from keel.apps.projects.services import calendar_exception_set

    t = mk(world, "A", "2")
    calendar_exception_set(actor=world.manager, project=world.project, day=MON, kind="holiday")
    t.refresh_from_db()
    assert t.start == dt.date(2026, 3, 3)


def test_china_make_up_working_day(world: World) -> None:
    """2026-10-10 (a Saturday) is a make-up working day after the National Day holiday."""
    from keel.apps.projects.services import project_update

    p = world.project
    project_update(
        actor=world.manager,
        project=p,
        version=p.version,
        changes={"holiday_country": "CN", "start_date": dt.date(2026, 9, 30)},
    )
    t = mk(world, "Four days", "4")
    # Wed 9-30 works; Oct 1-7 are the National Day holiday; Thu 10-8 and Fri 10-9 work, and
    # so does Saturday 10-10, a make-up working day: four working days end on the Saturday.
    assert t.start == dt.date(2026, 9, 30)
    assert t.finish == dt.date(2026, 10, 10)


def test_holidays_are_known_however_far_the_plan_runs(world: World) -> None:
    """New Year's Day 2029 is a holiday in China even though the project's target finish is
    in 2026: the calendar grows with the plan."""
    from keel.apps.projects.services import project_update

    p = world.project
    project_update(
        actor=world.manager, project=p, version=p.version, changes={"holiday_country": "CN"}
    )
    late = mk(world, "Far away", "1", constraint_type="snet", constraint_date=dt.date(2029, 1, 1))
    assert late.start == dt.date(2029, 1, 2)


def test_the_wbs_has_a_depth_limit(world: World) -> None:
    from keel.apps.planning.services import MAX_DEPTH, MSG_TOO_DEEP

    parent = None
    for level in range(MAX_DEPTH):
        parent = mk(world, f"L{level + 1}", parent_id=parent.pk if parent else None)
    assert parent is not None and parent.wbs_code.count(".") == MAX_DEPTH - 1
    with pytest.raises(ValidationFailed) as exc:
        mk(world, "Too deep", parent_id=parent.pk)
    assert exc.value.fields["parent_id"] == [str(MSG_TOO_DEEP % {"max": MAX_DEPTH})]
    # Moving a two-level branch under level 11 would make 13 levels.
    top = mk(world, "Branch")
    mk(world, "Leaf", parent_id=top.pk)
    level_11 = Task.objects.get(name=f"L{MAX_DEPTH - 1}")
    top.refresh_from_db()
    with pytest.raises(ValidationFailed):
        task_move(
            actor=world.manager, task=top, parent_id=level_11.pk, position=0, version=top.version
        )


def test_a_task_cannot_move_under_a_task_it_is_linked_to(world: World) -> None:
    a, b = mk(world, "A"), mk(world, "B")
    dependency_create(
        actor=world.manager, project=world.project, predecessor_id=a.pk, successor_id=b.pk
    )
    b.refresh_from_db()
    with pytest.raises(ValidationFailed) as exc:
        task_move(actor=world.manager, task=b, parent_id=a.pk, position=0, version=b.version)
    assert exc.value.fields["parent_id"] == [str(MSG_LINK_SUMMARY)]
    b.refresh_from_db()
    assert b.parent_id is None
