"""The schedule seam: a small plan is recalculated in the request that changed it, a big one
in the background (queued, running, then current or failed), many changes cause at most one
more run, and a run writes all of its dates or none."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from keel.apps.planning import services
from keel.apps.planning.models import Task
from keel.apps.planning.selectors import (
    MSG_SCHEDULE_ERROR,
    MSG_SCHEDULE_LOOP,
    schedule_status,
)
from keel.apps.planning.services import (
    REQUEUE_AFTER,
    dependency_create,
    dependency_delete,
    schedule_run,
    task_create,
    task_update,
)
from keel.apps.planning.tasks import recalculate_schedule
from keel.apps.projects.models import Project, SchedulePhase, ScheduleState
from keel.apps.projects.services import project_update
from keel.common.db import prepared_update, update_rows

from ..conftest import World
from ..factories import DependencyFactory, TaskFactory

MON = dt.date(2026, 3, 2)  # the factory project's start, a Monday
Capture = Callable[..., Any]  # pytest-django's django_capture_on_commit_callbacks


def mk(world: World, name: str, days: str = "2", **kw: object) -> Task:
    return task_create(
        actor=world.manager, project=world.project, name=name, duration_days=Decimal(days), **kw
    )


def fresh(obj: Any) -> Any:
    return type(obj).objects.get(pk=obj.pk)


def lengthen(world: World, task: Task, days: str) -> Task:
    task = fresh(task)
    return task_update(
        actor=world.manager,
        task=task,
        version=task.version,
        changes={"duration_days": Decimal(days)},
    )


@pytest.fixture
def chain(world: World, settings: Any) -> dict[str, Task]:
    """A (3 days) -> B (2 days), and C (1 day) on its own, built while small; then every
    plan of more than two tasks is recalculated in the background."""
    a, b, c = mk(world, "A", "3"), mk(world, "B", "2"), mk(world, "C", "1")
    dependency_create(
        actor=world.manager, project=world.project, predecessor_id=a.pk, successor_id=b.pk
    )
    settings.KEEL_SCHEDULE_SYNC_MAX_TASKS = 2
    return {"A": fresh(a), "B": fresh(b), "C": fresh(c)}


def test_a_small_plan_is_recalculated_in_the_request(
    world: World, django_capture_on_commit_callbacks: Capture
) -> None:
    with django_capture_on_commit_callbacks() as queued:
        a, b = mk(world, "A", "3"), mk(world, "B", "2")
        dependency_create(
            actor=world.manager, project=world.project, predecessor_id=a.pk, successor_id=b.pk
        )
    assert queued == []  # no background task
    assert (fresh(b).start, fresh(b).finish) == (dt.date(2026, 3, 5), dt.date(2026, 3, 6))
    project = fresh(world.project)
    assert project.schedule_state == ScheduleState.CURRENT
    assert (project.schedule_generation, project.schedule_progress) == (3, 100)
    assert project.schedule_finished_at is not None


def test_over_the_threshold_a_change_is_queued_and_the_task_makes_it_current(
    world: World, chain: dict[str, Task], django_capture_on_commit_callbacks: Capture
) -> None:
    generation = fresh(world.project).schedule_generation
    with django_capture_on_commit_callbacks() as queued:
        lengthen(world, chain["A"], "5")
    assert len(queued) == 1
    b = fresh(chain["B"])
    assert (b.start, b.finish) == (dt.date(2026, 3, 5), dt.date(2026, 3, 6))  # provisional
    project = fresh(world.project)
    assert project.schedule_state == ScheduleState.QUEUED
    assert project.schedule_generation == generation + 1
    assert project.schedule_progress == 0 and project.schedule_requested_at is not None
    assert project.scheduled_finish == dt.date(2026, 3, 6)

    queued[0]()  # the test settings' ImmediateBackend runs the task at once

    b = fresh(chain["B"])
    assert (b.start, b.finish) == (dt.date(2026, 3, 9), dt.date(2026, 3, 10))
    assert b.is_critical and not fresh(chain["C"]).is_critical
    project = fresh(world.project)
    assert project.schedule_state == ScheduleState.CURRENT
    assert (project.schedule_progress, project.schedule_phase) == (100, "")
    assert project.scheduled_finish == dt.date(2026, 3, 10)
    assert project.schedule_finished_at is not None


def test_a_task_created_in_a_big_plan_gets_its_dates_from_the_run(
    world: World, chain: dict[str, Task], django_capture_on_commit_callbacks: Capture
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as queued:
        d = mk(world, "D", "4")
    assert d.start is None and fresh(world.project).schedule_state == ScheduleState.QUEUED
    assert recalculate_schedule.call(world.project.pk) == "current"
    assert len(queued) == 1
    assert (fresh(d).start, fresh(d).finish) == (MON, dt.date(2026, 3, 5))


def test_a_calendar_change_of_a_big_plan_is_queued(
    world: World, chain: dict[str, Task], django_capture_on_commit_callbacks: Capture
) -> None:
    project = fresh(world.project)
    with django_capture_on_commit_callbacks() as queued:
        project_update(
            actor=world.manager,
            project=project,
            version=project.version,
            changes={"start_date": dt.date(2026, 3, 9)},
        )
    assert len(queued) == 1 and fresh(world.project).schedule_state == ScheduleState.QUEUED
    assert schedule_run(project_id=project.pk) == "current"
    assert fresh(chain["A"]).start == dt.date(2026, 3, 9)


def test_changes_while_a_run_is_queued_ride_on_it(
    world: World, chain: dict[str, Task], django_capture_on_commit_callbacks: Capture
) -> None:
    generation = fresh(world.project).schedule_generation
    with django_capture_on_commit_callbacks() as queued:
        for days in ("4", "5", "6"):
            lengthen(world, chain["A"], days)
    assert len(queued) == 1  # one task for three changes
    assert fresh(world.project).schedule_generation == generation + 3
    assert schedule_run(project_id=world.project.pk) == "current"
    assert fresh(chain["B"]).start == dt.date(2026, 3, 10)  # after the last change
    assert schedule_run(project_id=world.project.pk) == "idle"  # the queued task: nothing left


def test_changes_during_a_run_supersede_it_and_queue_one_more(
    world: World, chain: dict[str, Task], django_capture_on_commit_callbacks: Capture
) -> None:
    with django_capture_on_commit_callbacks():
        lengthen(world, chain["A"], "5")

    def meddle(phase: str, percent: int) -> None:
        if phase == SchedulePhase.COMPUTING:  # three changes while the run computes
            for days in ("7", "8", "9"):
                lengthen(world, chain["C"], days)

    with django_capture_on_commit_callbacks() as queued:
        assert schedule_run(project_id=world.project.pk, progress=meddle) == "superseded"
    assert len(queued) == 1  # one more run, not three
    assert fresh(world.project).schedule_state == ScheduleState.QUEUED
    assert fresh(chain["B"]).start == dt.date(2026, 3, 5)  # the superseded run wrote nothing
    assert schedule_run(project_id=world.project.pk) == "current"
    assert fresh(chain["B"]).start == dt.date(2026, 3, 9)
    assert fresh(chain["C"]).finish == dt.date(2026, 3, 12)  # 9 days from Monday 2 March
    assert fresh(world.project).scheduled_finish == dt.date(2026, 3, 12)


def test_a_run_stops_reading_as_soon_as_a_change_comes(
    world: World, chain: dict[str, Task], django_capture_on_commit_callbacks: Capture
) -> None:
    with django_capture_on_commit_callbacks():
        lengthen(world, chain["A"], "5")
    phases: list[str] = []

    def meddle(phase: str, percent: int) -> None:
        phases.append(phase)
        if len(phases) == 1:  # the run has just started reading
            lengthen(world, chain["C"], "4")

    with django_capture_on_commit_callbacks() as queued:
        assert schedule_run(project_id=world.project.pk, progress=meddle) == "superseded"
    assert phases == [SchedulePhase.READING] and len(queued) == 1


def test_progress_is_on_the_project_while_the_run_goes(
    world: World, chain: dict[str, Task], django_capture_on_commit_callbacks: Capture
) -> None:
    with django_capture_on_commit_callbacks():
        lengthen(world, chain["A"], "5")
    columns = ("schedule_state", "schedule_phase", "schedule_progress")
    reports: list[tuple[str, int]] = []
    stored: list[tuple[str, str, int]] = []

    def look(phase: str, percent: int) -> None:
        stored.append(Project.objects.values_list(*columns).get(pk=world.project.pk))
        reports.append((phase, percent))

    assert schedule_run(project_id=world.project.pk, progress=look) == "current"
    # Each report is on the project row, in an update of its own, when it is made.
    assert stored == [(ScheduleState.RUNNING, phase, percent) for phase, percent in reports]
    phases = list(dict.fromkeys(phase for phase, _percent in reports))
    assert phases == [SchedulePhase.READING, SchedulePhase.COMPUTING, SchedulePhase.SAVING]
    percents = [percent for _phase, percent in reports]
    assert percents == sorted(percents) and max(percents) < 100
    done = Project.objects.values_list(*columns).get(pk=world.project.pk)
    assert done == (ScheduleState.CURRENT, "", 100)


def test_a_loop_that_slipped_in_fails_the_run_with_a_message(
    world: World, chain: dict[str, Task], django_capture_on_commit_callbacks: Capture
) -> None:
    # B -> A closes a loop with A -> B; the services refuse it, so put it in directly.
    loop = DependencyFactory(predecessor=chain["B"], successor=chain["A"])
    with django_capture_on_commit_callbacks(execute=True):
        lengthen(world, chain["C"], "4")  # runs the task at once, and no exception
    project = fresh(world.project)
    assert project.schedule_state == ScheduleState.FAILED
    status = schedule_status(world.viewer, project)
    assert status.error_code == "dependency_cycle"
    assert set(project.schedule_error_detail.split(" → ")) == {"A", "B"}
    assert status.error == str(MSG_SCHEDULE_LOOP % {"loop": project.schedule_error_detail})
    assert fresh(chain["C"]).finish == dt.date(2026, 3, 2)  # the dates before the run

    with django_capture_on_commit_callbacks(execute=True):
        dependency_delete(actor=world.manager, dependency=loop)
    project = fresh(world.project)
    assert project.schedule_state == ScheduleState.CURRENT
    assert (project.schedule_error_code, project.schedule_error_detail) == ("", "")
    assert fresh(chain["C"]).finish == dt.date(2026, 3, 5)


def test_an_engine_error_fails_the_run_and_is_logged(
    world: World,
    chain: dict[str, Task],
    django_capture_on_commit_callbacks: Capture,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(services, "compute_schedule", broken)
    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
        lengthen(world, chain["A"], "5")
    project = fresh(world.project)
    assert project.schedule_state == ScheduleState.FAILED
    status = schedule_status(world.viewer, project)
    assert (status.error_code, status.error) == ("engine_error", str(MSG_SCHEDULE_ERROR))
    assert "ZeroDivisionError: a bug" in caplog.text


def test_a_failed_write_leaves_no_half_written_schedule(
    world: World,
    chain: dict[str, Task],
    django_capture_on_commit_callbacks: Capture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    summary = mk(world, "Phase", "1")  # A and B go under it: its dates come from the run
    with django_capture_on_commit_callbacks():
        for name in ("A", "B"):
            t = fresh(chain[name])
            services.task_move(
                actor=world.manager, task=t, parent_id=summary.pk, position=9, version=t.version
            )
        lengthen(world, chain["A"], "5")
    calls: list[int] = []

    def second_write_fails(model: Any, rows: Any, fields: Any) -> Callable[[], None]:
        write = prepared_update(model, rows, fields)

        def run() -> None:
            calls.append(len(rows))
            if len(calls) == 2:
                raise RuntimeError("the disk is full")
            write()

        return run

    monkeypatch.setattr(services, "prepared_update", second_write_fails)
    assert schedule_run(project_id=world.project.pk) == "failed"
    assert calls[0] >= 1  # the summary's dates were written, then rolled back with the rest
    assert fresh(summary).start is None and fresh(chain["B"]).start == dt.date(2026, 3, 5)


def test_a_busy_row_makes_the_save_try_again(
    world: World,
    chain: dict[str, Task],
    django_capture_on_commit_callbacks: Capture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with django_capture_on_commit_callbacks():
        lengthen(world, chain["A"], "5")
    calls: list[int] = []

    def busy_once(model: Any, rows: Any, fields: Any) -> Callable[[], None]:
        write = prepared_update(model, rows, fields)

        def run() -> None:
            calls.append(len(rows))
            if len(calls) == 1:
                raise OperationalError("could not obtain lock on row in relation planning_task")
            write()

        return run

    monkeypatch.setattr(services, "prepared_update", busy_once)
    assert schedule_run(project_id=world.project.pk) == "current"
    assert fresh(chain["B"]).start == dt.date(2026, 3, 9)


def test_a_queued_run_that_was_lost_is_queued_again(
    world: World, chain: dict[str, Task], django_capture_on_commit_callbacks: Capture
) -> None:
    with django_capture_on_commit_callbacks() as queued:
        lengthen(world, chain["A"], "4")
        lengthen(world, chain["A"], "5")
    assert len(queued) == 1
    long_ago = timezone.now() - REQUEUE_AFTER - dt.timedelta(minutes=1)
    Project.objects.filter(pk=world.project.pk).update(schedule_requested_at=long_ago)
    with django_capture_on_commit_callbacks() as queued:
        lengthen(world, chain["A"], "6")
    assert len(queued) == 1
    assert fresh(world.project).schedule_requested_at > long_ago


def test_a_task_that_cannot_be_queued_does_not_undo_the_change(
    world: World,
    chain: dict[str, Task],
    django_capture_on_commit_callbacks: Capture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def unavailable(project_id: int) -> None:
        raise OperationalError("the task queue is unavailable")

    monkeypatch.setattr(services, "_enqueue", unavailable)
    with django_capture_on_commit_callbacks(execute=True):
        lengthen(world, chain["A"], "5")
    assert fresh(chain["A"]).duration_days == Decimal("5")
    assert fresh(world.project).schedule_state == ScheduleState.QUEUED  # queued again later


def test_a_run_does_nothing_unless_queued_or_forced(world: World, chain: dict[str, Task]) -> None:
    assert schedule_run(project_id=world.project.pk) == "idle"
    assert schedule_run(project_id=world.project.pk, force=True) == "current"
    assert schedule_run(project_id=10**9, force=True) == "idle"  # deleted meanwhile


def _plan(world: World, size: int) -> None:
    previous = None
    for i in range(size):
        task = TaskFactory(project=world.project, name=f"T{i}", parent=None, position=i)
        if previous is not None:
            DependencyFactory(predecessor=previous, successor=task)
        previous = task


def test_a_run_takes_the_same_number_of_queries_whatever_the_plan_size(world: World) -> None:
    def count() -> int:
        Task.objects.filter(project=world.project).update(start=None)  # every date written
        with CaptureQueriesContext(connection) as ctx:
            assert schedule_run(project_id=world.project.pk, force=True) == "current"
        return len(ctx.captured_queries)

    _plan(world, 5)
    few = count()
    _plan(world, 40)
    assert count() == few


def test_update_rows_writes_every_kind_of_value(world: World) -> None:
    a, b = TaskFactory(project=world.project), TaskFactory(project=world.project)
    a.start, a.finish, a.total_float, a.is_critical = MON, MON, Decimal("-1.25"), True
    b.start, b.finish, b.total_float, b.is_critical = None, None, None, False
    fields = ["start", "finish", "total_float", "is_critical"]
    update_rows(Task, [a, b], fields)
    assert [getattr(fresh(a), f) for f in fields] == [MON, MON, Decimal("-1.25"), True]
    assert [getattr(fresh(b), f) for f in fields] == [None, None, None, False]
    update_rows(Task, [], fields)  # nothing to do
