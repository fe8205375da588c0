"""The bell (one query, whatever the count), the notification list and dropdown, marking
read under htmx, opening one, the e-mail settings page and a project's alert settings page."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from keel.apps.accounts.models import User
from keel.apps.notifications.models import Notification, NotificationKind, NotificationSettings
from keel.apps.notifications.services import notify
from tests.conftest import ROLES, World

from .conftest import Plan, content

HTMX = {"HTTP_HX_REQUEST": "true"}
SEE = {"owner", "admin", "manager", "member", "viewer"}
MANAGE = {"owner", "admin", "manager"}


def _tell(user: User, title: str, url: str = "/my-work/", **kw: Any) -> Notification:
    [row] = notify(
        recipients=[user],
        kind=NotificationKind.TASK_OVERDUE,
        text=lambda: (title, f"About {title}."),
        url=url,
        **kw,
    )
    return row


def _notification_queries(client: Client, url: str) -> tuple[int, int]:
    """(all queries, queries on the notifications table) of a GET."""
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url)
    assert r.status_code == 200
    table = Notification._meta.db_table
    return len(ctx.captured_queries), sum(table in q["sql"] for q in ctx.captured_queries)


# ---------------------------------------------------------------- the bell


def test_the_bell_shows_the_unread_count(world: World, login: Any) -> None:
    client = login(world.member)
    page = content(client.get(reverse("projects:list")))
    assert 'data-testid="bell"' in page
    assert 'id="keel-bell-count" class="badge bg-red text-red-fg badge-notification d-none"' in page
    for i in range(3):
        _tell(world.member, f"N{i}")
    _tell(world.manager, "Theirs")
    page = content(client.get(reverse("projects:list")))
    assert "badge-notification d-none" not in page
    assert '>3<span class="visually-hidden"> unread notifications</span>' in page
    assert reverse("notifications:settings") in page  # in the user menu


def test_the_bell_costs_one_query_however_many(world: World, login: Any) -> None:
    client = login(world.member)
    url = reverse("projects:list")
    client.get(url)  # warm the session
    _tell(world.member, "One")
    few, on_table = _notification_queries(client, url)
    assert on_table == 1
    for i in range(25):
        _tell(world.member, f"N{i}")
    many, on_table = _notification_queries(client, url)
    assert (many, on_table) == (few, 1)


def test_htmx_fragments_do_not_count(world: World, login: Any, plan: Plan) -> None:
    client = login(world.owner)
    r = client.get(reverse("planning:tree", args=[world.project.pk]), **HTMX)
    assert r.status_code == 200 and 'data-testid="bell"' not in content(r)


def test_anonymous_pages_have_no_bell(client: Client, db: Any) -> None:
    r = client.get(reverse("account_login"))
    assert 'data-testid="bell"' not in content(r)
    r = client.get(reverse("notifications:list"))
    assert r.status_code == 302 and reverse("account_login") in r["Location"]


# ---------------------------------------------------------------- the list and the dropdown


def test_the_menu_lists_ones_latest(world: World, login: Any) -> None:
    for i in range(10):
        _tell(world.member, f"Mine {i}")
    _tell(world.manager, "Theirs")
    r = login(world.member).get(reverse("notifications:menu"), **HTMX)
    assert r.status_code == 200
    page = content(r)
    assert page.count('data-testid="bell-item"') == 8
    assert "Mine 9" in page and "Mine 1" not in page and "Theirs" not in page


def test_the_list_page_and_its_unread_filter(world: World, login: Any) -> None:
    rows = [_tell(world.member, f"Mine {i}") for i in range(3)]
    _tell(world.manager, "Theirs")
    client = login(world.member)
    client.post(reverse("notifications:read", args=[rows[0].pk]))
    page = content(client.get(reverse("notifications:list")))
    assert page.count('data-testid="notification"') == 3 and "Theirs" not in page
    unread = client.get(reverse("notifications:list"), {"unread": "1"}, **HTMX)
    fragment = content(unread)
    assert fragment.startswith('<div id="notifications">')
    assert "Mine 2" in fragment and "Mine 0" not in fragment


def test_mark_read_under_htmx_answers_the_row_and_the_new_count(world: World, login: Any) -> None:
    rows = [_tell(world.member, f"Mine {i}") for i in range(2)]
    client = login(world.member)
    r = client.post(reverse("notifications:read", args=[rows[1].pk]), **HTMX)
    assert r.status_code == 200
    page = content(r)
    assert page.startswith(f'<div class="list-group-item" id="notification-{rows[1].pk}"')
    assert 'data-testid="mark-read"' not in page  # read now
    assert 'id="keel-bell-count"' in page and 'hx-swap-oob="true"' in page and ">1<" in page
    rows[1].refresh_from_db()
    assert rows[1].read_at is not None
    # Without htmx: back to where the person was.
    r = client.post(
        reverse("notifications:read", args=[rows[0].pk]), {"next": "/notifications/?unread=1"}
    )
    assert r.status_code == 302 and r["Location"] == "/notifications/?unread=1"
    r = client.post(
        reverse("notifications:read", args=[rows[0].pk]), {"next": "https://evil.example/"}
    )
    assert r["Location"] == reverse("notifications:list")


def test_mark_all_read(world: World, login: Any) -> None:
    for i in range(3):
        _tell(world.member, f"Mine {i}")
    theirs = _tell(world.manager, "Theirs")
    client = login(world.member)
    r = client.post(reverse("notifications:read_all"), {"show": "menu"}, **HTMX)
    assert r.status_code == 200
    page = content(r)
    assert 'data-testid="bell-menu"' in page and "badge-notification d-none" in page
    assert not Notification.objects.filter(recipient=world.member, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None
    r = client.post(reverse("notifications:read_all"))
    assert r.status_code == 302


def test_opening_one_marks_it_read_and_goes_to_it(world: World, login: Any, plan: Plan) -> None:
    url = reverse("planning:task", args=[plan.code.pk])
    row = _tell(world.member, "Code is late", url=url)
    client = login(world.member)
    r = client.post(reverse("notifications:open", args=[row.pk]))
    assert r.status_code == 302 and r["Location"] == url
    row.refresh_from_db()
    assert row.read_at is not None
    assert client.get(reverse("notifications:open", args=[row.pk])).status_code == 405
    bad = _tell(world.member, "Elsewhere", url="https://evil.example/")
    r = client.post(reverse("notifications:open", args=[bad.pk]))
    assert r["Location"] == reverse("notifications:list")


@pytest.mark.parametrize("name", ["read", "open"])
def test_someone_elses_notification_is_404(world: World, login: Any, name: str) -> None:
    theirs = _tell(world.manager, "Theirs")
    r = login(world.member).post(reverse(f"notifications:{name}", args=[theirs.pk]))
    assert r.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


# ---------------------------------------------------------------- settings


def test_the_settings_page(world: World, login: Any) -> None:
    client = login(world.member)
    url = reverse("notifications:settings")
    page = content(client.get(url))
    assert 'name="email_enabled"' in page and 'value="digest"' in page
    r = client.post(url, {"email_enabled": "on", "email_mode": "digest", "version": "1"})
    assert r.status_code == 302
    row = NotificationSettings.objects.get(user=world.member)
    assert (row.email_enabled, row.email_mode, row.version) == (True, "digest", 2)
    r = client.post(url, {"email_mode": "immediate", "version": "1"})
    assert r.status_code == 409
    assert "Someone else changed this" in content(r)
    r = client.post(url, {"email_mode": "weekly", "version": "2"})
    assert r.status_code == 422
    r = client.post(url, {"email_mode": "immediate", "version": "2"})  # unticked: no e-mail
    assert r.status_code == 302
    row.refresh_from_db()
    assert (row.email_enabled, row.email_mode) == (False, "immediate")


@pytest.mark.parametrize("role", ROLES)
def test_the_project_alerts_page_by_role(world: World, login: Any, role: str) -> None:
    client = login(world.user(role))
    url = reverse("notifications:project_alerts", args=[world.project.pk])
    r = client.get(url)
    assert r.status_code == (200 if role in SEE else 404)
    if r.status_code == 200:
        has_form = 'name="milestone_slip_days"' in content(r)
        assert has_form is (role in MANAGE)
    r = client.post(url, {"milestone_slip_days": "2", "version": "1"})
    assert r.status_code == (302 if role in MANAGE else 403 if role in SEE else 404)


def test_the_project_alerts_page_saves_and_refuses(world: World, login: Any) -> None:
    client = login(world.manager)
    url = reverse("notifications:project_alerts", args=[world.project.pk])
    assert client.post(url, {"milestone_slip_days": "400", "version": "1"}).status_code == 422
    assert client.post(url, {"milestone_slip_days": "3", "version": "1"}).status_code == 302
    r = client.post(url, {"milestone_slip_days": "5", "version": "1"})
    assert r.status_code == 409
    assert 'value="3"' in content(r)  # the current value, to decide again
    viewer_page = content(login(world.viewer).get(url))
    assert '<div class="datagrid-content" data-testid="threshold">3</div>' in viewer_page


def test_the_overview_links_to_the_alerts_page(world: World, login: Any) -> None:
    url = reverse("web:project_overview", args=[world.project.pk])
    page = content(login(world.member).get(url))
    assert reverse("notifications:project_alerts", args=[world.project.pk]) in page
