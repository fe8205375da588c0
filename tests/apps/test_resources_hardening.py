"""What the security review of resource allocation found, kept fixed: bookings cannot hold
equipment for ever nor show other projects' details, stock cannot overflow its column,
absurd numbers and dates are refused rather than crashing, guests record no leave, big
bodies are refused before they are read, and the Excel file name survives any code."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from keel.apps.resources import services_stock
from keel.apps.resources.models import Leave, StockLevel
from keel.common.errors import NotFound, PermissionDenied, ValidationFailed
from tests.conftest import World
from tests.factories import ProjectFactory, ProjectMembershipFactory
from tests.factories_resources import EquipmentFactory, ItemFactory, ResourceFactory

D = Decimal
DAY = dt.date(2026, 5, 4)


def test_a_booking_lasts_at_most_a_year(world: World) -> None:
    crane = EquipmentFactory(workspace=world.workspace)
    with pytest.raises(ValidationFailed) as exc:
        services_stock.booking_create(
            actor=world.member,
            project=world.project,
            equipment_id=crane.pk,
            start=dt.date(1900, 1, 1),
            finish=dt.date(2999, 12, 31),
        )
    assert "finish" in exc.value.fields
    ok = services_stock.booking_create(
        actor=world.member,
        project=world.project,
        equipment_id=crane.pk,
        start=DAY,
        finish=DAY + dt.timedelta(days=365),
    )
    assert ok.pk


@pytest.fixture
def secret_booking(world: World) -> Any:
    """A booking of another project of the workspace, one the ws_member cannot see."""
    crane = EquipmentFactory(workspace=world.workspace, code="CR-1")
    hidden = ProjectFactory(workspace=world.workspace, code="SECRET")
    ProjectMembershipFactory(project=hidden, user=world.admin, role="manager")
    booking = services_stock.booking_create(
        actor=world.admin,
        project=hidden,
        equipment_id=crane.pk,
        start=DAY,
        finish=DAY + dt.timedelta(days=4),
        note="visit ACME HQ, confidential",
    )
    return crane, booking


def test_other_projects_bookings_show_only_dates(
    world: World, secret_booking: Any, api_client: Any
) -> None:
    crane, _booking = secret_booking
    body = api_client(world.ws_member).get(f"/api/v1/equipment/{crane.pk}/bookings").json()
    (row,) = body["items"]
    assert (row["project_code"], row["project_id"], row["note"], row["task_id"]) == (
        None,
        None,
        "",
        None,
    )
    assert row["booked_by_id"] is None and row["start"] == DAY.isoformat()
    seen = api_client(world.owner).get(f"/api/v1/equipment/{crane.pk}/bookings").json()
    assert seen["items"][0]["project_code"] == "SECRET"


def test_the_calendar_and_the_clash_do_not_name_hidden_projects(
    world: World, secret_booking: Any, login: Any
) -> None:
    crane, _booking = secret_booking
    url = reverse("resources:bookings", args=[world.project.pk]) + "?month=2026-05"
    html = login(world.member).get(url).content.decode()
    assert "SECRET" not in html and "confidential" not in html
    with pytest.raises(ValidationFailed) as exc:
        services_stock.booking_create(
            actor=world.member,
            project=world.project,
            equipment_id=crane.pk,
            start=DAY,
            finish=DAY,
        )
    assert "SECRET" not in str(exc.value.fields) and "another project" in str(exc.value.fields)


def test_stock_cannot_overflow_its_column(world: World) -> None:
    item = ItemFactory(workspace=world.workspace)
    big = D("99999999999.999")
    services_stock.stock_receive(
        actor=world.manager, project=world.project, item_id=item.pk, quantity=big
    )
    with pytest.raises(ValidationFailed):
        services_stock.stock_receive(
            actor=world.manager, project=world.project, item_id=item.pk, quantity=big
        )
    level = StockLevel.objects.get(project=world.project, item=item)
    assert level.on_hand == big


@pytest.mark.parametrize("value", ["1e30", "1e400", "-1e30"])
def test_absurd_numbers_are_refused_not_crashed(world: World, value: str) -> None:
    item = ItemFactory(workspace=world.workspace)
    with pytest.raises(ValidationFailed):
        services_stock.stock_receive(
            actor=world.manager, project=world.project, item_id=item.pk, quantity=value
        )
    with pytest.raises(ValidationFailed):
        services_stock.stock_receive(
            actor=world.manager,
            project=world.project,
            item_id=item.pk,
            quantity="1",
            unit_cost=value,
        )


def test_absurd_dates_on_pages_are_refused_not_crashed(world: World, login: Any) -> None:
    client = login(world.manager)
    workload = reverse("resources:workload", args=[world.workspace.pk])
    for start in ("9999-12-27", "0001-01-02"):
        r = client.get(workload, {"start": start, "weeks": "52"})
        assert r.status_code == 422, start
    bookings = reverse("resources:bookings", args=[world.project.pk])
    assert client.get(bookings, {"month": "99999999999999999999-1"}).status_code == 200
    r = client.get(reverse("resources:workload_cell", args=[1, "99999999999999999999-W01"]))
    assert r.status_code == 404


def test_a_guest_records_no_leave(world: World) -> None:
    from keel.apps.resources.services_people import leave_create

    own = ResourceFactory(workspace=world.workspace, user=world.viewer)  # a workspace guest
    with pytest.raises((PermissionDenied, NotFound)):
        leave_create(actor=world.viewer, resource=own, start=DAY, finish=DAY)
    assert not Leave.objects.exists()


def test_a_body_too_big_is_refused_before_it_is_read(
    world: World, login: Any, settings: Any
) -> None:
    settings.KEEL_MAX_REQUEST_BYTES = 1024
    client = login(world.member)
    url = reverse("resources:expenses", args=[world.project.pk])
    r = client.post(url, {"description": "x" * 4000})
    assert r.status_code == 413
    r = client.post(f"/api/v1/projects/{world.project.pk}/expenses", {"description": "x" * 4000})
    assert r.status_code == 413 and r.json()["code"] == "too_large"


def test_the_excel_file_name_survives_any_code(fin_world: World, login: Any) -> None:
    fin_world.project.code = '项目"一'
    fin_world.project.save(update_fields=["code"])
    r = login(fin_world.finance).get(reverse("resources:costs_xlsx", args=[fin_world.project.pk]))
    assert r.status_code == 200
    header = r["Content-Disposition"]
    assert header.startswith("attachment;") and "filename*=utf-8''" in header
