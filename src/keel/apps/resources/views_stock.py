"""Pages of the stock area: the workspace catalogue, a project's materials (stock, ledger,
low-stock alert), its purchases, and equipment bookings on a month calendar. Thin: parse a
form, call one service (the one the API calls), map its refusals onto the form."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from keel.apps.accounts.permissions import WorkspaceAction, can_workspace
from keel.apps.projects.forms import project_for
from keel.apps.projects.permissions import ProjectAction, page_flags
from keel.common.errors import Conflict, KeelError
from keel.common.pages import (
    apply_service_errors,
    changes,
    parse_id,
    service_errors,
    service_messages,
)

from . import selectors_stock as sel
from . import services_stock as svc
from .forms_stock import (
    ActionForm,
    BookingForm,
    EquipmentEditForm,
    EquipmentForm,
    ItemEditForm,
    ItemForm,
    MoveForm,
    PurchaseForm,
    ReorderForm,
)
from .models import PurchaseStatus, StockMoveKind
from .selectors import workspace_for

P = ProjectAction
W = WorkspaceAction
LEDGER_ROWS = 200  # the newest moves of an item shown on its page; the API pages through all


def _project_ctx(request: HttpRequest, project: Any, tab: str, **extra: Any) -> dict[str, Any]:
    return {"project": project, "tab": tab, **page_flags(request.user, project), **extra}


# ---------------------------------------------------------------- catalogue


def _catalogue_ctx(request: HttpRequest, ws: Any, **forms: Any) -> dict[str, Any]:
    can_manage = can_workspace(request.user, W.MANAGE_RESOURCES, ws)
    return {
        "workspace": ws,
        "items": list(sel.items_for(request.user, ws)),
        "equipment": list(sel.equipment_for(request.user, ws)),
        "can_manage": can_manage,
        "item_form": forms.get("item_form") or (ItemForm(prefix="item") if can_manage else None),
        "equipment_form": forms.get("equipment_form")
        or (EquipmentForm(prefix="eq") if can_manage else None),
    }


@login_required
@require_http_methods(["GET", "POST"])
@service_errors
def catalogue(request: HttpRequest, pk: int) -> HttpResponse:
    """The workspace's items and equipment; managers add to it from the same page."""
    action = W.MANAGE_RESOURCES if request.method == "POST" else W.VIEW_RESOURCES
    ws = workspace_for(request.user, pk, action)
    if request.method == "GET":
        return render(request, "resources/catalogue.html", _catalogue_ctx(request, ws))
    adding_equipment = request.POST.get("add") == "equipment"
    form: ItemForm | EquipmentForm
    create: Any
    if adding_equipment:
        form, create, done = (
            EquipmentForm(request.POST, prefix="eq"),
            svc.equipment_create,
            _("The equipment was added."),
        )
    else:
        form, create, done = (
            ItemForm(request.POST, prefix="item"),
            svc.item_create,
            _("The item was added."),
        )
    status = 422
    if form.is_valid():
        try:
            create(actor=request.user, workspace=ws, **form.cleaned_data)
        except KeelError as exc:
            status = apply_service_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect("resources:catalogue", pk=pk)
    key = "equipment_form" if adding_equipment else "item_form"
    ctx = _catalogue_ctx(request, ws, **{key: form})
    return render(request, "resources/catalogue.html", ctx, status=status)


def _edit_row(
    request: HttpRequest, row: Any, form_class: Any, update: Any, kind: str
) -> HttpResponse:
    fields = list(form_class.base_fields)
    initial = {name: getattr(row, name) for name in fields if hasattr(row, name)}
    form = form_class(initial=initial)
    status = 200
    if request.method == "POST":
        form = form_class(request.POST, initial=initial)
        status = 422
        if form.is_valid():
            try:
                update(
                    request.user, row, version=form.cleaned_data["version"], changes=changes(form)
                )
            except Conflict as exc:
                fresh = type(row).objects.get(pk=row.pk)
                form = form_class(initial={n: getattr(fresh, n) for n in initial})
                status = apply_service_errors(form, exc)
            except KeelError as exc:
                status = apply_service_errors(form, exc)
            else:
                messages.success(request, _("The catalogue was saved."))
                return redirect("resources:catalogue", pk=row.workspace_id)
    ctx = {"row": row, "form": form, "kind": kind, "workspace": row.workspace}
    return render(request, "resources/catalogue_edit.html", ctx, status=status)


@login_required
@require_http_methods(["GET", "POST"])
@service_errors
def item_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = sel.item_get(request.user, pk, W.MANAGE_RESOURCES)

    def update(actor: Any, row: Any, **kw: Any) -> Any:
        return svc.item_update(actor=actor, item=row, **kw)

    return _edit_row(request, item, ItemEditForm, update, "item")


@login_required
@require_http_methods(["GET", "POST"])
@service_errors
def equipment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    eq = sel.equipment_get(request.user, pk, W.MANAGE_RESOURCES)

    def update(actor: Any, row: Any, **kw: Any) -> Any:
        return svc.equipment_update(actor=actor, equipment=row, **kw)

    return _edit_row(request, eq, EquipmentEditForm, update, "equipment")


# ---------------------------------------------------------------- materials


def _move_form(request: HttpRequest, project: Any, data: Any = None) -> MoveForm:
    items = (
        sel.items_for(request.user, project.workspace, active=True)
        if _sees_catalogue(request, project)
        else []
    )
    return MoveForm(
        data,
        items=items,
        tasks=sel.task_choices(project),
        initial={"kind": StockMoveKind.USAGE, "date": timezone.localdate()},
    )


def _sees_catalogue(request: HttpRequest, project: Any) -> bool:
    return can_workspace(request.user, W.VIEW_RESOURCES, project.workspace_id)


def _materials_ctx(request: HttpRequest, project: Any, form: Any = None) -> dict[str, Any]:
    levels = list(sel.stock_for(request.user, project))
    flags = page_flags(request.user, project)
    may_move = flags["can_use_stock"] or flags["can_manage_stock"]
    return _project_ctx(
        request,
        project,
        "materials",
        levels=levels,
        low=[s for s in levels if s.is_low],  # type: ignore[attr-defined]
        total_value=sel.stock_value(levels),
        recent=list(sel.moves_for(request.user, project)[:20]),
        form=form or (_move_form(request, project) if may_move else None),
    )


@login_required
@require_GET
@service_errors
def materials(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_for(request.user, pk)
    return render(request, "resources/stock.html", _materials_ctx(request, project))


@login_required
@require_POST
@service_errors
def materials_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a receipt, usage or adjustment; refused ones show on the form, nothing saved."""
    project = project_for(request.user, pk, P.USE_STOCK)
    form = _move_form(request, project, request.POST)
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        common: dict[str, Any] = {
            "actor": request.user,
            "project": project,
            "item_id": data["item"],
            "quantity": data["quantity"],
            "date": data["date"],
        }
        try:
            if data["kind"] == StockMoveKind.RECEIPT:
                svc.stock_receive(**common, note=data["note"])
            elif data["kind"] == StockMoveKind.USAGE:
                svc.stock_use(**common, task_id=data["task"], note=data["note"])
            else:
                svc.stock_adjust(**common, reason=data["note"])
        except KeelError as exc:
            status = apply_service_errors(form, exc)
        else:
            messages.success(request, _("The stock move was recorded."))
            return redirect("resources:materials", pk=pk)
    return render(
        request, "resources/stock.html", _materials_ctx(request, project, form), status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
@service_errors
def stock_item(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    """One item in the project: its ledger and its reorder level."""
    project = project_for(request.user, pk)
    level = sel.stock_level_of(project, item_pk)
    if level is None:
        raise Http404
    initial = {"reorder_level": level.reorder_level, "version": level.version}
    form = ReorderForm(initial=initial)
    status = 200
    if request.method == "POST":
        form = ReorderForm(request.POST, initial=initial)
        status = 422
        if form.is_valid():
            try:
                svc.reorder_level_set(
                    actor=request.user,  # type: ignore[arg-type]
                    project=project,
                    item_id=item_pk,
                    level=form.cleaned_data["reorder_level"],
                    version=form.cleaned_data["version"],
                )
            except KeelError as exc:
                status = apply_service_errors(form, exc)
            else:
                messages.success(request, _("The reorder level was saved."))
                return redirect("resources:stock_item", pk=pk, item_pk=item_pk)
    ctx = _project_ctx(
        request,
        project,
        "materials",
        level=level,
        moves=list(sel.moves_for(request.user, project, item_id=item_pk)[:LEDGER_ROWS]),
        form=form,
    )
    return render(request, "resources/stock_item.html", ctx, status=status)


# ---------------------------------------------------------------- purchases


def _purchase_form(request: HttpRequest, project: Any, data: Any = None) -> PurchaseForm:
    items = (
        sel.items_for(request.user, project.workspace, active=True)
        if _sees_catalogue(request, project)
        else []
    )
    return PurchaseForm(data, items=items)


@login_required
@require_http_methods(["GET", "POST"])
@service_errors
def purchases(request: HttpRequest, pk: int) -> HttpResponse:
    """The project's purchase requests and orders; a new request from the same page."""
    project = project_for(
        request.user, pk, P.REQUEST_PURCHASE if request.method == "POST" else None
    )
    flags = page_flags(request.user, project)
    form = _purchase_form(request, project) if flags["can_request_purchase"] else None
    status = 200
    if request.method == "POST":
        form = _purchase_form(request, project, request.POST)
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                order = svc.purchase_create(
                    actor=request.user,  # type: ignore[arg-type]
                    project=project,
                    supplier=data["supplier"],
                    needed_by=data["needed_by"],
                    note=data["note"],
                    lines=form.lines(),
                    submit=request.POST.get("submit") == "1",
                )
            except KeelError as exc:
                status = apply_service_errors(form, exc)
            else:
                messages.success(request, _("%(order)s was saved.") % {"order": order})
                return redirect("resources:purchase", pk=order.pk)
    orders = list(sel.purchases_for(request.user, project))
    ctx = _project_ctx(request, project, "purchases", orders=orders, form=form)
    return render(request, "resources/purchases.html", ctx, status=status)


def _purchase_ctx(request: HttpRequest, order: Any, **extra: Any) -> dict[str, Any]:
    flags = page_flags(request.user, order.project)
    mine = order.requested_by_id == request.user.pk
    return _project_ctx(
        request,
        order.project,
        "purchases",
        order=order,
        total=sel.purchase_total(order),
        may_submit=mine and order.status == PurchaseStatus.DRAFT,
        may_cancel=mine and order.status in (PurchaseStatus.DRAFT, PurchaseStatus.REQUESTED),
        may_review=flags["can_approve_purchase"]
        and not mine
        and order.status == PurchaseStatus.REQUESTED,
        may_receive=flags["can_manage_stock"] and order.status == PurchaseStatus.APPROVED,
        problems=[],
        **extra,
    )


@login_required
@require_GET
@service_errors
def purchase(request: HttpRequest, pk: int) -> HttpResponse:
    order = sel.purchase_get(request.user, pk)
    return render(request, "resources/purchase_detail.html", _purchase_ctx(request, order))


ACTIONS = {
    "submit": svc.purchase_submit,
    "approve": svc.purchase_approve,
    "cancel": svc.purchase_cancel,
}


@login_required
@require_POST
@service_errors
def purchase_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Submit, approve, reject (with a reason), cancel or receive an order."""
    if action not in (*ACTIONS, "reject", "receive"):
        raise Http404
    order = sel.purchase_get(request.user, pk)
    form = ActionForm(request.POST)
    if not form.is_valid():
        raise Http404
    version = form.cleaned_data["version"]
    kwargs: dict[str, Any] = {"actor": request.user, "order": order, "version": version}
    try:
        if action == "reject":
            svc.purchase_reject(**kwargs, reason=form.cleaned_data["reason"])
        elif action == "receive":
            received = {
                line.pk: request.POST.get(f"line_{line.pk}", "").strip()
                for line in order.lines.all()
            }
            svc.purchase_receive(**kwargs, received=received)
        else:
            ACTIONS[action](**kwargs)
    except KeelError as exc:
        if exc.status in (403, 404):
            raise
        ctx = _purchase_ctx(request, sel.purchase_get(request.user, pk))
        ctx["problems"] = service_messages(exc)
        return render(request, "resources/purchase_detail.html", ctx, status=exc.status)
    messages.success(request, _("%(order)s was updated.") % {"order": order})
    return redirect("resources:purchase", pk=pk)


# ---------------------------------------------------------------- bookings


def _month(request: HttpRequest, today: date) -> date:
    try:
        year, month = (int(x) for x in request.GET.get("month", "").split("-"))
        first = date(year, month, 1)
    except (ValueError, OverflowError):
        return today.replace(day=1)
    return first if 1900 <= first.year <= 2999 else today.replace(day=1)


def _bookings_ctx(request: HttpRequest, project: Any, form: Any = None) -> dict[str, Any]:
    today = timezone.localdate()
    first = _month(request, today)
    equipment_id = parse_id(request.GET.get("equipment"))
    sees = _sees_catalogue(request, project)
    equipment = (
        list(sel.equipment_for(request.user, project.workspace, active=True)) if sees else []
    )
    flags = page_flags(request.user, project)
    if form is None and flags["can_book_equipment"]:
        form = BookingForm(
            equipment=equipment,
            tasks=sel.task_choices(project),
            initial={"start": today, "finish": today},
        )
    return _project_ctx(
        request,
        project,
        "bookings",
        weeks=sel.booking_calendar(
            request.user, project, first.year, first.month, equipment_id=equipment_id
        ),
        month=first,
        prev=(first - timedelta(days=1)).strftime("%Y-%m"),
        next=(first + timedelta(days=32)).replace(day=1).strftime("%Y-%m"),
        this=today.strftime("%Y-%m"),
        today=today,
        equipment=equipment,
        equipment_id=equipment_id,
        bookings=list(sel.bookings_for(request.user, project)),
        form=form,
    )


@login_required
@require_http_methods(["GET", "POST"])
@service_errors
def bookings(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_for(request.user, pk, P.BOOK_EQUIPMENT if request.method == "POST" else None)
    if request.method == "GET":
        return render(request, "resources/bookings.html", _bookings_ctx(request, project))
    sees = _sees_catalogue(request, project)
    equipment = (
        list(sel.equipment_for(request.user, project.workspace, active=True)) if sees else []
    )
    form = BookingForm(request.POST, equipment=equipment, tasks=sel.task_choices(project))
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        try:
            svc.booking_create(
                actor=request.user,  # type: ignore[arg-type]
                project=project,
                equipment_id=data["equipment"],
                start=data["start"],
                finish=data["finish"],
                task_id=data["task"],
                note=data["note"],
            )
        except KeelError as exc:
            status = apply_service_errors(form, exc)
        else:
            messages.success(request, _("The equipment was booked."))
            url = reverse("resources:bookings", args=[pk])
            return redirect(f"{url}?month={data['start']:%Y-%m}")
    ctx = _bookings_ctx(request, project, form)
    return render(request, "resources/bookings.html", ctx, status=status)


@login_required
@require_POST
@service_errors
def booking_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    booking = sel.booking_get(request.user, pk)
    svc.booking_cancel(
        actor=request.user,  # type: ignore[arg-type]
        booking=booking,
        version=parse_id(request.POST.get("version")),
    )
    messages.success(request, _("The booking was cancelled."))
    return redirect("resources:bookings", pk=booking.project_id)
