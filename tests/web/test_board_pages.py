"""The Kanban board (page, moves by drag and drop or the "Move to…" menu) and the workflow
settings page: who may do what, what a move changes, and how refusals come back."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from keel.apps.planning.models import Task, TaskStatus, WorkflowColumn
from keel.apps.planning.services import (
    MSG_BLOCKED_REASON,
    MSG_BOARD_SUMMARY,
    MSG_WORKFLOW_ENDS,
    MSG_WORKFLOW_IN_USE,
    schedule_recalculate,
    task_create,
    task_update,
    wbs_renumber,
    workflow_set,
)
from keel.apps.planning.views_board import MSG_OVER_LIMIT, MSG_WORKFLOW_SAVED, initials
from keel.apps.projects.models import Project
from keel.common.errors import Conflict
from tests.conftest import World
from tests.factories import ProjectFactory, TaskFactory

from .conftest import Plan, content

HTMX = {"HTTP_HX_REQUEST": "true"}
ALL = ("owner", "admin", "manager", "member", "viewer", "ws_member", "outsider")
SEE = {"owner", "admin", "manager", "member", "viewer"}
MANAGE = {"owner", "admin", "manager"}


def _board(world: World, query: str = "") -> str:
    return reverse("planning:board", args=[world.project.pk]) + query


def _move(
    client: Client,
    task: Task,
    status: str,
    *,
    before: Task | None = None,
    reason: str | None = None,
    version: int | None = None,
    htmx: bool = True,
    **state: str,
) -> Any:
    data: dict[str, Any] = {
        "version": task.version if version is None else version,
        "status": status,
        "before_id": before.pk if before is not None else "",
        **state,
    }
    if reason is not None:
        data["blocked_reason"] = reason
    headers = HTMX if htmx else {}
    return client.post(reverse("planning:board_move", args=[task.pk]), data, **headers)


def _cards(html: str, status: str, lane: str = "all") -> list[int]:
    """The card ids in one column of one lane, in order."""
    start = html.index(f'id="board-cards-{lane}-{status}"')
    end = html.index("</ul>", start)
    return [int(i) for i in re.findall(r'<li id="card-(\d+)"', html[start:end])]


def _order(project: Project, status: str) -> list[int]:
    return list(
        Task.objects.filter(project=project, status=status, is_summary=False)
        .order_by("board_position", "pk")
        .values_list("pk", flat=True)
    )


def _fresh(task: Task) -> Task:
    return Task.objects.get(pk=task.pk)


@pytest.fixture
def theirs(world: World, plan: Plan) -> Task:
    """A task the member neither owns nor is assigned to."""
    return task_create(
        actor=world.manager, project=world.project, name="Manager's own", owner_id=world.manager.pk
    )


# ---------------------------------------------------------------- the page, per role


@pytest.mark.parametrize("role", ALL)
def test_board_page_per_role(world: World, plan: Plan, login: Any, role: str) -> None:
    response = login(world.user(role)).get(_board(world))
    assert response.status_code == (200 if role in SEE else 404)


def test_anonymous_visitors_are_sent_to_sign_in(world: World, plan: Plan) -> None:
    response = Client().get(_board(world))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_viewer_sees_the_cards_but_cannot_move_them(
    world: World, plan: Plan, login: Any
) -> None:
    html = content(login(world.viewer).get(_board(world)))
    assert _cards(html, "todo") == [plan.design.pk, plan.code.pk, plan.launch.pk]
    assert plan.summary.name not in re.sub(r"<h3.*?</h3>", "", html)  # no summary cards
    assert 'data-testid="drag-handle"' not in html
    assert 'data-testid="move-menu"' not in html
    assert "data-board-drag" not in html
    assert "Sortable.min.js" not in html


def test_a_member_may_drag_only_their_own_cards(
    world: World, plan: Plan, theirs: Task, login: Any
) -> None:
    html = content(login(world.member).get(_board(world)))
    for task in (plan.design, plan.code, plan.launch):
        card = re.search(rf'<li id="card-{task.pk}"[^>]*>', html)
        assert card is not None and "data-can-edit" in card.group(0)
    card = re.search(rf'<li id="card-{theirs.pk}"[^>]*>', html)
    assert card is not None and "data-can-edit" not in card.group(0)
    assert html.count('data-testid="drag-handle"') == 3
    assert html.count('data-testid="move-menu"') == 3


def test_a_manager_may_drag_every_card(world: World, plan: Plan, theirs: Task, login: Any) -> None:
    html = content(login(world.manager).get(_board(world)))
    assert html.count('data-testid="drag-handle"') == 4
    assert "Sortable.min.js" in html and "keel/board.js" in html
    assert 'data-testid="workflow-link"' in html
    member_html = content(login(world.member).get(_board(world)))
    assert 'data-testid="workflow-link"' not in member_html


def test_under_htmx_the_board_comes_back_as_a_partial(world: World, plan: Plan, login: Any) -> None:
    html = content(login(world.viewer).get(_board(world, "?swimlanes=summary"), **HTMX))
    assert html.lstrip().startswith('<div id="board"')
    assert "<html" not in html and 'data-swimlanes="summary"' in html


def test_the_project_tabs_lead_to_the_board(world: World, plan: Plan, login: Any) -> None:
    html = content(login(world.viewer).get(reverse("planning:tree", args=[world.project.pk])))
    assert f'href="{_board(world)}"' in html
    board_html = content(login(world.viewer).get(_board(world)))
    assert re.search(r'class="nav-link active" aria-current="page" href="[^"]*/board/"', board_html)


def test_cards_show_what_people_need(world: World, plan: Plan, login: Any) -> None:
    task = plan.code
    task_update(
        actor=world.manager,
        task=task,
        version=task.version,
        changes={
            "assignee_ids": [world.member.pk, world.manager.pk],
            "priority": "high",
            "percent_complete": 40,
            "deadline": dt.date(2026, 3, 3),  # long past
        },
    )
    task = _fresh(task)
    task_update(
        actor=world.manager,
        task=task,
        version=task.version,
        changes={"status": TaskStatus.BLOCKED, "blocked_reason": "Waiting for the vendor"},
    )
    html = content(login(world.viewer).get(_board(world)))
    start = html.index(f'<li id="card-{task.pk}"')
    card = html[start : html.index("</li>", start)]
    assert task.wbs_code in card and task.name in card
    assert "High" in card
    assert "Critical" in card  # the plan's chain is critical
    assert "Waiting for the vendor" in card and 'data-testid="blocked-reason"' in card
    assert 'data-testid="overdue"' in card and "text-danger" in card
    assert "40%" in card
    assert ">M<" in card and ">M<" in card  # Member and Manager, as initials
    assert world.manager.display_name in card


def test_initials() -> None:
    assert initials("Ada Lovelace") == "AL"
    assert initials("ada") == "A"
    assert initials("张伟") == "张"
    assert initials("  ") == "?"


# ---------------------------------------------------------------- columns, limits, lanes


def test_columns_follow_the_workflow_with_counts_and_limits(
    world: World, plan: Plan, login: Any
) -> None:
    workflow_set(
        actor=world.manager,
        project=world.project,
        columns=[
            {"status": "todo", "label": "Backlog", "wip_limit": 2},
            {"status": "in_progress", "label": "", "wip_limit": 3},
            {"status": "done", "label": "", "wip_limit": None},
        ],
    )
    html = content(login(world.viewer).get(_board(world)))
    heads = re.findall(r'id="board-head-(\w+)"', html)
    assert heads == ["todo", "in_progress", "done"]
    assert "Backlog" in html
    assert "3/2" in html and "0/3" in html  # three cards in a column limited to two
    head = re.search(r'<div id="board-head-todo" class="([^"]*)"', html)
    assert head is not None and "keel-over" in head.group(1)
    column = re.search(r'<ul id="board-cards-all-todo" class="([^"]*)"', html)
    assert column is not None and "keel-over" in column.group(1)
    head = re.search(r'<div id="board-head-in_progress" class="([^"]*)"', html)
    assert head is not None and "keel-over" not in head.group(1)


def test_swimlanes_by_assignee_and_by_summary_task(
    world: World, plan: Plan, theirs: Task, login: Any
) -> None:
    client = login(world.viewer)
    html = content(client.get(_board(world, "?swimlanes=assignee")))
    lanes = re.findall(r'data-testid="board-lane">([^<]+)<', html)
    assert lanes == [world.manager.display_name, world.member.display_name]
    assert _cards(html, "todo", f"u{world.member.pk}") == [
        plan.design.pk,
        plan.code.pk,
        plan.launch.pk,
    ]
    assert _cards(html, "todo", f"u{world.manager.pk}") == [theirs.pk]
    assert 'data-swimlanes="assignee"' in html  # moves keep the lanes

    html = content(client.get(_board(world, "?swimlanes=summary")))
    lanes = re.findall(r'data-testid="board-lane">([^<]+)<', html)
    assert lanes == [str(plan.summary), "No summary task"]
    assert _cards(html, "todo", f"t{plan.summary.pk}") == [plan.design.pk, plan.code.pk]
    assert _cards(html, "todo", "none") == [plan.launch.pk, theirs.pk]

    html = content(client.get(_board(world, "?swimlanes=nonsense")))
    assert 'data-testid="board-lane"' not in html


def test_filters_by_person_and_text_keep_the_real_counts(
    world: World, plan: Plan, theirs: Task, login: Any
) -> None:
    client = login(world.viewer)
    html = content(client.get(_board(world, f"?assignee={world.manager.pk}")))
    assert _cards(html, "todo") == [theirs.pk]
    assert "(1 shown)" in html  # of the four cards in To do
    assert re.search(r'data-testid="board-count">\s*4', html)
    html = content(client.get(_board(world, "?q=Cod")))
    assert _cards(html, "todo") == [plan.code.pk]
    html = content(client.get(_board(world, "?q=nothing+like+this")))
    assert 'data-testid="board-empty"' in html


# ---------------------------------------------------------------- moving cards


def test_a_move_changes_the_status_and_the_order(world: World, plan: Plan, login: Any) -> None:
    client = login(world.member)
    response = _move(client, plan.code, TaskStatus.IN_PROGRESS)
    assert response.status_code == 200
    code = _fresh(plan.code)
    assert code.status == TaskStatus.IN_PROGRESS
    assert code.actual_start is not None
    assert code.version == plan.code.version + 1
    html = content(response)
    # The affected columns come back out of band, with the fresh version on the card.
    assert 'id="board-cards-all-in_progress"' in html and 'id="board-cards-all-todo"' in html
    assert 'id="board-cards-all-done"' not in html
    assert html.count('hx-swap-oob="true"') == 4  # two heads, two columns
    assert f'data-task="{code.pk}" data-version="{code.version}"' in html
    assert _cards(html, "in_progress") == [code.pk]
    assert _cards(html, "todo") == [plan.design.pk, plan.launch.pk]

    # Design goes before Code in In progress.
    response = _move(client, plan.design, TaskStatus.IN_PROGRESS, before=code)
    assert response.status_code == 200
    assert _order(world.project, TaskStatus.IN_PROGRESS) == [plan.design.pk, code.pk]
    assert _cards(content(response), "in_progress") == [plan.design.pk, code.pk]


def test_a_move_within_a_column_keeps_the_version(world: World, plan: Plan, login: Any) -> None:
    client = login(world.member)
    response = _move(client, plan.launch, TaskStatus.TODO, before=plan.design)
    assert response.status_code == 200
    assert _order(world.project, TaskStatus.TODO) == [plan.launch.pk, plan.design.pk, plan.code.pk]
    assert _fresh(plan.launch).version == plan.launch.version  # order is not content
    # ... and to the end of the column.
    response = _move(client, plan.launch, TaskStatus.TODO)
    assert _order(world.project, TaskStatus.TODO) == [plan.design.pk, plan.code.pk, plan.launch.pk]
    page = content(client.get(_board(world)))
    assert _cards(page, "todo") == [plan.design.pk, plan.code.pk, plan.launch.pk]


def test_a_stale_version_is_409_and_the_card_comes_back(
    world: World, plan: Plan, login: Any
) -> None:
    stale = plan.code
    task_update(actor=world.manager, task=stale, version=stale.version, changes={"name": "Theirs"})
    response = _move(login(world.member), stale, TaskStatus.IN_PROGRESS)
    assert response.status_code == 409
    html = content(response)
    assert str(Conflict.default_message) in html and 'data-testid="board-note"' in html
    fresh = _fresh(stale)
    assert fresh.status == TaskStatus.TODO
    assert f'data-task="{fresh.pk}" data-version="{fresh.version}"' in html
    assert _cards(html, "todo") == [plan.design.pk, stale.pk, plan.launch.pk]


def test_blocked_needs_a_reason(world: World, plan: Plan, login: Any) -> None:
    client = login(world.member)
    response = _move(client, plan.code, TaskStatus.BLOCKED)
    assert response.status_code == 422
    assert str(MSG_BLOCKED_REASON) in content(response)
    assert _fresh(plan.code).status == TaskStatus.TODO
    response = _move(client, plan.code, TaskStatus.BLOCKED, reason="   ")
    assert response.status_code == 422

    response = _move(client, plan.code, TaskStatus.BLOCKED, reason="Waiting for parts")
    assert response.status_code == 200
    code = _fresh(plan.code)
    assert (code.status, code.blocked_reason) == (TaskStatus.BLOCKED, "Waiting for parts")
    assert "Waiting for parts" in content(response)
    # Out of Blocked, the reason goes.
    response = _move(client, code, TaskStatus.IN_PROGRESS, reason="ignored")
    assert response.status_code == 200
    assert _fresh(code).blocked_reason == ""


def test_a_wip_limit_is_soft_the_move_stands_and_is_flagged(
    world: World, plan: Plan, login: Any
) -> None:
    workflow_set(
        actor=world.manager,
        project=world.project,
        columns=[
            {"status": s, "label": "", "wip_limit": 1 if s == TaskStatus.IN_PROGRESS else None}
            for s in TaskStatus.values
        ],
    )
    client = login(world.member)
    first = _move(client, plan.design, TaskStatus.IN_PROGRESS)
    assert first.status_code == 200
    assert 'data-testid="board-note"' not in content(first)  # at the limit, not over it
    response = _move(client, plan.code, TaskStatus.IN_PROGRESS)
    assert response.status_code == 200
    assert _fresh(plan.code).status == TaskStatus.IN_PROGRESS
    html = content(response)
    note = MSG_OVER_LIMIT % {"column": "In progress", "count": 2, "limit": 1}
    assert str(note) in html
    assert "alert-warning" in html
    head = re.search(r'<div id="board-head-in_progress" class="([^"]*)"', html)
    assert head is not None and "keel-over" in head.group(1)
    assert "2/1" in html


@pytest.mark.parametrize("role", ALL)
def test_moving_someone_elses_card_per_role(
    world: World, plan: Plan, theirs: Task, login: Any, role: str
) -> None:
    """The manager's task: managers move it, members and viewers are refused (403), people
    who cannot see the project get 404."""
    response = _move(login(world.user(role)), theirs, TaskStatus.IN_PROGRESS)
    expected = 200 if role in MANAGE else 403 if role in SEE else 404
    assert response.status_code == expected
    moved = _fresh(theirs).status == TaskStatus.IN_PROGRESS
    assert moved == (expected == 200)
    if expected == 403:
        html = content(response)
        assert 'data-testid="board-note"' in html
        assert _cards(html, "todo")[-1] == theirs.pk  # back where it was


@pytest.mark.parametrize("role", ["member", "manager", "owner"])
def test_members_and_managers_move_the_members_cards(
    world: World, plan: Plan, login: Any, role: str
) -> None:
    response = _move(login(world.user(role)), plan.code, TaskStatus.IN_REVIEW)
    assert response.status_code == 200
    assert _fresh(plan.code).status == TaskStatus.IN_REVIEW


def test_the_viewer_is_refused_without_htmx_too(world: World, plan: Plan, login: Any) -> None:
    response = _move(login(world.viewer), plan.code, TaskStatus.DONE, htmx=False)
    assert response.status_code == 403
    assert _fresh(plan.code).status == TaskStatus.TODO


def test_a_get_is_not_a_move(world: World, plan: Plan, login: Any) -> None:
    url = reverse("planning:board_move", args=[plan.code.pk])
    assert login(world.member).get(url).status_code == 405


def test_summary_tasks_and_bad_places_are_refused(world: World, plan: Plan, login: Any) -> None:
    client = login(world.manager)
    response = _move(client, plan.summary, TaskStatus.DONE)
    assert response.status_code == 422
    assert str(MSG_BOARD_SUMMARY) in content(response)
    # Before a card of another column: refused, nothing changes.
    response = _move(client, plan.code, TaskStatus.IN_PROGRESS, before=plan.design)
    assert response.status_code == 422
    assert _fresh(plan.code).status == TaskStatus.TODO
    # A status the workflow does not use.
    workflow_set(
        actor=world.manager,
        project=world.project,
        columns=[{"status": "todo"}, {"status": "in_progress"}, {"status": "done"}],
    )
    response = _move(client, plan.code, TaskStatus.IN_REVIEW)
    assert response.status_code == 422
    assert _fresh(plan.code).status == TaskStatus.TODO


def test_the_move_menu_works_without_javascript(world: World, plan: Plan, login: Any) -> None:
    client = login(world.member)
    response = _move(client, plan.code, TaskStatus.DONE, htmx=False, swimlanes="assignee")
    assert response.status_code == 302
    assert response["Location"] == _board(world, "?swimlanes=assignee") + f"#card-{plan.code.pk}"
    code = _fresh(plan.code)
    assert (code.status, code.percent_complete) == (TaskStatus.DONE, 100)
    assert code.actual_finish is not None

    # "Move up": before the card above it.
    response = _move(client, plan.launch, TaskStatus.TODO, before=plan.design, htmx=False)
    assert response.status_code == 302
    assert _order(world.project, TaskStatus.TODO) == [plan.launch.pk, plan.design.pk]

    # A refusal shows the board again with the reason.
    response = _move(client, plan.design, TaskStatus.BLOCKED, htmx=False)
    assert response.status_code == 422
    html = content(response)
    assert str(MSG_BLOCKED_REASON) in html and 'data-testid="board"' in html


def test_the_move_menu_offers_the_neighbours(world: World, plan: Plan, login: Any) -> None:
    html = content(login(world.member).get(_board(world)))
    start = html.index(f'<li id="card-{plan.design.pk}"')
    card = html[start : html.index("</li>", start)]
    assert re.search(r'name="before_id" value="" class="btn btn-sm" disabled>Move up', card)
    assert f'name="before_id" value="{plan.launch.pk}" class="btn btn-sm">Move down' in card
    start = html.index(f'<li id="card-{plan.launch.pk}"')
    card = html[start : html.index("</li>", start)]
    assert f'name="before_id" value="{plan.code.pk}" class="btn btn-sm">Move up' in card
    assert re.search(r'class="btn btn-sm" disabled>Move down', card)


def test_an_invalid_form_is_422(world: World, plan: Plan, login: Any) -> None:
    response = _move(login(world.member), plan.code, "nonsense")
    assert response.status_code == 422
    assert 'data-testid="board-note"' in content(response)
    response = _move(login(world.member), plan.code, TaskStatus.DONE, version=0)
    assert response.status_code == 422


# ---------------------------------------------------------------- workflow settings


def _workflow_data(**rows: dict[str, Any]) -> dict[str, Any]:
    """Every status unused unless given: status=dict(order=, label=, wip=)."""
    data: dict[str, Any] = {}
    for i, status in enumerate(TaskStatus.values):
        row = rows.get(status)
        data[f"order_{status}"] = str(row.get("order", i + 1) if row else i + 1)
        if row is not None:
            data[f"use_{status}"] = "on"
            data[f"label_{status}"] = row.get("label", "")
            data[f"wip_{status}"] = row.get("wip", "")
    return data


@pytest.mark.parametrize("role", ALL)
def test_workflow_page_per_role(world: World, plan: Plan, login: Any, role: str) -> None:
    response = login(world.user(role)).get(reverse("planning:workflow", args=[world.project.pk]))
    assert response.status_code == (200 if role in MANAGE else 403 if role in SEE else 404)


def test_a_manager_saves_the_workflow(world: World, plan: Plan, login: Any) -> None:
    url = reverse("planning:workflow", args=[world.project.pk])
    client = login(world.manager)
    html = content(client.get(url))
    assert html.count('data-testid="workflow-row"') == len(TaskStatus.values)
    data = _workflow_data(
        todo={"order": 1, "label": "Backlog"},
        in_review={"order": 2, "wip": "2"},
        in_progress={"order": 2, "wip": "3"},
        done={"order": 9},
    )
    response = client.post(url, data)
    assert response.status_code == 302 and response["Location"] == url
    rows = list(WorkflowColumn.objects.filter(project=world.project).order_by("position"))
    assert [(r.status, r.label, r.wip_limit) for r in rows] == [
        ("todo", "Backlog", None),
        ("in_progress", "", 3),  # ties keep the form's order
        ("in_review", "", 2),
        ("done", "", None),
    ]
    page = client.get(url, follow=True)
    assert str(MSG_WORKFLOW_SAVED) in content(page)
    # The form shows the stored workflow first, in order, then the unused statuses.
    assert re.findall(r'data-testid="workflow-row" data-status="(\w+)"', content(page)) == [
        "todo",
        "in_progress",
        "in_review",
        "done",
        "blocked",
        "cancelled",
    ]
    board = content(client.get(_board(world)))
    assert re.findall(r'id="board-head-(\w+)"', board) == [
        "todo",
        "in_progress",
        "in_review",
        "done",
    ]
    assert "Backlog" in board and "0/3" in board


def test_a_member_cannot_change_the_workflow(world: World, plan: Plan, login: Any) -> None:
    url = reverse("planning:workflow", args=[world.project.pk])
    response = login(world.member).post(url, _workflow_data(todo={}, done={}))
    assert response.status_code == 403
    assert not WorkflowColumn.objects.filter(project=world.project).exists()


def test_the_workflow_form_shows_the_services_errors(world: World, plan: Plan, login: Any) -> None:
    url = reverse("planning:workflow", args=[world.project.pk])
    client = login(world.manager)
    # Leaving out To do, which the plan's tasks have.
    response = client.post(url, _workflow_data(in_progress={}, done={}))
    assert response.status_code == 422
    html = content(response)
    assert str(MSG_WORKFLOW_ENDS) in html
    response = client.post(url, _workflow_data(todo={}, done={}, in_progress={}))
    assert response.status_code == 302
    # Dropping a status tasks still have.
    Task.objects.filter(pk=plan.code.pk).update(status=TaskStatus.IN_PROGRESS)
    response = client.post(url, _workflow_data(todo={}, done={}))
    assert response.status_code == 422
    expected = MSG_WORKFLOW_IN_USE % {"count": 1, "status": TaskStatus.IN_PROGRESS.label}
    assert str(expected) in content(response)
    assert WorkflowColumn.objects.filter(project=world.project).count() == 3  # unchanged


def test_the_workflow_form_checks_its_fields(world: World, plan: Plan, login: Any) -> None:
    url = reverse("planning:workflow", args=[world.project.pk])
    response = login(world.manager).post(url, _workflow_data(todo={"wip": "0"}, done={}))
    assert response.status_code == 422
    html = content(response)
    assert re.search(r'name="wip_todo"[^>]*is-invalid|is-invalid[^>]*name="wip_todo"', html)
    assert not WorkflowColumn.objects.filter(project=world.project).exists()


def test_workflow_label_errors_land_on_their_row(world: World, plan: Plan, login: Any) -> None:
    from keel.apps.planning.forms_board import WorkflowForm
    from keel.common.errors import ValidationFailed
    from keel.common.pages import apply_service_errors

    form = WorkflowForm(_workflow_data(todo={}, done={"order": 0}), columns=[])
    assert not form.is_valid()  # order 0 is below the minimum
    form = WorkflowForm(_workflow_data(done={"order": 1}, todo={"order": 2}), columns=[])
    assert form.is_valid()
    assert [c["status"] for c in form.columns()] == ["done", "todo"]
    status = apply_service_errors(
        form, ValidationFailed(fields={"columns.1.label": ["Too long"], "columns": ["Whole"]})
    )
    assert status == 422
    assert form.errors["label_todo"] == ["Too long"]
    assert form.non_field_errors() == ["Whole"]


def test_service_refusal_without_htmx_is_a_page(world: World, plan: Plan, login: Any) -> None:
    """A member's move of a card they may not change, from the no-JS menu: the 403 page."""
    other = task_create(actor=world.manager, project=world.project, name="Other")
    response = _move(login(world.member), other, TaskStatus.DONE, htmx=False)
    assert response.status_code == 403
    assert "Not allowed" in content(response)
    assert _fresh(other).status == TaskStatus.TODO


# ---------------------------------------------------------------- query count


def _fill(world: World, project: Project, cards: int) -> None:
    """`cards` leaf tasks under summaries of five, spread over the statuses, each owned by
    the member and assigned to the member and the manager."""
    statuses = [TaskStatus.TODO, TaskStatus.IN_PROGRESS, TaskStatus.DONE, TaskStatus.IN_REVIEW]
    summary = None
    position = 0
    for i in range(cards):
        if i % 5 == 0:
            summary = TaskFactory(project=project, name=f"Phase {i}", position=position)
            position += 1
        task = TaskFactory(
            project=project,
            name=f"Card {i}",
            parent=summary,
            position=position,
            owner=world.member,
            status=statuses[i % len(statuses)],
            board_position=i,
            deadline=dt.date(2026, 3, 10),
        )
        position += 1
        task.assignees.set([world.member, world.manager])
    wbs_renumber(project)
    schedule_recalculate(project)


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("role", ["owner", "member"])
@pytest.mark.parametrize(
    "query", ["", "?swimlanes=assignee", "?swimlanes=summary", "?q=Card&assignee=0"]
)
def test_board_queries_do_not_grow_with_cards(
    world: World, login: Any, role: str, query: str
) -> None:
    small = ProjectFactory(workspace=world.workspace)
    big = ProjectFactory(workspace=world.workspace)
    for project in (small, big):
        project.memberships.create(user=world.member, role="member")
        project.memberships.create(user=world.manager, role="manager")
    _fill(world, small, 5)
    _fill(world, big, 50)
    query = query.replace("assignee=0", f"assignee={world.member.pk}")
    client = login(world.user(role))
    small_url = reverse("planning:board", args=[small.pk]) + query
    big_url = reverse("planning:board", args=[big.pk]) + query
    client.get(small_url)  # warm the session
    html = content(client.get(big_url))
    assert html.count('data-testid="board-card"') == 50
    assert _queries(client, small_url) == _queries(client, big_url)


def test_a_big_column_shows_its_first_cards_and_a_link_to_all(
    world: Any, login: Any, monkeypatch: Any
) -> None:
    from keel.apps.planning import views_board
    from keel.apps.planning.services import task_create

    monkeypatch.setattr(views_board, "CARDS_SHOWN", 3)
    for i in range(5):
        task_create(actor=world.manager, project=world.project, name=f"Card {i}")
    url = reverse("planning:board", args=[world.project.pk])
    html = login(world.viewer).get(url).content.decode()
    assert "Card 2" in html and "Card 3" not in html
    assert 'data-testid="board-more">2 more cards' in html
    everything = login(world.viewer).get(url, {"all": "1"}).content.decode()
    assert "Card 4" in everything and 'data-testid="board-more"' not in everything
