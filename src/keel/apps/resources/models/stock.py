"""Materials and equipment: a workspace catalogue of items, stock held by each project
(a ledger of moves: the level is their sum), purchase requests that become orders and are
received, and equipment booked by the day."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from keel.apps.accounts.models import Workspace
from keel.apps.planning.models import Task
from keel.apps.projects.models import Project
from keel.common.models import VersionedModel, long_text, validate_plan_date
from keel.common.money import money_field

QTY_DIGITS = 14
QTY_PLACES = 3


def quantity_field(verbose_name: Any, **kwargs: Any) -> models.DecimalField[Decimal, Decimal]:
    return models.DecimalField(
        verbose_name,
        max_digits=QTY_DIGITS,
        decimal_places=QTY_PLACES,
        **kwargs,
    )


class Item(VersionedModel):
    """A material in the workspace catalogue: cement by the tonne, cable by the metre."""

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="items", verbose_name=_("workspace")
    )
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    unit = models.CharField(_("unit"), max_length=20)
    unit_cost = money_field(_("unit cost"))
    supplier = models.CharField(_("supplier"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("item")
        verbose_name_plural = _("items")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "code"], name="uniq_item_code"),
            models.CheckConstraint(condition=Q(unit_cost__gte=0), name="item_cost_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class StockLevel(VersionedModel):
    """An item held by a project: the quantity on hand (kept equal to the sum of its moves,
    updated under a row lock with every move) and the level below which to reorder."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="stock", verbose_name=_("project")
    )
    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, related_name="stock", verbose_name=_("item")
    )
    on_hand = quantity_field(_("on hand"), default=Decimal("0"))
    reorder_level = quantity_field(
        _("reorder level"), default=Decimal("0"), validators=[MinValueValidator(0)]
    )
    history = HistoricalRecords(excluded_fields=["on_hand"])

    class Meta:
        verbose_name = _("stock")
        verbose_name_plural = _("stock")
        ordering = ["project_id", "item__code"]
        constraints = [
            models.UniqueConstraint(fields=["project", "item"], name="uniq_stock_level"),
            models.CheckConstraint(condition=Q(on_hand__gte=0), name="stock_not_negative"),
            models.CheckConstraint(condition=Q(reorder_level__gte=0), name="reorder_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.item_id}@{self.project_id}: {self.on_hand}"


class StockMoveKind(models.TextChoices):
    RECEIPT = "receipt", pgettext_lazy("stock", "Receipt")
    USAGE = "usage", pgettext_lazy("stock", "Usage")
    ADJUSTMENT = "adjustment", pgettext_lazy("stock", "Adjustment")


class StockMove(models.Model):
    """One change of stock, never edited or deleted (a mistake is corrected by another
    move). Receipts are positive, usage negative; usage posts its cost to the task."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="stock_moves", verbose_name=_("project")
    )
    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, related_name="moves", verbose_name=_("item")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=StockMoveKind.choices)
    quantity = quantity_field(_("quantity"))
    unit_cost = money_field(_("unit cost"))
    date = models.DateField(_("date"), validators=[validate_plan_date])
    task = models.ForeignKey(
        Task,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="stock_moves",
        verbose_name=_("task"),
    )
    purchase_line = models.ForeignKey(
        "resources.PurchaseLine",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="moves",
        verbose_name=_("purchase order line"),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="stock_moves",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("stock move")
        verbose_name_plural = _("stock moves")
        ordering = ["date", "pk"]
        indexes = [models.Index(fields=["project", "item", "date"])]
        constraints = [
            models.CheckConstraint(condition=~Q(quantity=0), name="stock_move_not_zero"),
            models.CheckConstraint(
                condition=~Q(kind="receipt") | Q(quantity__gt=0), name="receipt_positive"
            ),
            models.CheckConstraint(
                condition=~Q(kind="usage") | Q(quantity__lt=0), name="usage_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.quantity} of {self.item_id}"

    @property
    def cost(self) -> Decimal:
        return Decimal(abs(self.quantity) * self.unit_cost).quantize(Decimal("0.01"))


class PurchaseStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("purchase", "Draft")
    REQUESTED = "requested", pgettext_lazy("purchase", "Requested")
    APPROVED = "approved", pgettext_lazy("purchase", "Approved")  # an order placed
    REJECTED = "rejected", pgettext_lazy("purchase", "Rejected")
    RECEIVED = "received", pgettext_lazy("purchase", "Received")  # every line in full
    CANCELLED = "cancelled", pgettext_lazy("purchase", "Cancelled")


class PurchaseOrder(VersionedModel):
    """A purchase request; once approved it is the order placed with the supplier, and
    receiving its lines brings the stock in."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="purchases", verbose_name=_("project")
    )
    number = models.PositiveIntegerField(_("number"))
    supplier = models.CharField(_("supplier"), max_length=200)
    status = models.CharField(
        _("status"), max_length=10, choices=PurchaseStatus.choices, default=PurchaseStatus.DRAFT
    )
    needed_by = models.DateField(
        _("needed by"), null=True, blank=True, validators=[validate_plan_date]
    )
    note = models.TextField(_("note"), blank=True, validators=[long_text])
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="purchase_requests",
        verbose_name=_("requested by"),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="approved_purchases",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    review_comment = models.CharField(_("reason for rejection"), max_length=500, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("purchase order")
        verbose_name_plural = _("purchase orders")
        ordering = ["project_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="uniq_purchase_number"),
        ]

    def __str__(self) -> str:
        return f"PO-{self.number}"


class PurchaseLine(models.Model):
    order = models.ForeignKey(
        PurchaseOrder, on_delete=models.CASCADE, related_name="lines", verbose_name=_("order")
    )
    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, related_name="purchase_lines", verbose_name=_("item")
    )
    quantity = quantity_field(_("quantity"), validators=[MinValueValidator(Decimal("0.001"))])
    unit_cost = money_field(_("unit cost"))
    received = quantity_field(_("received"), default=Decimal("0"))

    class Meta:
        verbose_name = _("purchase order line")
        verbose_name_plural = _("purchase order lines")
        ordering = ["order_id", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="purchase_qty_positive"),
            models.CheckConstraint(
                condition=Q(received__gte=0) & Q(received__lte=models.F("quantity")),
                name="received_within_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.item_id}"


class Equipment(VersionedModel):
    """A piece of equipment that is booked by the day: a crane, a test rig, a van."""

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="equipment", verbose_name=_("workspace")
    )
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    daily_rate = money_field(_("daily rate"))
    supplier = models.CharField(_("supplier"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("equipment")
        verbose_name_plural = _("equipment")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "code"], name="uniq_equipment_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Booking(VersionedModel):
    """Equipment reserved for a project from one day to another (both included). Two
    bookings of one piece never overlap (services_stock refuses the second, naming the
    first)."""

    equipment = models.ForeignKey(
        Equipment, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("equipment")
    )
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="bookings", verbose_name=_("project")
    )
    task = models.ForeignKey(
        Task,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="bookings",
        verbose_name=_("task"),
    )
    start = models.DateField(_("first day"), validators=[validate_plan_date])
    finish = models.DateField(_("last day"), validators=[validate_plan_date])
    note = models.CharField(_("note"), max_length=200, blank=True)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="bookings",
        verbose_name=_("booked by"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        ordering = ["equipment_id", "start"]
        indexes = [models.Index(fields=["equipment", "start", "finish"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(finish__gte=models.F("start")), name="booking_finish_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.equipment_id}: {self.start}..{self.finish}"
