"""The people API: role matrix (404 invisible, 403 not allowed), rates hidden from members,
leave by self, assignments, constant queries on the lists."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from keel.apps.resources.models import Assignment, Resource
from tests.conftest import ROLES, World
from tests.factories import TaskFactory
from tests.factories_resources import (
    AssignmentFactory,
    CostRateFactory,
    ResourceFactory,
    ResourceSkillFactory,
)

from .helpers import PROJECT_MANAGE, PROJECT_VIEW, Api, assert_error, expect

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


@pytest.fixture
def api(api_client: Any) -> Any:
    return lambda user: Api(api_client(user))


@pytest.mark.parametrize("role", ROLES)
def test_directory_matrix(world: World, api: Any, role: str) -> None:
    r = ResourceFactory(workspace=world.workspace, name="Ann")
    ResourceSkillFactory(resource=r)
    client = api(world.user(role))
    ws = world.workspace.pk
    assert client.get(f"/workspaces/{ws}/resources").status_code == WS_VIEW[role]
    assert client.get(f"/resources/{r.pk}").status_code == WS_VIEW[role]
    assert client.get(f"/resources/{r.pk}/skills").status_code == WS_VIEW[role]
    assert client.get(f"/workspaces/{ws}/skills").status_code == WS_VIEW[role]
    created = client.post(f"/workspaces/{ws}/resources", {"name": "Bob", "role": "Welder"})
    assert created.status_code == expect(WS_MANAGE, role, 201), created.content
    patched = client.patch(f"/resources/{r.pk}", {"capacity_hours": "6", "version": 1})
    assert patched.status_code == WS_MANAGE[role]


@pytest.mark.parametrize("role", ROLES)
def test_rates_are_refused_to_all_but_resource_managers(world: World, api: Any, role: str) -> None:
    r = ResourceFactory(workspace=world.workspace)
    rate = CostRateFactory(resource=r)
    client = api(world.user(role))
    listed = client.get(f"/resources/{r.pk}/rates")
    assert listed.status_code == WS_MANAGE[role]
    if listed.status_code == 200:
        assert listed.json()["items"][0]["standard_rate"] == "50.00"
    else:
        assert "50.00" not in listed.content.decode()
    body = {
        "effective_from": "2027-01-01",
        "standard_rate": "10",
        "overtime_rate": "15",
        "currency": "CNY",
    }
    assert client.post(f"/resources/{r.pk}/rates", body).status_code == expect(WS_MANAGE, role, 201)
    patched = client.patch(f"/rates/{rate.pk}", {"standard_rate": "60", "version": 1})
    assert patched.status_code == WS_MANAGE[role]
    # the resource itself carries no rate for anyone
    detail = client.get(f"/resources/{r.pk}")
    if detail.status_code == 200:
        assert "rate" not in str(detail.json())


def test_rate_bad_currency_and_duplicate_day_are_422(world: World, api: Any) -> None:
    r = ResourceFactory(workspace=world.workspace)
    client = api(world.admin)
    body = {"effective_from": "2027-01-01", "standard_rate": "10", "overtime_rate": "15"}
    assert_error(client.post(f"/resources/{r.pk}/rates", {**body, "currency": "usd1"}), 422)
    assert_error(client.post(f"/resources/{r.pk}/rates", {**body, "currency": "XX1"}), 422)
    assert client.post(f"/resources/{r.pk}/rates", {**body, "currency": "USD"}).status_code == 201
    assert_error(
        client.post(f"/resources/{r.pk}/rates", {**body, "currency": "USD"}),
        422,
        field="effective_from",
    )


@pytest.mark.parametrize("role", ROLES)
def test_leave_by_self_or_managers(world: World, api: Any, role: str) -> None:
    mine = ResourceFactory(workspace=world.workspace, user=world.user(role))
    others = ResourceFactory(workspace=world.workspace)
    client = api(world.user(role))
    body = {"start": "2027-02-01", "finish": "2027-02-03", "reason": "Holiday"}
    own = client.post(f"/resources/{mine.pk}/leave", body)
    # a resource of the outsider's is in this workspace, which they are not in: 404; a
    # guest takes no part in the workspace's resources: 403
    wanted = {"outsider": 404, "viewer": 403}.get(role, 201)
    assert own.status_code == wanted, own.content
    other = client.post(f"/resources/{others.pk}/leave", body)
    assert other.status_code == expect(WS_MANAGE, role, 201)


def test_resource_create_refusals_change_nothing(world: World, api: Any) -> None:
    client = api(world.admin)
    ws = world.workspace.pk
    assert_error(
        client.post(f"/workspaces/{ws}/resources", {"user_id": world.outsider.pk}),
        422,
        field="user_id",
    )
    assert_error(
        client.post(f"/workspaces/{ws}/resources", {"name": "A", "capacity_hours": "25"}), 422
    )
    assert_error(
        client.post(f"/workspaces/{ws}/resources", {"name": "A", "working_weekdays": "8"}), 422
    )
    assert not Resource.objects.exists()


def test_resource_patch_stale_version_is_409(world: World, api: Any) -> None:
    r = ResourceFactory(workspace=world.workspace)
    client = api(world.admin)
    assert client.patch(f"/resources/{r.pk}", {"role": "A", "version": 1}).status_code == 200
    assert_error(
        client.patch(f"/resources/{r.pk}", {"role": "B", "version": 1}), 409, "version_conflict"
    )


def test_delete_in_use_refused_then_deactivate(world: World, api: Any) -> None:
    a = AssignmentFactory(
        task=TaskFactory(project=world.project), resource__workspace=world.workspace
    )
    client = api(world.admin)
    assert_error(client.delete(f"/resources/{a.resource_id}"), 422, "resource_in_use")
    r = client.post(f"/resources/{a.resource_id}/deactivate", {"version": 1})
    assert r.status_code == 200 and r.json()["is_active"] is False


@pytest.mark.parametrize("role", ROLES)
def test_assignment_matrix(world: World, api: Any, role: str) -> None:
    task = TaskFactory(project=world.project, duration_days=Decimal("4"))
    r = ResourceFactory(workspace=world.workspace)
    a = AssignmentFactory(task=task, resource=ResourceFactory(workspace=world.workspace))
    client = api(world.user(role))
    assert client.get(f"/tasks/{task.pk}/assignments").status_code == PROJECT_VIEW[role]
    created = client.post(f"/tasks/{task.pk}/assignments", {"resource_id": r.pk, "units": "50"})
    assert created.status_code == expect(PROJECT_MANAGE, role, 201)
    patched = client.patch(f"/assignments/{a.pk}", {"units": "25", "version": 1})
    assert patched.status_code == PROJECT_MANAGE[role]
    assert client.delete(f"/assignments/{a.pk}").status_code == expect(PROJECT_MANAGE, role, 204)


def test_assignment_work_sets_units_and_refusals(world: World, api: Any) -> None:
    task = TaskFactory(project=world.project, duration_days=Decimal("4"))
    hours = world.project.hours_per_day
    r = ResourceFactory(workspace=world.workspace)
    client = api(world.manager)
    created = client.post(
        f"/tasks/{task.pk}/assignments", {"resource_id": r.pk, "work_hours": str(2 * hours)}
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["units"] == "50.00"
    assert Decimal(body["work_hours"]) == 2 * hours
    assert_error(
        client.post(f"/tasks/{task.pk}/assignments", {"resource_id": 10**9}),
        422,
        field="resource_id",
    )
    assert_error(
        client.post(f"/tasks/{task.pk}/assignments", {"resource_id": r.pk, "units": "0"}), 422
    )
    assert_error(
        client.patch(
            f"/assignments/{body['id']}", {"units": "10", "work_hours": "3", "version": 1}
        ),
        422,
    )
    assert_error(client.patch(f"/assignments/{body['id']}", {"units": "10", "version": 9}), 409)
    assert Assignment.objects.get().units == Decimal("50.00")


def _grow(world: World, n: int) -> None:
    for i in range(n):
        r = ResourceFactory(workspace=world.workspace, user=None)
        ResourceSkillFactory(resource=r, skill__name=f"S{i}-{r.pk}")


def test_lists_run_constant_queries(world: World, api: Any) -> None:
    client = api(world.admin)
    task = TaskFactory(project=world.project)
    ws = world.workspace.pk
    _grow(world, 2)
    AssignmentFactory(task=task, resource=ResourceFactory(workspace=world.workspace))
    client.get(f"/workspaces/{ws}/resources")  # the token's first use is recorded once
    few = client.queries(f"/workspaces/{ws}/resources")[0]
    few_a = client.queries(f"/tasks/{task.pk}/assignments")[0]
    _grow(world, 8)
    for _ in range(5):
        AssignmentFactory(task=task, resource=ResourceFactory(workspace=world.workspace))
    many, body = client.queries(f"/workspaces/{ws}/resources")
    many_a, body_a = client.queries(f"/tasks/{task.pk}/assignments")
    assert body["count"] >= 15 and body_a["count"] == 6
    assert many == few
    assert many_a == few_a


# ---------------------------------------------------------------- skills a task needs


@pytest.mark.parametrize("role", ROLES)
def test_task_skills_matrix(world: World, api: Any, role: str) -> None:
    from tests.factories_resources import SkillFactory

    task = TaskFactory(project=world.project)
    weld = SkillFactory(workspace=world.workspace, name="Welding")
    client = api(world.user(role))
    put = client.put(f"/tasks/{task.pk}/skills/{weld.pk}", {"min_level": 4})
    assert put.status_code == PROJECT_MANAGE[role], put.content
    listed = client.get(f"/tasks/{task.pk}/skills")
    assert listed.status_code == PROJECT_VIEW[role]
    if PROJECT_MANAGE[role] == 200:
        assert listed.json()["items"] == [{"skill_id": weld.pk, "name": "Welding", "min_level": 4}]
        assert client.delete(f"/tasks/{task.pk}/skills/{weld.pk}").status_code == 204
        assert client.get(f"/tasks/{task.pk}/skills").json()["count"] == 0


def test_task_skills_refuse_another_workspaces_skill_and_bad_levels(world: World, api: Any) -> None:
    from tests.factories_resources import SkillFactory

    task = TaskFactory(project=world.project)
    foreign = SkillFactory()  # another workspace
    own = SkillFactory(workspace=world.workspace)
    client = api(world.manager)
    assert_error(client.put(f"/tasks/{task.pk}/skills/{foreign.pk}", {"min_level": 1}), 422)
    assert client.put(f"/tasks/{task.pk}/skills/{own.pk}", {"min_level": 6}).status_code == 422
    assert client.delete(f"/tasks/{task.pk}/skills/{own.pk}").status_code == 422
    assert client.get(f"/tasks/{task.pk}/skills").json()["count"] == 0


def test_finding_people_ranks_on_the_skills_the_task_needs(world: World, api: Any) -> None:
    from tests.factories_resources import SkillFactory

    task = TaskFactory(
        project=world.project,
        start=world.project.start_date,
        finish=world.project.start_date,
        duration_days=Decimal("1"),
    )
    weld = SkillFactory(workspace=world.workspace, name="Welding")
    welder = ResourceFactory(workspace=world.workspace, name="Wendy")
    ResourceSkillFactory(resource=welder, skill=weld, level=5)
    ResourceFactory(workspace=world.workspace, name="Aaron")  # no skill
    client = api(world.manager)
    assert client.put(f"/tasks/{task.pk}/skills/{weld.pk}", {"min_level": 3}).status_code == 200
    ranked = client.get(f"/tasks/{task.pk}/candidates").json()["items"]
    assert [c["name"] for c in ranked][:2] == ["Wendy", "Aaron"]
    assert ranked[0]["skill_score"] > ranked[1]["skill_score"]
