"""The stock area's API: catalogue, stock and its ledger, purchases, bookings — the role
matrix, bad input (4xx with field messages, nothing changed), constant query counts and the
documented operations."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from keel.apps.resources import services_stock
from keel.apps.resources.models import Booking, Item, PurchaseOrder, StockLevel, StockMove

from ..conftest import ALL_ROLES, ROLES, World
from ..factories import TaskFactory
from ..factories_resources import EquipmentFactory, ItemFactory
from .helpers import PROJECT_MANAGE, PROJECT_VIEW, Api, assert_error, expect

D = Decimal
WS_VIEW = {
    **dict.fromkeys(("owner", "admin", "manager", "member", "ws_member"), 200),
    "viewer": 403,
    "outsider": 404,
}
WS_MANAGE = {**WS_VIEW, "manager": 403, "member": 403, "ws_member": 403}
USE_STOCK = {**PROJECT_MANAGE, "member": 200}


@pytest.fixture
def as_(api_client: Any) -> Any:
    return lambda user: Api(api_client(user))


@pytest.fixture
def item(world: World) -> Item:
    return ItemFactory(workspace=world.workspace, unit_cost=D("2.00"), name="Sand", unit="t")


def _stock(world: World, item: Item, qty: str = "10") -> None:
    services_stock.stock_receive(
        actor=world.owner, project=world.project, item_id=item.pk, quantity=qty
    )


# ---------------------------------------------------------------- role matrix


@pytest.mark.parametrize("role", ROLES)
def test_catalogue_rights(world: World, as_: Any, item: Item, role: str) -> None:
    api = as_(world.user(role))
    ws = world.workspace.pk
    assert api.get(f"/workspaces/{ws}/items").status_code == WS_VIEW[role]
    assert api.get(f"/items/{item.pk}").status_code == WS_VIEW[role]
    r = api.post(
        f"/workspaces/{ws}/items", {"code": "N", "name": "N", "unit": "m", "unit_cost": "1"}
    )
    assert r.status_code == expect(WS_MANAGE, role, 201)
    r = api.patch(f"/items/{item.pk}", {"version": 1, "is_active": False})
    assert r.status_code == WS_MANAGE[role]
    assert Item.objects.get(pk=item.pk).is_active == (WS_MANAGE[role] != 200)


@pytest.mark.parametrize("role", ROLES)
def test_project_reads(world: World, as_: Any, item: Item, role: str) -> None:
    api = as_(world.user(role))
    p = world.project.pk
    for path in ("stock", "stock/moves", "purchases", "bookings"):
        assert api.get(f"/projects/{p}/{path}").status_code == PROJECT_VIEW[role], path


@pytest.mark.parametrize("role", ROLES)
def test_moves_rights(world: World, as_: Any, item: Item, role: str) -> None:
    _stock(world, item)
    api = as_(world.user(role))
    url = f"/projects/{world.project.pk}/stock/moves"
    r = api.post(url, {"kind": "usage", "item_id": item.pk, "quantity": "1"})
    assert r.status_code == expect(USE_STOCK, role, 201)
    r = api.post(url, {"kind": "receipt", "item_id": item.pk, "quantity": "1"})
    assert r.status_code == expect(PROJECT_MANAGE, role, 201)
    used = USE_STOCK[role] == 200
    received = PROJECT_MANAGE[role] == 200
    assert StockLevel.objects.get(item=item).on_hand == D(10 - used + received)
    assert StockMove.objects.count() == 1 + used + received


@pytest.mark.parametrize("role", ALL_ROLES)
def test_purchase_approval_rights(fin_world: World, as_: Any, item: Item, role: str) -> None:
    world = fin_world
    order = services_stock.purchase_create(
        actor=world.member,
        project=world.project,
        supplier="S",
        submit=True,
        lines=[{"item_id": item.pk, "quantity": "1"}],
    )
    r = as_(world.user(role)).post(f"/purchases/{order.pk}/approve", {"version": 1})
    allowed = {**PROJECT_MANAGE, "finance": 200, "member": 403}  # member: own request too
    assert r.status_code == allowed[role], r.content
    assert PurchaseOrder.objects.get(pk=order.pk).status == (
        "approved" if allowed[role] == 200 else "requested"
    )


# ---------------------------------------------------------------- bad input


def test_usage_larger_than_stock_is_a_422_and_changes_nothing(
    world: World, as_: Any, item: Item
) -> None:
    _stock(world, item, "2")
    api = as_(world.member)
    url = f"/projects/{world.project.pk}/stock/moves"
    body = assert_error(
        api.post(url, {"kind": "usage", "item_id": item.pk, "quantity": "3"}),
        422,
        "not_enough_stock",
        "quantity",
    )
    assert "Only 2 t of Sand are in stock" in body["message"]
    assert_error(
        api.post(url, {"kind": "usage", "item_id": item.pk, "quantity": "-3"}),
        422,
        field="quantity",
    )
    foreign = ItemFactory()
    assert_error(
        api.post(url, {"kind": "usage", "item_id": foreign.pk, "quantity": "1"}),
        422,
        field="item_id",
    )
    assert_error(api.post(url, {"kind": "steal", "item_id": item.pk, "quantity": "1"}), 422)
    assert StockMove.objects.count() == 1
    assert StockLevel.objects.get(item=item).on_hand == D("2")


def test_a_clashing_booking_is_a_422_naming_it(world: World, as_: Any) -> None:
    eq = EquipmentFactory(workspace=world.workspace, code="X1")
    task = TaskFactory(project=world.project)
    api = as_(world.member)
    url = f"/projects/{world.project.pk}/bookings"
    r = api.post(
        url,
        {"equipment_id": eq.pk, "start": "2026-05-04", "finish": "2026-05-06", "task_id": task.pk},
    )
    assert r.status_code == 201, r.content
    assert r.json()["days"] == 3 and r.json()["project_code"] == world.project.code
    body = assert_error(
        api.post(url, {"equipment_id": eq.pk, "start": "2026-05-06", "finish": "2026-05-07"}),
        422,
        "booking_clash",
        "start",
    )
    assert world.project.code in body["message"] and "2026-05-04" in body["message"]
    assert_error(
        api.post(url, {"equipment_id": eq.pk, "start": "2026-05-09", "finish": "2026-05-08"}),
        422,
        field="finish",
    )
    assert Booking.objects.count() == 1
    booking = Booking.objects.get()
    assert as_(world.viewer).delete(f"/bookings/{booking.pk}").status_code == 403
    assert as_(world.outsider).delete(f"/bookings/{booking.pk}").status_code == 404
    assert api.delete(f"/bookings/{booking.pk}").status_code == 204
    assert not Booking.objects.exists()


def test_purchase_flow_through_the_api(world: World, as_: Any, item: Item) -> None:
    member, manager = as_(world.member), as_(world.manager)
    r = member.post(
        f"/projects/{world.project.pk}/purchases",
        {
            "supplier": "ACME",
            "needed_by": "2026-06-01",
            "lines": [{"item_id": item.pk, "quantity": "5"}],
        },
    )
    assert r.status_code == 201, r.content
    order = r.json()
    assert order["number"] == 1 and order["lines"][0]["unit_cost"] == "2.00"
    pid, line = order["id"], order["lines"][0]["id"]
    assert member.post(f"/purchases/{pid}/submit", {"version": 1}).status_code == 200
    assert_error(manager.post(f"/purchases/{pid}/approve", {"version": 1}), 409)
    assert_error(
        manager.post(f"/purchases/{pid}/reject", {"version": 2, "reason": ""}), 422, field="reason"
    )
    assert manager.post(f"/purchases/{pid}/approve", {"version": 2}).status_code == 200
    assert_error(
        manager.post(
            f"/purchases/{pid}/receive",
            {"version": 3, "lines": [{"line_id": line, "quantity": "6"}]},
        ),
        422,
        field=f"lines.{line}",
    )
    r = manager.post(
        f"/purchases/{pid}/receive", {"version": 3, "lines": [{"line_id": line, "quantity": "5"}]}
    )
    assert r.status_code == 200 and r.json()["status"] == "received"
    stock = manager.get(f"/projects/{world.project.pk}/stock").json()["items"]
    assert stock[0]["on_hand"] == "5.000" and stock[0]["value"] == "10.00"
    assert stock[0]["currency"] == world.project.currency


def test_catalogue_bad_input_and_versions(world: World, as_: Any, item: Item) -> None:
    api = as_(world.admin)
    ws = world.workspace.pk
    assert_error(
        api.post(
            f"/workspaces/{ws}/items",
            {"code": item.code, "name": "x", "unit": "m", "unit_cost": "1"},
        ),
        422,
        field="code",
    )
    assert_error(
        api.post(f"/workspaces/{ws}/equipment", {"code": "E", "name": "x", "daily_rate": "-5"}),
        422,
        field="daily_rate",
    )
    assert api.patch(f"/items/{item.pk}", {"version": 1, "unit_cost": "3"}).status_code == 200
    assert_error(api.patch(f"/items/{item.pk}", {"version": 1, "unit_cost": "4"}), 409)
    assert Item.objects.get(pk=item.pk).unit_cost == D("3.00")


def test_reorder_level_through_the_api(world: World, as_: Any, item: Item) -> None:
    _stock(world, item, "3")
    url = f"/projects/{world.project.pk}/stock/{item.pk}"
    assert as_(world.member).patch(url, {"version": 1, "reorder_level": "5"}).status_code == 403
    r = as_(world.manager).patch(url, {"version": 1, "reorder_level": "5"})
    assert r.status_code == 200 and r.json()["is_low"] is True
    assert_error(as_(world.manager).patch(url, {"version": 1, "reorder_level": "1"}), 409)


# ---------------------------------------------------------------- constant queries


def _fill(world: World, n: int) -> None:
    for _i in range(n):
        it = ItemFactory(workspace=world.workspace)
        _stock(world, it, "4")
        services_stock.stock_use(
            actor=world.member, project=world.project, item_id=it.pk, quantity="1"
        )
        services_stock.purchase_create(
            actor=world.member,
            project=world.project,
            supplier="S",
            lines=[{"item_id": it.pk, "quantity": "1"}, {"item_id": it.pk, "quantity": "2"}],
        )
        eq = EquipmentFactory(workspace=world.workspace)
        services_stock.booking_create(
            actor=world.member,
            project=world.project,
            equipment_id=eq.pk,
            start=dt.date(2026, 5, 1),
            finish=dt.date(2026, 5, 2),
        )


def test_lists_use_a_constant_number_of_queries(world: World, as_: Any) -> None:
    api = as_(world.manager)
    p, ws = world.project.pk, world.workspace.pk
    paths = [
        f"/projects/{p}/stock",
        f"/projects/{p}/stock/moves",
        f"/projects/{p}/purchases",
        f"/projects/{p}/bookings",
        f"/workspaces/{ws}/items",
        f"/workspaces/{ws}/equipment",
    ]
    _fill(world, 2)
    api.get(paths[0])  # the token's first use of the session writes once
    before = {path: api.queries(path)[0] for path in paths}
    _fill(world, 6)
    for path in paths:
        count, body = api.queries(path)
        assert body["count"] >= 8, path
        assert count == before[path], path


# ---------------------------------------------------------------- the documented operations


def test_the_stock_operations_are_documented(client: Any, db: Any) -> None:
    doc = client.get("/api/v1/openapi.json").json()
    ops = [
        (m, path, op)
        for path, item in doc["paths"].items()
        for m, op in item.items()
        if "materials" in op.get("tags", [])
    ]
    assert len(ops) == 25
    paged = [
        p
        for m, p, op in ops
        if m == "get" and "limit" in {x["name"] for x in op.get("parameters", [])}
    ]
    assert len(paged) == 7
    patches = [p for m, p, op in ops if m == "patch"]
    assert len(patches) == 3
    for method, path, op in ops:
        codes = {int(c) for c in op["responses"]}
        assert {401, 404, 422} <= codes, (method, path)
        if method != "get":
            assert 403 in codes, (method, path)
