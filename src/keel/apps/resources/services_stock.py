"""Writes of the stock area: the catalogue, stock moves, purchases and equipment bookings.

Rules, each with its message:
- the stock of an item in a project is a ledger of moves that are never edited or deleted;
  `StockLevel.on_hand` is their sum, changed only here, under a row lock on the level, so
  concurrent moves cannot drift and the level never goes below zero;
- usage is stored negative at the item's unit cost of the day it is recorded (the money area
  reads cost = |quantity| x unit cost); receipts of an order come in at the line's unit cost;
- a purchase request is numbered 1, 2, 3 per project under a lock on the project row; the
  person who asked for it never approves it;
- two bookings of one piece of equipment never overlap: the check runs under a lock on the
  equipment row, so two bookings at once cannot both pass.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from keel.apps.accounts.models import User, Workspace
from keel.apps.accounts.permissions import WorkspaceAction
from keel.apps.accounts.selectors import workspace_require
from keel.apps.planning.models import Task
from keel.apps.projects.models import Project
from keel.apps.projects.permissions import ProjectAction, can, require
from keel.common.errors import (
    PermissionDenied,
    ValidationFailed,
    check_version,
    validate_instance,
)
from keel.common.money import money

from .models import (
    Booking,
    Equipment,
    Item,
    PurchaseLine,
    PurchaseOrder,
    PurchaseStatus,
    StockLevel,
    StockMove,
    StockMoveKind,
)
from .models.stock import QTY_DIGITS, QTY_PLACES

P = ProjectAction
K = StockMoveKind
S = PurchaseStatus

MSG_QTY_NUMBER = _("Enter the quantity as a number, e.g. 2.5.")
MSG_QTY_POSITIVE = _("Enter a quantity greater than 0.")
MSG_QTY_PLACES = _("Use at most 3 decimal places.")
MSG_QTY_TOO_BIG = _("This quantity is too large.")
MSG_QTY_NOT_ZERO = _("Enter a quantity other than 0 (negative to take stock out).")
MSG_COST_NUMBER = _("Enter a cost of 0 or more, with at most 2 decimal places.")
MSG_NO_ITEM = _("There is no such item in this workspace's catalogue.")
MSG_ITEM_INACTIVE = _("This item is no longer in use; reactivate it in the catalogue first.")
MSG_NOT_ENOUGH = _("Only %(on_hand)s %(unit)s of %(item)s are in stock; %(wanted)s requested.")
MSG_BELOW_ZERO = _(
    "This adjustment would leave %(result)s %(unit)s of %(item)s; stock cannot go below 0."
)
MSG_REASON = _("Say why the stock is adjusted.")
MSG_NO_TASK = _("There is no such task in this project.")
MSG_CODE_TAKEN = _("Another entry of the catalogue already has this code.")
MSG_NO_LINES = _("Add at least one line: an item and a quantity.")
MSG_SUPPLIER = _("Name the supplier.")
MSG_NOT_DRAFT = _("Only a draft request can be submitted.")
MSG_NOT_REQUESTED = _("Only a submitted request can be approved or rejected.")
MSG_OWN_REQUEST = _("Someone other than the person who asked for it must approve a request.")
MSG_REJECT_REASON = _("Say why the request is rejected.")
MSG_NOT_CANCELLABLE = _("Only a draft or submitted request can be cancelled.")
MSG_NOT_REQUESTER = _("Only the person who asked for this request can cancel it.")
MSG_NOT_ORDERED = _("Only an approved order can be received.")
MSG_NO_LINE = _("This order has no such line.")
MSG_OVER_RECEIVED = _("Only %(left)s of this line are still to come.")
MSG_NOTHING_RECEIVED = _("Enter the quantity received on at least one line.")
MSG_NO_EQUIPMENT = _("There is no such equipment in this workspace.")
MSG_EQUIPMENT_INACTIVE = _("This equipment is no longer in use.")
MSG_FINISH_BEFORE_START = _("The last day cannot be before the first day.")
MSG_CLASH = _("%(equipment)s is already booked by %(project)s from %(start)s to %(finish)s.")
MSG_NOT_BOOKER = _("Only the person who booked it or a project manager can cancel a booking.")
MSG_UNCHANGEABLE = _("This field cannot be changed.")
MSG_ANOTHER_PROJECT = _("another project")
# A year: longer holds are agreements with the owner of the equipment, not bookings.
MAX_BOOKING_DAYS = 366
MSG_BOOKING_TOO_LONG = _("A booking lasts at most %(days)d days.")

CATALOGUE_FIELDS = {"code", "name", "unit", "unit_cost", "supplier", "is_active"}
EQUIPMENT_FIELDS = {"code", "name", "daily_rate", "supplier", "is_active"}
QTY_LIMIT = Decimal(10) ** (QTY_DIGITS - QTY_PLACES)


# ---------------------------------------------------------------- parsing


def _decimal(value: Any, field: str, message: Any) -> Decimal:
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationFailed(fields={field: [message]}) from None
    # Beyond any column (and beyond what rounding to places can take: 1e30 would raise).
    if not number.is_finite() or abs(number) >= Decimal(10) ** 15:
        raise ValidationFailed(fields={field: [message]})
    return number


def _quantity(value: Any, field: str = "quantity", *, signed: bool = False) -> Decimal:
    qty = _decimal(value, field, MSG_QTY_NUMBER)
    if signed and qty == 0:
        raise ValidationFailed(fields={field: [MSG_QTY_NOT_ZERO]})
    if not signed and qty <= 0:
        raise ValidationFailed(fields={field: [MSG_QTY_POSITIVE]})
    if qty != qty.quantize(Decimal("0.001")):
        raise ValidationFailed(fields={field: [MSG_QTY_PLACES]})
    if abs(qty) >= QTY_LIMIT:
        raise ValidationFailed(fields={field: [MSG_QTY_TOO_BIG]})
    return qty.quantize(Decimal("0.001"))


def _cost(value: Any, field: str) -> Decimal:
    cost = _decimal(value, field, MSG_COST_NUMBER)
    if cost < 0 or cost != cost.quantize(Decimal("0.01")) or cost >= Decimal(10) ** 12:
        raise ValidationFailed(fields={field: [MSG_COST_NUMBER]})
    return money(cost)


def _fmt(qty: Decimal) -> str:
    return f"{qty.normalize():f}"


def _today() -> dt.date:
    return timezone.localdate()


# ---------------------------------------------------------------- catalogue


def _catalogue_save(row: Item | Equipment) -> None:
    # The unique code is checked by the database: a savepoint keeps the outer transaction
    # usable when two people add the same code at once.
    validate_instance(row, exclude=["workspace"])
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        raise ValidationFailed(fields={"code": [MSG_CODE_TAKEN]}) from None


def _catalogue_fields(
    changes: Mapping[str, Any], allowed: set[str], cost_field: str
) -> dict[str, Any]:
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationFailed(fields={k: [MSG_UNCHANGEABLE] for k in unknown})
    fields = dict(changes)
    for name in ("code", "name", "unit", "supplier"):
        if name in fields:
            fields[name] = (fields[name] or "").strip()
    if cost_field in fields:
        fields[cost_field] = _cost(fields[cost_field], cost_field)
    return fields


@transaction.atomic
def item_create(
    *,
    actor: User,
    workspace: Workspace,
    code: str,
    name: str,
    unit: str,
    unit_cost: Any,
    supplier: str = "",
) -> Item:
    workspace_require(actor, WorkspaceAction.MANAGE_RESOURCES, workspace)
    fields = _catalogue_fields(
        {"code": code, "name": name, "unit": unit, "unit_cost": unit_cost, "supplier": supplier},
        CATALOGUE_FIELDS,
        "unit_cost",
    )
    item = Item(workspace=workspace, **fields)
    _catalogue_save(item)
    return item


@transaction.atomic
def item_update(
    *, actor: User, item: Item, version: int | None, changes: Mapping[str, Any]
) -> Item:
    """Change an item; `is_active: False` takes it out of use (its stock and history stay).
    A new unit cost applies to usage recorded from now on."""
    workspace_require(actor, WorkspaceAction.MANAGE_RESOURCES, item.workspace)
    fields = _catalogue_fields(changes, CATALOGUE_FIELDS, "unit_cost")
    locked = Item.objects.select_for_update().select_related("workspace").get(pk=item.pk)
    check_version(locked.version, version)
    locked.bump(**fields)
    _catalogue_save(locked)
    return locked


@transaction.atomic
def equipment_create(
    *,
    actor: User,
    workspace: Workspace,
    code: str,
    name: str,
    daily_rate: Any,
    supplier: str = "",
) -> Equipment:
    workspace_require(actor, WorkspaceAction.MANAGE_RESOURCES, workspace)
    fields = _catalogue_fields(
        {"code": code, "name": name, "daily_rate": daily_rate, "supplier": supplier},
        EQUIPMENT_FIELDS,
        "daily_rate",
    )
    eq = Equipment(workspace=workspace, **fields)
    _catalogue_save(eq)
    return eq


@transaction.atomic
def equipment_update(
    *, actor: User, equipment: Equipment, version: int | None, changes: Mapping[str, Any]
) -> Equipment:
    workspace_require(actor, WorkspaceAction.MANAGE_RESOURCES, equipment.workspace)
    fields = _catalogue_fields(changes, EQUIPMENT_FIELDS, "daily_rate")
    locked = Equipment.objects.select_for_update().select_related("workspace").get(pk=equipment.pk)
    check_version(locked.version, version)
    locked.bump(**fields)
    _catalogue_save(locked)
    return locked


# ---------------------------------------------------------------- stock moves


def _item(project: Project, item_id: Any, *, field: str = "item_id", active: bool = True) -> Item:
    item = (
        Item.objects.filter(pk=item_id, workspace_id=project.workspace_id).first()
        if isinstance(item_id, int)
        else None
    )
    if item is None:
        raise ValidationFailed(fields={field: [MSG_NO_ITEM]})
    if active and not item.is_active:
        raise ValidationFailed(fields={field: [MSG_ITEM_INACTIVE]})
    return item


def _task(project: Project, task_id: Any) -> Task | None:
    if task_id is None:
        return None
    task = (
        Task.objects.filter(pk=task_id, project=project).first()
        if isinstance(task_id, int)
        else None
    )
    if task is None:
        raise ValidationFailed(fields={"task_id": [MSG_NO_TASK]})
    return task


def _locked_level(project: Project, item: Item) -> StockLevel:
    """The project's level of the item, created at 0 if new, locked until the transaction
    ends: every move of the item in the project waits for it, so on_hand never drifts."""
    level, _created = StockLevel.objects.get_or_create(project=project, item=item)
    return StockLevel.objects.select_for_update().get(pk=level.pk)


def _record(
    *,
    actor: User,
    project: Project,
    item: Item,
    kind: str,
    quantity: Decimal,
    unit_cost: Decimal,
    date: dt.date | None,
    task: Task | None = None,
    note: str = "",
    purchase_line: PurchaseLine | None = None,
    level: StockLevel | None = None,
) -> StockMove:
    """Append one move to the ledger and apply it to the level (locked by the caller or
    here), refusing a result below zero."""
    level = level or _locked_level(project, item)
    result = level.on_hand + quantity
    if result < 0:
        raise _short_of(item, level, quantity, kind)
    if result >= QTY_LIMIT:
        raise ValidationFailed(fields={"quantity": [MSG_QTY_TOO_BIG]})
    move = StockMove(
        project=project,
        item=item,
        kind=kind,
        quantity=quantity,
        unit_cost=unit_cost,
        date=date or _today(),
        task=task,
        note=(note or "").strip(),
        purchase_line=purchase_line,
        created_by=actor,
    )
    validate_instance(move, exclude=["project", "item", "task", "purchase_line", "created_by"])
    move.save()
    level.on_hand = result
    level.save(update_fields=["on_hand", "updated_at"])
    return move


def _short_of(item: Item, level: StockLevel, quantity: Decimal, kind: str) -> ValidationFailed:
    names = {"item": item.name, "unit": item.unit, "on_hand": _fmt(level.on_hand)}
    if kind == K.USAGE:
        message = MSG_NOT_ENOUGH % {**names, "wanted": _fmt(-quantity)}
    else:
        message = MSG_BELOW_ZERO % {**names, "result": _fmt(level.on_hand + quantity)}
    return ValidationFailed(message, code="not_enough_stock", fields={"quantity": [message]})


@transaction.atomic
def stock_receive(
    *,
    actor: User,
    project: Project,
    item_id: int,
    quantity: Any,
    date: dt.date | None = None,
    unit_cost: Any = None,
    note: str = "",
) -> StockMove:
    """Bring stock in (outside an order: found on site, transferred in)."""
    require(actor, P.MANAGE_STOCK, project)
    item = _item(project, item_id)
    qty = _quantity(quantity)
    cost = item.unit_cost if unit_cost is None else _cost(unit_cost, "unit_cost")
    return _record(
        actor=actor,
        project=project,
        item=item,
        kind=K.RECEIPT,
        quantity=qty,
        unit_cost=cost,
        date=date,
        note=note,
    )


@transaction.atomic
def stock_use(
    *,
    actor: User,
    project: Project,
    item_id: int,
    quantity: Any,
    date: dt.date | None = None,
    task_id: int | None = None,
    note: str = "",
) -> StockMove:
    """Take material out for the work (optionally on a task): stored negative, at the item's
    unit cost of today, refused when more than is on hand."""
    require(actor, P.USE_STOCK, project)
    item = _item(project, item_id, active=False)
    qty = _quantity(quantity)
    task = _task(project, task_id)
    return _record(
        actor=actor,
        project=project,
        item=item,
        kind=K.USAGE,
        quantity=-qty,
        unit_cost=item.unit_cost,
        date=date,
        task=task,
        note=note,
    )


@transaction.atomic
def stock_adjust(
    *,
    actor: User,
    project: Project,
    item_id: int,
    quantity: Any,
    reason: str,
    date: dt.date | None = None,
) -> StockMove:
    """Correct the count (signed: a stocktake found more or less), with a reason."""
    require(actor, P.MANAGE_STOCK, project)
    item = _item(project, item_id, active=False)
    qty = _quantity(quantity, signed=True)
    if not (reason or "").strip():
        raise ValidationFailed(fields={"note": [MSG_REASON]})
    return _record(
        actor=actor,
        project=project,
        item=item,
        kind=K.ADJUSTMENT,
        quantity=qty,
        unit_cost=item.unit_cost,
        date=date,
        note=reason,
    )


@transaction.atomic
def reorder_level_set(
    *, actor: User, project: Project, item_id: int, level: Any, version: int | None
) -> StockLevel:
    """Alert when on hand falls to this level (0: never). An item not yet held is at
    version 1."""
    require(actor, P.MANAGE_STOCK, project)
    item = _item(project, item_id, active=False)
    value = _decimal(level, "reorder_level", MSG_QTY_NUMBER)
    if value != 0:
        value = _quantity(value, "reorder_level")
    row = _locked_level(project, item)
    check_version(row.version, version)
    row.bump(reorder_level=value)
    row.save()
    return row


# ---------------------------------------------------------------- purchases


def _lines(project: Project, lines: Sequence[Mapping[str, Any]]) -> list[PurchaseLine]:
    if not lines:
        raise ValidationFailed(fields={"lines": [MSG_NO_LINES]})
    found: list[PurchaseLine] = []
    for i, line in enumerate(lines):
        item = _item(project, line.get("item_id"), field=f"lines.{i}.item_id")
        qty = _quantity(line.get("quantity"), f"lines.{i}.quantity")
        cost = line.get("unit_cost")
        unit_cost = (
            item.unit_cost if cost is None or cost == "" else _cost(cost, f"lines.{i}.unit_cost")
        )
        found.append(PurchaseLine(item=item, quantity=qty, unit_cost=unit_cost))
    return found


def _next_number(project: Project) -> int:
    """Lock the project row so two requests created at once get different numbers."""
    Project.objects.select_for_update().filter(pk=project.pk).values_list("pk").first()
    top = PurchaseOrder.objects.filter(project=project).aggregate(n=Max("number"))["n"]
    return (top or 0) + 1


@transaction.atomic
def purchase_create(
    *,
    actor: User,
    project: Project,
    supplier: str,
    lines: Sequence[Mapping[str, Any]],
    needed_by: dt.date | None = None,
    note: str = "",
    submit: bool = False,
) -> PurchaseOrder:
    """A purchase request with its lines (a draft, or submitted at once)."""
    require(actor, P.REQUEST_PURCHASE, project)
    if not (supplier or "").strip():
        raise ValidationFailed(fields={"supplier": [MSG_SUPPLIER]})
    rows = _lines(project, lines)
    order = PurchaseOrder(
        project=project,
        number=_next_number(project),
        supplier=supplier.strip(),
        needed_by=needed_by,
        note=(note or "").strip(),
        requested_by=actor,
        status=S.REQUESTED if submit else S.DRAFT,
    )
    validate_instance(order, exclude=["project", "requested_by", "approved_by"])
    order.save()
    for row in rows:
        row.order = order
    PurchaseLine.objects.bulk_create(rows)
    return order


def _locked_order(order: PurchaseOrder, version: int | None) -> PurchaseOrder:
    locked = (
        PurchaseOrder.objects.select_for_update(of=("self",))
        .select_related("project__workspace")
        .get(pk=order.pk)
    )
    check_version(locked.version, version)
    return locked


def _refuse(message: Any, code: str = "wrong_status") -> ValidationFailed:
    return ValidationFailed(message, code=code, fields={"status": [message]})


@transaction.atomic
def purchase_submit(*, actor: User, order: PurchaseOrder, version: int | None) -> PurchaseOrder:
    require(actor, P.REQUEST_PURCHASE, order.project)
    order = _locked_order(order, version)
    if order.requested_by_id != actor.pk:
        raise PermissionDenied(MSG_NOT_REQUESTER)
    if order.status != S.DRAFT:
        raise _refuse(MSG_NOT_DRAFT)
    order.bump(status=S.REQUESTED)
    order.save()
    return order


def _review(actor: User, order: PurchaseOrder, version: int | None) -> PurchaseOrder:
    require(actor, P.APPROVE_PURCHASE, order.project)
    order = _locked_order(order, version)
    if order.status != S.REQUESTED:
        raise _refuse(MSG_NOT_REQUESTED)
    if order.requested_by_id == actor.pk:
        raise PermissionDenied(MSG_OWN_REQUEST)
    return order


@transaction.atomic
def purchase_approve(*, actor: User, order: PurchaseOrder, version: int | None) -> PurchaseOrder:
    """Approve a request: it becomes the order placed with the supplier."""
    order = _review(actor, order, version)
    order.bump(status=S.APPROVED, approved_by=actor, approved_at=timezone.now())
    order.save()
    return order


@transaction.atomic
def purchase_reject(
    *, actor: User, order: PurchaseOrder, version: int | None, reason: str
) -> PurchaseOrder:
    if not (reason or "").strip():
        raise ValidationFailed(fields={"reason": [MSG_REJECT_REASON]})
    order = _review(actor, order, version)
    order.bump(status=S.REJECTED, approved_by=actor, review_comment=reason.strip())
    validate_instance(order, exclude=["project", "requested_by", "approved_by"])
    order.save()
    return order


@transaction.atomic
def purchase_cancel(*, actor: User, order: PurchaseOrder, version: int | None) -> PurchaseOrder:
    require(actor, P.REQUEST_PURCHASE, order.project)
    order = _locked_order(order, version)
    if order.requested_by_id != actor.pk:
        raise PermissionDenied(MSG_NOT_REQUESTER)
    if order.status not in (S.DRAFT, S.REQUESTED):
        raise _refuse(MSG_NOT_CANCELLABLE)
    order.bump(status=S.CANCELLED)
    order.save()
    return order


@transaction.atomic
def purchase_receive(
    *,
    actor: User,
    order: PurchaseOrder,
    version: int | None,
    received: Mapping[int, Any],
    date: dt.date | None = None,
) -> PurchaseOrder:
    """Receive some or all of an order's lines ({line id: quantity}): each becomes a receipt
    at the line's unit cost. The order is 'received' when every line is in full."""
    require(actor, P.MANAGE_STOCK, order.project)
    order = _locked_order(order, version)
    if order.status != S.APPROVED:
        raise _refuse(MSG_NOT_ORDERED)
    lines = {ln.pk: ln for ln in PurchaseLine.objects.select_related("item").filter(order=order)}
    wanted = {k: v for k, v in received.items() if v not in (None, "")}
    if not any(_decimal(v, f"lines.{k}", MSG_QTY_NUMBER) != 0 for k, v in wanted.items()):
        raise ValidationFailed(fields={"received": [MSG_NOTHING_RECEIVED]})
    for line_id, value in sorted(wanted.items()):
        line = lines.get(line_id)
        if line is None:
            raise ValidationFailed(fields={f"lines.{line_id}": [MSG_NO_LINE]})
        if _decimal(value, f"lines.{line_id}", MSG_QTY_NUMBER) == 0:
            continue
        qty = _quantity(value, f"lines.{line_id}")
        left = line.quantity - line.received
        if qty > left:
            raise ValidationFailed(
                fields={f"lines.{line_id}": [MSG_OVER_RECEIVED % {"left": _fmt(left)}]}
            )
        _record(
            actor=actor,
            project=order.project,
            item=line.item,
            kind=K.RECEIPT,
            quantity=qty,
            unit_cost=line.unit_cost,
            date=date,
            purchase_line=line,
            note=str(order),
        )
        line.received += qty
        line.save(update_fields=["received"])
    done = all(ln.received == ln.quantity for ln in lines.values())
    order.bump(status=S.RECEIVED if done else S.APPROVED)
    order.save()
    return order


# ---------------------------------------------------------------- equipment bookings


def _equipment_locked(project: Project, equipment_id: Any) -> Equipment:
    eq = (
        Equipment.objects.select_for_update()
        .filter(pk=equipment_id, workspace_id=project.workspace_id)
        .first()
        if isinstance(equipment_id, int)
        else None
    )
    if eq is None:
        raise ValidationFailed(fields={"equipment_id": [MSG_NO_EQUIPMENT]})
    if not eq.is_active:
        raise ValidationFailed(fields={"equipment_id": [MSG_EQUIPMENT_INACTIVE]})
    return eq


def _check_free(actor: User, eq: Equipment, start: dt.date, finish: dt.date) -> None:
    clash = (
        Booking.objects.filter(equipment=eq, start__lte=finish, finish__gte=start)
        .select_related("project")
        .order_by("start")
        .first()
    )
    if clash is not None:
        # The clash is named, but a project the person cannot see stays unnamed.
        seen = can(actor, P.VIEW, clash.project)
        message = MSG_CLASH % {
            "equipment": str(eq),
            "project": clash.project.code if seen else str(MSG_ANOTHER_PROJECT),
            "start": clash.start.isoformat(),
            "finish": clash.finish.isoformat(),
        }
        raise ValidationFailed(message, code="booking_clash", fields={"start": [message]})


@transaction.atomic
def booking_create(
    *,
    actor: User,
    project: Project,
    equipment_id: int,
    start: dt.date,
    finish: dt.date,
    task_id: int | None = None,
    note: str = "",
) -> Booking:
    require(actor, P.BOOK_EQUIPMENT, project)
    if finish < start:
        raise ValidationFailed(fields={"finish": [MSG_FINISH_BEFORE_START]})
    if (finish - start).days + 1 > MAX_BOOKING_DAYS:
        raise ValidationFailed(
            fields={"finish": [MSG_BOOKING_TOO_LONG % {"days": MAX_BOOKING_DAYS}]}
        )
    task = _task(project, task_id)
    eq = _equipment_locked(project, equipment_id)
    booking = Booking(
        equipment=eq,
        project=project,
        task=task,
        start=start,
        finish=finish,
        note=(note or "").strip(),
        booked_by=actor,
    )
    validate_instance(booking, exclude=["equipment", "project", "task", "booked_by"])
    _check_free(actor, eq, start, finish)
    booking.save()
    return booking


@transaction.atomic
def booking_cancel(*, actor: User, booking: Booking, version: int | None = None) -> None:
    """Free the equipment: the booker, or a manager of the project (workspace owners and
    admins manage every project, so they can free equipment any project holds on to)."""
    require(actor, P.BOOK_EQUIPMENT, booking.project)
    if booking.booked_by_id != actor.pk and not can(actor, P.EDIT_ANY_TASK, booking.project):
        raise PermissionDenied(MSG_NOT_BOOKER)
    locked = Booking.objects.select_for_update().get(pk=booking.pk)
    check_version(locked.version, version)
    locked.delete()
