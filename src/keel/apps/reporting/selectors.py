"""Reads about progress reports; each checks permission and owns its joins.

Who sees what: everyone who can see a project reads its reports (drafts included, so the team
can see what is being prepared); its managers see the report settings and who a report was
e-mailed to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.conf import settings as django_settings
from django.db.models import Count, Q, QuerySet
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from keel.apps.accounts.models import User, WorkspaceMembership, WorkspaceRole
from keel.apps.planning.selectors import project_today
from keel.apps.projects.models import Project, ProjectMembership, ProjectRole
from keel.apps.projects.permissions import ProjectAction, require
from keel.common.errors import NotFound, ValidationFailed

from .models import ProgressReport, ReportDelivery, ReportSettings, ReportStatus
from .periods import MisalignedPeriod, ReportPeriod, last_ended
from .registry import Recipient, SectionContext, recipients_provider, section, sections

P = ProjectAction
# Managers write the narrative, issue reports and configure them; everyone who sees the
# project reads them.
MANAGE = P.EDIT
SNAPSHOT_FORMAT = 1

MSG_BAD_PERIOD = _(
    "Give the period as 2027-W05 (a week), 2027-W05/06 (two weeks) or 2027-02 (a month)."
)
MSG_MISALIGNED = _(
    "%(text)s is not a two-week period; the one holding its first week is %(period)s."
)


def parse_period(text: str, field: str = "period") -> ReportPeriod:
    """A period label, or a 422 naming the field."""
    try:
        return ReportPeriod.parse(text)
    except MisalignedPeriod as exc:
        message = MSG_MISALIGNED % {"text": text.strip(), "period": exc.period.label}
        raise ValidationFailed(fields={field: [message]}) from None
    except ValueError:
        raise ValidationFailed(fields={field: [MSG_BAD_PERIOD]}) from None


# ---------------------------------------------------------------- settings


def settings_for(project: Project) -> ReportSettings:
    """The project's report settings; the defaults (unsaved, version 0) until a manager saves
    them. No permission check: for services and the scheduler."""
    return ReportSettings.objects.filter(project_id=project.pk).first() or ReportSettings(
        project=project, version=0
    )


def report_settings_get(actor: Any, project: Project) -> ReportSettings:
    require(actor, MANAGE, project)
    return settings_for(project)


def current_period(project: Project, cadence: str | None = None) -> ReportPeriod:
    """The period holding today where the project is, by its cadence."""
    kind = cadence or settings_for(project).cadence
    return ReportPeriod.containing(kind, project_today(project))


def periods_to_prepare(project: Project, cadence: str) -> list[ReportPeriod]:
    """What a manager may prepare now: the last period that ended, then the current one,
    leaving out those that have a report already (and those before the project started)."""
    today = project_today(project)
    wanted = [last_ended(cadence, today), ReportPeriod.containing(cadence, today)]
    taken = set(
        ProgressReport.objects.filter(
            project=project, period_kind=cadence, period_start__in=[p.start for p in wanted]
        ).values_list("period_start", flat=True)
    )
    return [p for p in wanted if p.start not in taken and p.end >= project.start_date]


# ---------------------------------------------------------------- reports


def _report_qs() -> QuerySet[ProgressReport]:
    return ProgressReport.objects.select_related("project__workspace", "issued_by", "created_by")


def reports_for(
    actor: Any, project: Project, *, status: str | None = None
) -> QuerySet[ProgressReport]:
    """The project's reports, newest period first, without their stored sections; each
    with `sent_count` and `failed_count` of its e-mails. One query a page."""
    require(actor, P.VIEW, project)
    qs = (
        ProgressReport.objects.filter(project=project)
        .select_related("issued_by", "created_by")
        .defer("snapshot", "charts")
        .annotate(
            sent_count=Count("deliveries", filter=Q(deliveries__sent_at__isnull=False)),
            failed_count=Count(
                "deliveries",
                filter=Q(
                    deliveries__sent_at__isnull=True, deliveries__next_attempt_at__isnull=True
                ),
            ),
        )
        .order_by("-period_start", "period_kind", "-pk")
    )
    if status:
        qs = qs.filter(status=status)
    return qs


def report_get(actor: Any, report_id: int, action: ProjectAction = P.VIEW) -> ProgressReport:
    """404 when the report's project is invisible to the actor, 403 when the action is not
    theirs."""
    report = _report_qs().filter(pk=report_id).first()
    if report is None:
        raise NotFound()
    require(actor, action, report.project)
    return report


def report_for_period(project: Project, period: ReportPeriod) -> ProgressReport | None:
    return (
        _report_qs()
        .filter(project=project, period_kind=period.kind, period_start=period.start)
        .first()
    )


def reader_for(project: Project) -> User | None:
    """Someone who may see the project, for the reports Keel prepares on its own (the
    scheduler, the operator's CLI): the other apps' selectors check permission, and every
    section shows the same project-wide facts to whoever reads them. A manager of the project
    if there is one, else an owner or admin of its workspace."""
    in_workspace = WorkspaceMembership.objects.filter(workspace_id=project.workspace_id)
    manager = (
        ProjectMembership.objects.filter(
            project=project,
            role=ProjectRole.MANAGER,
            user__is_active=True,
            user_id__in=in_workspace.values("user_id"),
        )
        .select_related("user")
        .order_by("pk")
        .first()
    )
    if manager is not None:
        return manager.user
    admin = (
        in_workspace.filter(
            role__in=[WorkspaceRole.OWNER, WorkspaceRole.ADMIN], user__is_active=True
        )
        .select_related("user")
        .order_by("role", "pk")
        .first()
    )
    return admin.user if admin is not None else None


# ---------------------------------------------------------------- what a report shows


@dataclass(frozen=True)
class SectionView:
    key: str
    title: str
    template: str
    data: dict[str, Any]


@dataclass(frozen=True)
class ReportContent:
    """A report's sections and charts as one reader sees them: computed now for a draft,
    read from the snapshot for an issued report."""

    sections: list[SectionView]
    charts: dict[str, SafeString]
    live: bool
    computed_on: date | None

    def section(self, key: str) -> SectionView | None:
        return next((s for s in self.sections if s.key == key), None)

    def data(self, key: str) -> dict[str, Any]:
        found = self.section(key)
        return found.data if found is not None else {}


def section_context(
    project: Project, period: ReportPeriod, reader: Any, *, today: date | None = None
) -> SectionContext:
    return SectionContext(
        project=project, period=period, reader=reader, today=today or project_today(project)
    )


def compute_sections(ctx: SectionContext) -> list[dict[str, Any]]:
    """Every registered section computed from live data, as stored in a snapshot."""
    return [
        {"key": s.key, "title": str(s.title), "template": s.template, "data": s.compute(ctx)}
        for s in sections()
    ]


def draw_charts(ctx: SectionContext) -> dict[str, str]:
    """Every registered section's charts, in the active language."""
    drawn: dict[str, str] = {}
    for s in sections():
        if s.charts is not None:
            drawn.update(s.charts(ctx))
    return drawn


def snapshot_of(ctx: SectionContext) -> dict[str, Any]:
    return {
        "format": SNAPSHOT_FORMAT,
        "computed_on": ctx.today.isoformat(),
        "sections": compute_sections(ctx),
    }


def _views(stored: list[dict[str, Any]]) -> list[SectionView]:
    views = []
    for row in stored:
        registered = section(row["key"])
        # The title in the reader's language while the section is known, else as stored.
        title = str(registered.title) if registered is not None else row.get("title", "")
        views.append(SectionView(row["key"], title, row["template"], row.get("data") or {}))
    return views


def _safe(charts: dict[str, str]) -> dict[str, SafeString]:
    # Drawn by keel.common.charts (every text escaped) and written by the services only.
    return {k: mark_safe(v) for k, v in charts.items()}  # noqa: S308


def stored_charts(report: ProgressReport, language: str | None = None) -> dict[str, str]:
    """An issued report's charts in the language (the site's, or any, when not drawn in it)."""
    drawn: dict[str, dict[str, str]] = report.charts or {}
    language = language or get_language() or django_settings.LANGUAGE_CODE
    for lang in (language, django_settings.LANGUAGE_CODE, *drawn):
        if lang in drawn:
            return drawn[lang]
    return {}


def content_of(
    report: ProgressReport, *, reader: Any, language: str | None = None
) -> ReportContent:
    """`report_content` without the permission check, for services and the scheduler, in
    `language` (the active one when None): section titles, and a draft's charts. A draft is
    computed for `reader` (see reader_for)."""
    if language is not None:
        with translation.override(language):
            return content_of(report, reader=reader)
    if report.status == ReportStatus.ISSUED:
        snap = report.snapshot or {}
        computed = snap.get("computed_on")
        return ReportContent(
            sections=_views(snap.get("sections", [])),
            charts=_safe(stored_charts(report)),
            live=False,
            computed_on=date.fromisoformat(computed) if computed else None,
        )
    ctx = section_context(report.project, report.period, reader)
    return ReportContent(
        sections=_views(compute_sections(ctx)),
        charts=_safe(draw_charts(ctx)),
        live=True,
        computed_on=ctx.today,
    )


def report_content(actor: Any, report: ProgressReport) -> ReportContent:
    require(actor, P.VIEW, report.project)
    return content_of(report, reader=actor)


def stored_pdf(report: ProgressReport, language: str) -> bytes | None:
    row = report.pdfs.filter(language=language).values_list("content", flat=True).first()
    return bytes(row) if row is not None else None


# ---------------------------------------------------------------- recipients and e-mails


def default_language(project: Project, report_settings: ReportSettings | None = None) -> str:
    """The language of e-mails to addresses that are not Keel users'."""
    chosen = (report_settings or settings_for(project)).language
    return chosen or django_settings.LANGUAGE_CODE


def member_recipients(project: Project) -> list[Recipient]:
    """The default recipients: the project's members (every role, still in the workspace,
    active) in their own language, and the report settings' extra addresses (in their
    owner's language when they belong to a user, else the one chosen for them)."""
    chosen = settings_for(project)
    fallback = default_language(project, chosen)
    found: dict[str, Recipient] = {}
    members = (
        ProjectMembership.objects.filter(
            project=project,
            user__is_active=True,
            user_id__in=WorkspaceMembership.objects.filter(
                workspace_id=project.workspace_id
            ).values("user_id"),
        )
        .select_related("user")
        .order_by("user__email")
    )
    for m in members:
        u = m.user
        found[u.email.lower()] = Recipient(u.email, u.display_name, u.language or fallback, u.pk)
    extra = [e.strip() for e in chosen.extra_recipients or [] if e and e.strip()]
    users = {
        u.email.lower(): u
        for u in User.objects.filter(email__in=[e.lower() for e in extra], is_active=True)
    }
    for address in extra:
        key = address.lower()
        if key in found:
            continue
        user = users.get(key)
        if user is not None:
            found[key] = Recipient(
                user.email, user.display_name, user.language or fallback, user.pk
            )
        else:
            found[key] = Recipient(address, "", fallback, None)
    return list(found.values())


def report_recipients(project: Project) -> list[Recipient]:
    """Who the project's issued reports go to: the stakeholder register's choice once it
    registers one (registry.set_recipients_provider), the members and extra addresses until
    then."""
    provider = recipients_provider()
    return provider(project) if provider is not None else member_recipients(project)


def deliveries_for(actor: Any, report: ProgressReport) -> list[ReportDelivery]:
    """Who an issued report was e-mailed to, and how that went (managers)."""
    require(actor, MANAGE, report.project)
    return list(ReportDelivery.objects.filter(report=report).order_by("email"))


def due_deliveries(now: datetime) -> QuerySet[ReportDelivery]:
    """E-mails waiting to be (re)tried whose time has come."""
    return ReportDelivery.objects.filter(sent_at__isnull=True, next_attempt_at__lte=now)


def projects_to_report() -> QuerySet[Project]:
    """Active projects with their report settings (None when they have the defaults)."""
    return (
        Project.objects.filter(archived_at__isnull=True)
        .select_related("workspace", "report_settings")
        .order_by("pk")
    )
