"""Projects, their members, working calendars and goals."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from keel.apps.accounts.models import Workspace
from keel.common.models import VersionedModel, long_text, validate_plan_date
from keel.engine.metrics import metric_progress


class Phase(models.TextChoices):
    INITIATION = "initiation", _("Initiation")
    PLANNING = "planning", _("Planning")
    EXECUTION = "execution", _("Execution")
    MONITORING = "monitoring", _("Monitoring")
    CLOSURE = "closure", _("Closure")


class ProjectRole(models.TextChoices):
    MANAGER = "manager", _("Project manager")
    MEMBER = "member", _("Member")
    VIEWER = "viewer", _("Viewer")
    # Sees and controls the money (budget, costs, expenses, purchases), changes no plan.
    FINANCE = "finance", _("Finance")


class ScheduleState(models.TextChoices):
    """Whether the dates stored on a project's tasks reflect its plan (docs/scheduling.md)."""

    CURRENT = "current", _("Up to date")
    QUEUED = "queued", _("Waiting to be recalculated")
    RUNNING = "running", _("Being recalculated")
    FAILED = "failed", _("Recalculation failed")


class SchedulePhase(models.TextChoices):
    READING = "reading", _("Reading the plan")
    COMPUTING = "computing", _("Computing dates")
    SAVING = "saving", _("Saving dates")


# Written by the schedule service (keel.apps.planning.services) only, never typed by hand.
SCHEDULE_STATE_FIELDS = (
    "schedule_state",
    "schedule_generation",
    "schedule_progress",
    "schedule_phase",
    "schedule_requested_at",
    "schedule_finished_at",
    "schedule_error_code",
    "schedule_error_detail",
)


class Project(VersionedModel):
    """A project: what is delivered, by when, on which working calendar."""

    workspace = models.ForeignKey(
        Workspace, on_delete=models.PROTECT, related_name="projects", verbose_name=_("workspace")
    )
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True, validators=[long_text])
    phase = models.CharField(
        _("phase"), max_length=12, choices=Phase.choices, default=Phase.INITIATION
    )
    start_date = models.DateField(_("start date"), validators=[validate_plan_date])
    target_finish = models.DateField(
        _("target finish"), null=True, blank=True, validators=[validate_plan_date]
    )
    timezone = models.CharField(_("time zone"), max_length=64, default="UTC")
    currency = models.CharField(_("currency"), max_length=3, default="USD")
    # Working calendar: ISO weekday digits (1 = Monday ... 7 = Sunday) that are working days.
    working_weekdays = models.CharField(_("working weekdays"), max_length=7, default="12345")
    hours_per_day = models.DecimalField(
        _("hours per day"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("8"),
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("24"))],
    )
    holiday_country = models.CharField(
        _("public holidays"),
        max_length=2,
        blank=True,
        help_text=_(
            "Country whose public holidays (and make-up working days) the calendar follows."
        ),
    )
    status_date = models.DateField(
        _("status date"),
        null=True,
        blank=True,
        validators=[validate_plan_date],
        help_text=_("The day progress is reported up to: work not yet done is scheduled after it."),
    )
    # Filled in by the schedule service from the engine's result, never typed by hand.
    scheduled_finish = models.DateField(_("scheduled finish"), null=True, blank=True)
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)
    # The schedule's own state. Every change to the plan's schedule inputs adds one to
    # `schedule_generation`; a run writes its dates only if no change came after the plan it
    # read. A big plan is recalculated in the background (queued, then running, with a phase
    # and a percentage other requests can read), a small one at once. Database defaults let
    # the previous release insert projects while this migration is applied.
    schedule_state = models.CharField(
        _("schedule state"),
        max_length=8,
        choices=ScheduleState.choices,
        default=ScheduleState.CURRENT,
        db_default=ScheduleState.CURRENT,
    )
    schedule_generation = models.PositiveIntegerField(
        _("schedule generation"), default=0, db_default=0
    )
    schedule_progress = models.PositiveSmallIntegerField(
        _("recalculation progress"),
        default=100,
        db_default=100,
        validators=[MaxValueValidator(100)],
    )
    schedule_phase = models.CharField(
        _("recalculation phase"),
        max_length=10,
        choices=SchedulePhase.choices,
        blank=True,
        default="",
        db_default="",
    )
    schedule_requested_at = models.DateTimeField(
        _("recalculation requested"), null=True, blank=True
    )
    schedule_finished_at = models.DateTimeField(_("recalculation finished"), null=True, blank=True)
    # A failed run's cause, shown in the reader's language: a code and its language-neutral
    # details (the task names of a loop), see keel.apps.planning.selectors.schedule_status.
    schedule_error_code = models.CharField(
        _("recalculation error"), max_length=40, blank=True, default="", db_default=""
    )
    schedule_error_detail = models.TextField(
        _("recalculation error details"), blank=True, default="", db_default=""
    )
    # Computed, see Task; recording them would make every edit a change of the project.
    history = HistoricalRecords(excluded_fields=["scheduled_finish", *SCHEDULE_STATE_FIELDS])

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "code"], name="uniq_project_code"),
            models.CheckConstraint(
                condition=Q(target_finish__isnull=True)
                | Q(target_finish__gte=models.F("start_date")),
                name="project_finish_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    @property
    def schedule_is_current(self) -> bool:
        """False while the tasks' dates wait for a recalculation (or it failed): they are
        then provisional."""
        return self.schedule_state == ScheduleState.CURRENT


class ProjectMembership(VersionedModel):
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("project")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="project_memberships",
        verbose_name=_("user"),
    )
    role = models.CharField(
        _("role"), max_length=10, choices=ProjectRole.choices, default=ProjectRole.MEMBER
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("project member")
        verbose_name_plural = _("project members")
        constraints = [
            models.UniqueConstraint(fields=["project", "user"], name="uniq_project_member")
        ]
        ordering = ["project_id", "user__email"]

    def __str__(self) -> str:
        return f"{self.user} @ {self.project} ({self.role})"


class CalendarExceptionKind(models.TextChoices):
    HOLIDAY = "holiday", _("Holiday")
    WORKING = "working", _("Make-up working day")


class CalendarException(VersionedModel):
    """A project's own exception to its working calendar."""

    project = models.ForeignKey(
        Project,
        on_delete=models.CASCADE,
        related_name="calendar_exceptions",
        verbose_name=_("project"),
    )
    date = models.DateField(_("date"), validators=[validate_plan_date])
    kind = models.CharField(_("kind"), max_length=10, choices=CalendarExceptionKind.choices)
    name = models.CharField(_("name"), max_length=100, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("calendar exception")
        verbose_name_plural = _("calendar exceptions")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["project", "date"], name="uniq_calendar_exception")
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}"


class GoalKind(models.TextChoices):
    PRIMARY = "primary", _("Primary")
    SECONDARY = "secondary", _("Secondary")


class Direction(models.TextChoices):
    UP = "up", _("Higher is better")
    DOWN = "down", _("Lower is better")


class Goal(VersionedModel):
    """A measurable goal: a metric moving from a baseline value to a target value by a date.
    Progress is computed from the metric (see `keel.apps.projects.selectors.goal_progress`)."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="goals", verbose_name=_("project")
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, validators=[long_text])
    kind = models.CharField(
        _("kind"), max_length=10, choices=GoalKind.choices, default=GoalKind.PRIMARY
    )
    metric = models.CharField(_("metric"), max_length=120, blank=True)
    unit = models.CharField(_("unit"), max_length=30, blank=True)
    baseline_value = models.DecimalField(
        _("baseline value"), max_digits=16, decimal_places=4, default=Decimal("0")
    )
    target_value = models.DecimalField(
        _("target value"), max_digits=16, decimal_places=4, null=True, blank=True
    )
    current_value = models.DecimalField(
        _("current value"), max_digits=16, decimal_places=4, null=True, blank=True
    )
    direction = models.CharField(
        _("direction"), max_length=4, choices=Direction.choices, default=Direction.UP
    )
    due_date = models.DateField(
        _("due date"), null=True, blank=True, validators=[validate_plan_date]
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_goals",
        verbose_name=pgettext_lazy("responsible person", "owner"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        ordering = ["project_id", "kind", "due_date", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_measurable(self) -> bool:
        return bool(self.metric) and self.target_value is not None and self.due_date is not None

    @property
    def progress(self) -> float | None:
        """Share of the way from baseline to target, 0..1; None when it cannot be measured."""
        return metric_progress(self.baseline_value, self.target_value, self.current_value)
