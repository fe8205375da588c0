"""The board, workflow and My work endpoints, and the tracking fields of tasks."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from keel.apps.planning.models import Task, WorkflowColumn
from keel.apps.planning.permissions import MSG_NOT_YOUR_TASK
from keel.apps.planning.services import task_create

from ..conftest import ROLES, World
from .helpers import PROJECT_EDIT_TASKS, PROJECT_MANAGE, PROJECT_VIEW, assert_error


@pytest.fixture
def cards(world: World) -> dict[str, Task]:
    """Three tasks of the member's (A, B, C) and one of the manager's (M)."""
    m, p = world.manager, world.project
    out = {}
    for name in "ABC":
        out[name] = task_create(
            actor=m, project=p, name=name, duration_days=Decimal("2"), owner_id=world.member.pk
        )
    out["M"] = task_create(actor=m, project=p, name="M", owner_id=world.manager.pk)
    return {k: Task.objects.get(pk=t.pk) for k, t in out.items()}


@pytest.mark.parametrize("role", ROLES)
def test_read_board_and_workflow_by_role(
    as_role: Any, world: World, cards: dict[str, Task], role: str
) -> None:
    client = as_role(role)
    r = client.get(f"/projects/{world.project.pk}/board")
    assert r.status_code == PROJECT_VIEW[role]
    if r.status_code == 200:
        todo = r.json()["columns"][0]
        assert (todo["status"], todo["count"]) == ("todo", 4)
        assert todo["task_ids"] == [cards[k].pk for k in "ABCM"]
        assert len(r.json()["tasks"]) == 4
    assert client.get(f"/projects/{world.project.pk}/workflow").status_code == PROJECT_VIEW[role]


@pytest.mark.parametrize("role", ROLES)
def test_board_move_by_role(as_role: Any, cards: dict[str, Task], role: str) -> None:
    t = cards["A"]  # the member's own task
    r = as_role(role).post(
        f"/tasks/{t.pk}/board-move", {"status": "in_progress", "version": t.version}
    )
    assert r.status_code == PROJECT_EDIT_TASKS[role], r.content
    moved = Task.objects.get(pk=t.pk)
    assert (moved.status == "in_progress") is (r.status_code == 200)
    if r.status_code == 200:
        assert r.json()["actual_start"] == "2026-03-02"


def test_a_member_cannot_move_someone_elses_card(as_role: Any, cards: dict[str, Task]) -> None:
    t = cards["M"]
    r = as_role("member").post(f"/tasks/{t.pk}/board-move", {"status": "done", "version": 1})
    assert_error(r, 403)
    assert r.json()["message"] == str(MSG_NOT_YOUR_TASK)
    assert Task.objects.get(pk=t.pk).status == "todo"


def test_board_move_orders_cards_and_checks_versions(as_role: Any, cards: dict[str, Task]) -> None:
    client = as_role("member")
    c = cards["C"]
    r = client.post(
        f"/tasks/{c.pk}/board-move",
        {"status": "todo", "before_id": cards["A"].pk, "version": c.version},
    )
    assert r.status_code == 200, r.content
    board = client.get(f"/projects/{c.project_id}/board").json()
    assert board["columns"][0]["task_ids"] == [cards[k].pk for k in "CABM"]
    stale = client.post(f"/tasks/{c.pk}/board-move", {"status": "done", "version": c.version + 5})
    assert_error(stale, 409)
    r = client.post(f"/tasks/{c.pk}/board-move", {"status": "blocked", "version": c.version})
    assert_error(r, 422, field="blocked_reason")
    r = client.post(
        f"/tasks/{c.pk}/board-move",
        {"status": "done", "before_id": cards["B"].pk, "version": c.version},
    )
    assert_error(r, 422, field="before_id")
    assert Task.objects.get(pk=c.pk).status == "todo"


@pytest.mark.parametrize("role", ROLES)
def test_set_workflow_by_role(as_role: Any, world: World, role: str) -> None:
    body = {
        "columns": [
            {"status": "todo", "label": "Backlog"},
            {"status": "in_progress", "wip_limit": 2},
            {"status": "done"},
        ]
    }
    r = as_role(role).put(f"/projects/{world.project.pk}/workflow", body)
    assert r.status_code == PROJECT_MANAGE[role], r.content
    saved = WorkflowColumn.objects.filter(project=world.project).count()
    assert saved == (3 if r.status_code == 200 else 0)
    if r.status_code == 200:
        assert [c["name"] for c in r.json()] == ["Backlog", "In progress", "Done"]


@pytest.mark.parametrize(
    "columns,field",
    [
        ([{"status": "todo"}, {"status": "in_progress"}], "columns"),
        ([{"status": "todo"}, {"status": "done", "wip_limit": 0}], "columns.1.wip_limit"),
        ([{"status": "todo"}, {"status": "someday"}], "columns.1.status"),
        ([{"status": "todo", "label": "x" * 41}, {"status": "done"}], "columns.0.label"),
    ],
)
def test_bad_workflow_is_422(
    as_role: Any, world: World, columns: list[dict[str, Any]], field: str
) -> None:
    r = as_role("manager").put(f"/projects/{world.project.pk}/workflow", {"columns": columns})
    assert_error(r, 422, field=field)
    assert not WorkflowColumn.objects.filter(project=world.project).exists()


@pytest.mark.parametrize(
    "body,field",
    [
        ({"actual_start": "2999-01-01", "status": "in_progress"}, "actual_start"),
        ({"status": "blocked"}, "blocked_reason"),
        ({"actual_finish": "2026-03-03", "status": "in_progress"}, "actual_finish"),
        ({"percent_complete": -5}, "percent_complete"),
        ({"blocked_reason": "x" * 256, "status": "blocked"}, "blocked_reason"),
    ],
)
def test_bad_tracking_input_is_422(
    as_role: Any, cards: dict[str, Task], body: dict[str, Any], field: str
) -> None:
    t = cards["A"]
    r = as_role("member").patch(f"/tasks/{t.pk}", {**body, "version": t.version})
    assert_error(r, 422, field=field)
    assert Task.objects.get(pk=t.pk).version == t.version


def test_task_out_carries_tracking_fields(as_role: Any, cards: dict[str, Task]) -> None:
    t = cards["A"]
    r = as_role("member").patch(
        f"/tasks/{t.pk}",
        {
            "status": "done",
            "actual_start": "2026-03-02",
            "actual_finish": "2026-03-05",
            "version": t.version,
        },
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["actual_start"], body["actual_finish"], body["percent_complete"]) == (
        "2026-03-02",
        "2026-03-05",
        100,
    )
    assert (body["start"], body["finish"]) == ("2026-03-02", "2026-03-05")


def test_my_work(as_role: Any, world: World, cards: dict[str, Task]) -> None:
    body = as_role("member").get("/me/work").json()
    listed = [t["name"] for group in body.values() for t in group]
    assert sorted(listed) == ["A", "B", "C"]  # M is the manager's
    assert body["overdue"] and all(
        dt.date.fromisoformat(t["finish"]) < dt.date.today() for t in body["overdue"]
    )
    assert as_role("outsider").get("/me/work").json()["overdue"] == []
    assert as_role("viewer").get("/me/work").status_code == 200


def test_board_queries_do_not_grow(as_role: Any, world: World, cards: dict[str, Task]) -> None:
    client = as_role("viewer")
    client.get("/me/work")  # the token's first use records itself once
    few, _ = client.queries(f"/projects/{world.project.pk}/board")
    for i in range(15):
        task_create(actor=world.manager, project=world.project, name=f"More {i}")
    many, body = client.queries(f"/projects/{world.project.pk}/board")
    assert len(body["tasks"]) == 19 and many == few


def test_remaining_work_sets_the_progress(as_role: Any, cards: dict[str, Task]) -> None:
    t = cards["A"]  # 2 days x 8 hours, nobody assigned: 16 hours of planned work
    client = as_role("member")
    assert client.get(f"/tasks/{t.pk}").json()["remaining_work_hours"] == "16.00"
    r = client.patch(f"/tasks/{t.pk}", {"remaining_work_hours": 4, "version": t.version})
    assert r.status_code == 200, r.content
    assert (r.json()["percent_complete"], r.json()["remaining_work_hours"]) == (75, "4.00")
    assert r.json()["status"] == "in_progress" and r.json()["actual_start"]
    too_much = {"remaining_work_hours": 40, "version": r.json()["version"]}
    assert_error(client.patch(f"/tasks/{t.pk}", too_much), 422, field="remaining_work_hours")
    assert_error(
        client.patch(f"/tasks/{t.pk}", {"remaining_work_hours": -1, "version": 2}),
        422,
        field="remaining_work_hours",
    )
