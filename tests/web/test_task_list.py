"""The task list: filters, sorting, grouping, saved views, and its query count."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from keel.apps.planning.models import SavedView, Task
from keel.apps.planning.services import task_create, task_update
from tests.conftest import World

from .conftest import Plan


def _names(html: str) -> list[str]:
    rows = html.split('data-testid="list-row"')[1:]
    return [r.split("</a>")[0].rsplit(">", 1)[-1] for r in rows]


def test_filters_sort_and_group(world: World, plan: Plan, login: Any) -> None:
    url = reverse("planning:list", args=[world.project.pk])
    client = login(world.viewer)
    assert _names(client.get(url).content.decode()) == ["Build", "Design", "Code", "Launch"]
    assert _names(client.get(url, {"milestone": "yes"}).content.decode()) == ["Launch"]
    assert _names(client.get(url, {"q": "cod"}).content.decode()) == ["Code"]
    by_finish = _names(client.get(url, {"sort": "finish", "dir": "desc"}).content.decode())
    assert by_finish[0] in ("Build", "Code", "Launch") and by_finish[-1] == "Design"
    task_update(
        actor=world.manager,
        task=plan.design,
        version=plan.design.version,
        changes={"status": "in_progress"},
    )
    grouped = client.get(url, {"group": "status"}).content.decode()
    assert grouped.count('data-testid="list-group"') == 2
    assert _names(client.get(url, {"status": "in_progress"}).content.decode()) == ["Design"]
    assert client.get(url, {"sort": "nonsense", "group": "x", "status": "y"}).status_code == 200


def test_saved_views(world: World, plan: Plan, login: Any) -> None:
    url = reverse("planning:list", args=[world.project.pk])
    member = login(world.member)
    r = member.post(url, {"name": "Just milestones", "query": "milestone=yes"})
    assert r.status_code == 302 and r["Location"].endswith("?milestone=yes")
    view = SavedView.objects.get()
    assert (view.owner, view.shared) == (world.member, False)
    assert "Just milestones" not in login(world.viewer).get(url).content.decode()
    r = member.post(url, {"name": "Team", "query": "group=assignee", "shared": "on"})
    assert not SavedView.objects.filter(name="Team").exists()  # sharing is for managers
    login(world.manager).post(url, {"name": "Team", "query": "group=assignee", "shared": "on"})
    assert "Team" in login(world.viewer).get(url).content.decode()
    viewer = login(world.viewer)
    team = SavedView.objects.get(name="Team")
    assert viewer.post(url, {"action": "delete", "view": team.pk}).status_code == 403
    assert member.post(url, {"action": "delete", "view": view.pk}).status_code == 302
    assert list(SavedView.objects.values_list("name", flat=True)) == ["Team"]


def test_list_needs_the_project(world: World, plan: Plan, login: Any) -> None:
    url = reverse("planning:list", args=[world.project.pk])
    assert login(world.outsider).get(url).status_code == 404


def test_list_queries_do_not_grow(world: World, plan: Plan, login: Any) -> None:
    url = reverse("planning:list", args=[world.project.pk])
    client = login(world.member)

    def count(**params: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url, params).status_code == 200
        return len(ctx.captured_queries)

    few = [count(), count(group="assignee"), count(group="summary")]
    for i in range(12):
        t = task_create(
            actor=world.manager, project=world.project, name=f"T{i}", parent_id=plan.summary.pk
        )
        t.assignees.add(world.member)
    assert [count(), count(group="assignee"), count(group="summary")] == few
    assert Task.objects.count() == 16


def test_a_long_list_shows_its_first_rows_and_a_link_to_all(
    world: World, plan: Plan, login: Any, monkeypatch: Any
) -> None:
    from keel.apps.planning import views

    monkeypatch.setattr(views, "LIST_ROWS_SHOWN", 2)
    url = reverse("planning:list", args=[world.project.pk])
    html = login(world.viewer).get(url).content.decode()
    assert len(_names(html)) == 2 and 'data-testid="list-more">2 more tasks not shown.' in html
    assert len(_names(login(world.viewer).get(url, {"all": "1"}).content.decode())) == 4


def test_odd_ids_in_the_query_are_ignored(world: World, plan: Plan, login: Any) -> None:
    url = reverse("planning:list", args=[world.project.pk])
    for odd in ("²", "99999999999999999999999", "-1", "1e3"):
        assert login(world.viewer).get(url, {"assignee": odd}).status_code == 200
    baselines = reverse("planning:baselines", args=[world.project.pk])
    assert login(world.viewer).get(baselines, {"b": "²"}).status_code == 200
