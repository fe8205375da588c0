"""A project's money: the budget by category, WBS element and month; planned costs that are
not labour (materials, equipment, services, fixed costs on tasks); expenses as they are
spent. Amounts are in the project's currency (Project.currency)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from keel.apps.planning.models import Task
from keel.apps.projects.models import Project
from keel.common.models import VersionedModel, validate_plan_date
from keel.common.money import money_field

RECEIPT_MAX_BYTES = 10 * 1024 * 1024
RECEIPT_TYPES = {
    # What a receipt may be: the extension and the content type browsers send for it; the
    # file's first bytes are checked too (services_money), a name alone proves nothing.
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
}


class CostCategory(models.TextChoices):
    LABOUR = "labour", _("Labour")
    MATERIALS = "materials", _("Materials")
    EQUIPMENT = "equipment", _("Equipment")
    SERVICES = "services", _("Services")
    OTHER = "other", pgettext_lazy("cost category", "Other")


class BudgetLine(VersionedModel):
    """A slice of the budget: an amount for a category, optionally for one WBS element
    (a task, usually a summary) and one month (`period` is the month's first day)."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="budget_lines", verbose_name=_("project")
    )
    category = models.CharField(_("category"), max_length=10, choices=CostCategory.choices)
    task = models.ForeignKey(
        Task,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="budget_lines",
        verbose_name=_("WBS element"),
    )
    period = models.DateField(_("month"), null=True, blank=True, validators=[validate_plan_date])
    amount = money_field(_("amount"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        ordering = ["project_id", "category", "period", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="budget_amount_not_negative"),
            models.CheckConstraint(
                condition=Q(period__isnull=True) | Q(period__day=1), name="budget_period_month"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category} {self.amount}"


class PlannedCost(VersionedModel):
    """A planned cost that is not a person's time: a fixed cost on a task, the materials or
    equipment a task will use, a service bought in. Labour is planned by assignments."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="planned_costs", verbose_name=_("project")
    )
    task = models.ForeignKey(
        Task,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="planned_costs",
        verbose_name=_("task"),
    )
    category = models.CharField(_("category"), max_length=10, choices=CostCategory.choices)
    description = models.CharField(_("description"), max_length=200)
    item = models.ForeignKey(
        "resources.Item",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="planned_costs",
        verbose_name=_("item"),
    )
    quantity = models.DecimalField(
        _("quantity"),
        max_digits=12,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    amount = money_field(_("amount"))
    date = models.DateField(
        _("date"),
        null=True,
        blank=True,
        validators=[validate_plan_date],
        help_text=_("When the cost falls; empty: at the task's start."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("planned cost")
        verbose_name_plural = _("planned costs")
        ordering = ["project_id", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="planned_cost_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.description} {self.amount}"


class ExpenseStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("expense", "Draft")
    SUBMITTED = "submitted", pgettext_lazy("expense", "Submitted")
    APPROVED = "approved", pgettext_lazy("expense", "Approved")
    REJECTED = "rejected", pgettext_lazy("expense", "Rejected")


def receipt_path(instance: Expense, filename: str) -> str:
    # Never the uploader's file name: it may hold anything. The extension was checked.
    import secrets
    from pathlib import PurePath

    suffix = PurePath(filename).suffix.lower()
    return f"receipts/{instance.project_id}/{secrets.token_hex(16)}{suffix}"


class Expense(VersionedModel):
    """Money spent: claimed by a person, approved by someone with the right to; approved
    expenses are actual cost."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="expenses", verbose_name=_("project")
    )
    task = models.ForeignKey(
        Task,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="expenses",
        verbose_name=_("task"),
    )
    category = models.CharField(_("category"), max_length=10, choices=CostCategory.choices)
    date = models.DateField(_("date"), validators=[validate_plan_date])
    amount = money_field(_("amount"))
    supplier = models.CharField(_("supplier"), max_length=200, blank=True)
    description = models.CharField(_("description"), max_length=500)
    receipt = models.FileField(_("receipt"), upload_to=receipt_path, blank=True, max_length=200)
    receipt_name = models.CharField(_("receipt file name"), max_length=200, blank=True)
    receipt_type = models.CharField(_("receipt type"), max_length=60, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ExpenseStatus.choices, default=ExpenseStatus.DRAFT
    )
    # Spent money is a cost record: a person who claimed it is deactivated, not deleted.
    claimant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="expenses",
        verbose_name=_("claimed by"),
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reviewed_expenses",
        verbose_name=_("reviewer"),
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    review_comment = models.CharField(_("reason for rejection"), max_length=500, blank=True)
    history = HistoricalRecords(excluded_fields=["receipt"])

    class Meta:
        verbose_name = _("expense")
        verbose_name_plural = _("expenses")
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["project", "status", "date"])]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="expense_amount_positive"),
            models.CheckConstraint(
                condition=~Q(status=ExpenseStatus.REJECTED) | ~Q(review_comment=""),
                name="expense_rejection_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.amount} {self.description}"


class FinanceSettings(VersionedModel):
    """When a project's spend raises an alert: each percentage of the budget that actual
    cost (or the forecast at completion) crosses notifies the project's managers once."""

    project = models.OneToOneField(
        Project, on_delete=models.CASCADE, related_name="finance", verbose_name=_("project")
    )
    alert_percentages = models.JSONField(
        # xgettext:no-python-format
        _("alert at (% of budget)"),
        default=list,
        blank=True,
    )
    # The highest threshold already reported, so a crossing is announced once.
    alerted_actual = models.PositiveSmallIntegerField(default=0)
    alerted_forecast = models.PositiveSmallIntegerField(default=0)
    history = HistoricalRecords(excluded_fields=["alerted_actual", "alerted_forecast"])

    class Meta:
        verbose_name = _("finance settings")
        verbose_name_plural = _("finance settings")

    def __str__(self) -> str:
        return f"{self.project_id}: {self.alert_percentages}"


DEFAULT_ALERT_PERCENTAGES = [80, 100]
MAX_ALERT_PERCENT = 1000
