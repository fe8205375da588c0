"""The Gantt chart page: who may open it, what it hands its script (the URLs, the CSRF token,
the words in the reader's language), and the Gantt tab."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.translation import override

from keel.apps.planning.services_gantt import MSG_NON_WORKING
from tests.conftest import ROLES, World

from .conftest import Plan, content

SEE = {"owner", "admin", "manager", "member", "viewer"}


def _url(world: World) -> str:
    return reverse("planning:gantt", args=[world.project.pk])


def _strings(html: str) -> dict[str, str]:
    match = re.search(
        r'<script id="keel-gantt-strings" type="application/json">(.*?)</script>', html
    )
    assert match, "the page hands its script its words"
    strings: dict[str, str] = json.loads(match.group(1))
    return strings


@pytest.mark.parametrize("role", ROLES)
def test_gantt_page_per_role(world: World, plan: Plan, login: Any, role: str) -> None:
    response = login(world.user(role)).get(_url(world))
    assert response.status_code == (200 if role in SEE else 404)


def test_gantt_page_sends_anonymous_visitors_to_sign_in(world: World) -> None:
    response = Client().get(_url(world))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_gantt_page_is_read_only(world: World, login: Any) -> None:
    assert login(world.manager).post(_url(world)).status_code == 405


def test_gantt_page_hands_the_script_its_urls(world: World, plan: Plan, login: Any) -> None:
    html = content(login(world.member).get(_url(world)))
    assert f'data-data-url="/api/v1/projects/{world.project.pk}/gantt"' in html
    assert 'data-reschedule-url="/api/v1/tasks/{id}/reschedule"' in html
    assert 'data-task-url="/tasks/{id}/"' in html
    assert re.search(r'data-csrf="[^"]{32,}"', html)
    assert "keel/gantt.js" in html and "keel/gantt.css" in html
    # The data is fetched while the script loads.
    assert f'rel="preload" href="/api/v1/projects/{world.project.pk}/gantt"' in html
    # No inline script: the policy blocks them; the words are JSON data.
    assert not re.search(r"<script(?![^>]*(src=|application/json))", html)
    strings = _strings(html)
    assert strings["non_working"] == str(MSG_NON_WORKING)
    assert "%(date)s" in strings["move_tip"]


def test_gantt_page_speaks_the_readers_language(world: World, plan: Plan, login: Any) -> None:
    world.member.language = "zh-hans"
    world.member.save(update_fields=["language"])
    html = content(login(world.member).get(_url(world)))
    with override("zh-hans"):
        assert _strings(html)["non_working"] == str(MSG_NON_WORKING)


def test_gantt_tab_is_on_every_project_page(world: World, plan: Plan, login: Any) -> None:
    tree = content(login(world.viewer).get(reverse("planning:tree", args=[world.project.pk])))
    assert f'href="{_url(world)}"' in tree
    page = content(login(world.viewer).get(_url(world)))
    assert re.search(rf'class="nav-link active" aria-current="page" href="{_url(world)}"', page)


def test_gantt_page_says_who_may_drag(world: World, plan: Plan, login: Any) -> None:
    assert "Drag a bar" in content(login(world.member).get(_url(world)))
    viewer = content(login(world.viewer).get(_url(world)))
    assert "Drag a bar" not in viewer
    assert "You can look at this chart" in viewer
