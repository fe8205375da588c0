"""My work: the person's open tasks across projects, and the task page's tracking fields."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from keel.apps.planning.models import Task
from keel.apps.planning.services import task_update
from tests.conftest import World
from tests.factories import ProjectFactory, ProjectMembershipFactory

from .conftest import Plan


def test_my_work_lists_the_members_open_tasks(world: World, plan: Plan, login: Any) -> None:
    response = login(world.member).get(reverse("planning:my_work"))
    assert response.status_code == 200
    html = response.content.decode()
    for task in (plan.design, plan.code, plan.launch):
        assert task.name in html
    assert "Build" not in html  # a summary task is not work of its own
    empty = login(world.viewer).get(reverse("planning:my_work")).content.decode()
    assert "Nothing on your plate" in empty


def test_my_work_needs_a_login(client: Any) -> None:
    response = client.get(reverse("planning:my_work"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_my_work_queries_do_not_grow_with_tasks_or_projects(
    world: World, plan: Plan, login: Any
) -> None:
    client = login(world.member)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("planning:my_work")).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for i in range(4):
        project = ProjectFactory(workspace=world.workspace)
        ProjectMembershipFactory(project=project, user=world.member, role="member")
        for j in range(3):
            Task.objects.create(project=project, name=f"P{i} T{j}", owner=world.member)
    assert count() == few


def test_task_page_shows_the_blocked_reason_and_actual_dates(
    world: World, plan: Plan, login: Any
) -> None:
    task_update(
        actor=world.member,
        task=plan.design,
        version=plan.design.version,
        changes={"status": "blocked", "blocked_reason": "Waiting for the survey"},
    )
    html = login(world.viewer).get(reverse("planning:task", args=[plan.design.pk])).content
    assert b"Waiting for the survey" in html and b'data-testid="actual-start"' in html


def test_a_member_cannot_open_the_edit_page_of_someone_elses_task(
    world: World, plan: Plan, login: Any
) -> None:
    Task.objects.filter(pk=plan.code.pk).update(owner=world.manager)
    client = login(world.member)
    assert client.get(reverse("planning:task_edit", args=[plan.code.pk])).status_code == 403
    assert client.get(reverse("planning:task_edit", args=[plan.design.pk])).status_code == 200
    tree = client.get(reverse("planning:tree", args=[world.project.pk])).content.decode()
    assert reverse("planning:task_edit", args=[plan.design.pk]) in tree
    assert reverse("planning:task_edit", args=[plan.code.pk]) not in tree


def test_members_see_owner_and_assignees_but_cannot_change_them(
    world: World, plan: Plan, login: Any
) -> None:
    html = login(world.member).get(reverse("planning:task_edit", args=[plan.design.pk]))
    body = html.content.decode()
    assert 'name="owner_id"' in body and "disabled" in body.split('name="owner_id"')[1][:200]


def test_the_edit_form_takes_the_remaining_work(world: World, plan: Plan, login: Any) -> None:
    from keel.apps.planning.forms import task_edit_initial

    task = Task.objects.select_related("project").get(pk=plan.code.pk)  # 5 days, 40 hours
    data = {k: v for k, v in task_edit_initial(task).items() if v is not None}
    data.update(tags="", assignee_ids=[], goal_ids=[], remaining_work_hours="10")
    r = login(world.member).post(reverse("planning:task_edit", args=[task.pk]), data)
    assert r.status_code == 302, r.content.decode()[-2000:]
    task.refresh_from_db()
    assert (task.percent_complete, task.status) == (75, "in_progress")
