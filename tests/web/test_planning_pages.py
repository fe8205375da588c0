"""The task tree with its htmx inline edit and quick add, task pages and dependencies."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.urls import reverse

from keel.apps.planning.models import Dependency, Task
from keel.apps.planning.services import MSG_CONSTRAINT_DATE, task_update
from keel.common.errors import Conflict
from tests.conftest import World

from .conftest import Plan, content

HTMX = {"HTTP_HX_REQUEST": "true"}


def _row_data(task: Task, **changes: Any) -> dict[str, Any]:
    data = {
        "name": task.name,
        "duration_days": str(task.duration_days),
        "percent_complete": str(task.percent_complete),
        "status": task.status,
        "owner_id": task.owner_id or "",
        "version": task.version,
    }
    data.update(changes)
    return data


def test_tree_shows_the_wbs(world: World, plan: Plan, login: Any) -> None:
    html = content(login(world.viewer).get(reverse("planning:tree", args=[world.project.pk])))
    assert html.index("Build") < html.index("Design") < html.index("Code") < html.index("Launch")
    assert 'class="task-summary' in html  # Build is a summary row
    assert "task-critical" in html
    assert "◆" in html  # Launch is a milestone
    assert "wbs-indent-1" in html  # Design sits under Build


def test_row_edit_form_comes_back_as_a_partial(world: World, plan: Plan, login: Any) -> None:
    response = login(world.member).get(
        reverse("planning:task_row_edit", args=[plan.code.pk]), **HTMX
    )
    html = content(response)
    assert response.status_code == 200
    assert html.lstrip().startswith(f'<tr id="task-{plan.code.pk}"')
    assert "<html" not in html
    assert 'name="version"' in html


def test_row_edit_saves_and_returns_the_row(world: World, plan: Plan, login: Any) -> None:
    task = plan.code
    response = login(world.member).post(
        reverse("planning:task_row_edit", args=[task.pk]),
        _row_data(task, name="Write the code", percent_complete="40", owner_id=world.member.pk),
        **HTMX,
    )
    assert response.status_code == 200
    html = content(response)
    assert html.lstrip().startswith(f'<tr id="task-{task.pk}"')
    assert 'data-testid="task-row"' in html and "Write the code" in html
    assert "plan-changed" in response["HX-Trigger-After-Settle"]
    task.refresh_from_db()
    assert (task.name, task.percent_complete, task.owner_id) == (
        "Write the code",
        40,
        world.member.pk,
    )


def test_a_page_edit_is_recorded_with_who_made_it(world: World, plan: Plan, login: Any) -> None:
    task = plan.code
    login(world.member).post(
        reverse("planning:task_row_edit", args=[task.pk]),
        _row_data(task, name="Write the code"),
        **HTMX,
    )
    latest = task.history.order_by("-history_date", "-history_id").first()
    assert latest.history_user == world.member
    assert latest.name == "Write the code"
    page = content(login(world.viewer).get(reverse("planning:task_history", args=[task.pk])))
    assert world.member.display_name in page and "Write the code" in page


def test_row_edit_with_a_stale_version_is_409_and_shows_the_fresh_values(
    world: World, plan: Plan, login: Any
) -> None:
    stale = plan.code
    # Someone else renames the task first.
    task_update(
        actor=world.manager, task=stale, version=stale.version, changes={"name": "Their name"}
    )
    response = login(world.member).post(
        reverse("planning:task_row_edit", args=[stale.pk]), _row_data(stale, name="My name"), **HTMX
    )
    assert response.status_code == 409
    html = content(response)
    assert str(Conflict.default_message) in html
    assert 'value="Their name"' in html  # the fresh values, ready to edit again
    fresh = Task.objects.get(pk=stale.pk)
    assert f'name="version" value="{fresh.version}"' in html
    assert fresh.name == "Their name"


def test_row_edit_field_error_is_422_in_the_row(world: World, plan: Plan, login: Any) -> None:
    task = plan.code
    response = login(world.member).post(
        reverse("planning:task_row_edit", args=[task.pk]),
        _row_data(task, percent_complete="150"),
        **HTMX,
    )
    assert response.status_code == 422
    html = content(response)
    assert html.lstrip().startswith(f'<tr id="task-{task.pk}"')
    assert "invalid-feedback" in html and "is-invalid" in html
    task.refresh_from_db()
    assert task.percent_complete == 0


def test_row_edit_refused_to_viewers(world: World, plan: Plan, login: Any) -> None:
    task = plan.code
    response = login(world.viewer).post(
        reverse("planning:task_row_edit", args=[task.pk]), _row_data(task, name="Mine"), **HTMX
    )
    assert response.status_code == 403
    # under htmx the refusal is an alert swapped into the page's alert area
    assert response["HX-Retarget"] == "#keel-alerts"
    assert "<html" not in content(response)
    task.refresh_from_db()
    assert task.name == "Code"


def test_row_cancel_returns_the_display_row(world: World, plan: Plan, login: Any) -> None:
    response = login(world.member).get(reverse("planning:task_row", args=[plan.code.pk]), **HTMX)
    assert response.status_code == 200
    assert 'data-testid="task-row"' in content(response)


def test_quick_add_under_htmx_returns_the_tree(world: World, plan: Plan, login: Any) -> None:
    response = login(world.member).post(
        reverse("planning:task_add", args=[world.project.pk]),
        {"name": "Test", "parent_id": plan.summary.pk, "duration_days": "2"},
        **HTMX,
    )
    assert response.status_code == 200
    html = content(response)
    assert html.lstrip().startswith('<div id="tree"')
    task = Task.objects.get(name="Test")
    assert (task.parent_id, task.duration_days, task.wbs_code) == (
        plan.summary.pk,
        Decimal("2"),
        "1.3",
    )
    assert f'id="task-{task.pk}"' in html


def test_quick_add_a_milestone_without_htmx(world: World, plan: Plan, login: Any) -> None:
    response = login(world.member).post(
        reverse("planning:task_add", args=[world.project.pk]),
        {"name": "Go live", "parent_id": "", "duration_days": "", "is_milestone": "on"},
    )
    assert response.status_code == 302
    task = Task.objects.get(name="Go live")
    assert task.is_milestone and task.duration_days == 0 and task.parent_id is None


def test_quick_add_needs_a_name(world: World, plan: Plan, login: Any) -> None:
    response = login(world.member).post(
        reverse("planning:task_add", args=[world.project.pk]),
        {"name": "", "duration_days": "1"},
        **HTMX,
    )
    assert response.status_code == 422
    assert "invalid-feedback" in content(response)


def test_quick_add_refused_to_viewers(world: World, login: Any) -> None:
    response = login(world.viewer).post(
        reverse("planning:task_add", args=[world.project.pk]), {"name": "X"}
    )
    assert response.status_code == 403
    assert not Task.objects.filter(name="X").exists()


def test_task_edit_saves_all_fields(world: World, plan: Plan, login: Any) -> None:
    task = plan.design
    data = {
        "name": "Design review",
        "description": "Review the design with the team",
        "owner_id": world.member.pk,
        "assignee_ids": [world.member.pk, world.manager.pk],
        "status": "todo",  # not started, so the constraint decides its start
        "priority": "high",
        "duration_days": "4",
        "percent_complete": "0",
        "optimistic_days": "3",
        "most_likely_days": "4",
        "pessimistic_days": "6",
        "constraint_type": "snet",
        "constraint_date": "2026-03-09",
        "deadline": "2026-03-20",
        "tags": "design, review",
        "goal_ids": [plan.goal.pk],
        "version": task.version,
    }
    response = login(world.manager).post(reverse("planning:task_edit", args=[task.pk]), data)
    assert response.status_code == 302, content(response)
    task.refresh_from_db()
    assert (
        task.name == "Design review"
        and task.priority == "high"
        and task.tags == ["design", "review"]
    )
    assert set(task.assignees.values_list("pk", flat=True)) == {world.member.pk, world.manager.pk}
    assert list(task.goals.values_list("pk", flat=True)) == [plan.goal.pk]
    assert str(task.start) == "2026-03-09"  # the constraint moved it


def test_task_edit_service_error_lands_on_its_field(world: World, plan: Plan, login: Any) -> None:
    task = plan.design
    response = login(world.member).post(
        reverse("planning:task_edit", args=[task.pk]),
        {
            "name": task.name,
            "status": "todo",
            "priority": "medium",
            "duration_days": "3",
            "percent_complete": "0",
            "constraint_type": "snet",
            "constraint_date": "",
            "version": task.version,
        },
    )
    assert response.status_code == 422
    html = content(response)
    assert str(MSG_CONSTRAINT_DATE) in html
    task.refresh_from_db()
    assert task.constraint_type == "asap"


def test_move_task(world: World, plan: Plan, login: Any) -> None:
    task = plan.code
    response = login(world.member).post(
        reverse("planning:task_move", args=[task.pk]),
        {"parent_id": "", "position": "1", "version": task.version},
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.parent_id is None and task.wbs_code == "1"


def test_delete_task(world: World, plan: Plan, login: Any) -> None:
    url = reverse("planning:task_delete", args=[plan.design.pk])
    assert login(world.member).post(url).status_code == 403
    assert login(world.manager).post(url).status_code == 302
    assert not Task.objects.filter(pk=plan.design.pk).exists()


def test_add_and_remove_a_predecessor(world: World, plan: Plan, login: Any) -> None:
    client = login(world.member)
    response = client.post(
        reverse("planning:predecessor_add", args=[plan.launch.pk]),
        {"task_id": plan.design.pk, "type": "SS", "lag_days": "2"},
    )
    assert response.status_code == 302
    dep = Dependency.objects.get(predecessor=plan.design, successor=plan.launch)
    assert (dep.type, dep.lag_days) == ("SS", Decimal("2"))
    html = content(client.get(reverse("planning:task", args=[plan.launch.pk])))
    assert "Start-to-start" in html
    response = client.post(
        reverse("planning:dependency_remove", args=[dep.pk]), {"task": plan.launch.pk}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("planning:task", args=[plan.launch.pk])
    assert not Dependency.objects.filter(pk=dep.pk).exists()


def test_add_a_successor(world: World, plan: Plan, login: Any) -> None:
    response = login(world.member).post(
        reverse("planning:successor_add", args=[plan.design.pk]),
        {"task_id": plan.launch.pk, "type": "FS", "lag_days": "0"},
    )
    assert response.status_code == 302
    assert Dependency.objects.filter(predecessor=plan.design, successor=plan.launch).exists()


def test_dependency_loop_names_the_tasks(world: World, plan: Plan, login: Any) -> None:
    # Code follows Design; making Design follow Code closes a loop.
    response = login(world.member).post(
        reverse("planning:predecessor_add", args=[plan.design.pk]),
        {"task_id": plan.code.pk, "type": "FS", "lag_days": "0"},
    )
    assert response.status_code == 422
    html = content(response)
    assert "would close a loop" in html
    message = html.split('data-testid="link-error">')[1].split("</div>")[0]
    assert "Design" in message and "Code" in message
    assert not Dependency.objects.filter(predecessor=plan.code, successor=plan.design).exists()


def test_viewers_cannot_add_dependencies(world: World, plan: Plan, login: Any) -> None:
    response = login(world.viewer).post(
        reverse("planning:predecessor_add", args=[plan.launch.pk]),
        {"task_id": plan.design.pk, "type": "FS", "lag_days": "0"},
    )
    assert response.status_code == 403


def test_milestones_page_shows_status(world: World, plan: Plan, login: Any) -> None:
    html = content(login(world.viewer).get(reverse("planning:milestones", args=[world.project.pk])))
    assert "Launch" in html
    assert "At risk" in html  # no deadline: at risk
    filtered = content(
        login(world.viewer).get(
            reverse("planning:milestones", args=[world.project.pk]), {"status": "done"}
        )
    )
    assert 'data-testid="milestone-row"' not in filtered


def test_task_history_lists_changes(world: World, plan: Plan, login: Any) -> None:
    client = login(world.member)
    client.post(
        reverse("planning:task_row_edit", args=[plan.code.pk]),
        _row_data(plan.code, name="Coding"),
        **HTMX,
    )
    html = content(client.get(reverse("planning:task_history", args=[plan.code.pk])))
    assert "Coding" in html and "Member" in html


def test_task_history_reads_in_words_not_codes(world: World, plan: Plan, login: Any) -> None:
    from keel.apps.planning.services import task_update

    task = plan.code
    task_update(
        actor=world.manager,
        task=task,
        version=task.version,
        changes={"priority": "high", "owner_id": world.member.pk},
    )
    html = content(login(world.viewer).get(reverse("planning:task_history", args=[task.pk])))
    assert "High" in html and ">high<" not in html
    assert world.member.display_name in html
