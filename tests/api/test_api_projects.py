"""Projects, project members and project history through the API."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from keel.apps.projects.models import Phase, Project, ProjectMembership, ProjectRole
from keel.apps.projects.services import (
    MSG_CODE_TAKEN,
    MSG_CURRENCY,
    MSG_FINISH_BEFORE_START,
    MSG_LAST_MANAGER,
)

from ..conftest import ROLES, World
from ..factories import (
    ProjectFactory,
    ProjectMembershipFactory,
    TaskFactory,
    UserFactory,
    WorkspaceMembershipFactory,
)
from .helpers import PROJECT_MANAGE, PROJECT_VIEW, assert_error, expect

WS_CREATE_PROJECT = dict.fromkeys(ROLES, 201) | {"viewer": 403, "outsider": 404}


def _project_body(world: World, **extra: Any) -> dict[str, Any]:
    return {
        "workspace_id": world.workspace.pk,
        "code": "web",
        "name": "Website",
        "start_date": "2026-04-06",
        **extra,
    }


# ---------------------------------------------------------------- anonymous


@pytest.mark.parametrize(
    "method,path",
    [
        ("GET", "/projects"),
        ("POST", "/projects"),
        ("GET", "/projects/{p}"),
        ("PATCH", "/projects/{p}"),
        ("POST", "/projects/{p}/archive"),
        ("POST", "/projects/{p}/restore"),
        ("GET", "/projects/{p}/history"),
        ("GET", "/projects/{p}/members"),
        ("POST", "/projects/{p}/members"),
        ("PATCH", "/projects/{p}/members/1"),
        ("DELETE", "/projects/{p}/members/1"),
    ],
)
def test_anonymous_calls_are_401(api: Any, world: World, method: str, path: str) -> None:
    r = api(None).call(method, path.format(p=world.project.pk), {"version": 1})
    assert_error(r, 401, "not_authenticated")


# ---------------------------------------------------------------- create


def test_create_project(as_role: Any, world: World) -> None:
    r = as_role("member").post(
        "/projects",
        _project_body(
            world,
            timezone="Asia/Shanghai",
            currency="cny",
            hours_per_day="7.5",
            working_weekdays="54321",
            holiday_country="cn",
        ),
    )
    assert r.status_code == 201, r.content
    body = r.json()
    p = Project.objects.get(pk=body["id"])
    assert (p.code, p.timezone, p.currency, p.working_weekdays) == (
        "WEB",
        "Asia/Shanghai",
        "CNY",
        "12345",
    )
    assert p.hours_per_day == Decimal("7.5") and p.holiday_country == "CN"
    assert body["version"] == 1 and body["start_date"] == "2026-04-06"
    assert body["hours_per_day"] == "7.50"  # decimals are strings at the column scale
    # the creator manages the new project
    m = ProjectMembership.objects.get(project=p, user=world.member)
    assert m.role == ProjectRole.MANAGER


@pytest.mark.parametrize("role", ROLES)
def test_create_project_by_workspace_role(as_role: Any, world: World, role: str) -> None:
    r = as_role(role).post("/projects", _project_body(world))
    assert r.status_code == WS_CREATE_PROJECT[role], r.content
    assert Project.objects.filter(code="WEB").exists() is (r.status_code == 201)


@pytest.mark.parametrize(
    "extra,field,message",
    [
        ({"currency": "dollars"}, "currency", None),
        ({"currency": "$$$"}, "currency", str(MSG_CURRENCY)),
        ({"timezone": "Mars/Olympus"}, "timezone", None),
        ({"working_weekdays": "189"}, "working_weekdays", None),
        ({"holiday_country": "ZZ"}, "holiday_country", None),
        ({"hours_per_day": "1e20"}, "hours_per_day", None),
        ({"hours_per_day": "30"}, "hours_per_day", None),
        ({"hours_per_day": "NaN"}, "hours_per_day", None),
        ({"target_finish": "2026-01-01"}, "target_finish", str(MSG_FINISH_BEFORE_START)),
        ({"start_date": "not a date"}, "start_date", None),
        ({"start_date": "9999-12-31"}, "start_date", None),
        ({"phase": "daydreaming"}, "phase", None),
        ({"workspace_id": "one"}, "workspace_id", None),
        ({"workspace_id": 10**30}, "workspace_id", None),
        ({"name": "x" * 201}, "name", None),
        ({"name": "nul\x00byte"}, "name", None),
        ({"description": None}, "description", None),
    ],
)
def test_create_project_refuses_bad_input(
    as_role: Any, world: World, extra: dict[str, Any], field: str, message: str | None
) -> None:
    r = as_role("owner").post("/projects", _project_body(world, **extra))
    body = assert_error(r, 422, field=field)
    if message:
        assert body["fields"][field] == [message]
    assert not Project.objects.filter(code="WEB").exists()


def test_create_project_refuses_a_taken_code(as_role: Any, world: World) -> None:
    r = as_role("owner").post("/projects", _project_body(world, code=world.project.code))
    assert assert_error(r, 422, field="code")["fields"]["code"] == [str(MSG_CODE_TAKEN)]


def test_create_project_with_missing_fields_names_them(as_role: Any, world: World) -> None:
    body = assert_error(as_role("owner").post("/projects", {}), 422)
    assert {"workspace_id", "code", "name", "start_date"} <= set(body["fields"])


def test_create_project_with_no_body_is_422(as_role: Any, world: World) -> None:
    assert_error(as_role("owner").post("/projects"), 422)


# ---------------------------------------------------------------- read


@pytest.mark.parametrize("role", ROLES)
def test_project_detail_by_role(as_role: Any, world: World, role: str) -> None:
    r = as_role(role).get(f"/projects/{world.project.pk}")
    assert r.status_code == PROJECT_VIEW[role]
    if r.status_code == 404:
        assert r.json()["code"] == "not_found"  # the same answer as a project that does not exist
    else:
        assert r.json()["code"] == world.project.code


def test_unknown_project_is_404(as_role: Any, world: World) -> None:
    assert_error(as_role("owner").get("/projects/987654"), 404, "not_found")


@pytest.mark.parametrize("role", ROLES)
def test_project_list_shows_what_each_role_may_see(as_role: Any, world: World, role: str) -> None:
    ids = [p["id"] for p in as_role(role).get("/projects").json()["items"]]
    assert (world.project.pk in ids) is (PROJECT_VIEW[role] == 200)


def test_project_list_filters(as_role: Any, world: World) -> None:
    ws = world.workspace
    ProjectFactory(workspace=ws, code="ALPHA", name="Alpha rollout", phase=Phase.PLANNING)
    ProjectFactory(workspace=ws, code="BETA", name="Beta", archived_at=dt.datetime.now(dt.UTC))
    owner = as_role("owner")

    def codes(**query: Any) -> list[str]:
        r = owner.get("/projects", **query)
        assert r.status_code == 200, r.content
        return [p["code"] for p in r.json()["items"]]

    assert codes() == ["ALPHA", world.project.code]
    assert codes(archived="true") == ["BETA"]
    assert codes(phase="planning") == ["ALPHA"]
    assert codes(search="rollout") == ["ALPHA"]
    assert codes(search="alp") == ["ALPHA"]
    assert codes(workspace_id=ws.pk, ordering="-code") == [world.project.code, "ALPHA"]
    assert codes(workspace_id=987654) == []
    assert_error(owner.get("/projects", ordering="password"), 422, field="ordering")
    assert_error(owner.get("/projects", phase="daydreaming"), 422, field="phase")
    assert_error(owner.get("/projects", archived="perhaps"), 422, field="archived")


def test_project_list_counts_tasks(as_role: Any, world: World) -> None:
    TaskFactory(project=world.project, status="done")
    TaskFactory(project=world.project)
    item = as_role("viewer").get("/projects").json()["items"][0]
    assert (item["task_count"], item["done_count"]) == (2, 1)


def test_project_list_queries_do_not_grow_with_rows(api: Any, world: World) -> None:
    client = api(world.admin)
    client.get("/me")

    def grow(n: int) -> None:
        for _ in range(n):
            p = ProjectFactory(workspace=world.workspace)
            TaskFactory(project=p)

    grow(2)
    few, body = client.queries("/projects", limit=200)
    grow(27)
    many, body_many = client.queries("/projects", limit=200)
    assert (body["count"], body_many["count"]) == (3, 30)
    assert few == many


# ---------------------------------------------------------------- update


@pytest.mark.parametrize("role", ROLES)
def test_update_project_by_role(as_role: Any, world: World, role: str) -> None:
    r = as_role(role).patch(f"/projects/{world.project.pk}", {"name": "Renamed", "version": 1})
    assert r.status_code == PROJECT_MANAGE[role], r.content
    world.project.refresh_from_db()
    assert (world.project.name == "Renamed") is (r.status_code == 200)


def test_update_project_changes_only_the_fields_sent(as_role: Any, world: World) -> None:
    before = Project.objects.get(pk=world.project.pk)
    r = as_role("manager").patch(
        f"/projects/{world.project.pk}",
        {"timezone": "Europe/Paris", "phase": "execution", "target_finish": None, "version": 1},
    )
    assert r.status_code == 200, r.content
    p = Project.objects.get(pk=world.project.pk)
    assert (p.timezone, p.phase, p.target_finish) == ("Europe/Paris", "execution", None)
    assert (p.name, p.code, p.start_date) == (before.name, before.code, before.start_date)
    assert p.version == 2 and r.json()["version"] == 2


def test_update_project_with_a_stale_version_is_409(as_role: Any, world: World) -> None:
    manager = as_role("manager")
    path = f"/projects/{world.project.pk}"
    assert manager.patch(path, {"name": "First", "version": 1}).status_code == 200
    assert_error(manager.patch(path, {"name": "Second", "version": 1}), 409, "version_conflict")
    p = Project.objects.get(pk=world.project.pk)
    assert (p.name, p.version) == ("First", 2)


@pytest.mark.parametrize(
    "body,field",
    [
        ({"name": "x"}, "version"),
        ({"name": None, "version": 1}, "name"),
        ({"start_date": None, "version": 1}, "start_date"),
        ({"code": "", "version": 1}, "code"),
        ({"hours_per_day": 1e20, "version": 1}, "hours_per_day"),
        ({"hours_per_day": "0.1", "version": 1}, "hours_per_day"),
        ({"version": "latest"}, "version"),
        ({"version": 10**30}, "version"),
    ],
)
def test_update_project_refuses_bad_input(
    as_role: Any, world: World, body: dict[str, Any], field: str
) -> None:
    assert_error(as_role("manager").patch(f"/projects/{world.project.pk}", body), 422, field=field)
    assert Project.objects.get(pk=world.project.pk).version == 1


# ---------------------------------------------------------------- archive and restore


@pytest.mark.parametrize("role", ROLES)
def test_archive_project_by_role(as_role: Any, world: World, role: str) -> None:
    r = as_role(role).post(f"/projects/{world.project.pk}/archive", {"version": 1})
    assert r.status_code == PROJECT_MANAGE[role], r.content
    world.project.refresh_from_db()
    assert world.project.is_archived is (r.status_code == 200)


def test_archived_project_is_read_only_until_restored(as_role: Any, world: World) -> None:
    manager, path = as_role("manager"), f"/projects/{world.project.pk}"
    r = manager.post(f"{path}/archive", {"version": 1})
    assert r.status_code == 200 and r.json()["is_archived"]
    assert_error(manager.patch(path, {"name": "Nope", "version": 2}), 403)
    assert_error(manager.post(f"{path}/tasks", {"name": "Nope"}), 403)
    assert manager.get(path).status_code == 200
    assert_error(manager.post(f"{path}/restore", {"version": 1}), 409)
    r = manager.post(f"{path}/restore", {"version": 2})
    assert r.status_code == 200 and not r.json()["is_archived"]
    assert manager.patch(path, {"name": "Yes", "version": 3}).status_code == 200


def test_archive_needs_a_version(as_role: Any, world: World) -> None:
    assert_error(as_role("manager").post(f"/projects/{world.project.pk}/archive", {}), 422)
    assert_error(as_role("manager").post(f"/projects/{world.project.pk}/archive"), 422)


# ---------------------------------------------------------------- members


@pytest.mark.parametrize("role", ROLES)
def test_project_member_list_by_role(as_role: Any, world: World, role: str) -> None:
    r = as_role(role).get(f"/projects/{world.project.pk}/members")
    assert r.status_code == PROJECT_VIEW[role]
    if r.status_code == 200:
        items = {m["email"]: m["role"] for m in r.json()["items"]}
        assert items == {
            "manager@example.com": "manager",
            "member@example.com": "member",
            "viewer@example.com": "viewer",
        }


@pytest.mark.parametrize("role", ROLES)
def test_add_project_member_by_role(as_role: Any, world: World, role: str) -> None:
    r = as_role(role).post(
        f"/projects/{world.project.pk}/members", {"user_id": world.ws_member.pk, "role": "viewer"}
    )
    assert r.status_code == expect(PROJECT_MANAGE, role, 201), r.content
    added = ProjectMembership.objects.filter(project=world.project, user=world.ws_member)
    assert added.exists() is (r.status_code == 201)


@pytest.mark.parametrize(
    "body,field",
    [
        ({"user_id": "outsider"}, "user_id"),
        ({"user_id": 10**30}, "user_id"),
        ({"user_id": 1, "role": "boss"}, "role"),
    ],
)
def test_add_project_member_refuses_bad_input(
    as_role: Any, world: World, body: dict[str, Any], field: str
) -> None:
    r = as_role("manager").post(f"/projects/{world.project.pk}/members", body)
    assert_error(r, 422, field=field)


def test_only_workspace_members_join_a_project(as_role: Any, world: World) -> None:
    for user_id in (world.outsider.pk, world.member.pk, 987654):
        r = as_role("manager").post(
            f"/projects/{world.project.pk}/members", {"user_id": user_id, "role": "viewer"}
        )
        assert_error(r, 422, field="user_id")


def _pm(world: World, role: str) -> ProjectMembership:
    return ProjectMembership.objects.get(project=world.project, user=world.user(role))


@pytest.mark.parametrize("role", ROLES)
def test_change_project_member_by_role(as_role: Any, world: World, role: str) -> None:
    m = _pm(world, "viewer")
    r = as_role(role).patch(
        f"/projects/{world.project.pk}/members/{m.pk}", {"role": "member", "version": 1}
    )
    assert r.status_code == PROJECT_MANAGE[role], r.content
    m.refresh_from_db()
    assert (m.role == ProjectRole.MEMBER) is (r.status_code == 200)


def test_change_project_member_stale_version_is_409(as_role: Any, world: World) -> None:
    m = _pm(world, "viewer")
    path = f"/projects/{world.project.pk}/members/{m.pk}"
    assert as_role("manager").patch(path, {"role": "member", "version": 1}).status_code == 200
    assert_error(as_role("manager").patch(path, {"role": "manager", "version": 1}), 409)
    m.refresh_from_db()
    assert (m.role, m.version) == (ProjectRole.MEMBER, 2)


def test_the_last_project_manager_stays(as_role: Any, world: World) -> None:
    m = _pm(world, "manager")
    r = as_role("owner").patch(
        f"/projects/{world.project.pk}/members/{m.pk}", {"role": "member", "version": 1}
    )
    assert assert_error(r, 422, field="role")["fields"]["role"] == [str(MSG_LAST_MANAGER)]
    assert_error(as_role("owner").delete(f"/projects/{world.project.pk}/members/{m.pk}"), 422)
    assert ProjectMembership.objects.filter(pk=m.pk).exists()


@pytest.mark.parametrize("role", ROLES)
def test_remove_project_member_by_role(as_role: Any, world: World, role: str) -> None:
    m = _pm(world, "viewer")
    r = as_role(role).delete(f"/projects/{world.project.pk}/members/{m.pk}")
    assert r.status_code == expect(PROJECT_MANAGE, role, 204), r.content
    assert ProjectMembership.objects.filter(pk=m.pk).exists() is (r.status_code != 204)


def test_a_member_of_another_project_is_404(as_role: Any, world: World) -> None:
    other = ProjectMembershipFactory(project=ProjectFactory(workspace=world.workspace))
    r = as_role("owner").delete(f"/projects/{world.project.pk}/members/{other.pk}")
    assert_error(r, 404)


def test_project_member_list_queries_do_not_grow_with_rows(api: Any, world: World) -> None:
    client = api(world.viewer)
    client.get("/me")
    few, body = client.queries(f"/projects/{world.project.pk}/members")
    for _ in range(27):
        user = UserFactory()
        WorkspaceMembershipFactory(workspace=world.workspace, user=user)
        ProjectMembershipFactory(project=world.project, user=user)
    many, body_many = client.queries(f"/projects/{world.project.pk}/members")
    assert (body["count"], body_many["count"]) == (3, 30)
    assert few == many


# ---------------------------------------------------------------- history


@pytest.mark.parametrize("role", ROLES)
def test_project_history_by_role(as_role: Any, world: World, role: str) -> None:
    r = as_role(role).get(f"/projects/{world.project.pk}/history")
    assert r.status_code == PROJECT_VIEW[role]


def test_project_history_records_who_changed_what(as_role: Any, world: World) -> None:
    manager = as_role("manager")
    manager.patch(f"/projects/{world.project.pk}", {"name": "Renamed", "version": 1})
    body = manager.get(f"/projects/{world.project.pk}/history").json()
    latest = body["items"][0]
    assert latest["action"] == "changed" and latest["who_id"] == world.manager.pk
    assert {"field": "name", "new": "Renamed"}.items() <= latest["changes"][0].items()
    assert body["count"] == 2


def test_project_history_queries_do_not_grow_with_rows(api: Any, world: World) -> None:
    client = api(world.manager)
    client.get("/me")

    def touch(n: int) -> None:
        for i in range(n):
            p = Project.objects.get(pk=world.project.pk)
            p.description = f"v{i}"
            p.save()

    touch(2)
    few, body = client.queries(f"/projects/{world.project.pk}/history")
    touch(27)
    many, body_many = client.queries(f"/projects/{world.project.pk}/history")
    assert (body["count"], body_many["count"]) == (3, 30)
    assert few == many
