"""Progress tracking records: time entries, which make up timesheets."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from keel.apps.planning.models import Task
from keel.apps.projects.models import Project
from keel.common.models import VersionedModel, validate_plan_date

# A day has 24 hours: no entry, and no person's day across all entries, holds more.
MAX_HOURS_PER_DAY = Decimal("24")
MIN_HOURS = Decimal("0.01")
NOTE_LENGTH = 500


class EntryStatus(models.TextChoices):
    # Their own context: time sent back is "returned" (退回), not a refused request.
    DRAFT = "draft", pgettext_lazy("timesheet", "Draft")
    SUBMITTED = "submitted", pgettext_lazy("timesheet", "Submitted")
    APPROVED = "approved", pgettext_lazy("timesheet", "Approved")
    REJECTED = "rejected", pgettext_lazy("timesheet", "Rejected")


# The person may change (or delete) an entry only while it is theirs to work on.
OPEN_STATUSES = (EntryStatus.DRAFT, EntryStatus.REJECTED)


class TimeEntry(VersionedModel):
    """Hours one person worked on one task on one day. The person logs and submits them a
    week at a time; a manager of the project approves or rejects them. Approved hours are
    the task's actual work (`selectors.actual_hours_by_task`). One entry per task, person and
    day: the cell of the weekly timesheet."""

    # The task's project, kept on the row so lists filter and totals group without a join.
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="time_entries", verbose_name=_("project")
    )
    task = models.ForeignKey(
        Task, on_delete=models.CASCADE, related_name="time_entries", verbose_name=_("task")
    )
    # Hours worked are cost records: a person with time logged is deactivated, not deleted.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="time_entries",
        verbose_name=_("person"),
    )
    date = models.DateField(_("date"), validators=[validate_plan_date])
    hours = models.DecimalField(
        _("hours"),
        max_digits=4,
        decimal_places=2,
        validators=[MinValueValidator(MIN_HOURS), MaxValueValidator(MAX_HOURS_PER_DAY)],
    )
    note = models.CharField(_("note"), max_length=NOTE_LENGTH, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=EntryStatus.choices, default=EntryStatus.DRAFT
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reviewed_time_entries",
        verbose_name=_("reviewer"),
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    review_comment = models.CharField(_("reason for rejection"), max_length=NOTE_LENGTH, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("time entry")
        verbose_name_plural = _("time entries")
        ordering = ["date", "pk"]
        indexes = [
            models.Index(fields=["user", "date"]),
            models.Index(fields=["project", "status", "date"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["user", "task", "date"], name="uniq_time_entry_cell"),
            models.CheckConstraint(
                condition=Q(hours__gt=0) & Q(hours__lte=MAX_HOURS_PER_DAY),
                name="time_entry_hours_in_day",
            ),
            models.CheckConstraint(
                condition=~Q(status=EntryStatus.REJECTED) | ~Q(review_comment=""),
                name="time_entry_rejection_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.hours}h #{self.task_id}"

    @property
    def is_open(self) -> bool:
        """Still the person's to change: a draft, or sent back by the manager."""
        return self.status in OPEN_STATUSES


class HealthThresholds(VersionedModel):
    """Where a project's schedule and cost performance turn amber and red: SPI and CPI at or
    above `*_amber` are green, at or above `*_red` amber, below red. A project without a row
    uses the defaults."""

    project = models.OneToOneField(
        Project, on_delete=models.CASCADE, related_name="health", verbose_name=_("project")
    )
    spi_amber = models.DecimalField(
        _("SPI amber below"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("0.95"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("2"))],
    )
    spi_red = models.DecimalField(
        _("SPI red below"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("0.85"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("2"))],
    )
    cpi_amber = models.DecimalField(
        _("CPI amber below"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("0.95"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("2"))],
    )
    cpi_red = models.DecimalField(
        _("CPI red below"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("0.85"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("2"))],
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("health thresholds")
        verbose_name_plural = _("health thresholds")
        constraints = [
            models.CheckConstraint(
                condition=Q(spi_red__lte=models.F("spi_amber")), name="spi_red_le_amber"
            ),
            models.CheckConstraint(
                condition=Q(cpi_red__lte=models.F("cpi_amber")), name="cpi_red_le_amber"
            ),
        ]

    def __str__(self) -> str:
        spi, cpi = f"{self.spi_amber}/{self.spi_red}", f"{self.cpi_amber}/{self.cpi_red}"
        return f"{self.project_id}: SPI {spi}, CPI {cpi}"
