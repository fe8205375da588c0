"""Progress reports: each project's report settings, the reports themselves (a draft computed
from live data until it is issued, then a frozen snapshot), their PDFs and their e-mails."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from keel.apps.projects.models import Project
from keel.common.models import VersionedModel, long_text

from .periods import PeriodKind, ReportPeriod

MAX_EXTRA_RECIPIENTS = 50
MAX_ATTEMPTS = 6  # e-mail attempts per recipient before Keel gives up


class Cadence(models.TextChoices):
    WEEKLY = PeriodKind.WEEKLY.value, _("Weekly")
    BIWEEKLY = PeriodKind.BIWEEKLY.value, _("Every two weeks")
    MONTHLY = PeriodKind.MONTHLY.value, _("Monthly")


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ISSUED = "issued", _("Issued")


class ReportSettings(VersionedModel):
    """How often a project reports, and to whom. One row per project, made the first time a
    manager saves them; until then the defaults hold (weekly, prepared on schedule, issued by
    hand)."""

    project = models.OneToOneField(
        Project, on_delete=models.CASCADE, related_name="report_settings", verbose_name=_("project")
    )
    cadence = models.CharField(
        _("cadence"), max_length=10, choices=Cadence.choices, default=Cadence.WEEKLY
    )
    enabled = models.BooleanField(
        _("prepare reports on schedule"),
        default=True,
        help_text=_("When a period ends, its report is prepared as a draft for the managers."),
    )
    auto_issue = models.BooleanField(
        _("issue them automatically"),
        default=False,
        help_text=_(
            "Issue and e-mail the report as soon as it is prepared, without waiting for a "
            "manager's narrative."
        ),
    )
    # E-mail addresses beyond the project's members (stakeholders without a Keel account).
    extra_recipients = models.JSONField(_("other recipients"), default=list, blank=True)
    # The language of the e-mail to an address that is not a Keel user's; blank: the site's.
    language = models.CharField(
        _("language for other recipients"),
        max_length=10,
        choices=settings.LANGUAGES,
        blank=True,
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("report settings")
        verbose_name_plural = _("report settings")

    def __str__(self) -> str:
        return f"{self.project_id}: {self.cadence}"


class ProgressReport(VersionedModel):
    """A project's report for one period. While a draft its sections are computed from live
    data each time it is read and only its narrative is stored; issuing stores the sections
    (`snapshot`) and the charts drawn for them, after which the report never changes (the
    services refuse, and a database trigger too: see migrations/0001_initial.py)."""

    project = models.ForeignKey(
        Project,
        on_delete=models.CASCADE,
        related_name="progress_reports",
        verbose_name=_("project"),
    )
    period_kind = models.CharField(_("period"), max_length=10, choices=Cadence.choices)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    status = models.CharField(
        _("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    narrative = models.TextField(_("narrative"), blank=True, validators=[long_text])
    # The sections as computed when the report was issued: {"format": 1, "sections": [...]}.
    snapshot = models.JSONField(_("sections"), default=dict, blank=True)
    # The charts drawn at issue, per language: {"en": {"s_curve_svg": "<svg...", ...}, ...}.
    charts = models.JSONField(_("charts"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("prepared by"),
    )
    issued_at = models.DateTimeField(_("issued"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("issued by"),
    )
    # The snapshot and charts are written once, at issue; the history records the narrative.
    history = HistoricalRecords(excluded_fields=["snapshot", "charts"])

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["project_id", "-period_start", "period_kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "period_kind", "period_start"], name="uniq_report_period"
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="report_period_order"
            ),
            models.CheckConstraint(
                condition=Q(status=ReportStatus.DRAFT) | Q(issued_at__isnull=False),
                name="report_issued_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project_id} {self.label}"

    @property
    def period(self) -> ReportPeriod:
        return ReportPeriod(self.period_start, self.period_end, PeriodKind(self.period_kind))

    @property
    def label(self) -> str:
        return self.period.label

    @property
    def is_issued(self) -> bool:
        return self.status == ReportStatus.ISSUED


class ReportPdf(models.Model):
    """An issued report's PDF in one language, made once (at issue, or the first time it is
    asked for in another language) and served from here ever after."""

    report = models.ForeignKey(
        ProgressReport, on_delete=models.CASCADE, related_name="pdfs", verbose_name=_("report")
    )
    language = models.CharField(_("language"), max_length=10)
    content = models.BinaryField(_("PDF"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("report PDF")
        verbose_name_plural = _("report PDFs")
        constraints = [
            models.UniqueConstraint(fields=["report", "language"], name="uniq_report_pdf_language")
        ]

    def __str__(self) -> str:
        return f"{self.report_id} {self.language}"


class ReportDelivery(models.Model):
    """The e-mail of an issued report to one recipient: made when the report is issued, marked
    sent once it went out (never sent twice), tried again later with growing pauses when
    sending failed, up to MAX_ATTEMPTS times."""

    report = models.ForeignKey(
        ProgressReport,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("report"),
    )
    email = models.EmailField(_("e-mail address"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    language = models.CharField(_("language"), max_length=10)
    attempts = models.PositiveSmallIntegerField(
        _("attempts"), default=0, validators=[MaxValueValidator(MAX_ATTEMPTS)]
    )
    # When to try (again); None once sent or given up.
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("report e-mail")
        verbose_name_plural = _("report e-mails")
        ordering = ["report_id", "email"]
        indexes = [models.Index(fields=["next_attempt_at"], name="report_delivery_due")]
        constraints = [
            models.UniqueConstraint(fields=["report", "email"], name="uniq_report_delivery")
        ]

    def __str__(self) -> str:
        return f"{self.report_id} → {self.email}"

    @property
    def state(self) -> str:
        """sent, pending (to be tried), or failed (given up)."""
        if self.sent_at is not None:
            return "sent"
        return "pending" if self.next_attempt_at is not None else "failed"


class ReportRun(models.Model):
    """The chain of daily runs the worker makes (prepare the reports that are due, retry
    e-mails): django-tasks has no scheduler, so each run queues the next with `run_after`
    under a fresh `token`; a run whose token is not the stored one was queued twice and
    stops, so there is one chain however often it is started."""

    name = models.CharField(_("name"), max_length=50, unique=True)
    token = models.CharField(_("token"), max_length=40, blank=True)
    next_run_at = models.DateTimeField(_("next run"), null=True, blank=True)
    last_started_at = models.DateTimeField(_("last started"), null=True, blank=True)
    last_finished_at = models.DateTimeField(_("last finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("report run")
        verbose_name_plural = _("report runs")

    def __str__(self) -> str:
        return self.name
