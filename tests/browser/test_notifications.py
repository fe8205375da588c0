"""The bell in a real browser: its count, the dropdown htmx loads when it opens, marking all
read from it (the count goes), and opening one; nothing the content security policy blocks."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from keel.apps.notifications.models import NotificationKind
from keel.apps.notifications.services import notify
from keel.apps.planning.services import task_create
from tests.conftest import PASSWORD, World


def _sign_in(page: Any, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_login", email)
    page.fill("#id_password", PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/projects/$"))


@pytest.mark.django_db(transaction=True)
def test_the_bell(page: Any, chromium_browser: Any, live_server: Any, world: World) -> None:
    task = task_create(
        actor=world.owner, project=world.project, name="Design", assignee_ids=[world.member.pk]
    )
    notify(
        recipients=[world.member],
        kind=NotificationKind.TASK_OVERDUE,
        text=lambda: ("Task “Design” is overdue", "It was due on Friday."),
        project=world.project,
        url=f"/tasks/{task.pk}/",
    )
    base = live_server.url
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    _sign_in(page, base, world.member.email)
    count = page.get_by_test_id("bell-count")
    expect(count).to_contain_text("2")
    page.get_by_test_id("bell").locator("a.nav-link").click()
    menu = page.get_by_test_id("bell-menu")
    expect(menu).to_be_visible()
    expect(menu.get_by_test_id("bell-item")).to_have_count(2)
    expect(menu).to_contain_text("You were assigned to “Design”")
    menu.get_by_role("button", name="Mark all as read").click()
    expect(count).to_be_hidden()
    expect(page.get_by_test_id("bell-menu")).to_be_visible()

    # Opening one goes to its task.
    page.get_by_test_id("bell-item").first.click()
    page.wait_for_url(re.compile(rf"/tasks/{task.pk}/$"))
    assert not errors, errors
