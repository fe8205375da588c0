"""The list pages run the same number of queries however many rows they show."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from keel.apps.planning.models import Task
from keel.apps.planning.services import schedule_recalculate, wbs_renumber
from keel.apps.projects.models import Project
from tests.conftest import World
from tests.factories import DependencyFactory, ProjectFactory, TaskFactory


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _plan(world: World, project: Project, size: int) -> None:
    """`size` tasks: summaries of three, chained, with owners and assignees."""
    summary = None
    previous = None
    for i in range(size):
        if i % 3 == 0:
            summary = TaskFactory(project=project, name=f"Phase {i}", parent=None, position=i)
            continue
        task = TaskFactory(
            project=project, name=f"Task {i}", parent=summary, position=i, owner=world.member
        )
        task.assignees.set([world.member, world.manager])
        if previous is not None:
            DependencyFactory(predecessor=previous, successor=task)
        previous = task
    wbs_renumber(project)
    schedule_recalculate(project)


@pytest.mark.parametrize("role", ["owner", "member"])
def test_task_tree_queries_do_not_grow_with_tasks(world: World, login: Any, role: str) -> None:
    small = ProjectFactory(workspace=world.workspace)
    big = ProjectFactory(workspace=world.workspace)
    for project in (small, big):
        project.memberships.create(user=world.member, role="member")
    _plan(world, small, 3)
    _plan(world, big, 30)
    assert Task.objects.filter(project=big).count() == 30
    client = login(world.user(role))
    client.get(reverse("planning:tree", args=[small.pk]))  # warm the session
    assert _queries(client, reverse("planning:tree", args=[small.pk])) == _queries(
        client, reverse("planning:tree", args=[big.pk])
    )


def test_project_list_queries_do_not_grow_with_projects(world: World, login: Any) -> None:
    client = login(world.owner)
    ProjectFactory(workspace=world.workspace)  # two projects with the world's own
    client.get(reverse("projects:list"))
    few = _queries(client, reverse("projects:list"))
    for _ in range(10):
        project = ProjectFactory(workspace=world.workspace)
        TaskFactory(project=project, status="done")
        TaskFactory(project=project)
    assert Project.objects.filter(workspace=world.workspace).count() == 12
    many = _queries(client, reverse("projects:list"))
    assert few == many


def test_project_list_queries_for_a_project_member(world: World, login: Any) -> None:
    client = login(world.member)
    second = ProjectFactory(workspace=world.workspace)
    second.memberships.create(user=world.member, role="viewer")
    client.get(reverse("projects:list"))
    few = _queries(client, reverse("projects:list"))
    for _ in range(10):
        project = ProjectFactory(workspace=world.workspace)
        project.memberships.create(user=world.member, role="viewer")
    assert _queries(client, reverse("projects:list")) == few


def test_workspaces_page_queries_do_not_grow_with_workspaces(world: World, login: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from ..factories import WorkspaceFactory, WorkspaceMembershipFactory

    client = login(world.member)
    client.get(reverse("accounts:workspaces"))

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("accounts:workspaces")).status_code == 200
            assert client.get(reverse("projects:list")).status_code == 200
        return len(ctx.captured_queries)

    before = count()
    for _ in range(5):
        WorkspaceMembershipFactory(workspace=WorkspaceFactory(), user=world.member)
    assert count() == before
