"""Account pages change what they say they change, and show the services' refusals."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from keel.apps.accounts.models import (
    ApiToken,
    UserSession,
    Workspace,
    WorkspaceMembership,
    WorkspaceRole,
)
from keel.apps.accounts.selectors import token_digest
from keel.apps.accounts.services import MSG_LAST_OWNER, MSG_NO_SUCH_USER
from tests.conftest import World
from tests.factories import PASSWORD

from .conftest import content


def test_profile_is_saved(world: World, login: Any) -> None:
    client = login(world.member)
    response = client.post(
        reverse("accounts:settings"),
        {"name": "Mei Lin", "language": "zh-hans", "timezone": "Asia/Shanghai", "version": 1},
    )
    assert response.status_code == 302
    world.member.refresh_from_db()
    assert (world.member.name, world.member.language, world.member.timezone) == (
        "Mei Lin",
        "zh-hans",
        "Asia/Shanghai",
    )


def test_profile_refuses_an_unknown_time_zone(world: World, login: Any) -> None:
    response = login(world.member).post(
        reverse("accounts:settings"),
        {"name": "X", "language": "en", "timezone": "Mars/Olympus", "version": 1},
    )
    assert response.status_code == 422
    world.member.refresh_from_db()
    assert world.member.name == "Member"


def test_profile_saved_from_a_stale_page_is_409_and_keeps_the_newer_values(
    world: World, login: Any
) -> None:
    client = login(world.member)
    url = reverse("accounts:settings")
    ok = client.post(url, {"name": "First", "language": "en", "timezone": "UTC", "version": 1})
    assert ok.status_code == 302
    stale = client.post(url, {"name": "Lost", "language": "en", "timezone": "UTC", "version": 1})
    assert stale.status_code == 409
    world.member.refresh_from_db()
    assert world.member.name == "First"


def test_settings_links_to_the_password_change(world: World, login: Any) -> None:
    html = content(login(world.member).get(reverse("accounts:settings")))
    assert reverse("account_change_password") in html


def test_token_secret_is_shown_once(world: World, login: Any) -> None:
    client = login(world.member)
    response = client.post(reverse("accounts:tokens"), {"name": "CI", "days": "30"})
    assert response.status_code == 201
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    html = content(response)
    token = ApiToken.objects.get(user=world.member, name="CI")
    secret = html.split('data-testid="token-secret">')[1].split("<")[0]
    assert token.digest == token_digest(secret)
    assert secret not in content(client.get(reverse("accounts:tokens")))


def test_token_needs_a_name(world: World, login: Any) -> None:
    response = login(world.member).post(reverse("accounts:tokens"), {"name": "", "days": "30"})
    assert response.status_code == 422
    assert not ApiToken.objects.filter(user=world.member).exists()


def test_token_revoke(world: World, login: Any) -> None:
    client = login(world.member)
    client.post(reverse("accounts:tokens"), {"name": "CI", "days": "30"})
    token = ApiToken.objects.get(user=world.member)
    assert client.post(reverse("accounts:token_revoke", args=[token.pk])).status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_nobody_revokes_another_persons_token(world: World, login: Any) -> None:
    login(world.member).post(reverse("accounts:tokens"), {"name": "CI", "days": "30"})
    token = ApiToken.objects.get(user=world.member)
    response = login(world.owner).post(reverse("accounts:token_revoke", args=[token.pk]))
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def _browser(email: str, agent: str) -> Client:
    """Sign in through the sign-in form, as a browser does (so the session is recorded)."""
    client = Client(HTTP_USER_AGENT=agent)
    response = client.post(reverse("account_login"), {"login": email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def test_sessions_list_marks_this_browser_and_revokes_another(world: World) -> None:
    laptop = _browser(world.member.email, "Laptop browser")
    _browser(world.member.email, "Phone browser")
    page = content(laptop.get(reverse("accounts:sessions")))
    assert "Laptop browser" in page and "Phone browser" in page
    assert page.count("This browser") == 1
    phone = UserSession.objects.get(user=world.member, user_agent="Phone browser")
    response = laptop.post(reverse("accounts:session_revoke", args=[phone.pk]))
    assert response.status_code == 302
    assert not UserSession.objects.filter(pk=phone.pk).exists()
    assert UserSession.objects.filter(user=world.member, user_agent="Laptop browser").exists()


def test_nobody_revokes_another_persons_session(world: World, login: Any) -> None:
    _browser(world.member.email, "Phone browser")
    session = UserSession.objects.get(user=world.member)
    response = login(world.owner).post(reverse("accounts:session_revoke", args=[session.pk]))
    assert response.status_code == 404
    assert UserSession.objects.filter(pk=session.pk).exists()


def test_workspace_list_shows_my_role_and_creates_one(world: World, login: Any) -> None:
    client = login(world.viewer)
    assert "Guest" in content(client.get(reverse("accounts:workspaces")))
    response = client.post(reverse("accounts:workspaces"), {"name": "Side project", "slug": ""})
    ws = Workspace.objects.get(name="Side project")
    assert response.status_code == 302
    assert (
        WorkspaceMembership.objects.get(workspace=ws, user=world.viewer).role == WorkspaceRole.OWNER
    )


def test_workspace_slug_taken_is_a_field_error(world: World, login: Any) -> None:
    response = login(world.viewer).post(
        reverse("accounts:workspaces"), {"name": "Again", "slug": world.workspace.slug}
    )
    assert response.status_code == 422
    assert "This short name is taken." in content(response)


def test_admin_adds_changes_and_removes_a_member(world: World, login: Any) -> None:
    client = login(world.admin)
    ws = world.workspace
    response = client.post(
        reverse("accounts:member_add", args=[ws.pk]),
        {"email": world.outsider.email, "role": "member"},
    )
    assert response.status_code == 302
    m = WorkspaceMembership.objects.get(workspace=ws, user=world.outsider)
    response = client.post(
        reverse("accounts:member_role", args=[ws.pk, m.pk]), {"role": "guest", "version": m.version}
    )
    assert response.status_code == 302
    m.refresh_from_db()
    assert m.role == WorkspaceRole.GUEST
    assert client.post(reverse("accounts:member_remove", args=[ws.pk, m.pk])).status_code == 302
    assert not WorkspaceMembership.objects.filter(pk=m.pk).exists()


def test_add_member_with_unknown_email_is_a_field_error(world: World, login: Any) -> None:
    response = login(world.owner).post(
        reverse("accounts:member_add", args=[world.workspace.pk]),
        {"email": "nobody@example.com", "role": "member"},
    )
    assert response.status_code == 422
    assert str(MSG_NO_SUCH_USER) in content(response)


def test_members_cannot_manage_members(world: World, login: Any) -> None:
    url = reverse("accounts:member_add", args=[world.workspace.pk])
    data = {"email": world.outsider.email, "role": "member"}
    assert login(world.member).post(url, data).status_code == 403
    assert login(world.viewer).post(url, data).status_code == 403
    assert login(world.outsider).post(url, data).status_code == 404
    assert not WorkspaceMembership.objects.filter(
        user=world.outsider, workspace=world.workspace
    ).exists()


def test_admin_cannot_grant_owner(world: World, login: Any) -> None:
    m = WorkspaceMembership.objects.get(workspace=world.workspace, user=world.member)
    response = login(world.admin).post(
        reverse("accounts:member_role", args=[world.workspace.pk, m.pk]),
        {"role": "owner", "version": m.version},
    )
    assert response.status_code == 403
    m.refresh_from_db()
    assert m.role == WorkspaceRole.MEMBER


def test_last_owner_cannot_leave(world: World, login: Any) -> None:
    m = WorkspaceMembership.objects.get(workspace=world.workspace, user=world.owner)
    response = login(world.owner).post(
        reverse("accounts:member_remove", args=[world.workspace.pk, m.pk])
    )
    assert response.status_code == 422
    assert str(MSG_LAST_OWNER) in content(response)
    assert WorkspaceMembership.objects.filter(pk=m.pk).exists()


def test_stale_role_change_is_a_conflict(world: World, login: Any) -> None:
    m = WorkspaceMembership.objects.get(workspace=world.workspace, user=world.member)
    response = login(world.owner).post(
        reverse("accounts:member_role", args=[world.workspace.pk, m.pk]),
        {"role": "admin", "version": m.version + 5},
    )
    assert response.status_code == 409
    m.refresh_from_db()
    assert m.role == WorkspaceRole.MEMBER


def test_owner_renames_workspace(world: World, login: Any) -> None:
    ws = world.workspace
    url = reverse("accounts:workspace_rename", args=[ws.pk])
    assert login(world.admin).post(url, {"name": "Nope", "version": ws.version}).status_code == 403
    assert (
        login(world.owner).post(url, {"name": "Renamed", "version": ws.version}).status_code == 302
    )
    ws.refresh_from_db()
    assert ws.name == "Renamed"


def test_language_switch_is_saved_for_signed_in_people(world: World, login: Any) -> None:
    client = login(world.member)
    r = client.post(reverse("accounts:language"), {"language": "zh-hans", "next": "/projects/"})
    assert r.status_code == 302 and r["Location"] == "/projects/"
    world.member.refresh_from_db()
    assert world.member.language == "zh-hans"
    page = client.get("/projects/", HTTP_ACCEPT_LANGUAGE="en")
    assert page["Content-Language"] == "zh-hans"


def test_language_switch_refuses_other_hosts_and_unknown_languages(
    world: World, login: Any
) -> None:
    client = login(world.member)
    r = client.post(
        reverse("accounts:language"), {"language": "fr", "next": "https://evil.example/"}
    )
    assert r.status_code == 302 and r["Location"] == "/"
    world.member.refresh_from_db()
    assert world.member.language == "en"


def test_language_switch_for_anonymous_sets_the_cookie(db: Any, client: Any) -> None:
    r = client.post(
        reverse("accounts:language"), {"language": "zh-hans", "next": "/accounts/login/"}
    )
    assert r.cookies["django_language"].value == "zh-hans"
    assert client.get("/accounts/login/")["Content-Language"] == "zh-hans"
