"""The stock area's pages: catalogue, materials, purchases and bookings — who sees and who
changes what, refusals shown on the form with nothing saved, and constant query counts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from keel.apps.resources import services_stock
from keel.apps.resources.models import Booking, Item, PurchaseOrder, StockLevel, StockMove

from ..conftest import ROLES, World
from ..factories_resources import EquipmentFactory, ItemFactory

D = Decimal
PROJECT_VIEW = {
    **dict.fromkeys(("owner", "admin", "manager", "member", "viewer"), 200),
    "ws_member": 404,
    "outsider": 404,
}
WS_VIEW = {
    **dict.fromkeys(("owner", "admin", "manager", "member", "ws_member"), 200),
    "viewer": 403,
    "outsider": 404,
}


@pytest.fixture
def item(world: World) -> Item:
    return ItemFactory(workspace=world.workspace, unit_cost=D("2.00"), name="Gravel", unit="t")


@pytest.mark.parametrize("role", ROLES)
def test_who_sees_the_pages(world: World, login: Any, item: Item, role: str) -> None:
    c = login(world.user(role))
    p = world.project.pk
    for name in ("materials", "purchases", "bookings"):
        r = c.get(reverse(f"resources:{name}", args=[p]))
        assert r.status_code == PROJECT_VIEW[role], name
    r = c.get(reverse("resources:catalogue", args=[world.workspace.pk]))
    assert r.status_code == WS_VIEW[role]


@pytest.mark.parametrize(
    ("role", "status"),
    [("owner", 302), ("admin", 302), ("manager", 403), ("ws_member", 403), ("outsider", 404)],
)
def test_adding_to_the_catalogue(world: World, login: Any, role: str, status: int) -> None:
    r = login(world.user(role)).post(
        reverse("resources:catalogue", args=[world.workspace.pk]),
        {
            "add": "item",
            "item-code": "G-1",
            "item-name": "Glass",
            "item-unit": "m2",
            "item-unit_cost": "12.5",
        },
    )
    assert r.status_code == status
    assert Item.objects.filter(code="G-1").exists() == (status == 302)


def test_catalogue_refusal_shows_on_the_form(world: World, login: Any, item: Item) -> None:
    r = login(world.admin).post(
        reverse("resources:catalogue", args=[world.workspace.pk]),
        {"add": "equipment", "eq-code": "E", "eq-name": "Van", "eq-daily_rate": "-1"},
    )
    assert r.status_code == 422
    assert "is-invalid" in r.content.decode()
    r = login(world.admin).post(
        reverse("resources:item_edit", args=[item.pk]),
        {"code": item.code, "name": "New", "unit": "t", "unit_cost": "2", "version": "9"},
    )
    assert r.status_code == 409
    r = login(world.admin).post(
        reverse("resources:item_edit", args=[item.pk]),
        {"code": item.code, "name": "New", "unit": "t", "unit_cost": "2", "version": "1"},
    )
    assert r.status_code == 302
    item.refresh_from_db()
    assert (item.name, item.is_active) == ("New", False)  # the cleared box deactivates it


def test_recording_usage_and_its_refusal(world: World, login: Any, item: Item) -> None:
    services_stock.stock_receive(
        actor=world.manager, project=world.project, item_id=item.pk, quantity="4"
    )
    url = reverse("resources:materials_move", args=[world.project.pk])
    c = login(world.member)
    r = c.post(url, {"kind": "usage", "item": item.pk, "quantity": "9", "date": "2026-04-01"})
    assert r.status_code == 422
    assert "Only 4 t of Gravel are in stock; 9 requested." in r.content.decode()
    r = c.post(url, {"kind": "usage", "item": item.pk, "quantity": "1", "date": "2026-04-01"})
    assert r.status_code == 302
    assert StockLevel.objects.get(item=item).on_hand == D("3")
    r = login(world.viewer).post(url, {"kind": "usage", "item": item.pk, "quantity": "1"})
    assert r.status_code == 403
    assert StockMove.objects.count() == 2


def test_low_stock_shows_on_the_materials_page(world: World, login: Any, item: Item) -> None:
    services_stock.stock_receive(
        actor=world.manager, project=world.project, item_id=item.pk, quantity="2"
    )
    services_stock.reorder_level_set(
        actor=world.manager, project=world.project, item_id=item.pk, level="5", version=1
    )
    html = login(world.viewer).get(reverse("resources:materials", args=[world.project.pk]))
    text = html.content.decode()
    assert 'data-testid="low-stock"' in text and "Gravel: 2 t on hand, reorder at 5" in text
    assert f"4.00 {world.project.currency}" in text  # the value, in the project's currency


def test_purchase_pages(world: World, login: Any, item: Item) -> None:
    c = login(world.member)
    r = c.post(
        reverse("resources:purchases", args=[world.project.pk]),
        {"supplier": "ACME", "item_0": item.pk, "quantity_0": "3", "submit": "1"},
    )
    assert r.status_code == 302, r.content
    order = PurchaseOrder.objects.get()
    assert order.status == "requested"
    r = c.post(reverse("resources:purchase_action", args=[order.pk, "approve"]), {"version": 1})
    assert r.status_code == 403  # not a member's right, and not one's own request
    m = login(world.manager)
    r = m.post(
        reverse("resources:purchase_action", args=[order.pk, "reject"]),
        {"version": 1, "reason": ""},
    )
    assert r.status_code == 422 and "Say why the request is rejected." in r.content.decode()
    m.post(reverse("resources:purchase_action", args=[order.pk, "approve"]), {"version": 1})
    line = order.lines.get()
    r = m.post(
        reverse("resources:purchase_action", args=[order.pk, "receive"]),
        {"version": 2, f"line_{line.pk}": "3"},
    )
    assert r.status_code == 302
    order.refresh_from_db()
    assert order.status == "received"
    assert StockLevel.objects.get(item=item).on_hand == D("3")
    r = c.post(reverse("resources:purchases", args=[world.project.pk]), {"supplier": ""})
    assert r.status_code == 422 and PurchaseOrder.objects.count() == 1


def test_booking_page_refuses_a_clash(world: World, login: Any) -> None:
    eq = EquipmentFactory(workspace=world.workspace, code="CR", name="Crane")
    url = reverse("resources:bookings", args=[world.project.pk])
    c = login(world.member)
    data = {"equipment": eq.pk, "start": "2026-05-04", "finish": "2026-05-05"}
    assert c.post(url, data).status_code == 302
    r = c.post(url, {**data, "start": "2026-05-05", "finish": "2026-05-06"})
    assert r.status_code == 422
    assert f"CR Crane is already booked by {world.project.code}" in r.content.decode()
    assert Booking.objects.count() == 1
    r = c.get(url + "?month=2026-05")
    assert r.content.decode().count('data-testid="calendar-booking"') == 2


# ---------------------------------------------------------------- constant queries


def _fill(world: World, n: int) -> None:
    for _i in range(n):
        it = ItemFactory(workspace=world.workspace)
        services_stock.stock_receive(
            actor=world.manager, project=world.project, item_id=it.pk, quantity="4"
        )
        services_stock.purchase_create(
            actor=world.member,
            project=world.project,
            supplier="S",
            lines=[{"item_id": it.pk, "quantity": "1"}],
        )
        eq = EquipmentFactory(workspace=world.workspace)
        services_stock.booking_create(
            actor=world.member,
            project=world.project,
            equipment_id=eq.pk,
            start=dt.date(2026, 5, 4),
            finish=dt.date(2026, 5, 5),
        )


def _count(c: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert c.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_list_pages_use_a_constant_number_of_queries(world: World, login: Any) -> None:
    c = login(world.manager)
    p = world.project.pk
    urls = [
        reverse("resources:materials", args=[p]),
        reverse("resources:purchases", args=[p]),
        reverse("resources:bookings", args=[p]) + "?month=2026-05",
        reverse("resources:catalogue", args=[world.workspace.pk]),
    ]
    _fill(world, 2)
    for url in urls:
        c.get(url)  # warm up the session
    before = [_count(c, url) for url in urls]
    _fill(world, 6)
    assert [_count(c, url) for url in urls] == before
