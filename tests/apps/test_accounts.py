"""Accounts: tokens, sessions, sign-in, deactivation, workspace membership rules."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from keel.apps.accounts.models import ApiToken, UserSession, WorkspaceMembership, WorkspaceRole
from keel.apps.accounts.selectors import user_for_token
from keel.apps.accounts.services import (
    MSG_LAST_OWNER,
    MSG_OWNER_ONLY,
    session_revoke,
    token_create,
    token_revoke,
    user_create,
    user_deactivate,
    workspace_member_add,
    workspace_member_update,
)
from keel.common.errors import PermissionDenied, ValidationFailed

from ..conftest import World
from ..factories import PASSWORD, UserFactory


def test_token_is_shown_once_and_stored_hashed(db: object) -> None:
    user = UserFactory()
    token, secret = token_create(actor=user, name="ci")
    assert secret.startswith("keel_") and secret not in token.digest
    assert ApiToken.objects.filter(digest__contains=secret).count() == 0
    assert user_for_token(secret) == user
    token_revoke(actor=user, token=token)
    assert user_for_token(secret) is None


def test_expired_token_and_inactive_user_do_not_authenticate(db: object) -> None:
    user = UserFactory()
    token, secret = token_create(actor=user, name="x", days=1)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert user_for_token(secret) is None
    _t, secret2 = token_create(actor=user, name="y")
    user.is_active = False
    user.save()
    assert user_for_token(secret2) is None
    assert user_for_token("keel_not-a-token") is None
    assert user_for_token("garbage") is None


def test_sign_in_rotates_session_and_records_it(db: object) -> None:
    user = UserFactory(email="sam@example.com")
    c = Client()
    c.get("/accounts/login/")
    before = c.cookies.get("sessionid")
    r = c.post("/accounts/login/", {"login": "sam@example.com", "password": PASSWORD})
    assert r.status_code == 302
    after = c.cookies["sessionid"].value
    assert before is None or before.value != after
    assert UserSession.objects.filter(user=user, session_key=after).exists()


def test_wrong_password_is_refused(db: object) -> None:
    UserFactory(email="sam@example.com")
    r = Client().post("/accounts/login/", {"login": "sam@example.com", "password": "nope"})
    assert r.status_code == 200 and "_auth_user_id" not in r.client.session


def test_revoking_a_session_signs_that_browser_out(db: object) -> None:
    user = UserFactory(email="sam@example.com")
    phone, laptop = Client(), Client()
    for c in (phone, laptop):
        c.post("/accounts/login/", {"login": "sam@example.com", "password": PASSWORD})
    phone_key = phone.cookies["sessionid"].value
    row = UserSession.objects.get(session_key=phone_key)
    session_revoke(actor=user, session_id=row.pk)
    assert not Session.objects.filter(session_key=phone_key).exists()
    assert UserSession.objects.filter(user=user).count() == 1
    other = UserFactory()
    with pytest.raises(Exception):  # noqa: B017  (NotFound: another person's session)
        session_revoke(actor=other, session_id=UserSession.objects.get(user=user).pk)


def test_deactivation_ends_sessions_and_tokens(db: object) -> None:
    user = UserFactory(email="sam@example.com")
    c = Client()
    c.post("/accounts/login/", {"login": "sam@example.com", "password": PASSWORD})
    _token, secret = token_create(actor=user, name="x")
    user_deactivate(actor=user, user=user)
    assert not Session.objects.exists()
    assert user_for_token(secret) is None
    assert c.get("/projects/").status_code == 302  # back to sign-in


def test_user_create_validates(db: object) -> None:
    with pytest.raises(ValidationFailed) as exc:
        user_create(email="not-an-email", password="x", language="fr", timezone_name="Nowhere")
    assert {"email", "language", "timezone"} <= set(exc.value.fields)
    user_create(email="a@example.com", password="x")
    with pytest.raises(ValidationFailed):
        user_create(email="A@example.com", password="x")


def test_owner_rules(world: World) -> None:
    admin_m = WorkspaceMembership.objects.get(workspace=world.workspace, user=world.admin)
    with pytest.raises(PermissionDenied) as exc:
        workspace_member_update(actor=world.admin, membership=admin_m, role="owner", version=None)
    assert exc.value.message == MSG_OWNER_ONLY
    owner_m = WorkspaceMembership.objects.get(workspace=world.workspace, user=world.owner)
    with pytest.raises(ValidationFailed) as exc2:
        workspace_member_update(actor=world.owner, membership=owner_m, role="admin", version=None)
    assert str(MSG_LAST_OWNER) in exc2.value.fields["role"]


def test_member_cannot_add_members(world: World) -> None:
    with pytest.raises(PermissionDenied):
        workspace_member_add(
            actor=world.member, workspace=world.workspace, email=world.outsider.email
        )
    m = workspace_member_add(
        actor=world.admin,
        workspace=world.workspace,
        email=world.outsider.email,
        role=WorkspaceRole.GUEST,
    )
    assert m.role == "guest"


def test_healthz(client: Client, db: object) -> None:
    r = client.get("/healthz")
    assert r.status_code == 200 and r.json() == {"status": "ok", "database": "ok"}


def test_healthz_reports_a_dead_database(client: Client, db: object, monkeypatch: object) -> None:
    class DeadConnection:
        def cursor(self) -> None:
            raise RuntimeError("database is gone")

    monkeypatch.setattr("keel.web.views.connection", DeadConnection())  # type: ignore[attr-defined]
    r = client.get("/healthz")
    assert r.status_code == 503 and r.json()["database"] == "unavailable"


def test_password_reset_mail_is_sent(db: object, mailoutbox: list[object]) -> None:
    UserFactory(email="sam@example.com")
    r = Client().post("/accounts/password/reset/", {"email": "sam@example.com"})
    assert r.status_code == 302
    assert len(mailoutbox) == 1
    assert "sam@example.com" in mailoutbox[0].to  # type: ignore[attr-defined]


def test_failed_sign_ins_are_rate_limited(db: object, settings: object) -> None:
    from django.core.cache import cache

    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "3/m/ip"}  # type: ignore[attr-defined]
    cache.clear()
    UserFactory(email="sam@example.com")
    c = Client()
    for _ in range(3):
        c.post("/accounts/login/", {"login": "sam@example.com", "password": "wrong"})
    # Now even the right password is refused until the window passes.
    r = c.post("/accounts/login/", {"login": "sam@example.com", "password": PASSWORD})
    assert "_auth_user_id" not in c.session
    assert r.status_code in (200, 429)
    assert b"Too many" in r.content or r.status_code == 429
    cache.clear()


def test_two_factor_page_is_there_for_signed_in_people(db: object) -> None:
    user = UserFactory()
    c = Client()
    c.force_login(user)
    assert c.get("/accounts/2fa/").status_code == 200
    assert Client().get("/accounts/2fa/").status_code == 302


def test_logout_ends_the_session_on_the_server(db: object) -> None:
    user = UserFactory(email="sam@example.com")
    c = Client()
    c.post("/accounts/login/", {"login": "sam@example.com", "password": PASSWORD})
    key = c.cookies["sessionid"].value
    c.post("/accounts/logout/")
    assert not Session.objects.filter(session_key=key).exists()
    assert not UserSession.objects.filter(user=user).exists()


def test_changing_the_password_keeps_this_browser_in_the_sessions_list(db: object) -> None:
    user = UserFactory(email="sam@example.com")
    c = Client()
    c.post("/accounts/login/", {"login": "sam@example.com", "password": PASSWORD})
    old = c.cookies["sessionid"].value
    r = c.post(
        "/accounts/password/change/",
        {
            "oldpassword": PASSWORD,
            "password1": "a-new-long-secret-77",
            "password2": "a-new-long-secret-77",
        },
    )
    assert r.status_code == 302
    new = c.cookies["sessionid"].value
    assert new != old
    assert list(UserSession.objects.filter(user=user).values_list("session_key", flat=True)) == [
        new
    ]
