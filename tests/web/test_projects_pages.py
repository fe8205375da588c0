"""Project pages: create, edit (with the working calendar), archive, members, goals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.urls import reverse

from keel.apps.projects.models import (
    CalendarException,
    Goal,
    Project,
    ProjectMembership,
    ProjectRole,
)
from keel.apps.projects.services import MSG_CODE_TAKEN, MSG_LAST_MANAGER, MSG_TARGET_DIRECTION
from keel.common.errors import Conflict
from tests.conftest import World

from .conftest import Plan, content

PROJECT = {
    "code": "new",
    "name": "New office",
    "description": "",
    "phase": "planning",
    "start_date": "2026-04-01",
    "target_finish": "2026-09-30",
    "timezone": "Asia/Shanghai",
    "currency": "cny",
    "working_weekdays": ["1", "2", "3", "4", "5"],
    "hours_per_day": "8",
    "holiday_country": "CN",
}


def _edit_data(project: Project, **changes: Any) -> dict[str, Any]:
    data = {
        **PROJECT,
        "code": project.code,
        "name": project.name,
        "start_date": project.start_date.isoformat(),
        "target_finish": project.target_finish.isoformat() if project.target_finish else "",
        "timezone": project.timezone,
        "currency": project.currency,
        "holiday_country": project.holiday_country,
        "working_weekdays": list(project.working_weekdays),
        "hours_per_day": str(project.hours_per_day),
        "phase": project.phase,
        "version": project.version,
    }
    data.update(changes)
    return data


def test_create_project(world: World, login: Any) -> None:
    response = login(world.member).post(
        reverse("projects:create"), {**PROJECT, "workspace": world.workspace.pk}
    )
    project = Project.objects.get(code="NEW")
    assert response.status_code == 302
    assert response["Location"] == reverse("web:project_overview", args=[project.pk])
    assert (project.currency, project.holiday_country, project.working_weekdays) == (
        "CNY",
        "CN",
        "12345",
    )
    assert (
        ProjectMembership.objects.get(project=project, user=world.member).role
        == ProjectRole.MANAGER
    )


def test_create_offers_only_workspaces_where_one_may_create(world: World, login: Any) -> None:
    html = content(login(world.viewer).get(reverse("projects:create")))
    assert world.workspace.name not in html  # a guest may not create projects
    response = login(world.viewer).post(
        reverse("projects:create"), {**PROJECT, "workspace": world.workspace.pk}
    )
    assert response.status_code == 422
    assert not Project.objects.filter(code="NEW").exists()


def test_create_with_a_taken_code_shows_the_service_message(world: World, login: Any) -> None:
    response = login(world.owner).post(
        reverse("projects:create"),
        {**PROJECT, "code": world.project.code, "workspace": world.workspace.pk},
    )
    assert response.status_code == 422
    assert str(MSG_CODE_TAKEN) in content(response)


def test_edit_project_and_calendar(world: World, login: Any) -> None:
    project = world.project
    response = login(world.manager).post(
        reverse("projects:edit", args=[project.pk]),
        _edit_data(
            project,
            name="Renamed",
            working_weekdays=["1", "2", "3", "4", "5", "6"],
            holiday_country="CN",
            hours_per_day="7.5",
        ),
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert (
        project.name,
        project.working_weekdays,
        project.holiday_country,
        project.hours_per_day,
    ) == (
        "Renamed",
        "123456",
        "CN",
        Decimal("7.5"),
    )


def test_edit_with_a_stale_version_changes_nothing(world: World, login: Any) -> None:
    project = world.project
    response = login(world.manager).post(
        reverse("projects:edit", args=[project.pk]),
        _edit_data(project, name="Mine", version=project.version + 1),
    )
    assert response.status_code == 409
    assert str(Conflict.default_message) in content(response)
    project.refresh_from_db()
    assert project.name != "Mine"


def test_edit_refused_to_members(world: World, login: Any) -> None:
    project = world.project
    response = login(world.member).post(
        reverse("projects:edit", args=[project.pk]), _edit_data(project, name="Mine")
    )
    assert response.status_code == 403
    project.refresh_from_db()
    assert project.name != "Mine"


def test_calendar_exceptions_add_and_remove(world: World, login: Any) -> None:
    client = login(world.manager)
    project = world.project
    response = client.post(
        reverse("projects:calendar_exception_add", args=[project.pk]),
        {"day": "2026-05-06", "kind": "holiday", "name": "Team day"},
    )
    assert response.status_code == 302
    exc = CalendarException.objects.get(project=project)
    assert (exc.date, exc.kind, exc.name) == (dt.date(2026, 5, 6), "holiday", "Team day")
    assert "Team day" in content(client.get(reverse("projects:edit", args=[project.pk])))
    response = client.post(reverse("projects:calendar_exception_remove", args=[project.pk, exc.pk]))
    assert response.status_code == 302
    assert not CalendarException.objects.filter(project=project).exists()


def test_archive_and_restore(world: World, login: Any) -> None:
    client = login(world.manager)
    project = world.project
    url = reverse("projects:archive", args=[project.pk])
    assert client.post(url, {"archived": "on", "version": project.version}).status_code == 302
    project.refresh_from_db()
    assert project.is_archived
    # archived: read-only, and the page says why
    response = client.get(reverse("projects:edit", args=[project.pk]))
    assert response.status_code == 403
    assert "archived" in content(response)
    assert client.post(url, {"version": project.version}).status_code == 302
    project.refresh_from_db()
    assert not project.is_archived


def test_archive_refused_to_members(world: World, login: Any) -> None:
    project = world.project
    response = login(world.member).post(
        reverse("projects:archive", args=[project.pk]),
        {"archived": "on", "version": project.version},
    )
    assert response.status_code == 403
    project.refresh_from_db()
    assert not project.is_archived


def test_project_members_add_change_remove(world: World, login: Any) -> None:
    client = login(world.manager)
    project = world.project
    response = client.post(
        reverse("projects:member_add", args=[project.pk]),
        {"user_id": world.ws_member.pk, "role": "viewer"},
    )
    assert response.status_code == 302
    m = ProjectMembership.objects.get(project=project, user=world.ws_member)
    assert m.role == ProjectRole.VIEWER
    response = client.post(
        reverse("projects:member_role", args=[project.pk, m.pk]),
        {"role": "member", "version": m.version},
    )
    assert response.status_code == 302
    m.refresh_from_db()
    assert m.role == ProjectRole.MEMBER
    assert (
        client.post(reverse("projects:member_remove", args=[project.pk, m.pk])).status_code == 302
    )
    assert not ProjectMembership.objects.filter(pk=m.pk).exists()


def test_last_project_manager_stays(world: World, login: Any) -> None:
    project = world.project
    m = ProjectMembership.objects.get(project=project, user=world.manager)
    response = login(world.manager).post(
        reverse("projects:member_role", args=[project.pk, m.pk]),
        {"role": "viewer", "version": m.version},
    )
    assert response.status_code == 422
    assert str(MSG_LAST_MANAGER) in content(response)
    m.refresh_from_db()
    assert m.role == ProjectRole.MANAGER


def test_members_cannot_manage_project_members(world: World, login: Any) -> None:
    response = login(world.member).post(
        reverse("projects:member_add", args=[world.project.pk]),
        {"user_id": world.ws_member.pk, "role": "viewer"},
    )
    assert response.status_code == 403
    assert not ProjectMembership.objects.filter(user=world.ws_member).exists()


GOAL = {
    "title": "Faster builds",
    "kind": "primary",
    "description": "",
    "metric": "Build time",
    "unit": "min",
    "direction": "down",
    "baseline_value": "30",
    "target_value": "10",
    "current_value": "20",
    "due_date": "2026-06-30",
    "owner_id": "",
}


def test_goal_create_edit_delete(world: World, login: Any) -> None:
    client = login(world.manager)
    response = client.post(
        reverse("projects:goal_create", args=[world.project.pk]),
        {**GOAL, "owner_id": world.member.pk},
    )
    goal = Goal.objects.get(title="Faster builds")
    assert response.status_code == 302
    assert goal.owner == world.member
    page = content(client.get(reverse("projects:goal", args=[goal.pk])))
    assert "50%" in page  # 30 -> 20 of the way to 10
    response = client.post(
        reverse("projects:goal_edit", args=[goal.pk]),
        {**GOAL, "current_value": "10", "version": goal.version},
    )
    assert response.status_code == 302
    goal.refresh_from_db()
    assert goal.current_value == Decimal("10")
    assert client.post(reverse("projects:goal_delete", args=[goal.pk])).status_code == 302
    assert not Goal.objects.filter(pk=goal.pk).exists()


def test_goal_target_in_the_wrong_direction_is_a_field_error(world: World, login: Any) -> None:
    response = login(world.manager).post(
        reverse("projects:goal_create", args=[world.project.pk]), {**GOAL, "target_value": "40"}
    )
    assert response.status_code == 422
    assert str(MSG_TARGET_DIRECTION) in content(response)
    assert not Goal.objects.filter(title="Faster builds").exists()


def test_goal_without_a_metric_is_flagged_not_measurable(
    world: World, plan: Plan, login: Any
) -> None:
    Goal.objects.filter(pk=plan.goal.pk).update(metric="")
    html = content(
        login(world.viewer).get(reverse("web:project_overview", args=[world.project.pk]))
    )
    assert "Not measurable" in html


def test_goal_links_to_tasks(world: World, plan: Plan, login: Any) -> None:
    client = login(world.manager)
    response = client.post(
        reverse("planning:goal_tasks", args=[plan.goal.pk]),
        {"task_ids": [plan.design.pk, plan.launch.pk]},
    )
    assert response.status_code == 302
    assert set(plan.goal.tasks.values_list("pk", flat=True)) == {plan.design.pk, plan.launch.pk}
    page = content(client.get(reverse("projects:goal", args=[plan.goal.pk])))
    assert "Design" in page and "Launch" in page


def test_overview_shows_progress_and_milestones(world: World, plan: Plan, login: Any) -> None:
    html = content(
        login(world.viewer).get(reverse("web:project_overview", args=[world.project.pk]))
    )
    assert 'data-testid="milestone-row"' in html
    assert "Launch" in html
    assert plan.goal.title in html
    assert 'data-testid="critical-count">3<' in html  # design, code, launch are all critical


def test_history_lists_changes(world: World, login: Any) -> None:
    project = world.project
    client = login(world.manager)
    client.post(
        reverse("projects:edit", args=[project.pk]), _edit_data(project, name="Renamed project")
    )
    html = content(client.get(reverse("projects:history", args=[project.pk])))
    assert "Renamed project" in html
    assert "Manager" in html


def test_project_list_filters(world: World, login: Any) -> None:
    from tests.factories import ProjectFactory

    ProjectFactory(workspace=world.workspace, code="ZED", name="Zebra", phase="closure")
    client = login(world.owner)
    html = content(client.get(reverse("projects:list"), {"q": "zeb"}))
    assert "Zebra" in html and world.project.name not in html
    html = content(client.get(reverse("projects:list"), {"phase": "closure"}))
    assert "Zebra" in html and world.project.name not in html
    partial = client.get(reverse("projects:list"), {"q": "zeb"}, HTTP_HX_REQUEST="true")
    assert content(partial).lstrip().startswith('<div id="project-results"')


def test_goal_page_shows_who_changed_what(world: World, login: Any) -> None:
    from decimal import Decimal

    from keel.apps.projects.services import goal_create, goal_update

    client = login(world.manager)
    goal = goal_create(actor=world.manager, project=world.project, title="Cut waste")
    # A change made through a page is attributed to the person who made it.
    goal_update(
        actor=world.manager, goal=goal, version=goal.version, changes={"current_value": Decimal(7)}
    )
    html = client.get(reverse("projects:goal", args=[goal.pk])).content.decode()
    assert "Changes to the goal" in html
    assert "Current value" in html or "current value" in html
