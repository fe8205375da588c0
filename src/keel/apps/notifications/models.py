"""Notifications: what Keel tells a person (in the app, and by e-mail), their choices about
e-mail, each project's alert threshold, and the bookkeeping of the daily run."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from keel.apps.projects.models import Project
from keel.common.models import VersionedModel


class NotificationKind(models.TextChoices):
    """What happened. New kinds (mentions, follows...) are added here; each names its text in
    services.py and its e-mail follows the person's settings."""

    MILESTONE_SLIPPED = "milestone_slipped", _("Milestone slipped")
    TASK_OVERDUE = "task_overdue", _("Task overdue")
    TASK_ASSIGNED = "task_assigned", _("Task assigned")
    SPEND_ALERT = "spend_alert", _("Budget threshold reached")
    LOW_STOCK = "low_stock", _("Low stock")


class Notification(models.Model):
    """One thing one person is told about. The title and body are written in the recipient's
    language when the notification is made, so the list, the API and the e-mail agree and
    need no translation later. `dedupe_key` (the kind, the thing and the day) makes the same
    alert about the same thing on the same day exist once per person."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    kind = models.CharField(_("kind"), max_length=40, choices=NotificationKind.choices)
    project = models.ForeignKey(
        Project,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("project"),
    )
    # Who caused it, when a person did (an assignment); None for Keel's own alerts.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("caused by"),
    )
    # What it is about: any row (a task, later a comment or a meeting), and the page showing it.
    target_type = models.ForeignKey(
        ContentType,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("target type"),
    )
    target_id = models.PositiveBigIntegerField(_("target id"), null=True, blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("text"), blank=True)
    # The facts behind the text (dates, days), for API clients.
    data = models.JSONField(_("data"), default=dict, blank=True)
    dedupe_key = models.CharField(_("deduplication key"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The bell's count and the unread filter; the list, newest first.
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
            models.Index(fields=["recipient", "-created_at"], name="notification_recent"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"],
                condition=~Q(dedupe_key=""),
                name="uniq_notification_dedupe",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class EmailMode(models.TextChoices):
    IMMEDIATE = "immediate", _("At once")
    DIGEST = "digest", _("In a daily digest")


class NotificationSettings(VersionedModel):
    """A person's choices about notifications, one row per person, made the first time they
    change them (until then the defaults hold). In-app notifications are always on."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_settings",
        verbose_name=_("user"),
    )
    email_enabled = models.BooleanField(_("e-mail me notifications"), default=True)
    email_mode = models.CharField(
        _("send e-mail"), max_length=10, choices=EmailMode.choices, default=EmailMode.IMMEDIATE
    )
    # When the last daily digest went out: at most one a day.
    last_digest_at = models.DateTimeField(_("last digest"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification settings")
        verbose_name_plural = _("notification settings")

    def __str__(self) -> str:
        return str(self.user)


MAX_SLIP_DAYS = 365


class ProjectAlertSettings(VersionedModel):
    """A project's alert thresholds, one row per project, made the first time a manager
    changes them (until then the defaults hold)."""

    project = models.OneToOneField(
        Project,
        on_delete=models.CASCADE,
        related_name="alert_settings",
        verbose_name=_("project"),
    )
    milestone_slip_days = models.PositiveSmallIntegerField(
        _("milestone slip threshold (working days)"),
        default=0,
        validators=[MaxValueValidator(MAX_SLIP_DAYS)],
        help_text=_(
            "Alert the project managers when a milestone's forecast passes its target date by "
            "more than this many working days. 0 alerts on any slip."
        ),
    )

    class Meta:
        verbose_name = _("project alert settings")
        verbose_name_plural = _("project alert settings")

    def __str__(self) -> str:
        return str(self.project)


class PeriodicRun(models.Model):
    """The state of a job the worker runs again and again (the daily alerts). django-tasks
    has no scheduler: each run queues the next with `run_after`, under a fresh `token`. A run
    whose token is not the stored one is a duplicate (queued twice) and stops at once, so
    there is only ever one chain however often it is started."""

    name = models.CharField(_("name"), max_length=50, unique=True)
    token = models.CharField(_("token"), max_length=40, blank=True)
    next_run_at = models.DateTimeField(_("next run"), null=True, blank=True)
    last_started_at = models.DateTimeField(_("last started"), null=True, blank=True)
    last_finished_at = models.DateTimeField(_("last finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("periodic run")
        verbose_name_plural = _("periodic runs")

    def __str__(self) -> str:
        return self.name
