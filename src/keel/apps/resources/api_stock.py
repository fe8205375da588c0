"""API of the stock area: the catalogue of items and equipment, a project's stock and its
ledger, purchase requests and orders, equipment bookings. Reads through selectors_stock,
writes through services_stock (the same calls the pages make)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status

from keel.apps.accounts.permissions import WorkspaceAction
from keel.apps.projects import selectors as project_selectors
from keel.common.api import ListQuery, PathId, errors, paginate

from . import selectors_stock as sel
from . import services_stock as svc
from .schemas_stock import (
    ActionIn,
    BookingCreate,
    BookingOut,
    BookingPage,
    CatalogueQuery,
    EquipmentCreate,
    EquipmentOut,
    EquipmentPage,
    EquipmentPatch,
    ItemCreate,
    ItemOut,
    ItemPage,
    ItemPatch,
    MoveCreate,
    MoveOut,
    MovePage,
    MoveQuery,
    PurchaseCreate,
    PurchaseOut,
    PurchasePage,
    PurchaseQuery,
    ReceiveIn,
    RejectIn,
    ReorderPatch,
    StockOut,
    StockPage,
)
from .selectors import workspace_for

router = Router(tags=["materials"])
W = WorkspaceAction
READ = errors(401, 403, 404, 422)
CREATE = errors(400, 401, 403, 404, 422)
UPDATE = errors(400, 401, 403, 404, 409, 422)


def _actor(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


# ---------------------------------------------------------------- catalogue


@router.get("/workspaces/{workspace_id}/items", response={200: ItemPage, **READ})
def item_list(request: HttpRequest, workspace_id: PathId, query: Query[CatalogueQuery]) -> Any:
    """The workspace's catalogue of materials (workspace members)."""
    actor = _actor(request)
    ws = workspace_for(actor, workspace_id, W.VIEW_RESOURCES)
    return paginate(sel.items_for(actor, ws, active=query.active), query)


@router.post("/workspaces/{workspace_id}/items", response={201: ItemOut, **CREATE})
def item_create(request: HttpRequest, workspace_id: PathId, payload: ItemCreate) -> Any:
    """Add an item (workspace owners and admins). A code used already is a 422 on `code`."""
    actor = _actor(request)
    ws = workspace_for(actor, workspace_id, W.MANAGE_RESOURCES)
    return Status(201, svc.item_create(actor=actor, workspace=ws, **payload.model_dump()))


@router.get("/items/{item_id}", response={200: ItemOut, **READ})
def item_detail(request: HttpRequest, item_id: PathId) -> Any:
    return sel.item_get(_actor(request), item_id)


@router.patch("/items/{item_id}", response={200: ItemOut, **UPDATE})
def item_update(request: HttpRequest, item_id: PathId, payload: ItemPatch) -> Any:
    """Change an item; `is_active: false` takes it out of use."""
    actor = _actor(request)
    item = sel.item_get(actor, item_id)
    changes = payload.model_dump(exclude_unset=True, exclude={"version"})
    return svc.item_update(actor=actor, item=item, version=payload.version, changes=changes)


@router.get("/workspaces/{workspace_id}/equipment", response={200: EquipmentPage, **READ})
def equipment_list(request: HttpRequest, workspace_id: PathId, query: Query[CatalogueQuery]) -> Any:
    actor = _actor(request)
    ws = workspace_for(actor, workspace_id, W.VIEW_RESOURCES)
    return paginate(sel.equipment_for(actor, ws, active=query.active), query)


@router.post("/workspaces/{workspace_id}/equipment", response={201: EquipmentOut, **CREATE})
def equipment_create(request: HttpRequest, workspace_id: PathId, payload: EquipmentCreate) -> Any:
    actor = _actor(request)
    ws = workspace_for(actor, workspace_id, W.MANAGE_RESOURCES)
    return Status(201, svc.equipment_create(actor=actor, workspace=ws, **payload.model_dump()))


@router.get("/equipment/{equipment_id}", response={200: EquipmentOut, **READ})
def equipment_detail(request: HttpRequest, equipment_id: PathId) -> Any:
    return sel.equipment_get(_actor(request), equipment_id)


@router.patch("/equipment/{equipment_id}", response={200: EquipmentOut, **UPDATE})
def equipment_update(request: HttpRequest, equipment_id: PathId, payload: EquipmentPatch) -> Any:
    actor = _actor(request)
    eq = sel.equipment_get(actor, equipment_id)
    changes = payload.model_dump(exclude_unset=True, exclude={"version"})
    return svc.equipment_update(actor=actor, equipment=eq, version=payload.version, changes=changes)


# ---------------------------------------------------------------- stock


@router.get("/projects/{project_id}/stock", response={200: StockPage, **READ})
def stock_list(request: HttpRequest, project_id: PathId, query: Query[ListQuery]) -> Any:
    """The items the project holds: on hand, reorder level, low-stock flag, value."""
    actor = _actor(request)
    project = project_selectors.project_get(actor, project_id)
    return paginate(sel.stock_for(actor, project), query)


@router.get("/projects/{project_id}/stock/moves", response={200: MovePage, **READ})
def move_list(request: HttpRequest, project_id: PathId, query: Query[MoveQuery]) -> Any:
    """The ledger of the project's stock, newest first."""
    actor = _actor(request)
    project = project_selectors.project_get(actor, project_id)
    return paginate(sel.moves_for(actor, project, item_id=query.item_id, kind=query.kind), query)


@router.post("/projects/{project_id}/stock/moves", response={201: MoveOut, **CREATE})
def move_create(request: HttpRequest, project_id: PathId, payload: MoveCreate) -> Any:
    """Record a receipt, a usage (refused, 422 `not_enough_stock`, when more than on hand)
    or an adjustment (signed, with a reason in `note`)."""
    actor = _actor(request)
    project = project_selectors.project_get(actor, project_id)
    common: dict[str, Any] = {
        "actor": actor,
        "project": project,
        "item_id": payload.item_id,
        "quantity": payload.quantity,
        "date": payload.date,
    }
    if payload.kind == "receipt":
        move = svc.stock_receive(**common, unit_cost=payload.unit_cost, note=payload.note)
    elif payload.kind == "usage":
        move = svc.stock_use(**common, task_id=payload.task_id, note=payload.note)
    else:
        move = svc.stock_adjust(**common, reason=payload.note)
    return Status(201, move)


# After the ledger's routes: "moves" would otherwise be taken for an item id.
@router.patch("/projects/{project_id}/stock/{item_id}", response={200: StockOut, **UPDATE})
def stock_update(
    request: HttpRequest, project_id: PathId, item_id: PathId, payload: ReorderPatch
) -> Any:
    """Set an item's reorder level in the project (an item not yet held is at version 1)."""
    actor = _actor(request)
    project = project_selectors.project_get(actor, project_id)
    svc.reorder_level_set(
        actor=actor,
        project=project,
        item_id=item_id,
        level=payload.reorder_level,
        version=payload.version,
    )
    return sel.stock_level_of(project, item_id)


# ---------------------------------------------------------------- purchases


@router.get("/projects/{project_id}/purchases", response={200: PurchasePage, **READ})
def purchase_list(request: HttpRequest, project_id: PathId, query: Query[PurchaseQuery]) -> Any:
    actor = _actor(request)
    project = project_selectors.project_get(actor, project_id)
    return paginate(sel.purchases_for(actor, project, status=query.status), query)


@router.post("/projects/{project_id}/purchases", response={201: PurchaseOut, **CREATE})
def purchase_create(request: HttpRequest, project_id: PathId, payload: PurchaseCreate) -> Any:
    """A purchase request with its lines; `submit: true` sends it for approval at once."""
    actor = _actor(request)
    project = project_selectors.project_get(actor, project_id)
    order = svc.purchase_create(
        actor=actor,
        project=project,
        supplier=payload.supplier,
        needed_by=payload.needed_by,
        note=payload.note,
        lines=[line.model_dump() for line in payload.lines],
        submit=payload.submit,
    )
    return Status(201, sel.purchase_get(actor, order.pk))


@router.get("/purchases/{purchase_id}", response={200: PurchaseOut, **READ})
def purchase_detail(request: HttpRequest, purchase_id: PathId) -> Any:
    return sel.purchase_get(_actor(request), purchase_id)


def _act(request: HttpRequest, purchase_id: int, action: Any, **kwargs: Any) -> Any:
    actor = _actor(request)
    order = sel.purchase_get(actor, purchase_id)
    action(actor=actor, order=order, **kwargs)
    return sel.purchase_get(actor, purchase_id)


@router.post("/purchases/{purchase_id}/submit", response={200: PurchaseOut, **UPDATE})
def purchase_submit(request: HttpRequest, purchase_id: PathId, payload: ActionIn) -> Any:
    """Send your draft request for approval."""
    return _act(request, purchase_id, svc.purchase_submit, version=payload.version)


@router.post("/purchases/{purchase_id}/approve", response={200: PurchaseOut, **UPDATE})
def purchase_approve(request: HttpRequest, purchase_id: PathId, payload: ActionIn) -> Any:
    """Approve a submitted request: it becomes an order. Not your own (403)."""
    return _act(request, purchase_id, svc.purchase_approve, version=payload.version)


@router.post("/purchases/{purchase_id}/reject", response={200: PurchaseOut, **UPDATE})
def purchase_reject(request: HttpRequest, purchase_id: PathId, payload: RejectIn) -> Any:
    """Reject a submitted request, saying why."""
    return _act(
        request, purchase_id, svc.purchase_reject, version=payload.version, reason=payload.reason
    )


@router.post("/purchases/{purchase_id}/cancel", response={200: PurchaseOut, **UPDATE})
def purchase_cancel(request: HttpRequest, purchase_id: PathId, payload: ActionIn) -> Any:
    """Cancel your own draft or submitted request."""
    return _act(request, purchase_id, svc.purchase_cancel, version=payload.version)


@router.post("/purchases/{purchase_id}/receive", response={200: PurchaseOut, **UPDATE})
def purchase_receive(request: HttpRequest, purchase_id: PathId, payload: ReceiveIn) -> Any:
    """Receive some or all of an approved order's lines: the stock goes up."""
    return _act(
        request,
        purchase_id,
        svc.purchase_receive,
        version=payload.version,
        received={line.line_id: line.quantity for line in payload.lines},
        date=payload.date,
    )


# ---------------------------------------------------------------- bookings


@router.get("/projects/{project_id}/bookings", response={200: BookingPage, **READ})
def booking_list(request: HttpRequest, project_id: PathId, query: Query[ListQuery]) -> Any:
    actor = _actor(request)
    project = project_selectors.project_get(actor, project_id)
    return paginate(sel.bookings_for(actor, project), query)


@router.post("/projects/{project_id}/bookings", response={201: BookingOut, **CREATE})
def booking_create(request: HttpRequest, project_id: PathId, payload: BookingCreate) -> Any:
    """Book equipment for days of the project; an overlap is a 422 `booking_clash` naming
    the booking in the way."""
    actor = _actor(request)
    project = project_selectors.project_get(actor, project_id)
    booking = svc.booking_create(actor=actor, project=project, **payload.model_dump())
    return Status(201, sel.booking_get(actor, booking.pk))


@router.get("/bookings/{booking_id}", response={200: BookingOut, **READ})
def booking_detail(request: HttpRequest, booking_id: PathId) -> Any:
    return sel.booking_get(_actor(request), booking_id)


@router.delete("/bookings/{booking_id}", response={204: None, **READ})
def booking_cancel(request: HttpRequest, booking_id: PathId) -> Any:
    """Cancel a booking: the person who made it, or a project manager."""
    actor = _actor(request)
    svc.booking_cancel(actor=actor, booking=sel.booking_get(actor, booking_id))
    return Status(204, None)


@router.get("/equipment/{equipment_id}/bookings", response={200: BookingPage, **READ})
def equipment_booking_list(
    request: HttpRequest, equipment_id: PathId, query: Query[ListQuery]
) -> Any:
    """Every project's bookings of the equipment, to see when it is free; those of projects
    you cannot see carry only the dates."""
    actor = _actor(request)
    eq = sel.equipment_get(actor, equipment_id)
    page = paginate(sel.equipment_bookings(actor, eq), query)
    page["items"] = sel.redacted(actor, list(page["items"]))
    return page
