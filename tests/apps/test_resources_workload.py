"""The workload area's reads and services: the load model (work spread over working days,
remaining work of tasks in progress, finished tasks, leave, other projects unnamed), finding
a person for a task, and leveling a small over-allocated plan (preview, apply, refusal of a
stale preview)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from keel.apps.planning.models import Task
from keel.apps.planning.services import schedule_recalculate
from keel.apps.resources import selectors_workload as sel
from keel.apps.resources.models import Assignment
from keel.apps.resources.services_workload import (
    MSG_PLAN_CHANGED,
    leveling_apply,
    leveling_preview,
)
from keel.apps.tracking.weeks import Week
from keel.common.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tests.conftest import World
from tests.factories import DependencyFactory, ProjectFactory, TaskFactory
from tests.factories_resources import (
    AssignmentFactory,
    LeaveFactory,
    ResourceFactory,
    ResourceSkillFactory,
    SkillFactory,
)

MONDAY = dt.date(2026, 3, 2)  # the factories' project start
W10 = Week.of(MONDAY)


def _task(project: Any, days: str = "5", **kw: Any) -> Task:
    return TaskFactory(project=project, duration_days=Decimal(days), **kw)  # type: ignore[no-any-return]


def _cells(world: World, actor: Any = None, **kw: Any) -> dict[str, list[sel.Cell]]:
    data = sel.workload(actor or world.owner, world.workspace.pk, start=MONDAY, **kw)
    return {row.resource.name: row.cells for row in data.rows}


# ---------------------------------------------------------------- the load model


def test_work_is_spread_over_the_tasks_working_days(world: World) -> None:
    ann = ResourceFactory(workspace=world.workspace, name="Ann")
    # 10 working days at 50%: 4 h a day, 20 h in each of two weeks.
    AssignmentFactory(task=_task(world.project, "10"), resource=ann, units=Decimal("50"))
    schedule_recalculate(world.project)
    cells = _cells(world, weeks=3)["Ann"]
    assert [c.hours for c in cells] == [Decimal("20.00"), Decimal("20.00"), Decimal("0.00")]
    assert [c.capacity for c in cells] == [Decimal("40.00")] * 3
    assert not any(c.over for c in cells)


def test_two_full_time_tasks_at_once_over_allocate(world: World) -> None:
    ann = ResourceFactory(workspace=world.workspace, name="Ann")
    AssignmentFactory(task=_task(world.project), resource=ann)
    AssignmentFactory(task=_task(world.project), resource=ann)
    schedule_recalculate(world.project)
    data = sel.workload(world.owner, world.workspace.pk, start=MONDAY, weeks=2)
    (row,) = data.rows
    assert row.cells[0].hours == Decimal("80.00") and row.cells[0].over
    assert row.cells[0].percent == 200
    assert not row.cells[1].over and row.over_weeks == 1
    assert data.week_hours == [Decimal("80.00"), Decimal("0.00")]
    over = sel.workload(world.owner, world.workspace.pk, start=MONDAY, over_only=True)
    assert [r.resource.name for r in over.rows] == ["Ann"]


def test_leave_and_part_time_lower_capacity(world: World) -> None:
    ann = ResourceFactory(workspace=world.workspace, name="Ann", working_weekdays="123")
    LeaveFactory(resource=ann, start=dt.date(2026, 3, 3), finish=dt.date(2026, 3, 3))
    cells = _cells(world, weeks=1)["Ann"]
    assert cells[0].capacity == Decimal("16.00")  # Mon and Wed of Mon-Wed


def test_finished_work_loads_nobody_and_progress_leaves_the_rest(world: World) -> None:
    project = world.project
    ann = ResourceFactory(workspace=world.workspace, name="Ann")
    AssignmentFactory(task=_task(project, status="done", percent_complete=100), resource=ann)
    AssignmentFactory(task=_task(project, status="cancelled"), resource=ann)
    # 10 days, 40% done by Friday of the first week: the remaining 48 h (6 days' work) from
    # the Monday after the status date, 8 h a day.
    started = _task(project, "10", status="in_progress", percent_complete=40, actual_start=MONDAY)
    AssignmentFactory(task=started, resource=ann)
    project.status_date = dt.date(2026, 3, 6)
    project.save()
    schedule_recalculate(project)
    cells = _cells(world, weeks=3)["Ann"]
    assert [c.hours for c in cells] == [Decimal("0.00"), Decimal("40.00"), Decimal("8.00")]


def test_other_projects_count_but_are_not_named(world: World) -> None:
    hidden = ProjectFactory(workspace=world.workspace)
    ann = ResourceFactory(workspace=world.workspace, name="Ann")
    AssignmentFactory(task=_task(world.project), resource=ann, units=Decimal("50"))
    AssignmentFactory(task=_task(hidden), resource=ann, units=Decimal("50"))
    for p in (world.project, hidden):
        schedule_recalculate(p)
    cell = _cells(world, world.member, weeks=1)["Ann"][0]
    assert (cell.hours, cell.other_hours) == (Decimal("40.00"), Decimal("20.00"))
    detail = sel.workload_cell(world.member, ann.pk, W10)
    assert [t.project_id for t in detail.tasks] == [world.project.pk]
    assert detail.other_hours == Decimal("20.00") and detail.hours == Decimal("40.00")
    owner_detail = sel.workload_cell(world.owner, ann.pk, W10)
    assert len(owner_detail.tasks) == 2 and owner_detail.other_hours == 0


def test_filters(world: World) -> None:
    ann = ResourceFactory(workspace=world.workspace, name="Ann", role="Engineer")
    ResourceFactory(workspace=world.workspace, name="Bob", role="Welder")
    ResourceFactory(workspace=world.workspace, name="Gone", is_active=False)
    skill = ResourceSkillFactory(resource=ann).skill
    AssignmentFactory(task=_task(world.project), resource=ann)

    def names(**kw: Any) -> list[str]:
        return list(_cells(world, world.member, **{"weeks": 1, **kw}))

    assert names() == ["Ann", "Bob"]
    assert names(skill_id=skill.pk) == ["Ann"]
    assert names(role="Welder") == ["Bob"]
    assert names(project_id=world.project.pk) == ["Ann"]
    with pytest.raises(ValidationFailed) as exc:
        names(skill_id=SkillFactory().pk)  # another workspace's
    assert "skill" in exc.value.fields
    with pytest.raises(ValidationFailed) as exc:
        names(project_id=ProjectFactory(workspace=world.workspace).pk)  # not the member's
    with pytest.raises(ValidationFailed):
        names(weeks=0)


@pytest.mark.parametrize(
    ("role", "error"),
    [("owner", None), ("member", None), ("ws_member", None), ("viewer", PermissionDenied),
     ("outsider", NotFound)],
)  # fmt: skip
def test_who_sees_the_workload(world: World, role: str, error: Any) -> None:
    if error is None:
        sel.workload(world.user(role), world.workspace.pk)
    else:
        with pytest.raises(error):
            sel.workload(world.user(role), world.workspace.pk)


# ---------------------------------------------------------------- find a person


def test_candidates_rank_by_skill_then_free_capacity(world: World) -> None:
    ws = world.workspace
    design = SkillFactory(workspace=ws, name="Design")
    task = _task(world.project)
    busy_expert = ResourceFactory(workspace=ws, name="Busy expert")
    free_expert = ResourceFactory(workspace=ws, name="Free expert")
    novice = ResourceFactory(workspace=ws, name="Novice")
    nobody = ResourceFactory(workspace=ws, name="No skill")
    for r, level in ((busy_expert, 5), (free_expert, 4), (novice, 2)):
        ResourceSkillFactory(resource=r, skill=design, level=level)
    AssignmentFactory(task=_task(world.project), resource=busy_expert)
    schedule_recalculate(world.project)
    found = sel.candidates_for(world.manager, task.pk, skill_ids=[design.pk], min_level=4)
    ranked = [c.resource.name for c in found.candidates]
    # A free novice (half the level: 30 + 40) ranks above a fully booked expert (60 + 0).
    assert ranked == ["Free expert", "Novice", "Busy expert", "No skill"]
    assert [c.score for c in found.candidates] == [100, 70, 60, 40]
    by_name = {c.resource.name: c for c in found.candidates}
    assert by_name["Free expert"].free == Decimal("40.00") and by_name["Free expert"].share == 100
    assert by_name["Busy expert"].free == 0 and by_name["Busy expert"].score == 60
    assert by_name["Novice"].skill_score == 50 and by_name["No skill"].skill_score == 0
    assert nobody.pk in {c.resource.pk for c in found.candidates}
    # The task's own assignment is not "other work".
    AssignmentFactory(task=task, resource=free_expert)
    again = sel.candidates_for(world.manager, task.pk, skill_ids=[design.pk], min_level=4)
    assert again.candidates[0].resource == free_expert


def test_candidates_need_the_right_to_assign(world: World) -> None:
    task = _task(world.project)
    schedule_recalculate(world.project)
    with pytest.raises(PermissionDenied):
        sel.candidates_for(world.member, task.pk)
    with pytest.raises(NotFound):
        sel.candidates_for(world.ws_member, task.pk)
    with pytest.raises(NotFound):
        sel.candidates_for(world.owner, 10**9)


def test_candidates_refuse_a_summary(world: World) -> None:
    parent = _task(world.project)
    _task(world.project, parent=parent)
    schedule_recalculate(world.project)
    with pytest.raises(ValidationFailed):
        sel.candidates_for(world.owner, parent.pk)


# ---------------------------------------------------------------- leveling


@pytest.fixture
def clash(world: World) -> dict[str, Any]:
    """Ann on two 5-day tasks at once; a third task after the first; Bob alone on a fourth.
    The short path waits: the task without successors (B) is the one to move."""
    p = world.project
    ann = ResourceFactory(workspace=world.workspace, name="Ann")
    bob = ResourceFactory(workspace=world.workspace, name="Bob")
    a = _task(p, "5", name="A")
    b = _task(p, "5", name="B")
    c = _task(p, "5", name="C")
    d = _task(p, "3", name="D")
    DependencyFactory(predecessor=a, successor=c)
    for t, r in ((a, ann), (b, ann), (c, bob), (d, bob)):
        AssignmentFactory(task=t, resource=r)
    schedule_recalculate(p)
    return {"a": a, "b": b, "c": c, "d": d, "ann": ann}


def test_preview_moves_the_right_task_and_changes_nothing(world: World, clash: Any) -> None:
    project = world.project
    before = {t.pk: (t.start, t.version) for t in Task.objects.filter(project=project)}
    preview = leveling_preview(actor=world.manager, project=project)
    moved = {m.task_id: m for m in preview.moves}
    b = clash["b"]
    assert set(moved) == {b.pk}
    assert (moved[b.pk].old_start, moved[b.pk].days) == (MONDAY, 5)
    assert moved[b.pk].new_start == dt.date(2026, 3, 9)
    assert moved[b.pk].resources == ("Ann",)
    assert (preview.old_finish, preview.new_finish) == (dt.date(2026, 3, 13), dt.date(2026, 3, 13))
    assert preview.overload_before == {"Ann": Decimal("40.00")}
    assert {t.pk: (t.start, t.version) for t in Task.objects.filter(project=project)} == before


def test_apply_writes_snet_constraints_and_reschedules(world: World, clash: Any) -> None:
    project = world.project
    preview = leveling_preview(actor=world.owner, project=project)
    applied = leveling_apply(actor=world.owner, project=project, generation=preview.generation)
    assert [m.task_id for m in applied.moves] == [clash["b"].pk]
    b = Task.objects.get(pk=clash["b"].pk)
    assert (b.constraint_type, b.constraint_date, b.start) == (
        "snet",
        dt.date(2026, 3, 9),
        dt.date(2026, 3, 9),
    )
    # Once level, nothing more moves.
    assert leveling_preview(actor=world.owner, project=project).is_level
    # The old preview is now stale.
    with pytest.raises(Conflict) as exc:
        leveling_apply(actor=world.owner, project=project, generation=preview.generation)
    assert exc.value.message == MSG_PLAN_CHANGED and exc.value.code == "plan_changed"


def test_apply_refuses_a_changed_plan_and_changes_nothing(world: World, clash: Any) -> None:
    project = world.project
    preview = leveling_preview(actor=world.owner, project=project)
    schedule_recalculate(project)  # someone's edit
    with pytest.raises(Conflict):
        leveling_apply(actor=world.owner, project=project, generation=preview.generation)
    assert Task.objects.get(pk=clash["b"].pk).constraint_type == "asap"


@pytest.mark.parametrize(("role", "error"), [("member", PermissionDenied), ("ws_member", NotFound)])
def test_leveling_needs_the_right_to_assign(
    world: World, clash: Any, role: str, error: Any
) -> None:
    with pytest.raises(error):
        leveling_preview(actor=world.user(role), project=world.project)
    with pytest.raises(error):
        leveling_apply(actor=world.user(role), project=world.project, generation=0)
    assert Task.objects.get(pk=clash["b"].pk).constraint_type == "asap"


def _over_days(project: Any) -> dict[tuple[int, dt.date], Decimal]:
    """Days on which someone is booked beyond 100 units in the project, counted from the
    tasks' saved dates (work in progress from the day after the status date)."""
    project.refresh_from_db()
    load: dict[tuple[int, dt.date], Decimal] = {}
    rows = Assignment.objects.filter(task__project=project).select_related("task")
    for a in rows:
        t = a.task
        if t.status in ("done", "cancelled") or t.is_summary or t.start is None:
            continue
        day = t.start
        if t.percent_complete and project.status_date:
            day = max(day, project.status_date + dt.timedelta(days=1))
        while day <= t.finish:
            if day.isoweekday() <= 5:
                key = (a.resource_id, day)
                load[key] = load.get(key, Decimal(0)) + a.units
            day += dt.timedelta(days=1)
    return {k: u for k, u in load.items() if u > 100}


@pytest.fixture
def in_progress(world: World) -> dict[str, Any]:
    """As in the demo: a status date, Ann on a task in progress (remaining 3/9-3/16) and on
    a task not started that the schedule puts on the same days; Bob on its successor and
    on a task of his own. Started work stays put: the unstarted work is what moves."""
    p = world.project
    p.status_date = dt.date(2026, 3, 6)
    p.save()
    ann = ResourceFactory(workspace=world.workspace, name="Ann")
    bob = ResourceFactory(workspace=world.workspace, name="Bob")
    s = _task(p, "10", name="S", status="in_progress", percent_complete=40, actual_start=MONDAY)
    u = _task(p, "5", name="U")
    v = _task(p, "3", name="V")
    w = _task(p, "5", name="W")
    DependencyFactory(predecessor=u, successor=v)
    for t, r in ((s, ann), (u, ann), (v, bob), (w, bob)):
        AssignmentFactory(task=t, resource=r)
    schedule_recalculate(p)
    return {"s": s, "u": u, "v": v, "w": w}


def test_leveling_keeps_started_work_and_levels_around_it(world: World, in_progress: Any) -> None:
    project = world.project
    s = Task.objects.get(pk=in_progress["s"].pk)
    u = Task.objects.get(pk=in_progress["u"].pk)
    assert u.start == dt.date(2026, 3, 9)  # not before the status date
    assert _over_days(project)  # Ann twice on 3/9..3/13
    preview = leveling_preview(actor=world.manager, project=project)
    moved = {m.task_id: m for m in preview.moves}
    assert s.pk not in moved
    assert moved[u.pk].new_start > s.finish
    assert set(preview.overload_before) == {"Ann"} and preview.overload_after == {}
    leveling_apply(actor=world.manager, project=project, generation=preview.generation)
    assert _over_days(project) == {}
    s_after = Task.objects.get(pk=s.pk)
    assert (s_after.start, s_after.finish, s_after.constraint_type) == (
        s.start,
        s.finish,
        "asap",
    )
    again = leveling_preview(actor=world.manager, project=project)
    assert again.is_level and again.overload_before == {}


def test_leveling_never_moves_a_task_earlier(world: World) -> None:
    """A task held back by its own constraint is released on its scheduled start: the
    task that overlaps it moves instead, and nothing starts earlier than before."""
    p = world.project
    ann = ResourceFactory(workspace=world.workspace, name="Ann")
    long = _task(p, "10", name="Long")
    late = _task(p, "5", name="Late", constraint_type="snet", constraint_date=dt.date(2026, 3, 11))
    for t in (long, late):
        AssignmentFactory(task=t, resource=ann)
    schedule_recalculate(p)
    old = {t.pk: t.start for t in Task.objects.filter(project=p)}
    assert _over_days(p)
    preview = leveling_preview(actor=world.owner, project=p)
    assert all(m.new_start > m.old_start for m in preview.moves)
    leveling_apply(actor=world.owner, project=p, generation=preview.generation)
    assert _over_days(p) == {}
    for t in Task.objects.filter(project=p):
        assert t.start is not None and t.start >= old[t.pk]


def test_leveling_reports_overlapping_started_work(world: World) -> None:
    """Two tasks in progress for Ann at once: nothing the leveler may move, but the preview
    says who is over-allocated rather than that no one is."""
    p = world.project
    p.status_date = dt.date(2026, 3, 4)
    p.save()
    ann = ResourceFactory(workspace=world.workspace, name="Ann")
    for name in ("A", "B"):
        t = _task(p, "5", name=name, status="in_progress", percent_complete=20, actual_start=MONDAY)
        AssignmentFactory(task=t, resource=ann)
    schedule_recalculate(p)
    preview = leveling_preview(actor=world.owner, project=p)
    assert preview.is_level
    assert preview.overload_before == preview.overload_after
    assert set(preview.overload_before) == {"Ann"}
