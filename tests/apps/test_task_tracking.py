"""Task tracking in the planning services: status rules and actual dates, blocked reasons,
who may change which task, the project's workflow, the board and My work."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from keel.apps.planning import services
from keel.apps.planning.models import Task, WorkflowColumn
from keel.apps.planning.selectors import board, my_work, workflow_columns
from keel.apps.planning.services import (
    MSG_ACTUAL_FINISH_NOT_DONE,
    MSG_ACTUAL_FUTURE,
    MSG_ACTUAL_ORDER,
    MSG_BLOCKED_REASON,
    MSG_STATUS_NOT_IN_WORKFLOW,
    MSG_WORKFLOW_ENDS,
    board_move,
    dependency_create,
    task_create,
    task_move,
    task_update,
    workflow_set,
)
from keel.common.errors import Conflict, PermissionDenied, ValidationFailed

from ..conftest import World

MON = dt.date(2026, 3, 2)  # the factory project's start, a Monday
TODAY = dt.date(2026, 3, 11)  # a Wednesday in the second week of the plan


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(services, "project_today", lambda project: TODAY)


def mk(world: World, name: str, days: str = "2", **kw: Any) -> Task:
    kw.setdefault("owner_id", world.member.pk)
    return task_create(
        actor=world.manager, project=world.project, name=name, duration_days=Decimal(days), **kw
    )


def upd(world: World, task: Task, who: str = "member", **changes: Any) -> Task:
    task.refresh_from_db()
    return task_update(actor=world.user(who), task=task, version=task.version, changes=changes)


def fields_of(exc: pytest.ExceptionInfo[ValidationFailed]) -> dict[str, list[str]]:
    return {k: [str(m) for m in v] for k, v in exc.value.fields.items()}


# ---------------------------------------------------------------- status and actual dates


def test_starting_work_sets_the_actual_start_to_the_scheduled_start(world: World) -> None:
    t = mk(world, "Design", "3")
    t = upd(world, t, status="in_progress")
    assert t.actual_start == MON  # scheduled to start on Monday 2 March, before today
    assert t.actual_finish is None


def test_work_scheduled_after_today_starts_today(world: World) -> None:
    t = mk(world, "Late", "2", constraint_type="snet", constraint_date=dt.date(2026, 3, 16))
    t = upd(world, t, status="in_progress")
    assert t.actual_start == TODAY


def test_done_sets_actual_finish_and_full_progress(world: World) -> None:
    t = mk(world, "Design", "3")  # scheduled 2-4 March
    t = upd(world, t, status="done")
    assert (t.actual_start, t.actual_finish, t.percent_complete) == (
        MON,
        dt.date(2026, 3, 4),
        100,
    )


def test_explicit_actual_dates_win_and_the_engine_schedules_from_them(world: World) -> None:
    a = mk(world, "A", "3")
    b = mk(world, "B", "2")
    dependency_create(
        actor=world.manager, project=world.project, predecessor_id=a.pk, successor_id=b.pk
    )
    a = upd(
        world,
        a,
        status="done",
        actual_start=dt.date(2026, 3, 3),
        actual_finish=dt.date(2026, 3, 9),
    )
    assert (a.actual_start, a.actual_finish) == (dt.date(2026, 3, 3), dt.date(2026, 3, 9))
    assert (a.start, a.finish) == (dt.date(2026, 3, 3), dt.date(2026, 3, 9))
    b.refresh_from_db()
    assert b.start == dt.date(2026, 3, 10)  # its successor follows the real finish


def test_back_to_todo_clears_actuals_and_progress(world: World) -> None:
    t = mk(world, "Design")
    t = upd(world, t, status="in_progress", percent_complete=40)
    t = upd(world, t, status="todo")
    assert (t.actual_start, t.actual_finish, t.percent_complete) == (None, None, 0)


def test_reopening_a_done_task_leaves_it_unfinished(world: World) -> None:
    t = mk(world, "Design")
    t = upd(world, t, status="done")
    t = upd(world, t, status="in_review")
    assert t.status == "in_review" and t.percent_complete == 99
    assert t.actual_finish is None and t.actual_start == MON


def test_progress_alone_starts_the_task(world: World) -> None:
    t = mk(world, "Design")
    t = upd(world, t, percent_complete=30)
    assert t.status == "in_progress" and t.actual_start == MON


@pytest.mark.parametrize(
    "changes,field,message",
    [
        ({"status": "blocked"}, "blocked_reason", MSG_BLOCKED_REASON),
        ({"status": "blocked", "blocked_reason": "   "}, "blocked_reason", MSG_BLOCKED_REASON),
        (
            {"status": "in_progress", "actual_start": dt.date(2026, 3, 12)},
            "actual_start",
            MSG_ACTUAL_FUTURE,
        ),
        (
            {
                "status": "done",
                "actual_start": dt.date(2026, 3, 5),
                "actual_finish": dt.date(2026, 3, 4),
            },
            "actual_finish",
            MSG_ACTUAL_ORDER,
        ),
        (
            {"status": "in_progress", "actual_finish": dt.date(2026, 3, 4)},
            "actual_finish",
            MSG_ACTUAL_FINISH_NOT_DONE,
        ),
    ],
)
def test_bad_tracking_input_is_refused_and_changes_nothing(
    world: World, changes: dict[str, Any], field: str, message: Any
) -> None:
    t = mk(world, "Design")
    before = Task.objects.values().get(pk=t.pk)
    with pytest.raises(ValidationFailed) as exc:
        upd(world, t, **changes)
    assert str(message) in fields_of(exc)[field]
    assert Task.objects.values().get(pk=t.pk) == before


def test_blocked_keeps_its_reason_until_it_is_unblocked(world: World) -> None:
    t = mk(world, "Design")
    t = upd(world, t, status="blocked", blocked_reason="Waiting for the permit")
    # Blocked before it started: it has not started, so it keeps its place in the plan.
    assert t.blocked_reason == "Waiting for the permit" and t.actual_start is None
    t = upd(world, t, status="in_progress")
    assert t.blocked_reason == "" and t.actual_start == MON
    t = upd(world, t, status="blocked", blocked_reason="Stuck midway")
    assert t.actual_start == MON  # started, then blocked: still started


def test_cancelled_work_takes_no_time(world: World) -> None:
    a = mk(world, "A", "5")
    b = mk(world, "B", "1")
    dependency_create(
        actor=world.manager, project=world.project, predecessor_id=a.pk, successor_id=b.pk
    )
    b.refresh_from_db()
    assert b.start == dt.date(2026, 3, 9)
    upd(world, a, status="cancelled")
    b.refresh_from_db()
    assert b.start == MON


# ---------------------------------------------------------------- who changes which task


def test_members_change_only_their_own_tasks(world: World) -> None:
    mine = mk(world, "Mine")
    theirs = mk(world, "Theirs", owner_id=world.manager.pk)
    assigned = mk(world, "Assigned", owner_id=None)
    assigned.assignees.add(world.member)
    upd(world, mine, name="Mine, renamed")
    upd(world, assigned, status="in_progress")
    with pytest.raises(PermissionDenied):
        upd(world, theirs, name="Not mine")
    assert Task.objects.get(pk=theirs.pk).name == "Theirs"
    upd(world, theirs, who="manager", name="The manager's call")


def test_a_member_owns_what_they_create_and_cannot_hand_it_over(world: World) -> None:
    t = task_create(actor=world.member, project=world.project, name="Found a gap")
    assert t.owner_id == world.member.pk
    with pytest.raises(ValidationFailed) as exc:
        upd(world, t, owner_id=world.manager.pk)
    assert "owner_id" in exc.value.fields
    with pytest.raises(ValidationFailed):
        upd(world, t, assignee_ids=[world.member.pk, world.viewer.pk])
    upd(world, t, who="manager", owner_id=world.manager.pk)


def test_linking_needs_the_right_to_change_the_successor(world: World) -> None:
    mine = mk(world, "Mine")
    theirs = mk(world, "Theirs", owner_id=world.manager.pk)
    with pytest.raises(PermissionDenied):
        dependency_create(
            actor=world.member,
            project=world.project,
            predecessor_id=mine.pk,
            successor_id=theirs.pk,
        )
    dependency_create(
        actor=world.member, project=world.project, predecessor_id=theirs.pk, successor_id=mine.pk
    )


# ---------------------------------------------------------------- workflow


def test_a_project_without_a_workflow_uses_every_status(world: World) -> None:
    cols = workflow_columns(world.project)
    assert [c.status for c in cols] == [
        "todo",
        "in_progress",
        "blocked",
        "in_review",
        "done",
        "cancelled",
    ]


def test_workflow_is_chosen_by_managers(world: World) -> None:
    columns = [
        {"status": "todo", "label": "Backlog"},
        {"status": "in_progress", "wip_limit": 3},
        {"status": "done"},
    ]
    with pytest.raises(PermissionDenied):
        workflow_set(actor=world.member, project=world.project, columns=columns)
    workflow_set(actor=world.manager, project=world.project, columns=columns)
    cols = workflow_columns(world.project)
    assert [(c.status, str(c), c.wip_limit) for c in cols] == [
        ("todo", "Backlog", None),
        ("in_progress", "In progress", 3),
        ("done", "Done", None),
    ]
    t = mk(world, "Design")
    with pytest.raises(ValidationFailed) as exc:
        upd(world, t, status="in_review")
    assert fields_of(exc) == {"status": [str(MSG_STATUS_NOT_IN_WORKFLOW)]}


def test_workflow_needs_its_ends_and_keeps_statuses_in_use(world: World) -> None:
    with pytest.raises(ValidationFailed) as exc:
        workflow_set(
            actor=world.manager, project=world.project, columns=[{"status": "in_progress"}]
        )
    assert fields_of(exc) == {"columns": [str(MSG_WORKFLOW_ENDS)]}
    t = mk(world, "Design")
    upd(world, t, status="in_review")
    with pytest.raises(ValidationFailed) as exc:
        workflow_set(
            actor=world.manager,
            project=world.project,
            columns=[{"status": "todo"}, {"status": "done"}],
        )
    assert "1 task has the status In review; move it first." in fields_of(exc)["columns"][0]
    with pytest.raises(ValidationFailed) as exc:
        workflow_set(
            actor=world.manager,
            project=world.project,
            columns=[{"status": "todo"}, {"status": "todo"}, {"status": "done"}],
        )
    assert "columns.1.status" in exc.value.fields
    assert not WorkflowColumn.objects.filter(project=world.project).exists()


# ---------------------------------------------------------------- the board


def _column(world: World, status: str) -> list[str]:
    b = board(world.manager, world.project)
    return next([t.name for t in c.cards] for c in b.columns if c.status == status)


def test_board_moves_between_and_within_columns(world: World) -> None:
    a, b, c = (mk(world, n) for n in "ABC")
    assert _column(world, "todo") == ["A", "B", "C"]
    c.refresh_from_db()
    board_move(actor=world.member, task=c, version=c.version, status="todo", before_id=a.pk)
    assert _column(world, "todo") == ["C", "A", "B"]
    a.refresh_from_db()
    moved = board_move(actor=world.member, task=a, version=a.version, status="in_progress")
    assert moved.status == "in_progress" and moved.actual_start == MON
    assert moved.version == a.version + 1
    assert _column(world, "todo") == ["C", "B"] and _column(world, "in_progress") == ["A"]
    b.refresh_from_db()
    board_move(actor=world.member, task=b, version=b.version, status="in_progress", before_id=a.pk)
    assert _column(world, "in_progress") == ["B", "A"]


def test_board_move_refusals_change_nothing(world: World) -> None:
    a, b = mk(world, "A"), mk(world, "B")
    theirs = mk(world, "Theirs", owner_id=world.manager.pk)
    a.refresh_from_db()
    with pytest.raises(Conflict):
        board_move(actor=world.member, task=a, version=a.version - 1, status="done")
    with pytest.raises(ValidationFailed) as exc:
        board_move(actor=world.member, task=a, version=a.version, status="blocked")
    assert "blocked_reason" in exc.value.fields
    with pytest.raises(ValidationFailed) as exc:
        board_move(
            actor=world.member, task=a, version=a.version, status="done", before_id=b.pk
        )  # B is in To do, not in Done
    assert "before_id" in exc.value.fields
    theirs.refresh_from_db()
    with pytest.raises(PermissionDenied):
        board_move(actor=world.member, task=theirs, version=theirs.version, status="done")
    assert set(Task.objects.values_list("status", flat=True)) == {"todo"}
    board_move(
        actor=world.member,
        task=a,
        version=a.version,
        status="blocked",
        blocked_reason="No access to site",
    )
    assert Task.objects.get(pk=a.pk).blocked_reason == "No access to site"


def test_summary_tasks_are_not_cards(world: World) -> None:
    phase = mk(world, "Phase")
    mk(world, "Step", parent_id=phase.pk)
    assert _column(world, "todo") == ["Step"]
    phase.refresh_from_db()
    with pytest.raises(ValidationFailed):
        board_move(actor=world.manager, task=phase, version=phase.version, status="done")


def test_board_wip_limit_flags_a_full_column(world: World) -> None:
    workflow_set(
        actor=world.manager,
        project=world.project,
        columns=[{"status": "todo", "wip_limit": 1}, {"status": "done"}],
    )
    mk(world, "A")
    b = board(world.manager, world.project)
    assert b.columns[0].at_limit and not b.columns[0].over_limit
    mk(world, "B")  # a soft limit: allowed, and flagged
    assert board(world.manager, world.project).columns[0].over_limit


def test_board_swimlanes_by_assignee_and_by_summary(world: World) -> None:
    phase = mk(world, "Phase")
    mk(world, "Step", parent_id=phase.pk)
    mk(world, "Loose", owner_id=None)
    lanes = board(world.manager, world.project, swimlanes="assignee").lanes
    assert [(lane.label, sum(len(c.cards) for c in lane.columns)) for lane in lanes] == [
        ("Member", 1),
        ("", 1),
    ]
    lanes = board(world.manager, world.project, swimlanes="summary").lanes
    assert [lane.label.split(" ", 1)[-1] for lane in lanes] == ["Phase", ""]


def test_board_queries_do_not_grow_with_cards(world: World) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            b = board(world.manager, world.project, swimlanes="assignee")
            for lane in b.lanes:
                for c in lane.columns:
                    for t in c.cards:
                        list(t.assignees.all())
        return len(ctx.captured_queries)

    for i in range(3):
        mk(world, f"T{i}")
    few = count()
    for i in range(20):
        mk(world, f"U{i}")
    assert count() == few


# ---------------------------------------------------------------- my work


def test_my_work_sorts_open_tasks_across_projects(world: World) -> None:
    overdue = mk(world, "Overdue")  # finishes 3 March
    blocked = mk(world, "Blocked", constraint_type="snet", constraint_date=dt.date(2026, 4, 6))
    upd(world, blocked, status="blocked", blocked_reason="Parts")
    soon = mk(world, "Soon", constraint_type="snet", constraint_date=dt.date(2026, 3, 12))
    later = mk(world, "Later", constraint_type="snet", constraint_date=dt.date(2026, 5, 4))
    done = mk(world, "Done")
    upd(world, done, status="done")
    mk(world, "Someone else's", owner_id=world.manager.pk)
    work = my_work(world.member, today=TODAY)
    assert [t.name for t in work.overdue] == [overdue.name]
    assert [t.name for t in work.blocked] == [blocked.name]
    assert [t.name for t in work.due_soon] == [soon.name]
    assert [t.name for t in work.upcoming] == [later.name]
    assert my_work(world.outsider, today=TODAY).overdue == []


def test_members_cannot_nest_work_under_someone_elses_task(world: World) -> None:
    """A subtask turns its parent into a summary: only the parent's people may do that."""
    theirs = mk(world, "Theirs", owner_id=world.manager.pk)
    mine = mk(world, "Mine")
    with pytest.raises(PermissionDenied):
        task_create(actor=world.member, project=world.project, name="Sneak", parent_id=theirs.pk)
    mine.refresh_from_db()
    with pytest.raises(PermissionDenied):
        task_move(
            actor=world.member, task=mine, parent_id=theirs.pk, position=0, version=mine.version
        )
    theirs.refresh_from_db()
    assert not theirs.is_summary and theirs.duration_days == Decimal("2")
    child = task_create(actor=world.member, project=world.project, name="Step", parent_id=mine.pk)
    assert child.parent_id == mine.pk


def test_members_cannot_hand_new_work_to_others(world: World) -> None:
    for fields in ({"owner_id": world.manager.pk}, {"assignee_ids": [world.viewer.pk]}):
        with pytest.raises(ValidationFailed):
            task_create(actor=world.member, project=world.project, name="Yours now", **fields)
    t = task_create(
        actor=world.member,
        project=world.project,
        name="Mine",
        assignee_ids=[world.member.pk],
    )
    assert t.owner_id == world.member.pk
    assert not Task.objects.filter(name="Yours now").exists()
