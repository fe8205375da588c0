"""People as resources: who they are, what they can do, what an hour of theirs costs, when
they are away, and the tasks they are assigned to."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from keel.apps.accounts.models import Workspace
from keel.apps.planning.models import Task
from keel.common.models import VersionedModel, long_text, validate_plan_date
from keel.common.money import currency_field, money_field

# Units are percent of a person's working day: 50 is half-time, 200 two people's worth (a
# team resource). More than ten full-time people on one row is a typing slip.
MAX_UNITS = Decimal("1000")
MAX_SKILL_LEVEL = 5
weekdays_validator = RegexValidator(
    r"^[1-7]{0,7}$", _("Use ISO weekday digits, 1 = Monday ... 7 = Sunday.")
)


class Skill(models.Model):
    """A skill the workspace tracks: "Structural design", "Python", "Welding"."""

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="skills", verbose_name=_("workspace")
    )
    name = models.CharField(_("name"), max_length=80)

    class Meta:
        verbose_name = _("skill")
        verbose_name_plural = _("skills")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="uniq_skill_name")
        ]

    def __str__(self) -> str:
        return self.name


class Resource(VersionedModel):
    """A person who does the work: a user of the workspace, or someone named without an
    account (a contractor, a partner's engineer). Capacity is hours per working day on the
    resource's own weekdays (part-time people work fewer days or hours)."""

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="resources", verbose_name=_("workspace")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="resources",
        verbose_name=_("user account"),
    )
    name = models.CharField(_("name"), max_length=120)
    email = models.EmailField(_("e-mail"), blank=True)
    organisation = models.CharField(_("organisation"), max_length=120, blank=True)
    role = models.CharField(_("role"), max_length=80, blank=True)
    capacity_hours = models.DecimalField(
        _("capacity (hours per day)"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("8"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("24"))],
    )
    working_weekdays = models.CharField(
        _("working weekdays"), max_length=7, default="12345", validators=[weekdays_validator]
    )
    is_active = models.BooleanField(_("active"), default=True)
    notes = models.TextField(_("notes"), blank=True, validators=[long_text])
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "user"],
                condition=Q(user__isnull=False),
                name="uniq_resource_user",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ResourceSkill(models.Model):
    resource = models.ForeignKey(
        Resource, on_delete=models.CASCADE, related_name="skills", verbose_name=_("resource")
    )
    skill = models.ForeignKey(
        Skill, on_delete=models.CASCADE, related_name="holders", verbose_name=_("skill")
    )
    level = models.PositiveSmallIntegerField(
        _("level"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_SKILL_LEVEL)],
        help_text=_("1 = learning ... 5 = expert"),
    )

    class Meta:
        verbose_name = _("resource skill")
        verbose_name_plural = _("resource skills")
        ordering = ["skill__name"]
        constraints = [
            models.UniqueConstraint(fields=["resource", "skill"], name="uniq_resource_skill"),
            models.CheckConstraint(
                condition=Q(level__gte=1) & Q(level__lte=MAX_SKILL_LEVEL),
                name="resource_skill_level_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.skill_id}@{self.level}"


class CostRate(VersionedModel):
    """What an hour of the resource costs from a date on, until the next rate takes over.
    Overtime hours (beyond the capacity of a day) cost the overtime rate."""

    resource = models.ForeignKey(
        Resource, on_delete=models.CASCADE, related_name="rates", verbose_name=_("resource")
    )
    effective_from = models.DateField(_("effective from"), validators=[validate_plan_date])
    standard_rate = money_field(_("standard rate (per hour)"))
    overtime_rate = money_field(_("overtime rate (per hour)"))
    currency = currency_field()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("cost rate")
        verbose_name_plural = _("cost rates")
        ordering = ["resource_id", "effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["resource", "effective_from"], name="uniq_rate_effective_from"
            ),
            models.CheckConstraint(
                condition=Q(standard_rate__gte=0) & Q(overtime_rate__gte=0),
                name="rate_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.standard_rate} {self.currency} from {self.effective_from}"


class Leave(VersionedModel):
    """Days a resource does not work (holiday, training, sick leave): the resource's own
    calendar on top of the project's."""

    resource = models.ForeignKey(
        Resource, on_delete=models.CASCADE, related_name="leaves", verbose_name=_("resource")
    )
    start = models.DateField(_("first day"), validators=[validate_plan_date])
    finish = models.DateField(_("last day"), validators=[validate_plan_date])
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("leave")
        verbose_name_plural = _("leave")
        ordering = ["resource_id", "start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(finish__gte=models.F("start")), name="leave_finish_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resource_id}: {self.start}..{self.finish}"


class Assignment(VersionedModel):
    """A resource on a task at some units (percent of their day). Work is not stored: it is
    the task's duration x the project's hours per day x units, so duration, work and units
    always agree; entering work sets the units (see services.assignment_set)."""

    task = models.ForeignKey(
        Task, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("task")
    )
    resource = models.ForeignKey(
        Resource, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("resource")
    )
    units = models.DecimalField(
        _("units (%)"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("100"),
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(MAX_UNITS)],
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["task_id", "resource__name"]
        constraints = [
            models.UniqueConstraint(fields=["task", "resource"], name="uniq_assignment"),
            models.CheckConstraint(
                condition=Q(units__gt=0) & Q(units__lte=MAX_UNITS), name="assignment_units_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resource_id} on {self.task_id} at {self.units}%"


class TaskSkill(models.Model):
    """A skill a task needs, at a least level: what finding people for the task matches on."""

    task = models.ForeignKey(
        Task, on_delete=models.CASCADE, related_name="required_skills", verbose_name=_("task")
    )
    skill = models.ForeignKey(
        Skill, on_delete=models.CASCADE, related_name="needed_by", verbose_name=_("skill")
    )
    min_level = models.PositiveSmallIntegerField(
        _("least level"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_SKILL_LEVEL)],
    )

    class Meta:
        verbose_name = _("skill a task needs")
        verbose_name_plural = _("skills a task needs")
        ordering = ["skill__name"]
        constraints = [
            models.UniqueConstraint(fields=["task", "skill"], name="uniq_task_skill"),
            models.CheckConstraint(
                condition=Q(min_level__gte=1) & Q(min_level__lte=MAX_SKILL_LEVEL),
                name="task_skill_level_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task_id} needs {self.skill_id}@{self.min_level}"
