"""The plan: a WBS of tasks, the dependencies between them, milestones."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from keel.apps.projects.models import Goal, Project
from keel.common.models import VersionedModel, long_text, validate_plan_date


class TaskStatus(models.TextChoices):
    TODO = "todo", _("To do")
    IN_PROGRESS = "in_progress", _("In progress")
    BLOCKED = "blocked", _("Blocked")
    IN_REVIEW = "in_review", _("In review")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", pgettext_lazy("priority", "Critical")


class Constraint(models.TextChoices):
    ASAP = "asap", _("As soon as possible")
    SNET = "snet", _("Start no earlier than")
    FNLT = "fnlt", _("Finish no later than")
    MSO = "mso", _("Must start on")


# A century of working days: more is a typing slip, not a plan.
MAX_DAYS = Decimal("36500")

# What the engine writes onto a task at every recalculation.
SCHEDULE_OUTPUTS = (
    "start",
    "finish",
    "late_start",
    "late_finish",
    "total_float",
    "free_float",
    "is_critical",
    "is_summary",
)


class Task(VersionedModel):
    """A WBS element. Tasks with children are summary tasks: their dates and progress roll up
    from the children. A milestone is a zero-duration task whose deadline is its target date.
    `start`, `finish`, the late dates and floats are written by the schedule service only."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("project")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("summary task"),
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    # Up to services.MAX_DEPTH levels of up to five digits each.
    wbs_code = models.CharField(_("WBS code"), max_length=100, blank=True, db_index=True)
    name = models.CharField(_("name"), max_length=255)
    description = models.TextField(_("description"), blank=True, validators=[long_text])
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_tasks",
        verbose_name=pgettext_lazy("responsible person", "owner"),
    )
    assignees = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="assigned_tasks",
        verbose_name=_("assignees"),
    )
    is_milestone = models.BooleanField(_("milestone"), default=False)
    duration_days = models.DecimalField(
        _("duration (working days)"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(MAX_DAYS)],
    )
    optimistic_days = models.DecimalField(
        _("optimistic"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(MAX_DAYS)],
    )
    most_likely_days = models.DecimalField(
        _("most likely"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(MAX_DAYS)],
    )
    pessimistic_days = models.DecimalField(
        _("pessimistic"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(MAX_DAYS)],
    )
    constraint_type = models.CharField(
        _("constraint"), max_length=4, choices=Constraint.choices, default=Constraint.ASAP
    )
    constraint_date = models.DateField(
        _("constraint date"), null=True, blank=True, validators=[validate_plan_date]
    )
    deadline = models.DateField(
        _("deadline"), null=True, blank=True, validators=[validate_plan_date]
    )
    priority = models.CharField(
        _("priority"), max_length=8, choices=Priority.choices, default=Priority.MEDIUM
    )
    status = models.CharField(
        _("status"), max_length=12, choices=TaskStatus.choices, default=TaskStatus.TODO
    )
    percent_complete = models.PositiveSmallIntegerField(
        _("% complete"), default=0, validators=[MaxValueValidator(100)]
    )
    tags = models.JSONField(_("tags"), default=list, blank=True)
    goals = models.ManyToManyField(Goal, blank=True, related_name="tasks", verbose_name=_("goals"))

    # Computed by the engine.
    start = models.DateField(_("start"), null=True, blank=True)
    finish = models.DateField(_("finish"), null=True, blank=True)
    late_start = models.DateField(_("late start"), null=True, blank=True)
    late_finish = models.DateField(_("late finish"), null=True, blank=True)
    total_float = models.DecimalField(
        _("total float"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    free_float = models.DecimalField(
        _("free float"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    is_critical = models.BooleanField(_("critical"), default=False)
    is_summary = models.BooleanField(_("summary task"), default=False)

    # The engine's outputs change whenever anything upstream changes; recording them would
    # attribute every reschedule to the next person who edits the task.
    history = HistoricalRecords(excluded_fields=["wbs_code", "position", *SCHEDULE_OUTPUTS])

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["project_id", "wbs_code", "pk"]
        indexes = [models.Index(fields=["project", "parent", "position"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(percent_complete__lte=100), name="task_percent_le_100"
            ),
            models.CheckConstraint(
                condition=Q(start__isnull=True)
                | Q(finish__isnull=True)
                | Q(finish__gte=F("start")),
                name="task_finish_after_start",
            ),
            models.CheckConstraint(
                condition=~Q(is_milestone=True) | Q(duration_days=0),
                name="milestone_zero_duration",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.wbs_code} {self.name}".strip()


class LinkType(models.TextChoices):
    FS = "FS", _("Finish-to-start")
    SS = "SS", _("Start-to-start")
    FF = "FF", _("Finish-to-finish")
    SF = "SF", _("Start-to-finish")


class Dependency(VersionedModel):
    """The successor's start or finish follows the predecessor's, with a lag (or a lead when
    negative) in working days."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="dependencies", verbose_name=_("project")
    )
    predecessor = models.ForeignKey(
        Task,
        on_delete=models.CASCADE,
        related_name="successor_links",
        verbose_name=_("predecessor"),
    )
    successor = models.ForeignKey(
        Task,
        on_delete=models.CASCADE,
        related_name="predecessor_links",
        verbose_name=_("successor"),
    )
    type = models.CharField(_("type"), max_length=2, choices=LinkType.choices, default=LinkType.FS)
    lag_days = models.DecimalField(
        _("lag (working days)"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(-MAX_DAYS), MaxValueValidator(MAX_DAYS)],
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("dependency")
        verbose_name_plural = _("dependencies")
        ordering = ["project_id", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="uniq_dependency"),
            models.CheckConstraint(
                condition=~Q(predecessor=F("successor")), name="dependency_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor_id} -{self.type}-> {self.successor_id}"
