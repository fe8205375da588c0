"""The workload pages: the grid (filters, navigation, a cell's tasks by htmx, constant
queries), finding a person for a task, and leveling from the page (preview, apply, a stale
preview refused, discard)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from keel.apps.planning.models import Task
from keel.apps.planning.services import schedule_recalculate
from tests.conftest import ALL_ROLES, World
from tests.factories import ProjectFactory, TaskFactory
from tests.factories_resources import AssignmentFactory, ResourceFactory

WORKSPACE_RESOURCES = {
    "owner": 200, "admin": 200, "manager": 200, "member": 200, "viewer": 403,
    "ws_member": 200, "outsider": 404, "finance": 200,
}  # fmt: skip
ASSIGN = {
    "owner": 200, "admin": 200, "manager": 200, "member": 403, "viewer": 403,
    "ws_member": 404, "outsider": 404, "finance": 403,
}  # fmt: skip


@pytest.fixture
def plan(fin_world: World) -> dict[str, Any]:
    ann = ResourceFactory(workspace=fin_world.workspace, name="Ann")
    hidden = ProjectFactory(workspace=fin_world.workspace, name="Secret")
    a = TaskFactory(project=fin_world.project, name="Alpha", duration_days=Decimal("5"))
    b = TaskFactory(project=fin_world.project, name="Beta", duration_days=Decimal("5"))
    h = TaskFactory(project=hidden, name="Hidden work", duration_days=Decimal("5"))
    for t in (a, b, h):
        AssignmentFactory(task=t, resource=ann)
    for p in (fin_world.project, hidden):
        schedule_recalculate(p)
    return {"ann": ann, "a": a, "b": b}


def _workload_url(world: World, **query: str) -> str:
    url = reverse("resources:workload", args=[world.workspace.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


@pytest.mark.parametrize("role", ALL_ROLES)
def test_workload_page_roles(fin_world: World, plan: Any, login: Any, role: str) -> None:
    client = login(fin_world.user(role))
    r = client.get(_workload_url(fin_world, start="2026-03-02", weeks="2"))
    assert r.status_code == WORKSPACE_RESOURCES[role]
    if r.status_code == 200:
        html = r.content.decode()
        assert 'data-testid="workload-row"' in html and "Ann" in html
        assert html.count('data-over="1"') == 1  # 120 h against 40 in the first week
        assert "120" in html
    cell = reverse("resources:workload_cell", args=[plan["ann"].pk, "2026-W10"])
    r = client.get(cell, headers={"HX-Request": "true"})
    assert r.status_code == WORKSPACE_RESOURCES[role]
    if r.status_code == 200:
        html = r.content.decode()
        assert "<html" not in html
        assert ("Alpha" in html and "Beta" in html) == (role != "ws_member")
        # The project the person cannot see is counted without its name.
        assert ("Hidden work" in html) == (role in ("owner", "admin"))
        assert ('data-testid="detail-other"' in html) == (role not in ("owner", "admin"))
        assert "Secret" not in html or role in ("owner", "admin")


def test_workload_filters_navigation_and_bad_input(world: World, login: Any) -> None:
    client = login(world.owner)
    ResourceFactory(workspace=world.workspace, name="Ann", role="Engineer")
    ResourceFactory(workspace=world.workspace, name="Bob", role="Welder")
    html = client.get(_workload_url(world, role="Welder")).content.decode()
    assert "Bob" in html and ">Ann<" not in html
    html = client.get(_workload_url(world, start="2026-03-04", weeks="4")).content.decode()
    assert "2026-W10" in html and "2026-W13" in html and "2026-W14" not in html
    assert "start=2026-03-30" in html and "start=2026-02-02" in html  # later, earlier
    r = client.get(_workload_url(world, weeks="99"))
    assert r.status_code == 422 and "invalid-feedback" in r.content.decode()
    assert client.get(_workload_url(world, start="nonsense")).status_code == 422
    r = client.get(reverse("resources:workload_cell", args=[1, "2026-99"]))
    assert r.status_code == 404


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url)
    assert r.status_code == 200
    return len(ctx.captured_queries)


def _people(world: World, count: int, projects: int) -> None:
    made = [ProjectFactory(workspace=world.workspace) for _ in range(projects)]
    for i in range(count):
        r = ResourceFactory(workspace=world.workspace, name=f"P{i:03d}")
        for p in (world.project, made[i % projects]):
            AssignmentFactory(task=TaskFactory(project=p, duration_days=Decimal("4")), resource=r)
    for p in (world.project, *made):
        schedule_recalculate(p)


@pytest.mark.parametrize("role", ["owner", "member"])
def test_workload_page_queries_do_not_grow(world: World, login: Any, role: str) -> None:
    client = login(world.user(role))
    url = _workload_url(world, start="2026-03-02")
    _people(world, 5, 2)
    small = _queries(client, url)
    _people(world, 25, 6)
    big = _queries(client, url)
    assert big == small
    html = client.get(url).content.decode()
    assert html.count('data-testid="workload-row"') == 30


@pytest.mark.parametrize("role", ALL_ROLES)
def test_find_people_roles(fin_world: World, plan: Any, login: Any, role: str) -> None:
    r = login(fin_world.user(role)).get(reverse("resources:find_people", args=[plan["a"].pk]))
    assert r.status_code == ASSIGN[role]
    if r.status_code == 200:
        html = r.content.decode()
        assert 'data-testid="candidate"' in html and "60" in html  # the score is explained


def test_find_people_queries_and_bad_input(world: World, plan: Any, login: Any) -> None:
    client = login(world.manager)
    url = reverse("resources:find_people", args=[plan["a"].pk])
    small = _queries(client, url)
    _people(world, 15, 3)
    assert _queries(client, url) == small
    r = client.get(url + "?min_level=9")
    assert r.status_code == 422


@pytest.mark.parametrize("role", ALL_ROLES)
def test_leveling_page_roles(fin_world: World, plan: Any, login: Any, role: str) -> None:
    client = login(fin_world.user(role))
    url = reverse("resources:leveling", args=[fin_world.project.pk])
    r = client.get(url)
    assert r.status_code == ASSIGN[role]
    fin_world.project.refresh_from_db()
    r = client.post(url, {"generation": fin_world.project.schedule_generation})
    assert r.status_code == (302 if ASSIGN[role] == 200 else ASSIGN[role])
    moved = Task.objects.filter(project=fin_world.project, constraint_type="snet").count()
    assert moved == (1 if ASSIGN[role] == 200 else 0)


def test_leveling_page_preview_apply_and_stale(world: World, plan: Any, login: Any) -> None:
    client = login(world.manager)
    url = reverse("resources:leveling", args=[world.project.pk])
    html = client.get(url).content.decode()
    assert html.count('data-testid="move"') == 1 and 'data-testid="discard"' in html
    generation = re.search(r'name="generation" value="(\d+)"', html)
    assert generation is not None
    schedule_recalculate(world.project)  # the plan changes meanwhile
    r = client.post(url, {"generation": generation.group(1)})
    assert r.status_code == 409 and "Preview the leveling again" in r.content.decode()
    assert not Task.objects.filter(project=world.project, constraint_type="snet").exists()
    fresh = re.search(r'name="generation" value="(\d+)"', r.content.decode())
    assert fresh is not None
    r = client.post(url, {"generation": fresh.group(1)}, follow=True)
    assert r.status_code == 200 and 'data-testid="already-level"' in r.content.decode()
    assert Task.objects.filter(project=world.project, constraint_type="snet").count() == 1
