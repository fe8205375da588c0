"""API shapes of the stock area. Quantities and costs go in as decimals (strings or
numbers) and come out as strings with the column's scale; their rules (greater than 0, not
more than on hand, ...) are the services', with messages in the caller's language."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import AfterValidator, Field

from keel.common.api import (
    Day,
    Decimal2,
    Id,
    In,
    ListQuery,
    Page,
    Version,
    omittable,
)

from .models import PurchaseStatus, StockMoveKind


def _q3(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.001"))


Qty3 = Annotated[Decimal, AfterValidator(_q3)]
Code = Annotated[str, Field(min_length=1, max_length=40)]
Name = Annotated[str, Field(min_length=1, max_length=200)]
Unit = Annotated[str, Field(min_length=1, max_length=20)]
Supplier = Annotated[str, Field(max_length=200)]
Note = Annotated[str, Field(max_length=200)]
# Bounded so an absurd number is a 422 here; sign and scale are the service's to word.
Amount = Annotated[Decimal, Field(max_digits=20, decimal_places=6)]


# ---------------------------------------------------------------- catalogue


class ItemOut(Schema):
    id: int
    workspace_id: int
    code: str
    name: str
    unit: str
    unit_cost: Decimal2
    supplier: str
    is_active: bool
    version: int


class ItemPage(Page[ItemOut]):
    pass


class ItemCreate(In):
    code: Code
    name: Name
    unit: Unit
    unit_cost: Amount = Field(examples=["12.50"])
    supplier: Supplier = ""


class ItemPatch(In):
    version: Version
    code: Code = omittable()
    name: Name = omittable()
    unit: Unit = omittable()
    unit_cost: Amount = omittable()
    supplier: Supplier = omittable()
    is_active: bool = omittable(description="false takes the item out of use.")


class CatalogueQuery(ListQuery):
    active: bool | None = Field(None, description="Only active (true) or inactive (false).")


class EquipmentOut(Schema):
    id: int
    workspace_id: int
    code: str
    name: str
    daily_rate: Decimal2
    supplier: str
    is_active: bool
    version: int


class EquipmentPage(Page[EquipmentOut]):
    pass


class EquipmentCreate(In):
    code: Code
    name: Name
    daily_rate: Amount = Field(examples=["400.00"])
    supplier: Supplier = ""


class EquipmentPatch(In):
    version: Version
    code: Code = omittable()
    name: Name = omittable()
    daily_rate: Amount = omittable()
    supplier: Supplier = omittable()
    is_active: bool = omittable()


# ---------------------------------------------------------------- stock


class StockOut(Schema):
    item_id: int
    item_code: str
    item_name: str
    unit: str
    on_hand: Qty3
    reorder_level: Qty3
    is_low: bool = Field(description="At or below the reorder level (a level of 0 never is).")
    value: Decimal2 = Field(description="On hand at the item's unit cost, project currency.")
    currency: str
    version: int

    @staticmethod
    def resolve_item_code(obj: Any) -> str:
        return str(obj.item.code)

    @staticmethod
    def resolve_item_name(obj: Any) -> str:
        return str(obj.item.name)

    @staticmethod
    def resolve_unit(obj: Any) -> str:
        return str(obj.item.unit)

    @staticmethod
    def resolve_currency(obj: Any) -> str:
        return str(obj.project.currency)


class StockPage(Page[StockOut]):
    pass


class ReorderPatch(In):
    version: Version
    reorder_level: Amount = Field(description="Alert at or below this quantity; 0: never.")


class MoveOut(Schema):
    id: int
    item_id: int
    kind: StockMoveKind
    quantity: Qty3 = Field(description="Receipts positive, usage negative.")
    unit_cost: Decimal2
    cost: Decimal2
    date: dt.date
    task_id: int | None
    purchase_line_id: int | None
    note: str
    created_by_id: int
    created_at: dt.datetime


class MovePage(Page[MoveOut]):
    pass


class MoveQuery(ListQuery):
    item_id: Id | None = None
    kind: StockMoveKind | None = None


class MoveCreate(In):
    kind: Literal["receipt", "usage", "adjustment"]
    item_id: Id
    quantity: Amount = Field(
        description="Receipt and usage: more than 0. Adjustment: signed (negative takes out)."
    )
    date: Day | None = None
    task_id: Id | None = Field(None, description="Usage: the task of this project it went on.")
    unit_cost: Amount | None = Field(None, description="Receipt: defaults to the item's.")
    note: Note = Field("", description="Adjustment: the reason, required.")


# ---------------------------------------------------------------- purchases


class LineOut(Schema):
    id: int
    item_id: int
    item_code: str
    quantity: Qty3
    unit_cost: Decimal2
    received: Qty3

    @staticmethod
    def resolve_item_code(obj: Any) -> str:
        return str(obj.item.code)


class PurchaseOut(Schema):
    id: int
    project_id: int
    number: int
    supplier: str
    status: PurchaseStatus
    needed_by: dt.date | None
    note: str
    requested_by_id: int
    approved_by_id: int | None
    approved_at: dt.datetime | None
    review_comment: str
    lines: list[LineOut]
    version: int

    @staticmethod
    def resolve_lines(obj: Any) -> list[Any]:
        return list(obj.lines.all())


class PurchasePage(Page[PurchaseOut]):
    pass


class PurchaseQuery(ListQuery):
    status: PurchaseStatus | None = None


class LineIn(In):
    item_id: Id
    quantity: Amount
    unit_cost: Amount | None = Field(None, description="Defaults to the item's unit cost.")


class PurchaseCreate(In):
    supplier: Supplier
    needed_by: Day | None = None
    note: Annotated[str, Field(max_length=20_000)] = ""
    lines: list[LineIn] = Field(max_length=200)
    submit: bool = Field(False, description="Send for approval at once.")


class ActionIn(In):
    version: Version


class RejectIn(ActionIn):
    reason: Annotated[str, Field(max_length=500)]


class ReceiptLineIn(In):
    line_id: Id
    quantity: Amount


class ReceiveIn(ActionIn):
    date: Day | None = None
    lines: list[ReceiptLineIn] = Field(max_length=200)


# ---------------------------------------------------------------- bookings


class BookingOut(Schema):
    id: int
    equipment_id: int
    equipment_code: str
    project_id: int | None = Field(description="Null for a project you cannot see.")
    project_code: str | None
    task_id: int | None
    start: dt.date
    finish: dt.date
    days: int
    note: str
    booked_by_id: int | None
    version: int

    @staticmethod
    def resolve_project_id(obj: Any) -> int | None:
        return None if getattr(obj, "hidden", False) else int(obj.project_id)

    @staticmethod
    def resolve_booked_by_id(obj: Any) -> int | None:
        return None if getattr(obj, "hidden", False) else int(obj.booked_by_id)

    @staticmethod
    def resolve_equipment_code(obj: Any) -> str:
        return str(obj.equipment.code)

    @staticmethod
    def resolve_project_code(obj: Any) -> str | None:
        return None if getattr(obj, "hidden", False) else str(obj.project.code)

    @staticmethod
    def resolve_days(obj: Any) -> int:
        return int((obj.finish - obj.start).days + 1)


class BookingPage(Page[BookingOut]):
    pass


class BookingCreate(In):
    equipment_id: Id
    start: Day
    finish: Day
    task_id: Id | None = None
    note: Note = ""
