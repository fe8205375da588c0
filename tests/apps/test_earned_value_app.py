"""Earned value in the app: against the primary baseline, with approved hours as actual
cost, the weekly trend read back from history, the health signal, the API and the page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from keel.apps.planning.models import Task
from keel.apps.planning.services import baseline_save, dependency_create, task_create, task_update
from keel.apps.tracking.models import EntryStatus, HealthThresholds, TimeEntry
from keel.apps.tracking.selectors import earned_value_for
from keel.apps.tracking.services import thresholds_set
from keel.common.errors import Conflict, PermissionDenied, ValidationFailed

from ..api.helpers import Api
from ..conftest import World


@pytest.fixture
def plan(world: World) -> dict[str, Task]:
    """Two chained tasks of 5 working days (40 hours each) from Monday 2 March 2026, with
    the status date at the end of the first week."""
    m, p = world.manager, world.project
    a = task_create(actor=m, project=p, name="A", duration_days=Decimal("5"))
    b = task_create(actor=m, project=p, name="B", duration_days=Decimal("5"))
    dependency_create(actor=m, project=p, predecessor_id=a.pk, successor_id=b.pk)
    baseline_save(actor=m, project=p)
    p.status_date = dt.date(2026, 3, 6)
    p.save(update_fields=["status_date"])
    return {"a": Task.objects.get(pk=a.pk), "b": Task.objects.get(pk=b.pk)}


def _hours(world: World, task: Task, day: dt.date, hours: str, approved: bool = True) -> None:
    """`hours` on `day`, split between people in chunks of at most 8."""
    left = Decimal(hours)
    for who in ("member", "manager", "owner", "admin", "viewer"):
        if left <= 0:
            break
        TimeEntry.objects.create(
            project=world.project,
            task=task,
            user=world.user(who),
            date=day,
            hours=min(left, Decimal("8")),
            status=EntryStatus.APPROVED if approved else EntryStatus.SUBMITTED,
        )
        left -= Decimal("8")


@pytest.fixture
def api(api_client: Any) -> Any:
    return lambda user: Api(api_client(user))


def test_no_baseline_no_earned_value(world: World) -> None:
    task_create(actor=world.manager, project=world.project, name="A")
    assert earned_value_for(world.viewer, world.project) is None


def test_measures_at_the_status_date(world: World, plan: dict[str, Task]) -> None:
    a = plan["a"]
    task_update(actor=world.manager, task=a, version=a.version, changes={"percent_complete": 50})
    _hours(world, a, dt.date(2026, 3, 3), "30")
    _hours(world, a, dt.date(2026, 3, 4), "10", approved=False)  # not yet actual cost
    _hours(world, a, dt.date(2026, 3, 9), "8")  # after the status date
    world.project.refresh_from_db()
    report = earned_value_for(world.viewer, world.project)
    assert report is not None
    v = report.value
    assert (v.bac, v.pv, v.ev, v.ac) == (80.0, 40.0, 20.0, 30.0)
    assert v.spi == pytest.approx(0.5) and v.cpi == pytest.approx(2 / 3)
    assert (report.spi_health, report.cpi_health, report.health) == ("red", "red", "red")
    assert v.status_date == dt.date(2026, 3, 6)


def test_health_follows_the_projects_thresholds(world: World, plan: dict[str, Task]) -> None:
    a = plan["a"]
    task_update(actor=world.manager, task=a, version=a.version, changes={"percent_complete": 90})
    _hours(world, a, dt.date(2026, 3, 3), "36")
    world.project.refresh_from_db()
    report = earned_value_for(world.viewer, world.project)
    assert report is not None and report.value.spi == pytest.approx(0.9)
    assert (report.spi_health, report.cpi_health) == ("amber", "green")
    thresholds_set(
        actor=world.manager,
        project=world.project,
        version=0,
        values={"spi_amber": Decimal("0.9"), "spi_red": Decimal("0.8")},
    )
    report = earned_value_for(world.viewer, world.project)
    assert report is not None and report.health == "green"


def test_thresholds_are_checked(world: World, plan: dict[str, Task]) -> None:
    with pytest.raises(PermissionDenied):
        thresholds_set(actor=world.member, project=world.project, version=0, values={})
    with pytest.raises(ValidationFailed) as exc:
        thresholds_set(
            actor=world.manager,
            project=world.project,
            version=0,
            values={"cpi_amber": Decimal("0.8"), "cpi_red": Decimal("0.9")},
        )
    assert "cpi_red" in exc.value.fields
    thresholds_set(actor=world.manager, project=world.project, version=0, values={})
    with pytest.raises(Conflict):
        thresholds_set(actor=world.manager, project=world.project, version=0, values={})
    assert HealthThresholds.objects.count() == 1


def test_the_trend_is_read_back_from_history(world: World, plan: dict[str, Task]) -> None:
    a = plan["a"]
    task_update(actor=world.manager, task=a, version=a.version, changes={"percent_complete": 100})
    newest = Task.history.filter(id=a.pk).order_by("-history_date").first()
    assert newest is not None
    # Record the 100% as reported on Friday 13 March (the second week).
    Task.history.filter(history_id=newest.history_id).update(
        history_date=dt.datetime(2026, 3, 13, 12, tzinfo=dt.UTC)
    )
    _hours(world, a, dt.date(2026, 3, 3), "40")
    world.project.status_date = dt.date(2026, 3, 20)
    world.project.save(update_fields=["status_date"])
    report = earned_value_for(world.viewer, world.project)
    assert report is not None
    weeks = {p.end: p for p in report.trend}
    first, second = weeks[dt.date(2026, 3, 8)], weeks[dt.date(2026, 3, 15)]
    assert (first.ev, first.ac) == (0.0, 40.0)  # nothing earned yet in the first week
    assert second.ev == 40.0 and second.spi == pytest.approx(0.5)


@pytest.mark.parametrize("role,status", [("viewer", 200), ("outsider", 404), ("ws_member", 404)])
def test_earned_value_api_by_role(
    api: Any, world: World, plan: dict[str, Task], role: str, status: int
) -> None:
    r = api(world.user(role)).get(f"/projects/{world.project.pk}/earned-value")
    assert r.status_code == status
    if status == 200:
        body = r.json()
        assert body["bac"] == 80.0 and body["unit"] == "hours" and body["trend"]


def test_thresholds_api(api: Any, world: World, plan: dict[str, Task]) -> None:
    url = f"/projects/{world.project.pk}/health-thresholds"
    assert api(world.viewer).get(url).json()["version"] == 0
    body = {"spi_amber": 0.9, "spi_red": 0.8, "cpi_amber": 0.9, "cpi_red": 0.8, "version": 0}
    assert api(world.member).put(url, body).status_code == 403
    assert api(world.manager).put(url, body).status_code == 200
    assert api(world.manager).put(url, body).status_code == 409
    bad = {**body, "spi_red": 0.95, "version": 1}
    assert api(world.manager).put(url, bad).status_code == 422


def test_earned_value_page(world: World, plan: dict[str, Task], login: Any) -> None:
    url = reverse("tracking:earned_value", args=[world.project.pk])
    assert login(world.outsider).get(url).status_code == 404
    html = login(world.viewer).get(url).content.decode()
    assert 'data-testid="s-curves"><svg' in html and 'data-testid="health"' in html
    assert login(world.viewer).post(url, {"spi_amber": "0.9"}).status_code == 403
    r = login(world.manager).post(
        url,
        {"spi_amber": "0.9", "spi_red": "0.8", "cpi_amber": "0.9", "cpi_red": "0.8", "version": 0},
    )
    assert r.status_code == 302
    assert HealthThresholds.objects.get().spi_amber == Decimal("0.90")


def test_overview_shows_health_slippage_and_waiting_changes(
    world: World, plan: dict[str, Task], login: Any
) -> None:
    from keel.apps.planning.services import change_request_create, change_request_submit

    a = plan["a"]
    task_update(actor=world.manager, task=a, version=a.version, changes={"duration_days": 7})
    cr = change_request_create(
        actor=world.member, project=world.project, title="t", reason="r", cost_delta=1
    )
    change_request_submit(actor=world.member, cr=cr, version=cr.version)
    html = login(world.viewer).get(reverse("web:project_overview", args=[world.project.pk]))
    body = html.content.decode()
    assert 'data-testid="health"' in body
    # A has not started by the status date (Friday 6 March), so it starts on the 9th and,
    # two days longer, pushes B's finish from 13 to 24 March: seven working days.
    assert 'data-testid="baseline-variance">+7 working days' in body
    assert 'data-testid="pending-changes">1<' in body
