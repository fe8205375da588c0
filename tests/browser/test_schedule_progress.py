"""A big plan's recalculation in a real browser: the task tree and the overview show
"Recalculating the schedule… N%" as the worker reports it, mark the dates provisional, and
reload the dates when the run is done (htmx polling, then plan-changed)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import expect

from keel.apps.planning.models import Task
from keel.apps.planning.services import dependency_create, schedule_run, task_create
from keel.apps.projects.models import Project, ScheduleState
from tests.factories import (
    PASSWORD,
    ProjectFactory,
    ProjectMembershipFactory,
    UserFactory,
    WorkspaceMembershipFactory,
)


@pytest.mark.django_db(transaction=True)
def test_the_pages_follow_a_background_recalculation(page: Any, live_server: Any) -> None:
    user = UserFactory(email="pm@example.com")
    project = ProjectFactory()
    WorkspaceMembershipFactory(workspace=project.workspace, user=user)
    ProjectMembershipFactory(project=project, user=user, role="manager")
    a = task_create(actor=user, project=project, name="Pack", duration_days=Decimal("3"))
    b = task_create(actor=user, project=project, name="Ship", duration_days=Decimal("2"))
    dependency_create(actor=user, project=project, predecessor_id=a.pk, successor_id=b.pk)
    # A change the worker has not picked up yet: Pack is now 5 days long.
    Task.objects.filter(pk=a.pk).update(duration_days=Decimal("5"))
    Project.objects.filter(pk=project.pk).update(
        schedule_state=ScheduleState.QUEUED, schedule_progress=0
    )
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_login", user.email)
    page.fill("#id_password", PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/projects/$"))

    page.goto(f"{base}/projects/{project.pk}/tasks/")
    status = page.get_by_test_id("schedule-status")
    expect(status).to_contain_text("Recalculating the schedule… 0%")
    ship = page.locator(f"#task-{b.pk}")
    expect(ship.locator("td.fst-italic").first).to_contain_text("03/05/2026")  # provisional

    # The worker reports its progress: the notice follows it.
    Project.objects.filter(pk=project.pk).update(
        schedule_state=ScheduleState.RUNNING, schedule_progress=52, schedule_phase="computing"
    )
    expect(status).to_contain_text("Recalculating the schedule… 52%")
    expect(status).to_contain_text("Computing dates")

    # It finishes: the notice goes and the tree reloads with the new dates, no longer italic.
    Project.objects.filter(pk=project.pk).update(schedule_state=ScheduleState.QUEUED)
    assert schedule_run(project_id=project.pk) == "current"
    expect(page.get_by_test_id("schedule-status")).to_be_hidden()
    expect(ship).to_contain_text("03/09/2026")
    expect(ship.locator("td.fst-italic")).to_have_count(0)

    # The overview does the same for the scheduled finish.
    Task.objects.filter(pk=a.pk).update(duration_days=Decimal("6"))
    Project.objects.filter(pk=project.pk).update(
        schedule_state=ScheduleState.QUEUED, schedule_progress=0
    )
    page.goto(f"{base}/projects/{project.pk}/")
    finish = page.get_by_test_id("scheduled-finish")
    expect(finish).to_have_class(re.compile("fst-italic"))
    assert schedule_run(project_id=project.pk) == "current"
    expect(page.get_by_test_id("schedule-status")).to_be_hidden()
    expect(page.get_by_test_id("scheduled-finish")).to_contain_text("03/11/2026")
    expect(page.get_by_test_id("scheduled-finish")).not_to_have_class(re.compile("fst-italic"))
    assert Project.objects.get(pk=project.pk).scheduled_finish == dt.date(2026, 3, 11)
    assert errors == []
