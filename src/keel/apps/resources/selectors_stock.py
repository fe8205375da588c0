"""Reads of the stock area: the workspace catalogue, a project's stock and its ledger,
purchases and equipment bookings. Each read checks the permission and owns its joins, so a
list costs the same few queries whatever its length."""

from __future__ import annotations

import calendar as pycalendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    DecimalField,
    ExpressionWrapper,
    F,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)

from keel.apps.accounts.models import Workspace
from keel.apps.accounts.permissions import WorkspaceAction
from keel.apps.accounts.selectors import workspace_require
from keel.apps.planning.models import Task
from keel.apps.projects.models import Project
from keel.apps.projects.permissions import ProjectAction, require, visible_projects_q
from keel.common.errors import NotFound

from .models import (
    Booking,
    Equipment,
    Item,
    PurchaseLine,
    PurchaseOrder,
    StockLevel,
    StockMove,
)

P = ProjectAction
W = WorkspaceAction


# ---------------------------------------------------------------- catalogue


def items_for(actor: Any, workspace: Workspace, *, active: bool | None = None) -> QuerySet[Item]:
    workspace_require(actor, W.VIEW_RESOURCES, workspace)
    qs = Item.objects.filter(workspace=workspace)
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs.order_by("code", "pk")


def item_get(actor: Any, item_id: int, action: WorkspaceAction = W.VIEW_RESOURCES) -> Item:
    item = Item.objects.select_related("workspace").filter(pk=item_id).first()
    if item is None:
        raise NotFound()
    workspace_require(actor, action, item.workspace)
    return item


def equipment_for(
    actor: Any, workspace: Workspace, *, active: bool | None = None
) -> QuerySet[Equipment]:
    workspace_require(actor, W.VIEW_RESOURCES, workspace)
    qs = Equipment.objects.filter(workspace=workspace)
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs.order_by("code", "pk")


def equipment_get(
    actor: Any, equipment_id: int, action: WorkspaceAction = W.VIEW_RESOURCES
) -> Equipment:
    eq = Equipment.objects.select_related("workspace").filter(pk=equipment_id).first()
    if eq is None:
        raise NotFound()
    workspace_require(actor, action, eq.workspace)
    return eq


# ---------------------------------------------------------------- stock


def _stock_qs(project: Project) -> QuerySet[StockLevel]:
    value = ExpressionWrapper(
        F("on_hand") * F("item__unit_cost"),
        output_field=DecimalField(max_digits=28, decimal_places=5),
    )
    low = Case(
        When(Q(reorder_level__gt=0) & Q(on_hand__lte=F("reorder_level")), then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )
    return (
        StockLevel.objects.filter(project=project)
        .select_related("item", "project")
        .annotate(value=value, is_low=low)
        .order_by("item__code", "pk")
    )


def stock_for(actor: Any, project: Project) -> QuerySet[StockLevel]:
    """The items the project holds (or once held), with their value at today's unit cost and
    whether they are at or below their reorder level."""
    require(actor, P.VIEW, project)
    return _stock_qs(project)


def stock_level_of(project: Project, item_id: int) -> StockLevel | None:
    return _stock_qs(project).filter(item_id=item_id).first()


def low_stock(project: Project) -> list[StockLevel]:
    """Items at or below their reorder level (a level of 0 means no alert). No permission
    check: the daily notifications call it for the project's people."""
    return list(_stock_qs(project).filter(reorder_level__gt=0, on_hand__lte=F("reorder_level")))


def moves_for(
    actor: Any, project: Project, *, item_id: int | None = None, kind: str | None = None
) -> QuerySet[StockMove]:
    """The ledger, newest first."""
    require(actor, P.VIEW, project)
    qs = StockMove.objects.filter(project=project).select_related(
        "item", "task", "created_by", "purchase_line__order"
    )
    if item_id is not None:
        qs = qs.filter(item_id=item_id)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-date", "-pk")


def stock_value(levels: list[StockLevel]) -> Decimal:
    return sum((Decimal(getattr(s, "value", 0) or 0) for s in levels), Decimal("0")).quantize(
        Decimal("0.01")
    )


# ---------------------------------------------------------------- purchases


def _purchase_qs() -> QuerySet[PurchaseOrder]:
    return PurchaseOrder.objects.select_related(
        "project__workspace", "requested_by", "approved_by"
    ).prefetch_related(
        Prefetch("lines", queryset=PurchaseLine.objects.select_related("item").order_by("pk"))
    )


def purchases_for(
    actor: Any, project: Project, *, status: str | None = None
) -> QuerySet[PurchaseOrder]:
    require(actor, P.VIEW, project)
    qs = _purchase_qs().filter(project=project)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-number")


def purchase_get(actor: Any, order_id: int) -> PurchaseOrder:
    order = _purchase_qs().filter(pk=order_id).first()
    if order is None:
        raise NotFound()
    require(actor, P.VIEW, order.project)
    return order


def purchase_total(order: PurchaseOrder) -> Decimal:
    """The order's value from its (prefetched) lines."""
    total = sum((ln.quantity * ln.unit_cost for ln in order.lines.all()), Decimal("0"))
    return total.quantize(Decimal("0.01"))


# ---------------------------------------------------------------- bookings


def _booking_qs() -> QuerySet[Booking]:
    return Booking.objects.select_related("equipment", "project__workspace", "task", "booked_by")


def bookings_for(actor: Any, project: Project) -> QuerySet[Booking]:
    require(actor, P.VIEW, project)
    return _booking_qs().filter(project=project).order_by("start", "pk")


def booking_get(actor: Any, booking_id: int) -> Booking:
    booking = _booking_qs().filter(pk=booking_id).first()
    if booking is None:
        raise NotFound()
    require(actor, P.VIEW, booking.project)
    return booking


def redacted(actor: Any, bookings: list[Booking]) -> list[Booking]:
    """Bookings of projects the reader cannot see say only that the equipment is taken
    then: their project, task, note and booker are blanked (`hidden`), in memory."""
    projects = {b.project_id for b in bookings}
    visible = set(
        Project.objects.filter(visible_projects_q(actor), pk__in=projects).values_list(
            "pk", flat=True
        )
    )
    for b in bookings:
        b.hidden = b.project_id not in visible  # type: ignore[attr-defined]
        if b.hidden:  # type: ignore[attr-defined]
            b.note, b.task_id, b.task = "", None, None
    return bookings


def equipment_bookings(actor: Any, equipment: Equipment) -> QuerySet[Booking]:
    """Every booking of a piece of equipment, across the workspace's projects: those who
    book need to see when it is taken (see `redacted` for those of other projects)."""
    workspace_require(actor, W.VIEW_RESOURCES, equipment.workspace)
    return _booking_qs().filter(equipment=equipment).order_by("start", "pk")


@dataclass
class BookingDay:
    day: date
    in_month: bool
    bookings: list[Booking]


def month_bounds(year: int, month: int) -> tuple[date, date]:
    first = date(year, month, 1)
    return first, first.replace(day=pycalendar.monthrange(year, month)[1])


def booking_calendar(
    actor: Any, project: Project, year: int, month: int, *, equipment_id: int | None = None
) -> list[list[BookingDay]]:
    """Weeks (Monday first) covering the month, each day with the bookings of the
    workspace's equipment on it (every project's, so free days are visible). One query."""
    require(actor, P.VIEW, project)
    first, last = month_bounds(year, month)
    grid_start = first - timedelta(days=first.weekday())
    grid_end = last + timedelta(days=6 - last.weekday())
    qs = _booking_qs().filter(
        equipment__workspace_id=project.workspace_id, start__lte=grid_end, finish__gte=grid_start
    )
    if equipment_id is not None:
        qs = qs.filter(equipment_id=equipment_id)
    bookings = redacted(actor, list(qs.order_by("equipment__code", "start", "pk")))
    weeks: list[list[BookingDay]] = []
    d = grid_start
    while d <= grid_end:
        week = []
        for _i in range(7):
            on_day = [b for b in bookings if b.start <= d <= b.finish]
            week.append(BookingDay(d, d.month == month, on_day))
            d += timedelta(days=1)
        weeks.append(week)
    return weeks


def task_choices(project: Project) -> QuerySet[Task]:
    """The tasks material can be used on or equipment booked for: the project's leaves."""
    return (
        Task.objects.filter(project=project, is_summary=False)
        .only("pk", "wbs_code", "name")
        .order_by("wbs_code", "pk")
    )
