"""Notifications, notification settings and a project's alert settings, through the API. A
person only ever sees their own notifications: anyone else's is 404."""

from __future__ import annotations

from typing import Any

import pytest

from keel.apps.accounts.models import User
from keel.apps.notifications.models import Notification, NotificationKind
from keel.apps.notifications.services import notify
from keel.apps.planning.services import task_create

from ..conftest import ROLES, World
from .helpers import PROJECT_MANAGE, PROJECT_VIEW, assert_error, expect


def _tell(user: User, title: str, **kw: Any) -> Notification:
    [row] = notify(
        recipients=[user],
        kind=NotificationKind.TASK_OVERDUE,
        text=lambda: (title, f"About {title}."),
        **kw,
    )
    return row


@pytest.fixture
def mine(world: World) -> list[Notification]:
    """Three notifications of the member (the newest last), one of the manager."""
    rows = [_tell(world.member, f"N{i}", project=world.project) for i in range(3)]
    _tell(world.manager, "Theirs")
    return rows


@pytest.mark.parametrize(
    "method,path",
    [
        ("GET", "/notifications"),
        ("POST", "/notifications/read-all"),
        ("POST", "/notifications/1/read"),
        ("GET", "/me/notification-settings"),
        ("PUT", "/me/notification-settings"),
        ("GET", "/projects/{p}/alert-settings"),
        ("PUT", "/projects/{p}/alert-settings"),
    ],
)
def test_anonymous_calls_are_401(api: Any, world: World, method: str, path: str) -> None:
    r = api(None).call(method, path.format(p=world.project.pk), {"version": 1})
    assert_error(r, 401)


def test_list_is_ones_own_newest_first_and_paged(
    api: Any, world: World, mine: list[Notification]
) -> None:
    r = api(world.member).get("/notifications", limit=2)
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["count"] == 3
    assert [n["title"] for n in body["items"]] == ["N2", "N1"]
    item = body["items"][0]
    assert item["kind"] == "task_overdue" and item["project_id"] == world.project.pk
    assert item["read_at"] is None and item["body"] == "About N2."
    assert set(item) >= {"target_type", "target_id", "url", "data", "actor_id", "emailed_at"}
    assert api(world.member).get("/notifications", offset=2).json()["items"][0]["title"] == "N0"
    theirs = api(world.manager).get("/notifications").json()
    assert [n["title"] for n in theirs["items"]] == ["Theirs"]


def test_the_unread_filter(api: Any, world: World, mine: list[Notification]) -> None:
    client = api(world.member)
    assert client.post(f"/notifications/{mine[0].pk}/read").status_code == 200
    unread = client.get("/notifications", unread="true").json()
    assert [n["title"] for n in unread["items"]] == ["N2", "N1"]
    read = client.get("/notifications", unread="false").json()
    assert [n["title"] for n in read["items"]] == ["N0"]
    assert_error(client.get("/notifications", unread="maybe"), 422)
    assert_error(client.get("/notifications", limit=500), 422)


def test_mark_one_read(api: Any, world: World, mine: list[Notification]) -> None:
    client = api(world.member)
    r = client.post(f"/notifications/{mine[1].pk}/read")
    assert r.status_code == 200, r.content
    first = r.json()["read_at"]
    assert first is not None
    again = client.post(f"/notifications/{mine[1].pk}/read").json()
    assert again["read_at"] == first  # already read: unchanged


def test_someone_elses_notification_is_not_found(
    api: Any, world: World, mine: list[Notification]
) -> None:
    theirs = Notification.objects.get(recipient=world.manager)
    for role in ROLES:
        if role == "manager":
            continue
        assert_error(api(world.user(role)).post(f"/notifications/{theirs.pk}/read"), 404)
    assert_error(api(world.manager).post("/notifications/999999/read"), 404)
    assert_error(api(world.manager).post("/notifications/0/read"), 422)
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_read_all_is_ones_own(api: Any, world: World, mine: list[Notification]) -> None:
    r = api(world.member).post("/notifications/read-all")
    assert r.status_code == 200, r.content
    assert r.json() == {"count": 3}
    assert api(world.member).post("/notifications/read-all").json() == {"count": 0}
    assert Notification.objects.get(recipient=world.manager).read_at is None


def test_notification_settings(api: Any, world: World) -> None:
    client = api(world.member)
    r = client.get("/me/notification-settings")
    assert r.status_code == 200, r.content
    assert r.json() == {"email_enabled": True, "email_mode": "immediate", "version": 1}
    r = client.put(
        "/me/notification-settings", {"email_enabled": True, "email_mode": "digest", "version": 1}
    )
    assert r.status_code == 200, r.content
    assert r.json() == {"email_enabled": True, "email_mode": "digest", "version": 2}
    stale = client.put(
        "/me/notification-settings", {"email_enabled": False, "email_mode": "digest", "version": 1}
    )
    assert_error(stale, 409, "version_conflict")
    assert_error(
        client.put("/me/notification-settings", {"email_enabled": False, "email_mode": "weekly"}),
        422,
        field="email_mode",
    )
    assert_error(client.put("/me/notification-settings", {"email_mode": "digest"}), 422)
    # Someone else's settings are untouched, and still the defaults.
    other = api(world.manager).get("/me/notification-settings").json()
    assert other["email_mode"] == "immediate"


@pytest.mark.parametrize("role", ROLES)
def test_alert_settings_read_by_the_project(api: Any, world: World, role: str) -> None:
    r = api(world.user(role)).get(f"/projects/{world.project.pk}/alert-settings")
    assert r.status_code == PROJECT_VIEW[role], r.content
    if r.status_code == 200:
        assert r.json() == {
            "project_id": world.project.pk,
            "milestone_slip_days": 0,
            "version": 1,
        }


@pytest.mark.parametrize("role", ROLES)
def test_alert_settings_set_by_managers(api: Any, world: World, role: str) -> None:
    r = api(world.user(role)).put(
        f"/projects/{world.project.pk}/alert-settings", {"milestone_slip_days": 3, "version": 1}
    )
    assert r.status_code == expect(PROJECT_MANAGE, role, 200), r.content
    if r.status_code == 200:
        assert r.json()["milestone_slip_days"] == 3 and r.json()["version"] == 2


def test_alert_settings_refusals(api: Any, world: World) -> None:
    client = api(world.manager)
    path = f"/projects/{world.project.pk}/alert-settings"
    assert_error(client.put(path, {"milestone_slip_days": -1}), 422, field="milestone_slip_days")
    assert_error(client.put(path, {"milestone_slip_days": 366}), 422, field="milestone_slip_days")
    assert client.put(path, {"milestone_slip_days": 2, "version": 1}).status_code == 200
    assert_error(client.put(path, {"milestone_slip_days": 4, "version": 1}), 409)
    assert_error(client.put("/projects/999999/alert-settings", {"milestone_slip_days": 1}), 404)


def test_an_api_assignment_names_the_caller_and_spares_them(api: Any, world: World) -> None:
    r = api(world.manager).post(
        f"/projects/{world.project.pk}/tasks",
        {"name": "Wire", "assignee_ids": [world.member.pk, world.manager.pk]},
    )
    assert r.status_code == 201, r.content
    assert not Notification.objects.filter(recipient=world.manager).exists()
    [item] = api(world.member).get("/notifications").json()["items"]
    assert item["kind"] == "task_assigned" and item["actor_id"] == world.manager.pk
    assert item["target_type"] == "planning.task" and item["target_id"] == r.json()["id"]
    assert item["url"] == f"/tasks/{r.json()['id']}/"
    assert item["body"].startswith("Manager assigned you")


def test_list_queries_do_not_grow(api: Any, world: World) -> None:
    client = api(world.member)
    task = task_create(actor=world.owner, project=world.project, name="T")
    client.get("/notifications")  # the token's first use is recorded once
    few, _ = client.queries("/notifications")
    for i in range(15):
        _tell(world.member, f"X{i}", project=world.project, target=task)
    many, body = client.queries("/notifications")
    assert body["count"] == 15
    assert few == many
