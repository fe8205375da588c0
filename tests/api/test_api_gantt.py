"""The Gantt chart's data (GET /projects/{id}/gantt) and the drag of a bar
(POST /tasks/{id}/reschedule): who sees what and may drag what, constant queries, and the
refusals of a drop (non-working day, stale version, summary, milestone resize)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils.formats import date_format
from django.utils.translation import override

from keel.apps.planning.models import Task
from keel.apps.planning.services import (
    baseline_save,
    dependency_create,
    task_create,
    task_update,
)
from keel.apps.planning.services_gantt import (
    MSG_MILESTONE_LENGTH,
    MSG_NON_WORKING,
    MSG_ONE_DATE,
    MSG_SUMMARY_DRAG,
)
from keel.apps.projects.services import calendar_exception_set

from ..conftest import ROLES, World
from ..factories import ProjectFactory
from .helpers import PROJECT_VIEW, assert_error

D = dt.date


@dataclass
class Plan:
    build: Task  # 1, summary of design and code
    design: Task  # 1.1, 3 days from Mon 2 March 2026, owned by the member
    code: Task  # 1.2, 5 days after design, owned by the manager
    launch: Task  # 2, a milestone after code, the member is assigned to it


@pytest.fixture
def plan(world: World) -> Plan:
    m, p = world.manager, world.project
    build = task_create(actor=m, project=p, name="Build")
    design = task_create(
        actor=m, project=p, name="Design", parent_id=build.pk, duration_days=Decimal("3")
    )
    code = task_create(
        actor=m, project=p, name="Code", parent_id=build.pk, duration_days=Decimal("5")
    )
    launch = task_create(actor=m, project=p, name="Launch", is_milestone=True)
    dependency_create(actor=m, project=p, predecessor_id=design.pk, successor_id=code.pk)
    dependency_create(actor=m, project=p, predecessor_id=code.pk, successor_id=launch.pk)
    Task.objects.filter(pk=design.pk).update(owner=world.member)
    Task.objects.filter(pk=code.pk).update(owner=world.manager)
    Task.objects.get(pk=launch.pk).assignees.set([world.member])
    # Friday 13 March is a holiday and Saturday 14 March a make-up working day.
    calendar_exception_set(actor=world.owner, project=p, day=D(2026, 3, 13), kind="holiday")
    calendar_exception_set(actor=world.owner, project=p, day=D(2026, 3, 14), kind="working")
    return Plan(*(Task.objects.get(pk=t.pk) for t in (build, design, code, launch)))


def _chart(api: Any, world: World) -> dict[str, Any]:
    r = api.get(f"/projects/{world.project.pk}/gantt")
    assert r.status_code == 200, r.content
    body: dict[str, Any] = r.json()
    return body


def _reschedule(api: Any, task: Task, **body: Any) -> Any:
    return api.post(f"/tasks/{task.pk}/reschedule", {"version": task.version, **body})


# ---------------------------------------------------------------- the chart's data


def test_chart_has_the_plan_in_outline_order(as_role: Any, world: World, plan: Plan) -> None:
    body = _chart(as_role("manager"), world)
    tasks = body["tasks"]
    assert [t["wbs"] for t in tasks] == ["1", "1.1", "1.2", "2"]
    build, design, code, launch = tasks
    assert (build["is_summary"], build["depth"], build["parent"]) == (True, 0, None)
    assert (design["depth"], design["parent"]) == (1, plan.build.pk)
    assert (design["start"], design["finish"], design["duration"]) == (
        "2026-03-02",
        "2026-03-04",
        "3.00",
    )
    assert (code["start"], code["finish"]) == ("2026-03-05", "2026-03-11")
    assert launch["is_milestone"] and launch["finish"] == "2026-03-11"
    assert all(t["is_critical"] for t in (design, code, launch))
    assert all(t["baseline"] is None for t in tasks)
    assert design["version"] == plan.design.version
    assert body["links"] == [
        {"predecessor": plan.design.pk, "successor": plan.code.pk, "type": "FS", "lag": "0.00"},
        {"predecessor": plan.code.pk, "successor": plan.launch.pk, "type": "FS", "lag": "0.00"},
    ]
    assert body["finish"] == "2026-03-11"
    assert body["start"] == "2026-03-02"
    assert body["schedule_state"] == "current"
    cal = body["calendar"]
    assert cal["working_weekdays"] == [1, 2, 3, 4, 5]
    assert "2026-03-13" in cal["holidays"] and "2026-03-14" in cal["working_days"]
    assert cal["first"] <= "2026-03-02" and cal["last"] > "2026-03-11"
    assert body["today"] >= cal["first"] and body["today"] <= cal["last"]


def test_chart_shows_the_status_date(as_role: Any, world: World, plan: Plan) -> None:
    world.project.status_date = D(2026, 3, 4)
    world.project.save(update_fields=["status_date"])
    assert _chart(as_role("viewer"), world)["status_date"] == "2026-03-04"


EDITABLE = {
    # role -> which of build, design, code, launch the person may drag
    "owner": (True, True, True, True),
    "admin": (True, True, True, True),
    "manager": (True, True, True, True),
    "member": (False, True, False, True),  # owns design, is assigned to launch
    "viewer": (False, False, False, False),
}


@pytest.mark.parametrize("role", ROLES)
def test_chart_per_role(as_role: Any, world: World, plan: Plan, role: str) -> None:
    r = as_role(role).get(f"/projects/{world.project.pk}/gantt")
    if PROJECT_VIEW[role] == 404:
        assert_error(r, 404)
        return
    assert r.status_code == 200, r.content
    assert tuple(t["can_edit"] for t in r.json()["tasks"]) == EDITABLE[role]


def test_chart_of_an_archived_project_is_read_only(as_role: Any, world: World, plan: Plan) -> None:
    world.project.archived_at = dt.datetime(2026, 3, 20, tzinfo=dt.UTC)
    world.project.save(update_fields=["archived_at"])
    assert not any(t["can_edit"] for t in _chart(as_role("manager"), world)["tasks"])


def test_chart_needs_a_signed_in_person(api: Any, world: World, plan: Plan) -> None:
    assert_error(api(None).get(f"/projects/{world.project.pk}/gantt"), 401)


def _big_plan(world: World, size: int) -> Any:
    project = ProjectFactory(workspace=world.workspace)
    project.memberships.create(user=world.member, role="member")
    project.memberships.create(user=world.viewer, role="viewer")
    summary = None
    previous = None
    for i in range(size):
        if i % 4 == 0:
            summary = task_create(actor=world.owner, project=project, name=f"Phase {i}")
            continue
        task = task_create(
            actor=world.owner,
            project=project,
            name=f"Task {i}",
            parent_id=summary.pk if summary else None,
            owner_id=world.member.pk if i % 2 else None,
            assignee_ids=[world.member.pk, world.manager.pk] if i % 3 == 0 else [],
        )
        if previous is not None:
            dependency_create(
                actor=world.owner,
                project=project,
                predecessor_id=previous.pk,
                successor_id=task.pk,
            )
        previous = task
    return project


@pytest.mark.parametrize("role", ["owner", "member", "viewer"])
def test_chart_queries_do_not_grow_with_tasks(api: Any, world: World, role: str) -> None:
    small = _big_plan(world, 4)
    big = _big_plan(world, 24)
    client = api(world.user(role))
    client.get(f"/projects/{small.pk}/gantt")  # the token's first use writes last_used
    few, body = client.queries(f"/projects/{small.pk}/gantt")
    many, body_many = client.queries(f"/projects/{big.pk}/gantt")
    assert (len(body["tasks"]), len(body_many["tasks"])) == (4, 24)
    assert len(body_many["links"]) == 17
    assert few == many, (few, many)


def test_chart_shows_the_primary_baseline(as_role: Any, world: World, plan: Plan) -> None:
    baseline_save(actor=world.manager, project=world.project, name="Agreed")
    # The plan slips after the baseline: design starts a day later.
    r = _reschedule(as_role("manager"), plan.design, start="2026-03-03")
    assert r.status_code == 200, r.content
    tasks = {t["id"]: t for t in _chart(as_role("viewer"), world)["tasks"]}
    assert tasks[plan.design.pk]["start"] == "2026-03-03"
    assert tasks[plan.design.pk]["baseline"] == {"start": "2026-03-02", "finish": "2026-03-04"}
    assert tasks[plan.launch.pk]["baseline"] == {"start": "2026-03-11", "finish": "2026-03-11"}
    # The rows a drag answers with carry it too.
    rows = {t["id"]: t for t in r.json()["tasks"]}
    assert rows[plan.code.pk]["baseline"] == {"start": "2026-03-05", "finish": "2026-03-11"}


# ---------------------------------------------------------------- dragging a bar


def test_moving_a_bar_sets_start_no_earlier_than_and_moves_the_successors(
    as_role: Any, plan: Plan
) -> None:
    r = _reschedule(as_role("member"), plan.design, start="2026-03-03")
    assert r.status_code == 200, r.content
    body = r.json()
    design = Task.objects.get(pk=plan.design.pk)
    assert (design.constraint_type, design.constraint_date) == ("snet", D(2026, 3, 3))
    assert (design.start, design.finish) == (D(2026, 3, 3), D(2026, 3, 5))
    code = Task.objects.get(pk=plan.code.pk)
    assert (code.start, code.finish) == (D(2026, 3, 6), D(2026, 3, 12))
    moved = {m["id"]: m for m in body["moved"]}
    assert set(moved) == {plan.build.pk, plan.design.pk, plan.code.pk, plan.launch.pk}
    assert moved[plan.code.pk] == {
        "id": plan.code.pk,
        "wbs": "1.2",
        "name": "Code",
        "start_before": "2026-03-05",
        "finish_before": "2026-03-11",
        "start": "2026-03-06",
        "finish": "2026-03-12",
    }
    assert [m["wbs"] for m in body["moved"]] == ["1", "1.1", "1.2", "2"]
    assert (body["finish_before"], body["finish"]) == ("2026-03-11", "2026-03-12")
    assert body["task_id"] == plan.design.pk
    rows = {t["id"]: t for t in body["tasks"]}
    assert rows[plan.design.pk]["version"] == design.version == plan.design.version + 1
    assert rows[plan.design.pk]["constraint_type"] == "snet"
    assert rows[plan.code.pk]["start"] == "2026-03-06"


def test_a_bar_moved_before_its_predecessor_stays_where_it_must(as_role: Any, plan: Plan) -> None:
    # Code waits for design (to Wednesday 4 March): "no earlier than Tuesday 3" moves nothing.
    r = _reschedule(as_role("manager"), plan.code, start="2026-03-03")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["moved"] == []
    assert body["finish_before"] == body["finish"] == "2026-03-11"
    code = Task.objects.get(pk=plan.code.pk)
    assert (code.constraint_type, code.constraint_date, code.start) == (
        "snet",
        D(2026, 3, 3),
        D(2026, 3, 5),
    )
    assert [t["id"] for t in body["tasks"]] == [plan.code.pk]  # its version and constraint


def test_resizing_a_bar_changes_the_duration_in_working_days(as_role: Any, plan: Plan) -> None:
    # Thursday 12 March to Monday 16 March: Friday 13 is a holiday, Saturday 14 is worked.
    r = _reschedule(as_role("manager"), plan.code, finish="2026-03-16")
    assert r.status_code == 200, r.content
    code = Task.objects.get(pk=plan.code.pk)
    assert code.duration_days == Decimal("8")
    assert (code.start, code.finish) == (D(2026, 3, 5), D(2026, 3, 16))
    assert code.constraint_type == "asap"
    assert r.json()["finish"] == "2026-03-16"
    # Shorter: back to Wednesday 11.
    r = _reschedule(as_role("manager"), code, finish="2026-03-11")
    assert r.status_code == 200, r.content
    assert Task.objects.get(pk=plan.code.pk).duration_days == Decimal("5")


def test_a_milestone_moves(as_role: Any, plan: Plan) -> None:
    r = _reschedule(as_role("member"), plan.launch, start="2026-03-16")
    assert r.status_code == 200, r.content
    launch = Task.objects.get(pk=plan.launch.pk)
    assert (launch.start, launch.finish, launch.duration_days) == (
        D(2026, 3, 16),
        D(2026, 3, 16),
        Decimal("0"),
    )


def test_a_drop_on_a_make_up_working_day_is_taken(as_role: Any, plan: Plan) -> None:
    r = _reschedule(as_role("manager"), plan.code, start="2026-03-14")
    assert r.status_code == 200, r.content
    assert Task.objects.get(pk=plan.code.pk).start == D(2026, 3, 14)


@pytest.mark.parametrize(
    ("field", "day"),
    [("start", "2026-03-07"), ("start", "2026-03-13"), ("finish", "2026-03-08")],
    ids=["saturday", "holiday", "sunday-finish"],
)
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_drop_on_a_non_working_day_changes_nothing(
    api: Any, world: World, plan: Plan, field: str, day: str, language: str
) -> None:
    world.manager.language = language
    world.manager.save(update_fields=["language"])
    before = list(Task.objects.filter(project=world.project).values())
    r = _reschedule(api(world.manager), plan.code, **{field: day})
    body = assert_error(r, 422, "validation_error", field)
    with override(language):
        expected = str(MSG_NON_WORKING) % {"date": date_format(D.fromisoformat(day), "DATE_FORMAT")}
    assert body["fields"][field] == [expected]
    assert body["message"] == expected
    if language == "zh-hans":
        assert "年" in expected and expected != MSG_NON_WORKING  # said in Chinese
    assert list(Task.objects.filter(project=world.project).values()) == before


def test_a_stale_version_is_refused(as_role: Any, world: World, plan: Plan) -> None:
    # Someone renames the task after the chart was read.
    task_update(
        actor=world.manager, task=plan.code, version=plan.code.version, changes={"name": "C"}
    )
    r = _reschedule(as_role("manager"), plan.code, start="2026-03-09")
    assert_error(r, 409, "version_conflict", "version")
    code = Task.objects.get(pk=plan.code.pk)
    assert (code.version, code.constraint_type) == (plan.code.version + 1, "asap")


@pytest.mark.parametrize(
    ("task", "body", "field", "message"),
    [
        ("build", {"start": "2026-03-09"}, "start", MSG_SUMMARY_DRAG),
        ("launch", {"finish": "2026-03-16"}, "finish", MSG_MILESTONE_LENGTH),
        ("code", {}, "start", MSG_ONE_DATE),
        ("code", {"start": "2026-03-09", "finish": "2026-03-16"}, "start", MSG_ONE_DATE),
    ],
    ids=["summary", "milestone-resize", "no-date", "both-dates"],
)
def test_drops_that_cannot_be(
    as_role: Any, plan: Plan, task: str, body: dict[str, str], field: str, message: Any
) -> None:
    t: Task = getattr(plan, task)
    r = _reschedule(as_role("manager"), t, **body)
    assert assert_error(r, 422, "validation_error", field)["fields"][field] == [str(message)]
    assert Task.objects.get(pk=t.pk).version == t.version


def test_a_finish_before_the_start_is_refused(as_role: Any, plan: Plan) -> None:
    r = _reschedule(as_role("manager"), plan.code, finish="2026-03-04")
    assert_error(r, 422, "validation_error", "finish")


@pytest.mark.parametrize(
    ("role", "task", "status"),
    [
        ("viewer", "design", 403),
        ("member", "code", 403),  # not the member's task
        ("member", "design", 200),
        ("member", "launch", 200),  # assigned
        ("ws_member", "design", 404),
        ("outsider", "design", 404),
    ],
)
def test_who_may_drag(as_role: Any, plan: Plan, role: str, task: str, status: int) -> None:
    t: Task = getattr(plan, task)
    r = _reschedule(as_role(role), t, start="2026-03-09")
    assert r.status_code == status, r.content
    if status != 200:
        assert_error(r, status)
        assert Task.objects.get(pk=t.pk).version == t.version


def test_drag_needs_a_signed_in_person(api: Any, plan: Plan) -> None:
    assert_error(_reschedule(api(None), plan.design, start="2026-03-09"), 401)


def test_the_page_saves_with_its_session_and_csrf_token(world: World, plan: Plan) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.manager)
    page = client.get(f"/projects/{world.project.pk}/gantt/")
    assert page.status_code == 200
    token = client.cookies["csrftoken"].value
    url = f"/api/v1/tasks/{plan.code.pk}/reschedule"
    body = f'{{"version": {plan.code.version}, "start": "2026-03-09"}}'
    refused = client.post(url, body, content_type="application/json")
    assert refused.status_code == 403
    r = client.post(url, body, content_type="application/json", headers={"X-CSRFToken": token})
    assert r.status_code == 200, r.content
    assert Task.objects.get(pk=plan.code.pk).start == D(2026, 3, 9)


def test_drag_queries_do_not_grow_with_tasks(api: Any, world: World) -> None:
    def count(project: Any) -> int:
        task = Task.objects.filter(project=project, is_summary=False).order_by("wbs_code").last()
        assert task is not None
        client = api(world.owner)
        client.get("/me")
        with CaptureQueriesContext(connection) as ctx:
            r = client.post(
                f"/tasks/{task.pk}/reschedule", {"version": task.version, "finish": "2026-12-31"}
            )
        assert r.status_code == 200, r.content
        return len([q for q in ctx.captured_queries if "historical" not in q["sql"]])

    assert count(_big_plan(world, 4)) == count(_big_plan(world, 24))


def test_a_plan_recalculated_in_the_background_says_so(
    as_role: Any, world: World, plan: Plan, settings: Any
) -> None:
    settings.KEEL_SCHEDULE_SYNC_MAX_TASKS = 2  # this plan (4 tasks) is now a big one
    r = _reschedule(as_role("manager"), plan.design, start="2026-03-03")
    assert r.status_code == 200, r.content
    body = r.json()
    # Nothing has moved yet: the chart waits for the recalculation and compares then.
    assert (body["schedule_state"], body["moved"]) == ("queued", [])
    assert [t["id"] for t in body["tasks"]] == [plan.design.pk]
    assert body["tasks"][0]["constraint_date"] == "2026-03-03"
    assert _chart(as_role("manager"), world)["schedule_state"] == "queued"
