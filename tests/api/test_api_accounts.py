"""/me, workspaces, workspace members and API tokens through the API."""

from __future__ import annotations

from typing import Any

import pytest
from django.middleware.csrf import get_token
from django.test import Client, RequestFactory

from keel.apps.accounts.models import ApiToken, User, Workspace, WorkspaceMembership, WorkspaceRole
from keel.apps.accounts.services import MSG_LAST_OWNER, MSG_OWNER_ONLY, token_create

from ..conftest import ROLES, World
from ..factories import UserFactory, WorkspaceFactory, WorkspaceMembershipFactory
from .helpers import Api, assert_error

# docs/permissions.md, workspace roles. In `world`: owner OWNER, admin ADMIN, manager/member/
# ws_member MEMBER, viewer GUEST, outsider not in the workspace.
WS_VIEW = dict.fromkeys(ROLES, 200) | {"outsider": 404}
WS_VIEW_MEMBERS = WS_VIEW | {"viewer": 403}
WS_MANAGE_MEMBERS = dict.fromkeys(ROLES, 403) | {"owner": 200, "admin": 200, "outsider": 404}
WS_RENAME = dict.fromkeys(ROLES, 403) | {"owner": 200, "outsider": 404}


# ---------------------------------------------------------------- anonymous


@pytest.mark.parametrize(
    "method,path",
    [
        ("GET", "/me"),
        ("PATCH", "/me"),
        ("GET", "/workspaces"),
        ("POST", "/workspaces"),
        ("GET", "/workspaces/1"),
        ("PATCH", "/workspaces/1"),
        ("GET", "/workspaces/1/members"),
        ("POST", "/workspaces/1/members"),
        ("PATCH", "/workspaces/1/members/1"),
        ("DELETE", "/workspaces/1/members/1"),
        ("GET", "/tokens"),
        ("POST", "/tokens"),
        ("DELETE", "/tokens/1"),
    ],
)
def test_anonymous_calls_are_401(api: Any, world: World, method: str, path: str) -> None:
    assert_error(api(None).call(method, path, {}), 401, "not_authenticated")


def test_a_bad_or_revoked_token_is_401(api: Any, world: World) -> None:
    client = api(world.member)
    client.client.defaults["HTTP_AUTHORIZATION"] = "Bearer keel_not-a-token"
    assert_error(client.get("/me"), 401)


def test_a_deactivated_users_token_is_401(api: Any, world: World) -> None:
    client = api(world.member)
    User.objects.filter(pk=world.member.pk).update(is_active=False)
    assert_error(client.get("/me"), 401)


# ---------------------------------------------------------------- /me


def test_me_shows_the_profile(api: Any, world: World) -> None:
    body = api(world.member).get("/me").json()
    assert body["email"] == "member@example.com"
    assert {"name", "language", "timezone"} <= set(body)


def test_patch_me_changes_only_the_fields_sent(api: Any, world: World) -> None:
    r = api(world.member).patch("/me", {"timezone": "Asia/Shanghai", "version": 1})
    assert r.status_code == 200, r.content
    assert r.json()["version"] == 2
    world.member.refresh_from_db()
    assert world.member.timezone == "Asia/Shanghai"
    assert world.member.name == "Member"  # unchanged
    r = api(world.member).patch("/me", {"name": "  Mei  ", "language": "zh-hans", "version": 2})
    world.member.refresh_from_db()
    assert (world.member.name, world.member.language) == ("Mei", "zh-hans")


def test_patch_me_with_a_stale_version_is_409(api: Any, world: World) -> None:
    assert api(world.member).patch("/me", {"name": "First", "version": 1}).status_code == 200
    assert_error(api(world.member).patch("/me", {"name": "Lost", "version": 1}), 409)
    world.member.refresh_from_db()
    assert world.member.name == "First"


@pytest.mark.parametrize(
    "body,field",
    [
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"language": "xx"}, "language"),
        ({"name": None}, "name"),
        ({"name": "x" * 151}, "name"),
        ({"name": 5}, "name"),
    ],
)
def test_patch_me_refuses_bad_values(
    api: Any, world: World, body: dict[str, Any], field: str
) -> None:
    assert_error(
        api(world.member).patch("/me", {**body, "version": 1}), 422, "validation_error", field
    )
    world.member.refresh_from_db()
    assert (world.member.name, world.member.timezone) == ("Member", "UTC")


def test_patch_me_without_a_body_is_422(api: Any, world: World) -> None:
    assert_error(api(world.member).patch("/me"), 422)


def test_malformed_json_is_400(api: Any, world: World) -> None:
    client = api(world.member).client
    r = client.patch("/api/v1/me", "{not json", content_type="application/json")
    assert_error(r, 400)


# ---------------------------------------------------------------- workspaces


def test_workspace_list_shows_only_mine(api: Any, world: World) -> None:
    body = api(world.outsider).get("/workspaces").json()
    assert body["count"] == 1
    assert world.workspace.pk not in [w["id"] for w in body["items"]]
    body = api(world.viewer).get("/workspaces").json()
    assert [w["id"] for w in body["items"]] == [world.workspace.pk]


def test_create_workspace_makes_me_owner(api: Any, world: World) -> None:
    r = api(world.outsider).post("/workspaces", {"name": "Acme", "slug": "acme"})
    assert r.status_code == 201, r.content
    ws = Workspace.objects.get(pk=r.json()["id"])
    assert (ws.name, ws.slug, r.json()["version"]) == ("Acme", "acme", 1)
    role = WorkspaceMembership.objects.get(workspace=ws, user=world.outsider).role
    assert role == WorkspaceRole.OWNER


@pytest.mark.parametrize(
    "body,field",
    [({"name": "  "}, "name"), ({}, "name"), ({"name": "x" * 121}, "name")],
)
def test_create_workspace_refuses_bad_input(
    api: Any, world: World, body: dict[str, Any], field: str
) -> None:
    before = Workspace.objects.count()
    assert_error(api(world.member).post("/workspaces", body), 422, field=field)
    assert Workspace.objects.count() == before


def test_create_workspace_refuses_a_taken_slug(api: Any, world: World) -> None:
    r = api(world.member).post("/workspaces", {"name": "Again", "slug": world.workspace.slug})
    assert_error(r, 422, field="slug")


@pytest.mark.parametrize("role", ROLES)
def test_workspace_detail_by_role(as_role: Any, world: World, role: str) -> None:
    r = as_role(role).get(f"/workspaces/{world.workspace.pk}")
    assert r.status_code == WS_VIEW[role]


@pytest.mark.parametrize("role", ROLES)
def test_rename_workspace_by_role(as_role: Any, world: World, role: str) -> None:
    r = as_role(role).patch(f"/workspaces/{world.workspace.pk}", {"name": "Renamed", "version": 1})
    assert r.status_code == WS_RENAME[role], r.content
    world.workspace.refresh_from_db()
    renamed = WS_RENAME[role] == 200
    assert (world.workspace.name == "Renamed") is renamed
    assert world.workspace.version == (2 if renamed else 1)


def test_rename_with_a_stale_version_is_409_and_changes_nothing(as_role: Any, world: World) -> None:
    owner = as_role("owner")
    r = owner.patch(f"/workspaces/{world.workspace.pk}", {"name": "One", "version": 1})
    assert r.status_code == 200
    r = owner.patch(f"/workspaces/{world.workspace.pk}", {"name": "Two", "version": 1})
    assert_error(r, 409, "version_conflict", "version")
    world.workspace.refresh_from_db()
    assert (world.workspace.name, world.workspace.version) == ("One", 2)


def test_rename_needs_a_version(as_role: Any, world: World) -> None:
    r = as_role("owner").patch(f"/workspaces/{world.workspace.pk}", {"name": "No version"})
    assert_error(r, 422, field="version")


@pytest.mark.parametrize("bad", ["abc", "0", "-1", "99999999999999999999999"])
def test_bad_ids_are_422(as_role: Any, world: World, bad: str) -> None:
    assert_error(as_role("owner").get(f"/workspaces/{bad}"), 422, field="workspace_id")


def test_unknown_workspace_is_404(as_role: Any, world: World) -> None:
    assert_error(as_role("owner").get("/workspaces/999999"), 404, "not_found")


# ---------------------------------------------------------------- workspace members


@pytest.mark.parametrize("role", ROLES)
def test_workspace_member_list_by_role(as_role: Any, world: World, role: str) -> None:
    r = as_role(role).get(f"/workspaces/{world.workspace.pk}/members")
    assert r.status_code == WS_VIEW_MEMBERS[role]
    if r.status_code == 200:
        emails = {m["email"] for m in r.json()["items"]}
        assert {"owner@example.com", "viewer@example.com"} <= emails
        assert "outsider@example.com" not in emails


@pytest.mark.parametrize("role", ROLES)
def test_add_workspace_member_by_role(as_role: Any, world: World, role: str) -> None:
    newcomer = UserFactory(email="new@example.com")
    r = as_role(role).post(
        f"/workspaces/{world.workspace.pk}/members", {"email": "NEW@example.com", "role": "member"}
    )
    expected = {200: 201}.get(WS_MANAGE_MEMBERS[role], WS_MANAGE_MEMBERS[role])
    assert r.status_code == expected, r.content
    added = WorkspaceMembership.objects.filter(workspace=world.workspace, user=newcomer).exists()
    assert added is (expected == 201)


def test_only_an_owner_grants_the_owner_role(as_role: Any, world: World) -> None:
    UserFactory(email="new@example.com")
    r = as_role("admin").post(
        f"/workspaces/{world.workspace.pk}/members", {"email": "new@example.com", "role": "owner"}
    )
    assert assert_error(r, 403)["message"] == str(MSG_OWNER_ONLY)


@pytest.mark.parametrize(
    "body,field",
    [
        ({"email": "nobody@example.com"}, "email"),
        ({"email": "member@example.com"}, "email"),  # already a member
        ({"email": "x@example.com", "role": "emperor"}, "role"),
        ({"role": "member"}, "email"),
    ],
)
def test_add_workspace_member_refuses_bad_input(
    as_role: Any, world: World, body: dict[str, Any], field: str
) -> None:
    r = as_role("owner").post(f"/workspaces/{world.workspace.pk}/members", body)
    assert_error(r, 422, field=field)


def _membership(world: World, role: str) -> WorkspaceMembership:
    return WorkspaceMembership.objects.get(workspace=world.workspace, user=world.user(role))


@pytest.mark.parametrize("role", ROLES)
def test_change_workspace_member_role_by_role(as_role: Any, world: World, role: str) -> None:
    m = _membership(world, "ws_member")
    r = as_role(role).patch(
        f"/workspaces/{world.workspace.pk}/members/{m.pk}", {"role": "admin", "version": 1}
    )
    expected = WS_MANAGE_MEMBERS[role]
    assert r.status_code == expected, r.content
    m.refresh_from_db()
    assert (m.role == WorkspaceRole.ADMIN) is (expected == 200)


def test_change_workspace_member_role_stale_version_is_409(as_role: Any, world: World) -> None:
    m = _membership(world, "ws_member")
    path = f"/workspaces/{world.workspace.pk}/members/{m.pk}"
    assert as_role("owner").patch(path, {"role": "admin", "version": 1}).status_code == 200
    assert_error(as_role("owner").patch(path, {"role": "guest", "version": 1}), 409)
    m.refresh_from_db()
    assert (m.role, m.version) == (WorkspaceRole.ADMIN, 2)


def test_the_last_owner_cannot_step_down(as_role: Any, world: World) -> None:
    m = _membership(world, "owner")
    r = as_role("owner").patch(
        f"/workspaces/{world.workspace.pk}/members/{m.pk}", {"role": "admin", "version": 1}
    )
    assert assert_error(r, 422, field="role")["fields"]["role"] == [str(MSG_LAST_OWNER)]


@pytest.mark.parametrize("role", ROLES)
def test_remove_workspace_member_by_role(as_role: Any, world: World, role: str) -> None:
    m = _membership(world, "ws_member")
    r = as_role(role).delete(f"/workspaces/{world.workspace.pk}/members/{m.pk}")
    expected = {"owner": 204, "admin": 204, "ws_member": 204, "outsider": 404}.get(role, 403)
    assert r.status_code == expected, r.content
    assert WorkspaceMembership.objects.filter(pk=m.pk).exists() is (expected != 204)


def test_a_member_of_another_workspace_is_404(as_role: Any, world: World) -> None:
    other = WorkspaceMembershipFactory(workspace=WorkspaceFactory())
    r = as_role("owner").delete(f"/workspaces/{world.workspace.pk}/members/{other.pk}")
    assert_error(r, 404)
    assert WorkspaceMembership.objects.filter(pk=other.pk).exists()


# ---------------------------------------------------------------- tokens


def _signed_in(user: Any) -> Api:
    browser = Client()
    browser.force_login(user)
    return Api(browser)


def test_token_secret_is_shown_once_and_works(api: Any, world: World) -> None:
    r = _signed_in(world.member).post("/tokens", {"name": "ci", "days": 7})
    assert r.status_code == 201, r.content
    secret = r.json()["secret"]
    assert secret.startswith("keel_")
    token = ApiToken.objects.get(pk=r.json()["id"])
    assert token.name == "ci" and secret not in token.digest
    listed = api(world.member).get("/tokens").json()["items"]
    assert all("secret" not in t for t in listed)
    assert token.pk in [t["id"] for t in listed]
    fresh = api(None)
    fresh.client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    assert fresh.get("/me").json()["email"] == "member@example.com"


def test_revoked_token_stops_working(api: Any, world: World) -> None:
    token, secret = token_create(actor=world.member, name="doomed")
    r = api(world.member).delete(f"/tokens/{token.pk}")
    assert r.status_code == 200 and r.json()["revoked_at"]
    fresh = api(None)
    fresh.client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    assert_error(fresh.get("/me"), 401)


def test_someone_elses_token_is_404(api: Any, world: World) -> None:
    token, _secret = token_create(actor=world.owner, name="mine")
    assert_error(api(world.member).delete(f"/tokens/{token.pk}"), 404)
    token.refresh_from_db()
    assert token.revoked_at is None
    assert token.pk not in [t["id"] for t in api(world.member).get("/tokens").json()["items"]]


@pytest.mark.parametrize(
    "body,field",
    [
        ({"name": ""}, "name"),
        ({"name": "x", "days": 0}, "days"),
        ({"name": "x", "days": 5000}, "days"),
    ],
)
def test_create_token_refuses_bad_input(
    api: Any, world: World, body: dict[str, Any], field: str
) -> None:
    assert_error(_signed_in(world.member).post("/tokens", body), 422, field=field)


def test_a_token_cannot_mint_tokens(api: Any, world: World) -> None:
    assert_error(api(world.member).post("/tokens", {"name": "child", "days": 3650}), 401)
    assert ApiToken.objects.filter(user=world.member).count() == 1  # the fixture's own


# ---------------------------------------------------------------- lists: pages and queries


def test_lists_page_with_limit_and_offset(api: Any, world: World) -> None:
    for i in range(5):
        token_create(actor=world.member, name=f"t{i}")
    client = api(world.member)  # a sixth token
    body = client.get("/tokens", limit=2, offset=1).json()
    assert body["count"] == 6 and len(body["items"]) == 2
    for bad in ({"limit": 0}, {"limit": 201}, {"offset": -1}, {"limit": "many"}):
        assert_error(client.get("/tokens", **bad), 422, field=next(iter(bad)))


def test_workspace_list_queries_do_not_grow_with_rows(api: Any, world: World) -> None:
    client = api(world.member)
    client.get("/me")  # the first call also records when the token was used

    def grow(n: int) -> None:
        for _ in range(n):
            WorkspaceMembershipFactory(user=world.member)

    grow(2)
    few, body = client.queries("/workspaces", limit=200)
    grow(27)
    many, body_many = client.queries("/workspaces", limit=200)
    assert (body["count"], body_many["count"]) == (3, 30)
    assert few == many


def test_workspace_member_list_queries_do_not_grow_with_rows(api: Any, world: World) -> None:
    client = api(world.owner)
    client.get("/me")
    few, body = client.queries(f"/workspaces/{world.workspace.pk}/members")
    for _ in range(25):
        WorkspaceMembershipFactory(workspace=world.workspace)
    many, body_many = client.queries(f"/workspaces/{world.workspace.pk}/members")
    assert body_many["count"] == body["count"] + 25
    assert few == many


def test_token_list_queries_do_not_grow_with_rows(api: Any, world: World) -> None:
    client = api(world.member)
    client.get("/me")
    for i in range(2):
        token_create(actor=world.member, name=f"t{i}")
    few, body = client.queries("/tokens")
    for i in range(27):
        token_create(actor=world.member, name=f"u{i}")
    many, body_many = client.queries("/tokens")
    assert (body["count"], body_many["count"]) == (3, 30)
    assert few == many


# ---------------------------------------------------------------- browser sessions


def test_a_signed_in_browser_may_call_the_api(login: Any, world: World) -> None:
    r = login(world.member).get("/api/v1/me")
    assert r.status_code == 200 and r.json()["email"] == "member@example.com"


def test_a_browser_write_needs_the_csrf_token(world: World) -> None:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.member)
    r = browser.patch(
        "/api/v1/me", {"name": "Sneaky", "version": 1}, content_type="application/json"
    )
    assert_error(r, 403)
    world.member.refresh_from_db()
    assert world.member.name == "Member"
    page = RequestFactory().get("/")
    token = get_token(page)  # what a page would embed for its scripts
    browser.cookies["csrftoken"] = page.META["CSRF_COOKIE"]
    r = browser.patch(
        "/api/v1/me",
        {"name": "Mei", "version": 1},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert r.status_code == 200, r.content


def test_token_calls_answer_in_the_persons_language(api: Any, world: World) -> None:
    User.objects.filter(pk=world.member.pk).update(language="zh-hans")
    client = api(world.member).client
    r = client.get("/api/v1/me", HTTP_ACCEPT_LANGUAGE="en")
    assert r["Content-Language"] == "zh-hans"
    assert (
        api(world.owner).client.get("/api/v1/me", HTTP_ACCEPT_LANGUAGE="en")["Content-Language"]
        == "en"
    )


def test_a_write_without_credentials_is_401_even_with_csrf_checks(world: World) -> None:
    browser = Client(enforce_csrf_checks=True)
    r = browser.post("/api/v1/workspaces", {"name": "X"}, content_type="application/json")
    assert_error(r, 401)
    r = browser.post(
        "/api/v1/workspaces",
        {"name": "X"},
        content_type="application/json",
        HTTP_AUTHORIZATION="Bearer keel_wrong",
    )
    assert_error(r, 401)
