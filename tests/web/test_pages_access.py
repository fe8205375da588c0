"""Every page answers each role as docs/permissions.md says: 200 when allowed, 403 when the
project is visible but the right is missing, 404 when it is not visible, and a redirect to
sign-in for anonymous visitors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import World

from .conftest import Plan

ALL = ("owner", "admin", "manager", "member", "viewer", "ws_member", "outsider")
SEE = {"owner", "admin", "manager", "member", "viewer"}
MANAGE = {"owner", "admin", "manager"}
EDIT_TASKS = MANAGE | {"member"}

Url = Callable[[World, Plan], str]

PROJECT_PAGES: list[tuple[str, Url, set[str]]] = [
    ("overview", lambda w, p: reverse("web:project_overview", args=[w.project.pk]), SEE),
    ("tree", lambda w, p: reverse("planning:tree", args=[w.project.pk]), SEE),
    ("milestones", lambda w, p: reverse("planning:milestones", args=[w.project.pk]), SEE),
    ("members", lambda w, p: reverse("projects:members", args=[w.project.pk]), SEE),
    ("history", lambda w, p: reverse("projects:history", args=[w.project.pk]), SEE),
    ("edit", lambda w, p: reverse("projects:edit", args=[w.project.pk]), MANAGE),
    ("goal", lambda w, p: reverse("projects:goal", args=[p.goal.pk]), SEE),
    ("goal_create", lambda w, p: reverse("projects:goal_create", args=[w.project.pk]), MANAGE),
    ("goal_edit", lambda w, p: reverse("projects:goal_edit", args=[p.goal.pk]), MANAGE),
    ("goal_delete", lambda w, p: reverse("projects:goal_delete", args=[p.goal.pk]), MANAGE),
    ("goal_tasks", lambda w, p: reverse("planning:goal_tasks", args=[p.goal.pk]), MANAGE),
    ("task", lambda w, p: reverse("planning:task", args=[p.code.pk]), SEE),
    ("task_history", lambda w, p: reverse("planning:task_history", args=[p.code.pk]), SEE),
    ("task_edit", lambda w, p: reverse("planning:task_edit", args=[p.code.pk]), EDIT_TASKS),
    ("task_move", lambda w, p: reverse("planning:task_move", args=[p.code.pk]), EDIT_TASKS),
    ("task_delete", lambda w, p: reverse("planning:task_delete", args=[p.code.pk]), MANAGE),
]


def expected(role: str, allowed: set[str]) -> int:
    if role in allowed:
        return 200
    return 403 if role in SEE else 404


@pytest.mark.parametrize("role", ALL)
@pytest.mark.parametrize(
    ("name", "url", "allowed"), PROJECT_PAGES, ids=[p[0] for p in PROJECT_PAGES]
)
def test_project_pages_per_role(
    world: World, plan: Plan, login: Any, role: str, name: str, url: Url, allowed: set[str]
) -> None:
    response = login(world.user(role)).get(url(world, plan))
    assert response.status_code == expected(role, allowed)
    if response.status_code == 403:
        assert "Not allowed" in response.content.decode()


@pytest.mark.parametrize(
    ("name", "url", "allowed"), PROJECT_PAGES, ids=[p[0] for p in PROJECT_PAGES]
)
def test_project_pages_send_anonymous_visitors_to_sign_in(
    world: World, plan: Plan, name: str, url: Url, allowed: set[str]
) -> None:
    response = Client().get(url(world, plan))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


ACCOUNT_PAGES = [
    "accounts:settings",
    "accounts:sessions",
    "accounts:tokens",
    "accounts:workspaces",
    "projects:list",
    "projects:create",
]


@pytest.mark.parametrize("name", ACCOUNT_PAGES)
@pytest.mark.parametrize("role", ALL)
def test_personal_pages_open_to_everyone_signed_in(
    world: World, login: Any, role: str, name: str
) -> None:
    assert login(world.user(role)).get(reverse(name)).status_code == 200


@pytest.mark.parametrize("name", [*ACCOUNT_PAGES, "web:home"])
def test_personal_pages_send_anonymous_visitors_to_sign_in(db: Any, name: str) -> None:
    response = Client().get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize(
    ("role", "status"),
    [("owner", 200), ("admin", 200), ("manager", 200), ("viewer", 200), ("outsider", 404)],
)
def test_workspace_page(world: World, login: Any, role: str, status: int) -> None:
    response = login(world.user(role)).get(reverse("accounts:workspace", args=[world.workspace.pk]))
    assert response.status_code == status


def test_guest_sees_the_workspace_name_but_not_its_members(world: World, login: Any) -> None:
    page = login(world.viewer).get(reverse("accounts:workspace", args=[world.workspace.pk]))
    html = page.content.decode()
    assert world.workspace.name in html
    assert "owner@example.com" not in html


def test_buttons_follow_the_rights(world: World, plan: Plan, login: Any) -> None:
    overview = reverse("web:project_overview", args=[world.project.pk])
    tree = reverse("planning:tree", args=[world.project.pk])
    edit_link = reverse("projects:edit", args=[world.project.pk])
    add_form = reverse("planning:task_add", args=[world.project.pk])
    assert edit_link in login(world.manager).get(overview).content.decode()
    assert edit_link not in login(world.member).get(overview).content.decode()
    assert add_form in login(world.member).get(tree).content.decode()
    viewer_tree = login(world.viewer).get(tree).content.decode()
    assert add_form not in viewer_tree
    assert reverse("planning:task_row_edit", args=[plan.code.pk]) not in viewer_tree


def test_project_list_shows_only_visible_projects(world: World, login: Any) -> None:
    assert world.project.code in login(world.viewer).get(reverse("projects:list")).content.decode()
    assert (
        world.project.code
        not in login(world.ws_member).get(reverse("projects:list")).content.decode()
    )
