"""The stock area's services: the catalogue, the stock ledger (with a replay of random
operations), purchases, low stock and equipment bookings."""

from __future__ import annotations

import datetime as dt
import threading
import time
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from keel.apps.accounts.models import User
from keel.apps.resources import selectors_stock, services_stock
from keel.apps.resources.models import (
    Booking,
    Item,
    PurchaseStatus,
    StockLevel,
    StockMove,
)
from keel.common.errors import Conflict, NotFound, PermissionDenied, ValidationFailed

from ..conftest import World
from ..factories import ProjectFactory, TaskFactory
from ..factories_resources import EquipmentFactory, ItemFactory

D = Decimal
DAY = dt.date(2026, 4, 1)


@pytest.fixture
def item(world: World) -> Item:
    return ItemFactory(workspace=world.workspace, unit_cost=D("2.50"), name="Cement", unit="kg")


def receive(world: World, item: Item, qty: str, **kw: Any) -> StockMove:
    return services_stock.stock_receive(
        actor=world.manager, project=world.project, item_id=item.pk, quantity=qty, date=DAY, **kw
    )


def level(world: World, item: Item) -> StockLevel:
    return StockLevel.objects.get(project=world.project, item=item)


# ---------------------------------------------------------------- catalogue


def test_catalogue_create_edit_and_deactivate(world: World) -> None:
    it = services_stock.item_create(
        actor=world.admin,
        workspace=world.workspace,
        code=" C-1 ",
        name="Cable",
        unit="m",
        unit_cost="1.20",
        supplier="ACME",
    )
    assert (it.code, it.unit_cost, it.version) == ("C-1", D("1.20"), 1)
    with pytest.raises(ValidationFailed) as exc:
        services_stock.item_create(
            actor=world.owner,
            workspace=world.workspace,
            code="C-1",
            name="Other",
            unit="m",
            unit_cost="1",
        )
    assert exc.value.fields["code"] == [str(services_stock.MSG_CODE_TAKEN)]
    with pytest.raises(ValidationFailed) as exc:
        services_stock.item_create(
            actor=world.owner,
            workspace=world.workspace,
            code="C-2",
            name="X",
            unit="m",
            unit_cost="-1",
        )
    assert "unit_cost" in exc.value.fields
    it = services_stock.item_update(
        actor=world.admin, item=it, version=1, changes={"is_active": False}
    )
    assert not it.is_active and it.version == 2
    with pytest.raises(Conflict):
        services_stock.item_update(actor=world.admin, item=it, version=1, changes={"name": "Y"})
    assert Item.objects.get(pk=it.pk).name == "Cable"


@pytest.mark.parametrize(
    ("role", "error"),
    [("manager", PermissionDenied), ("member", PermissionDenied), ("outsider", NotFound)],
)
def test_only_workspace_managers_change_the_catalogue(
    world: World, role: str, error: type[Exception]
) -> None:
    with pytest.raises(error):
        services_stock.equipment_create(
            actor=world.user(role),
            workspace=world.workspace,
            code="E",
            name="Van",
            daily_rate="10",
        )


def test_the_same_code_in_another_workspace_is_fine(world: World, item: Item) -> None:
    other = ProjectFactory().workspace
    ItemFactory(workspace=other, code=item.code)
    assert Item.objects.filter(code=item.code).count() == 2


# ---------------------------------------------------------------- stock


def test_receive_use_adjust(world: World, item: Item) -> None:
    task = TaskFactory(project=world.project)
    receive(world, item, "10")
    use = services_stock.stock_use(
        actor=world.member,
        project=world.project,
        item_id=item.pk,
        quantity="3.5",
        task_id=task.pk,
        date=DAY,
    )
    assert (use.quantity, use.unit_cost, use.cost, use.task_id) == (
        D("-3.5"),
        D("2.50"),
        D("8.75"),
        task.pk,
    )
    services_stock.stock_adjust(
        actor=world.manager,
        project=world.project,
        item_id=item.pk,
        quantity="-1.5",
        reason="Stocktake",
    )
    assert level(world, item).on_hand == D("5")


def test_usage_larger_than_stock_names_what_is_on_hand(world: World, item: Item) -> None:
    receive(world, item, "2")
    with pytest.raises(ValidationFailed) as exc:
        services_stock.stock_use(
            actor=world.member, project=world.project, item_id=item.pk, quantity="5"
        )
    assert exc.value.code == "not_enough_stock"
    assert "Only 2 kg of Cement are in stock; 5 requested." in exc.value.fields["quantity"]
    assert level(world, item).on_hand == D("2") and StockMove.objects.count() == 1


@pytest.mark.parametrize("qty", ["0", "-1", "abc", "NaN", "1.0001", "1e20"])
def test_bad_quantities_are_refused(world: World, item: Item, qty: str) -> None:
    with pytest.raises(ValidationFailed) as exc:
        receive(world, item, qty)
    assert "quantity" in exc.value.fields
    assert not StockMove.objects.exists()


def test_wrong_workspace_item_and_foreign_task_are_refused(world: World) -> None:
    stranger = ItemFactory()  # another workspace's
    with pytest.raises(ValidationFailed) as exc:
        receive(world, stranger, "1")
    assert exc.value.fields["item_id"] == [str(services_stock.MSG_NO_ITEM)]
    mine = ItemFactory(workspace=world.workspace)
    receive(world, mine, "5")
    other_task = TaskFactory()
    with pytest.raises(ValidationFailed) as exc:
        services_stock.stock_use(
            actor=world.member,
            project=world.project,
            item_id=mine.pk,
            quantity="1",
            task_id=other_task.pk,
        )
    assert "task_id" in exc.value.fields
    assert level(world, mine).on_hand == D("5")


def test_adjustment_needs_a_reason_and_cannot_go_below_zero(world: World, item: Item) -> None:
    receive(world, item, "1")
    with pytest.raises(ValidationFailed) as exc:
        services_stock.stock_adjust(
            actor=world.manager, project=world.project, item_id=item.pk, quantity="1", reason=" "
        )
    assert "note" in exc.value.fields
    with pytest.raises(ValidationFailed) as exc:
        services_stock.stock_adjust(
            actor=world.manager, project=world.project, item_id=item.pk, quantity="-2", reason="x"
        )
    assert "stock cannot go below 0" in exc.value.fields["quantity"][0]


@pytest.mark.parametrize(
    ("role", "use", "manage"),
    [
        ("manager", None, None),
        ("member", None, PermissionDenied),
        ("viewer", PermissionDenied, PermissionDenied),
        ("ws_member", NotFound, NotFound),
        ("outsider", NotFound, NotFound),
    ],
)
def test_stock_rights(world: World, item: Item, role: str, use: Any, manage: Any) -> None:
    receive(world, item, "10")
    actor = world.user(role)
    calls = {
        "use": lambda: services_stock.stock_use(
            actor=actor, project=world.project, item_id=item.pk, quantity="1"
        ),
        "manage": lambda: services_stock.stock_receive(
            actor=actor, project=world.project, item_id=item.pk, quantity="1"
        ),
    }
    for name, expected in (("use", use), ("manage", manage)):
        if expected is None:
            calls[name]()
        else:
            with pytest.raises(expected):
                calls[name]()


def test_reorder_level_and_low_stock(world: World, item: Item) -> None:
    quiet = ItemFactory(workspace=world.workspace)
    receive(world, item, "10")
    receive(world, quiet, "1")  # reorder level 0: never low
    services_stock.reorder_level_set(
        actor=world.manager, project=world.project, item_id=item.pk, level="10", version=1
    )
    assert [s.item_id for s in selectors_stock.low_stock(world.project)] == [item.pk]
    with pytest.raises(Conflict):
        services_stock.reorder_level_set(
            actor=world.manager, project=world.project, item_id=item.pk, level="1", version=1
        )
    receive(world, item, "0.001")
    assert selectors_stock.low_stock(world.project) == []


# ---------------------------------------------------------------- the ledger never drifts

OPS = st.lists(
    st.tuples(
        st.sampled_from(["receive", "use", "adjust", "adjust_no_reason"]),
        st.decimals(min_value=D("-50"), max_value=D("50"), places=3),
    ),
    min_size=1,
    max_size=25,
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=OPS)
def test_replayed_operations_keep_the_ledger_balanced(world: World, ops: Any) -> None:
    """Whatever mix of valid and invalid moves: on hand equals the sum of the moves and is
    never negative, a refused move changes nothing, and usage costs Σ|qty| x unit cost."""
    it = ItemFactory(workspace=world.workspace, unit_cost=D("3.10"))
    expected_usage_cost = D("0")
    for op, qty in ops:
        before = (
            StockMove.objects.filter(item=it).count(),
            StockLevel.objects.filter(item=it).values_list("on_hand", flat=True).first(),
        )
        common = {"project": world.project, "item_id": it.pk, "quantity": qty}
        try:
            if op == "receive":
                services_stock.stock_receive(actor=world.manager, **common)
            elif op == "use":
                services_stock.stock_use(actor=world.member, **common)
                expected_usage_cost += (qty * it.unit_cost).quantize(D("0.01"))
            else:
                reason = "count" if op == "adjust" else ""
                services_stock.stock_adjust(actor=world.manager, reason=reason, **common)
        except ValidationFailed:
            after = (
                StockMove.objects.filter(item=it).count(),
                StockLevel.objects.filter(item=it).values_list("on_hand", flat=True).first(),
            )
            assert after == before  # a refusal changes nothing
        # Added in Python: SQLite's SUM of decimals goes through floats.
        moves = StockMove.objects.filter(item=it, project=world.project)
        total = sum((m.quantity for m in moves), D("0"))
        on_hand = StockLevel.objects.filter(item=it).values_list("on_hand", flat=True).first()
        assert (on_hand or D("0")) == total >= 0
    usage = StockMove.objects.filter(item=it, kind="usage")
    assert sum((m.cost for m in usage), D("0")) == expected_usage_cost


# ---------------------------------------------------------------- purchases


def _request(world: World, item: Item, actor: User | None = None, **kw: Any) -> Any:
    return services_stock.purchase_create(
        actor=actor or world.member,
        project=world.project,
        supplier="ACME",
        lines=[
            {"item_id": item.pk, "quantity": "10"},
            {"item_id": item.pk, "quantity": "2", "unit_cost": "3.00"},
        ],
        **kw,
    )


def test_purchase_flow_to_receipt(fin_world: World, item: Item) -> None:
    world = fin_world
    order = _request(world, item, submit=True)
    assert order.number == 1 and order.status == PurchaseStatus.REQUESTED
    lines = list(order.lines.order_by("pk"))
    assert [ln.unit_cost for ln in lines] == [D("2.50"), D("3.00")]  # the item's by default
    assert world.finance is not None
    order = services_stock.purchase_approve(actor=world.finance, order=order, version=1)
    assert order.status == PurchaseStatus.APPROVED and order.approved_by == world.finance
    with pytest.raises(PermissionDenied):  # finance approves, it does not receive
        services_stock.purchase_receive(
            actor=world.finance, order=order, version=2, received={lines[0].pk: "1"}
        )
    order = services_stock.purchase_receive(
        actor=world.manager, order=order, version=2, received={lines[0].pk: "4"}
    )
    assert order.status == PurchaseStatus.APPROVED and level(world, item).on_hand == D("4")
    with pytest.raises(ValidationFailed) as exc:
        services_stock.purchase_receive(
            actor=world.manager, order=order, version=3, received={lines[0].pk: "7"}
        )
    assert "Only 6 of this line are still to come." in exc.value.fields[f"lines.{lines[0].pk}"]
    order = services_stock.purchase_receive(
        actor=world.manager, order=order, version=3, received={lines[0].pk: "6", lines[1].pk: "2"}
    )
    assert order.status == PurchaseStatus.RECEIVED and level(world, item).on_hand == D("12")
    receipts = StockMove.objects.filter(purchase_line=lines[1])
    assert [(m.quantity, m.unit_cost) for m in receipts] == [(D("2"), D("3.00"))]


def test_nobody_approves_their_own_request(world: World, item: Item) -> None:
    order = _request(world, item, actor=world.manager, submit=True)
    with pytest.raises(PermissionDenied) as exc:
        services_stock.purchase_approve(actor=world.manager, order=order, version=1)
    assert exc.value.message == services_stock.MSG_OWN_REQUEST
    with pytest.raises(PermissionDenied):  # a member may not approve at all
        services_stock.purchase_approve(actor=world.member, order=order, version=1)


def test_reject_needs_a_reason_and_cancel_is_the_requesters(world: World, item: Item) -> None:
    order = _request(world, item, submit=True)
    with pytest.raises(ValidationFailed):
        services_stock.purchase_reject(actor=world.manager, order=order, version=1, reason="")
    with pytest.raises(PermissionDenied):
        services_stock.purchase_cancel(actor=world.manager, order=order, version=1)
    order = services_stock.purchase_reject(
        actor=world.manager, order=order, version=1, reason="Too dear"
    )
    assert (order.status, order.review_comment) == (PurchaseStatus.REJECTED, "Too dear")
    with pytest.raises(ValidationFailed):
        services_stock.purchase_cancel(actor=world.member, order=order, version=2)
    draft = _request(world, item)
    assert draft.number == 2
    draft = services_stock.purchase_cancel(actor=world.member, order=draft, version=1)
    assert draft.status == PurchaseStatus.CANCELLED


def test_a_request_without_lines_or_supplier_is_refused(world: World, item: Item) -> None:
    with pytest.raises(ValidationFailed) as exc:
        services_stock.purchase_create(
            actor=world.member, project=world.project, supplier="X", lines=[]
        )
    assert "lines" in exc.value.fields
    with pytest.raises(ValidationFailed) as exc:
        services_stock.purchase_create(
            actor=world.member,
            project=world.project,
            supplier="X",
            lines=[{"item_id": item.pk, "quantity": "-1"}],
        )
    assert "lines.0.quantity" in exc.value.fields
    assert not world.project.purchases.exists()


# ---------------------------------------------------------------- bookings


def _book(world: World, eq: Any, start: dt.date, finish: dt.date, actor: Any = None) -> Booking:
    return services_stock.booking_create(
        actor=actor or world.member,
        project=world.project,
        equipment_id=eq.pk,
        start=start,
        finish=finish,
    )


def test_a_double_booking_names_the_clash(world: World) -> None:
    eq = EquipmentFactory(workspace=world.workspace, code="CR-1", name="Crane")
    _book(world, eq, dt.date(2026, 5, 4), dt.date(2026, 5, 8))
    other = ProjectFactory(workspace=world.workspace, code="OTHER")
    with pytest.raises(ValidationFailed) as exc:
        services_stock.booking_create(
            actor=world.owner,
            project=other,
            equipment_id=eq.pk,
            start=dt.date(2026, 5, 8),
            finish=dt.date(2026, 5, 10),
        )
    assert exc.value.code == "booking_clash"
    assert str(exc.value.message) == (
        f"CR-1 Crane is already booked by {world.project.code} from 2026-05-04 to 2026-05-08."
    )
    _book(world, eq, dt.date(2026, 5, 9), dt.date(2026, 5, 9))  # the next day is free
    assert Booking.objects.count() == 2


def test_booking_rules(world: World) -> None:
    eq = EquipmentFactory(workspace=world.workspace)
    with pytest.raises(ValidationFailed) as exc:
        _book(world, eq, dt.date(2026, 5, 4), dt.date(2026, 5, 3))
    assert "finish" in exc.value.fields
    with pytest.raises(ValidationFailed):
        _book(world, EquipmentFactory(), DAY, DAY)  # another workspace's
    with pytest.raises(PermissionDenied):
        _book(world, eq, DAY, DAY, actor=world.viewer)
    b = _book(world, eq, DAY, DAY)
    mine = _book(world, eq, DAY + dt.timedelta(days=3), DAY + dt.timedelta(days=3), world.manager)
    with pytest.raises(PermissionDenied):  # a member cancels only their own
        services_stock.booking_cancel(actor=world.member, booking=mine)
    services_stock.booking_cancel(actor=world.manager, booking=b, version=1)  # a manager may
    services_stock.booking_cancel(actor=world.manager, booking=mine)
    assert not Booking.objects.exists()


def test_booking_calendar_shows_every_projects_bookings(world: World) -> None:
    eq = EquipmentFactory(workspace=world.workspace)
    _book(world, eq, dt.date(2026, 5, 30), dt.date(2026, 6, 2))
    for month, days in ((5, [30, 31]), (6, [1, 2])):  # 2026-06-01 is a Monday
        weeks = selectors_stock.booking_calendar(world.viewer, world.project, 2026, month)
        booked = [d.day for w in weeks for d in w if d.bookings]
        assert booked == [dt.date(2026, month, n) for n in days]
    with pytest.raises(NotFound):
        selectors_stock.booking_calendar(world.outsider, world.project, 2026, 6)


@pytest.mark.django_db(transaction=True)
def test_two_bookings_at_once_cannot_both_pass(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip(
            "SQLite has no row locks (it lets one writer in at a time); CI runs this on PostgreSQL"
        )
    eq = EquipmentFactory(workspace=world.workspace)
    check = services_stock._check_free

    def slow_check(*args: Any, **kwargs: Any) -> None:
        check(*args, **kwargs)
        time.sleep(0.5)  # widen the window between the check and the write

    monkeypatch.setattr(services_stock, "_check_free", slow_check)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def book() -> None:
        person = User.objects.get(pk=world.member.pk)
        try:
            barrier.wait()
            _book(world, eq, DAY, DAY, actor=person)
            outcomes.append("booked")
        except ValidationFailed as exc:
            outcomes.append("refused" if exc.code == "booking_clash" else repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=book) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes) == ["booked", "refused"]


@pytest.mark.django_db(transaction=True)
def test_two_usages_at_once_cannot_overdraw(world: World) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite lets one writer in at a time; CI runs this on PostgreSQL")
    it = ItemFactory(workspace=world.workspace)
    services_stock.stock_receive(
        actor=world.manager, project=world.project, item_id=it.pk, quantity="5"
    )
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def use() -> None:
        person = User.objects.get(pk=world.member.pk)
        try:
            barrier.wait()
            services_stock.stock_use(
                actor=person, project=world.project, item_id=it.pk, quantity="3"
            )
            outcomes.append("used")
        except ValidationFailed:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=use) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes) == ["refused", "used"]
    assert StockLevel.objects.get(item=it).on_hand == D("2")
