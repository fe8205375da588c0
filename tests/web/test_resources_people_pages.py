"""People pages: the directory, a person's page (rates only for resource managers), leave by
self, the task's assignments partial and the project's people, with constant queries."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from keel.apps.resources.models import Assignment, Leave, Resource
from tests.conftest import ROLES, World
from tests.factories import TaskFactory
from tests.factories_resources import (
    AssignmentFactory,
    CostRateFactory,
    ResourceFactory,
    ResourceSkillFactory,
)

WS_VIEW = {
    "owner": 200,
    "admin": 200,
    "manager": 200,
    "member": 200,
    "viewer": 403,
    "ws_member": 200,
    "outsider": 404,
}
WS_MANAGE = {**WS_VIEW, "manager": 403, "member": 403, "ws_member": 403}
PROJECT_VIEW = {r: 200 for r in ("owner", "admin", "manager", "member", "viewer")} | {
    "ws_member": 404,
    "outsider": 404,
}
ASSIGN = {**PROJECT_VIEW, "member": 403, "viewer": 403}


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url)
    assert r.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("role", ROLES)
def test_directory_pages_matrix(world: World, login: Any, role: str) -> None:
    r = ResourceFactory(workspace=world.workspace, name="Ann Welder")
    CostRateFactory(resource=r, standard_rate=Decimal("123.45"))
    client = login(world.user(role))
    listing = client.get(reverse("resources:people", args=[world.workspace.pk]))
    assert listing.status_code == WS_VIEW[role]
    detail = client.get(reverse("resources:person", args=[r.pk]))
    assert detail.status_code == WS_VIEW[role]
    if detail.status_code == 200:
        assert "Ann Welder" in listing.content.decode()
        # rates are finance data: shown to owners and admins only
        assert ("123.45" in detail.content.decode()) == (WS_MANAGE[role] == 200)
    assert client.get(reverse("resources:person_edit", args=[r.pk])).status_code == WS_MANAGE[role]
    assert (
        client.get(reverse("resources:person_create", args=[world.workspace.pk])).status_code
        == WS_MANAGE[role]
    )
    rate = r.rates.get()
    assert client.get(reverse("resources:rate_edit", args=[rate.pk])).status_code == WS_MANAGE[role]


def test_create_and_edit_with_a_stale_version(world: World, login: Any) -> None:
    client = login(world.admin)
    url = reverse("resources:person_create", args=[world.workspace.pk])
    r = client.post(url, {"name": "Bob", "capacity_hours": "6", "working_weekdays": ["1", "3"]})
    assert r.status_code == 302
    bob = Resource.objects.get(name="Bob")
    assert (bob.capacity_hours, bob.working_weekdays) == (Decimal("6"), "13")
    bad = client.post(url, {"name": "X", "capacity_hours": "30"})
    assert bad.status_code == 422 and Resource.objects.count() == 1
    edit = reverse("resources:person_edit", args=[bob.pk])
    form = {"name": "Bob", "capacity_hours": "6", "working_weekdays": ["1"], "version": "1"}
    assert client.post(edit, form).status_code == 302
    stale = client.post(edit, {**form, "name": "Robert"})
    assert stale.status_code == 409
    bob.refresh_from_db()
    assert bob.name == "Bob" and bob.working_weekdays == "1"


def test_member_adds_own_leave_but_not_others(world: World, login: Any) -> None:
    mine = ResourceFactory(workspace=world.workspace, user=world.member)
    other = ResourceFactory(workspace=world.workspace)
    client = login(world.member)
    body = {"start": "2027-02-01", "finish": "2027-02-02", "reason": "Training"}
    assert (
        client.post(reverse("resources:person_leave_add", args=[mine.pk]), body).status_code == 302
    )
    assert (
        client.post(reverse("resources:person_leave_add", args=[other.pk]), body).status_code == 403
    )
    bad = client.post(
        reverse("resources:person_leave_add", args=[mine.pk]), {**body, "finish": "2027-01-01"}
    )
    assert bad.status_code == 422
    assert list(Leave.objects.values_list("resource_id", flat=True)) == [mine.pk]


def test_skill_and_rate_forms_on_the_person_page(world: World, login: Any) -> None:
    r = ResourceFactory(workspace=world.workspace)
    admin = login(world.admin)
    assert (
        admin.post(
            reverse("resources:person_skill_set", args=[r.pk]), {"name": "Welding", "level": "4"}
        ).status_code
        == 302
    )
    assert r.skills.get().level == 4
    rate_url = reverse("resources:person_rate_add", args=[r.pk])
    body = {"effective_from": "2027-01-01", "standard_rate": "40", "overtime_rate": "60"}
    refused = admin.post(rate_url, {**body, "currency": "1AB"})
    assert refused.status_code == 422 and not r.rates.exists()
    assert admin.post(rate_url, {**body, "currency": "CNY"}).status_code == 302
    member = login(world.member)
    assert member.post(rate_url, {**body, "currency": "CNY"}).status_code == 403
    assert r.rates.count() == 1


@pytest.mark.parametrize("role", ROLES)
def test_task_assignments_partial_matrix(world: World, login: Any, role: str) -> None:
    task = TaskFactory(project=world.project, duration_days=Decimal("2"))
    r = ResourceFactory(workspace=world.workspace, name="Contractor Carl")
    client = login(world.user(role))
    url = reverse("resources:task_assignments", args=[task.pk])
    assert client.get(url).status_code == PROJECT_VIEW[role]
    posted = client.post(url, {"resource": r.pk, "units": "50"}, HTTP_HX_REQUEST="true")
    assert posted.status_code == ASSIGN[role]
    assert Assignment.objects.filter(task=task).exists() == (ASSIGN[role] == 200)
    if posted.status_code == 200:
        assert "Contractor Carl" in posted.content.decode()


def test_task_assignments_change_work_and_remove(world: World, login: Any) -> None:
    task = TaskFactory(project=world.project, duration_days=Decimal("2"))
    hours = world.project.hours_per_day
    a = AssignmentFactory(task=task, resource=ResourceFactory(workspace=world.workspace))
    client = login(world.manager)
    url = reverse("resources:task_assignments", args=[task.pk])
    changed = client.post(
        url,
        {"assignment": a.pk, "version": 1, "units": "100", "work_hours": str(hours)},
        HTTP_HX_REQUEST="true",
    )
    assert changed.status_code == 200
    a.refresh_from_db()
    assert a.units == Decimal("50.00")  # typed work wins over the units shown in the row
    stale = client.post(
        url, {"remove": "1", "assignment": a.pk, "version": 1}, HTTP_HX_REQUEST="true"
    )
    assert stale.status_code == 409 and Assignment.objects.exists()
    gone = client.post(
        url, {"remove": "1", "assignment": a.pk, "version": 2}, HTTP_HX_REQUEST="true"
    )
    assert gone.status_code == 200 and not Assignment.objects.exists()


def test_assignment_refusal_shows_on_the_form(world: World, login: Any) -> None:
    milestone = TaskFactory(project=world.project, is_milestone=True, duration_days=0)
    r = ResourceFactory(workspace=world.workspace)
    client = login(world.manager)
    url = reverse("resources:task_assignments", args=[milestone.pk])
    refused = client.post(url, {"resource": r.pk, "work_hours": "8"}, HTTP_HX_REQUEST="true")
    assert refused.status_code == 422
    assert "milestone" in refused.content.decode()
    assert not Assignment.objects.exists()


@pytest.mark.parametrize("role", ROLES)
def test_project_people_matrix(world: World, login: Any, role: str) -> None:
    client = login(world.user(role))
    url = reverse("resources:project_people", args=[world.project.pk])
    assert client.get(url).status_code == PROJECT_VIEW[role]


def _people(world: World, n: int) -> None:
    for _ in range(n):
        r = ResourceFactory(workspace=world.workspace)
        ResourceSkillFactory(resource=r)
        AssignmentFactory(task=TaskFactory(project=world.project), resource=r)


def test_list_pages_run_constant_queries(world: World, login: Any) -> None:
    client = login(world.admin)
    task = TaskFactory(project=world.project)
    urls = [
        reverse("resources:people", args=[world.workspace.pk]),
        reverse("resources:project_people", args=[world.project.pk]),
        reverse("resources:task_assignments", args=[task.pk]),
    ]
    _people(world, 2)
    AssignmentFactory(task=task, resource=ResourceFactory(workspace=world.workspace))
    client.get(urls[0])  # warm the session
    few = [_queries(client, u) for u in urls]
    _people(world, 8)
    for _ in range(4):
        AssignmentFactory(task=task, resource=ResourceFactory(workspace=world.workspace))
    assert [_queries(client, u) for u in urls] == few


def test_a_manager_names_the_skills_a_task_needs(world: World, login: Any) -> None:
    from tests.factories import TaskFactory
    from tests.factories_resources import SkillFactory

    task = TaskFactory(project=world.project)
    weld = SkillFactory(workspace=world.workspace, name="Welding")
    url = reverse("resources:task_skills", args=[task.pk])
    manager = login(world.manager)
    r = manager.post(url, {"skill": weld.pk, "min_level": "4"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200
    assert 'data-testid="task-need"' in r.content.decode() and "Welding" in r.content.decode()
    member = login(world.member)
    assert member.post(url, {"skill": weld.pk, "remove": "1"}).status_code == 403
    r = manager.post(url, {"skill": weld.pk, "remove": "1"}, HTTP_HX_REQUEST="true")
    assert 'data-testid="task-need"' not in r.content.decode()
