"""Writes to progress reports: a project's report settings, preparing a report (a draft),
its narrative, issuing it (the sections, charts and PDF are stored and never change again),
e-mailing it to the project's recipients, and the daily run that prepares the reports that
are due.

Rules, each with its message:
- managers configure, prepare, write the narrative, issue and delete drafts; everyone who
  sees the project reads the reports;
- one report per project and period; a period that has not started, or that ended before the
  project started, has none;
- an issued report never changes and is never deleted (also refused by the database);
- every recipient gets each issued report once; a failed e-mail is tried again after 5, 10,
  20, 40 and 80 minutes, then given up (MAX_ATTEMPTS)."""

from __future__ import annotations

import functools
import logging
import uuid
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings as django_settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F, Min
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from keel.apps.accounts.models import User
from keel.apps.planning.selectors import project_today
from keel.apps.projects.models import Project
from keel.apps.projects.permissions import require
from keel.common.errors import KeelError, ValidationFailed, check_version, validate_instance

from . import documents
from .models import (
    MAX_ATTEMPTS,
    MAX_EXTRA_RECIPIENTS,
    Cadence,
    ProgressReport,
    ReportDelivery,
    ReportPdf,
    ReportRun,
    ReportSettings,
    ReportStatus,
)
from .periods import ReportPeriod, last_ended
from .selectors import (
    MANAGE,
    ReportContent,
    content_of,
    draw_charts,
    due_deliveries,
    projects_to_report,
    reader_for,
    report_for_period,
    report_recipients,
    section_context,
    snapshot_of,
    stored_pdf,
)

logger = logging.getLogger(__name__)

MSG_EXISTS = _("There is already a report for %(period)s.")
MSG_ISSUED = _("This report was issued and can no longer be changed.")
MSG_NOT_STARTED = _("%(period)s has not started yet.")
MSG_BEFORE_PROJECT = _("The project starts on %(start)s, after %(period)s.")
MSG_NO_READER = _(
    "Nobody can read this project on Keel's behalf: give it a manager, or its workspace an owner."
)
MSG_EMAIL = _("%(value)s is not an e-mail address.")
MSG_TOO_MANY = _("At most %(max)d other recipients.")
MSG_LANGUAGE = _("Choose one of the languages Keel speaks.")
MSG_UNKNOWN_FIELD = _("This field cannot be changed.")

SETTINGS_FIELDS = ("cadence", "enabled", "auto_issue", "extra_recipients", "language")
RETRY_FIRST = timedelta(minutes=5)  # then 10, 20, 40, 80
SENDING_LEASE = timedelta(minutes=30)  # an attempt a crashed worker left is tried again after


class ReportExists(KeelError):
    status = 409
    code = "report_exists"


class ReportIssued(KeelError):
    status = 409
    code = "report_issued"
    default_message = MSG_ISSUED


def _languages() -> list[str]:
    return [code for code, _name in django_settings.LANGUAGES]


# ---------------------------------------------------------------- settings


def _clean_recipients(value: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise ValidationFailed(fields={"extra_recipients": [MSG_EMAIL % {"value": value}]})
    found: dict[str, str] = {}
    errors = []
    for raw in value:
        address = raw.strip()
        if not address:
            continue
        try:
            validate_email(address)
        except DjangoValidationError:
            errors.append(MSG_EMAIL % {"value": address})
            continue
        found.setdefault(address.lower(), address)
    if errors:
        raise ValidationFailed(fields={"extra_recipients": errors})
    if len(found) > MAX_EXTRA_RECIPIENTS:
        raise ValidationFailed(
            fields={"extra_recipients": [MSG_TOO_MANY % {"max": MAX_EXTRA_RECIPIENTS}]}
        )
    return list(found.values())


@transaction.atomic
def report_settings_set(
    *, actor: User, project: Project, version: int | None, values: Mapping[str, Any]
) -> ReportSettings:
    """Managers choose the cadence, whether reports are prepared (and issued) on schedule,
    the other recipients and their language. The defaults count as version 0."""
    require(actor, MANAGE, project)
    Project.objects.select_for_update().filter(pk=project.pk).first()  # one creator at a time
    row = ReportSettings.objects.filter(project_id=project.pk).first()
    row = row or ReportSettings(project=project, version=0)
    check_version(row.version, version)
    unknown = set(values) - set(SETTINGS_FIELDS)
    if unknown:
        raise ValidationFailed(fields={k: [MSG_UNKNOWN_FIELD] for k in sorted(unknown)})
    changes = dict(values)
    if "extra_recipients" in changes:
        changes["extra_recipients"] = _clean_recipients(changes["extra_recipients"])
    if "language" in changes:
        changes["language"] = changes["language"] or ""
        if changes["language"] and changes["language"] not in _languages():
            raise ValidationFailed(fields={"language": [MSG_LANGUAGE]})
    row.bump(**changes)
    validate_instance(row, exclude=["project"])
    row.save()
    return row


# ---------------------------------------------------------------- reports


def _check_period(project: Project, period: ReportPeriod) -> None:
    if period.start > project_today(project):
        raise ValidationFailed(fields={"period": [MSG_NOT_STARTED % {"period": period.label}]})
    if period.end < project.start_date:
        message = MSG_BEFORE_PROJECT % {"start": project.start_date, "period": period.label}
        raise ValidationFailed(fields={"period": [message]})


def report_create(*, actor: User | None, project: Project, period: ReportPeriod) -> ProgressReport:
    """Prepare the project's report for a period: a draft whose sections are computed from
    live data until it is issued. `actor` None: Keel itself (the schedule, the operator)."""
    if actor is not None:
        require(actor, MANAGE, project)
    _check_period(project, period)
    exists = ReportExists(MSG_EXISTS % {"period": period.label})
    if report_for_period(project, period) is not None:
        raise exists
    report = ProgressReport(
        project=project,
        period_kind=period.kind.value,
        period_start=period.start,
        period_end=period.end,
        created_by=actor,
    )
    validate_instance(report, exclude=["project", "created_by", "issued_by"])
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError:  # prepared at the same moment by someone else (or the schedule)
        raise exists from None
    return report


def _locked_draft(report: ProgressReport, version: int | None) -> ProgressReport:
    row = ProgressReport.objects.select_for_update().select_related("project__workspace")
    locked = row.get(pk=report.pk)
    if locked.status == ReportStatus.ISSUED:
        raise ReportIssued()
    check_version(locked.version, version)
    return locked


@transaction.atomic
def report_narrative_set(
    *, actor: User, report: ProgressReport, narrative: str, version: int | None
) -> ProgressReport:
    """The manager's own words on the period, while the report is a draft."""
    require(actor, MANAGE, report.project)
    row = _locked_draft(report, version)
    row.bump(narrative=(narrative or "").strip())
    validate_instance(row, exclude=["project", "created_by", "issued_by"])
    row.save()
    return row


@transaction.atomic
def report_delete(*, actor: User, report: ProgressReport, version: int | None = None) -> None:
    """Drafts only: an issued report stays in the history."""
    require(actor, MANAGE, report.project)
    _locked_draft(report, version).delete()


def report_issue(
    *,
    actor: User | None,
    report: ProgressReport,
    version: int | None,
    narrative: str | None = None,
    language: str | None = None,
    email: bool = True,
) -> ProgressReport:
    """Freeze the report: compute its sections from live data one last time and store them
    with the charts (drawn in every language Keel speaks) and the PDF (in `language`, the
    issuer's; other languages are made the first time they are needed), then e-mail it to
    the project's recipients once this transaction commits. `narrative`, when given, is saved
    first (the page sends what is in the editor). `actor` None: Keel itself; `email` False
    (the demo) e-mails nobody."""
    project = report.project
    if actor is not None:
        require(actor, MANAGE, project)
    with transaction.atomic():
        row = _locked_draft(report, version)
        reader = actor or reader_for(row.project)
        if reader is None:
            raise ValidationFailed(MSG_NO_READER)
        if narrative is not None:
            row.narrative = narrative.strip()
        ctx = section_context(row.project, row.period, reader)
        snapshot = snapshot_of(ctx)
        charts = {}
        for lang in _languages():
            with translation.override(lang):
                charts[lang] = draw_charts(ctx)
        row.bump(
            status=ReportStatus.ISSUED,
            snapshot=snapshot,
            charts=charts,
            issued_at=timezone.now(),
            issued_by=actor,
        )
        validate_instance(row, exclude=["project", "created_by", "issued_by"])
        row.save()
        lang = _language(language)
        pdf = documents.render_pdf(
            row, content_of(row, reader=reader, language=lang), language=lang
        )
        ReportPdf.objects.create(report=row, language=lang, content=pdf)
        if not email:
            return row
        now = timezone.now()
        ReportDelivery.objects.bulk_create(
            [
                ReportDelivery(
                    report=row,
                    email=r.email,
                    user_id=r.user_id,
                    language=r.language if r.language in _languages() else _language(None),
                    next_attempt_at=now,
                )
                for r in report_recipients(row.project)
            ],
            ignore_conflicts=True,
        )
        transaction.on_commit(functools.partial(_enqueue_send, row.pk), robust=True)
    return row


def _language(language: str | None) -> str:
    chosen = language or translation.get_language() or django_settings.LANGUAGE_CODE
    return chosen if chosen in _languages() else django_settings.LANGUAGE_CODE


def report_pdf(*, report: ProgressReport, reader: Any, language: str | None = None) -> bytes:
    """The report as a PDF in the language: an issued report's is made once and kept (it
    never changes), a draft's is made from live data each time. The caller has checked
    that `reader` may see the project."""
    lang = _language(language)
    if report.status != ReportStatus.ISSUED:
        content = content_of(report, reader=reader, language=lang)
        return documents.render_pdf(report, content, language=lang)
    stored = stored_pdf(report, lang)
    if stored is not None:
        return stored
    content = content_of(report, reader=reader, language=lang)
    pdf = documents.render_pdf(report, content, language=lang)
    try:
        with transaction.atomic():
            ReportPdf.objects.create(report=report, language=lang, content=pdf)
    except IntegrityError:  # made at the same moment by another request
        return stored_pdf(report, lang) or pdf
    return pdf


# ---------------------------------------------------------------- e-mail


def _enqueue_send(report_id: int, at: datetime | None = None) -> None:
    from .tasks import send_report  # tasks.py imports this module: import it late

    task = send_report.using(run_after=at) if at is not None else send_report
    task.enqueue(report_id)


def can_defer() -> bool:
    """Whether the task backend runs tasks later (`run_after`): the database worker does,
    the immediate backend of the tests does not (retries then wait for the daily run or
    `keel report due`)."""
    from django_tasks import task_backends

    from .tasks import send_report

    return bool(task_backends[send_report.backend].supports_defer)


def retry_delay(attempts: int) -> timedelta:
    """The pause after the `attempts`-th failed attempt: 5, 10, 20, 40, 80 minutes."""
    return RETRY_FIRST * int(2 ** max(attempts - 1, 0))


@dataclass
class SendOutcome:
    sent: int = 0
    failed: int = 0  # this time (to be tried again, or given up)
    given_up: int = 0
    next_attempt_at: datetime | None = None
    errors: list[str] = field(default_factory=list)


def _message(
    report: ProgressReport, delivery: ReportDelivery, content: ReportContent, pdf: bytes
) -> EmailMultiAlternatives:
    user = delivery.user
    subject, text, html = documents.email_parts(
        report,
        content,
        language=delivery.language,
        timezone_name=user.timezone if user is not None else report.project.timezone,
        name=user.display_name if user is not None else "",
    )
    message = EmailMultiAlternatives(
        subject=subject, body=text, from_email=None, to=[delivery.email]
    )
    message.attach_alternative(html, "text/html")
    message.attach(documents.pdf_filename(report), pdf, "application/pdf")
    return message


def send_report_emails(*, report_id: int, now: datetime | None = None) -> SendOutcome:
    """E-mail an issued report to the recipients still waiting for it whose (next) attempt
    is due, each in their language with the PDF in that language. Each attempt is claimed
    first (attempts + 1, a lease on the row), so two workers never send the same e-mail; a
    success is recorded at once, a failure is given a later attempt or, after
    MAX_ATTEMPTS, given up. Queues itself for the next attempt when the backend can."""
    now = now or timezone.now()
    outcome = SendOutcome()
    report = (
        ProgressReport.objects.select_related("project__workspace")
        .filter(pk=report_id, status=ReportStatus.ISSUED)
        .first()
    )
    if report is None:
        return outcome
    contents: dict[str, ReportContent] = {}
    pdfs: dict[str, bytes] = {}
    for delivery in due_deliveries(now).filter(report=report).select_related("user"):
        claimed = ReportDelivery.objects.filter(
            pk=delivery.pk, sent_at__isnull=True, attempts=delivery.attempts
        ).update(attempts=F("attempts") + 1, next_attempt_at=now + SENDING_LEASE)
        if not claimed:
            continue  # another worker has it
        attempts = delivery.attempts + 1
        lang = delivery.language
        try:
            if lang not in contents:
                contents[lang] = content_of(report, reader=None, language=lang)
                pdfs[lang] = report_pdf(report=report, reader=None, language=lang)
            _message(report, delivery, contents[lang], pdfs[lang]).send()
        except Exception as exc:  # any failure of the mail server or of making the mail
            logger.warning(
                "Report %s could not be e-mailed to %s: %s", report.pk, delivery.email, exc
            )
            outcome.failed += 1
            outcome.errors.append(f"{delivery.email}: {exc}")
            retry = attempts < MAX_ATTEMPTS
            outcome.given_up += not retry
            ReportDelivery.objects.filter(pk=delivery.pk).update(
                next_attempt_at=now + retry_delay(attempts) if retry else None,
                error=str(exc)[:2000] or type(exc).__name__,
            )
        else:
            outcome.sent += 1
            ReportDelivery.objects.filter(pk=delivery.pk).update(
                sent_at=timezone.now(), next_attempt_at=None, error=""
            )
    outcome.next_attempt_at = ReportDelivery.objects.filter(
        report=report, sent_at__isnull=True, next_attempt_at__isnull=False
    ).aggregate(at=Min("next_attempt_at"))["at"]
    if outcome.failed and outcome.next_attempt_at is not None and can_defer():
        _enqueue_send(report.pk, outcome.next_attempt_at)
    return outcome


def send_due_emails(*, now: datetime | None = None) -> SendOutcome:
    """Every report e-mail whose (next) attempt is due, whatever queued it."""
    now = now or timezone.now()
    total = SendOutcome()
    ids = sorted(set(due_deliveries(now).values_list("report_id", flat=True)))
    for report_id in ids:
        one = send_report_emails(report_id=report_id, now=now)
        total.sent += one.sent
        total.failed += one.failed
        total.given_up += one.given_up
        total.errors += one.errors
    return total


# ---------------------------------------------------------------- on schedule


@dataclass
class DueOutcome:
    prepared: list[ProgressReport] = field(default_factory=list)
    issued: list[ProgressReport] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # "CODE 2027-W05: why"


def _local_today(project: Project, now: datetime | None) -> date:
    if now is None:
        return project_today(project)
    return timezone.localtime(now, zoneinfo.ZoneInfo(project.timezone)).date()


def prepare_due_reports(*, now: datetime | None = None) -> DueOutcome:
    """For every active project whose reports are prepared on schedule: once a period has
    ended (where the project is), its report is prepared as a draft, and issued too when the
    project issues them automatically. Idempotent: run it as often as you like."""
    outcome = DueOutcome()
    candidates: list[tuple[Project, ReportSettings | None, ReportPeriod]] = []
    for project in projects_to_report():
        try:
            chosen: ReportSettings | None = project.report_settings
        except ReportSettings.DoesNotExist:
            chosen = None
        if chosen is not None and not chosen.enabled:
            continue
        cadence = chosen.cadence if chosen is not None else Cadence.WEEKLY
        period = last_ended(cadence, _local_today(project, now))
        if period.end < project.start_date:
            continue
        candidates.append((project, chosen, period))
    existing = {
        (r.project_id, r.period_kind, r.period_start): r
        for r in ProgressReport.objects.filter(
            project_id__in=[p.pk for p, _s, _q in candidates],
            period_start__in={q.start for _p, _s, q in candidates},
        ).defer("snapshot", "charts")
    }
    for project, chosen, period in candidates:
        report = existing.get((project.pk, period.kind.value, period.start))
        auto = chosen is not None and chosen.auto_issue
        if report is not None and (report.is_issued or not auto):
            continue
        try:
            if report is None:
                report = report_create(actor=None, project=project, period=period)
                outcome.prepared.append(report)
            if auto:
                report.project = project
                outcome.issued.append(report_issue(actor=None, report=report, version=None))
        except Exception as exc:  # one project's problem does not stop the others
            logger.exception("The %s report of project %s failed", period.label, project.pk)
            outcome.failed.append(f"{project.code} {period.label}: {exc}")
    return outcome


# The daily run. django-tasks has no scheduler: the run (tasks.reports_daily) prepares the
# reports that are due and retries the e-mails that failed, then queues itself for the same
# hour the next day with `run_after`. `migrate` (which `keel serve` runs first) starts the
# chain; ReportRun's token keeps it to one chain. Without a worker, cron runs
# `keel report due` instead. See docs/reports.md.

DAILY_RUN = "reports-daily"
LOST_AFTER = timedelta(hours=1)  # a run this late was lost (or the worker is down)


def next_daily_time(now: datetime) -> datetime:
    """The next KEEL_REPORTS_HOUR o'clock (UTC) after `now`."""
    hour = int(getattr(django_settings, "KEEL_REPORTS_HOUR", 2)) % 24
    at = now.astimezone(zoneinfo.ZoneInfo("UTC")).replace(
        hour=hour, minute=0, second=0, microsecond=0
    )
    return at if at > now else at + timedelta(days=1)


def daily_run_schedule(*, force: bool = False, now: datetime | None = None) -> datetime | None:
    """Queue the next daily run unless one is queued already (or `force`); returns when it
    runs, or None when the task backend cannot run tasks later."""
    if not can_defer():
        return None
    now = now or timezone.now()
    with transaction.atomic():
        ReportRun.objects.get_or_create(name=DAILY_RUN)
        run = ReportRun.objects.select_for_update().get(name=DAILY_RUN)
        queued = run.token and run.next_run_at and run.next_run_at > now - LOST_AFTER
        if queued and not force:
            return run.next_run_at
        run.token = uuid.uuid4().hex
        run.next_run_at = next_daily_time(now)
        run.save(update_fields=["token", "next_run_at"])
        transaction.on_commit(
            functools.partial(_enqueue_daily, run.token, run.next_run_at), robust=True
        )
    return run.next_run_at


def _enqueue_daily(token: str, at: datetime) -> None:
    from .tasks import reports_daily

    reports_daily.using(run_after=at).enqueue(token)


def daily_run(*, token: str, now: datetime | None = None) -> dict[str, Any]:
    """One daily run: claim it (a run with a stale token is a duplicate and stops), prepare
    what is due, retry e-mails, and queue the next run whatever happened."""
    with transaction.atomic():
        run = ReportRun.objects.select_for_update().filter(name=DAILY_RUN).first()
        if run is None or not token or run.token != token:
            return {"duplicate": True}
        run.token = ""
        run.last_started_at = timezone.now()
        run.save(update_fields=["token", "last_started_at"])
    try:
        due = prepare_due_reports(now=now)
        sent = send_due_emails(now=now)
    finally:
        ReportRun.objects.filter(name=DAILY_RUN).update(last_finished_at=timezone.now())
        daily_run_schedule(force=True)
    return {
        "prepared": len(due.prepared),
        "issued": len(due.issued),
        "failed": len(due.failed),
        "emails_sent": sent.sent,
        "emails_failed": sent.failed,
    }
