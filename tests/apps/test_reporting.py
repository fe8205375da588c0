"""Progress reports: what each section picks from live data, preparing, editing and issuing a
report (after which it never changes, in the services or in the database), its PDF, its
e-mails (once each, in each recipient's language, retried with back-off), the schedule, and
the registries other apps extend."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import IntegrityError, InternalError, transaction
from django.utils import timezone, translation

from keel.apps.planning.models import Task, TaskStatus
from keel.apps.planning.services import task_update
from keel.apps.reporting import registry, selectors, services
from keel.apps.reporting.models import (
    MAX_ATTEMPTS,
    ProgressReport,
    ReportDelivery,
    ReportPdf,
    ReportRun,
    ReportSettings,
    ReportStatus,
)
from keel.apps.reporting.periods import PeriodKind, ReportPeriod
from keel.apps.reporting.registry import Recipient, Section
from keel.apps.tracking.models import EntryStatus, TimeEntry
from keel.common.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tests.conftest import World
from tests.factories import ProjectFactory, TaskFactory, UserFactory
from tests.report_world import CHINESE, Reportable, draws, pdf_streams, reportable

WEEK = ReportPeriod.parse("2026-W11")  # 9 to 15 March 2026; the world's project starts on 2 March


def _content(world: World, period: ReportPeriod = WEEK) -> Any:
    report = ProgressReport(
        project=world.project,
        period_kind=period.kind.value,
        period_start=period.start,
        period_end=period.end,
    )
    return selectors.content_of(report, reader=world.viewer)


def _names(rows: list[dict[str, Any]]) -> list[str]:
    return [r["name"] for r in rows]


# ---------------------------------------------------------------- sections from live data


def test_done_this_period_is_what_finished_in_it(world: World) -> None:
    p = world.project
    done = {"status": TaskStatus.DONE, "percent_complete": 100}
    TaskFactory(project=p, name="Sunday before", actual_finish=dt.date(2026, 3, 8), **done)
    TaskFactory(project=p, name="Monday", actual_finish=dt.date(2026, 3, 9), **done)
    TaskFactory(project=p, name="Sunday", actual_finish=dt.date(2026, 3, 15), **done)
    TaskFactory(project=p, name="Monday after", actual_finish=dt.date(2026, 3, 16), **done)
    TaskFactory(
        project=p, name="Gate", is_milestone=True, duration_days=0,
        actual_finish=dt.date(2026, 3, 12), **done,
    )  # fmt: skip
    TaskFactory(
        project=p, name="Summary", is_summary=True, actual_finish=dt.date(2026, 3, 10), **done
    )
    TaskFactory(project=p, name="Open", status=TaskStatus.IN_PROGRESS, finish=dt.date(2026, 3, 10))
    data = _content(world).data("done")
    assert _names(data["tasks"]) == ["Monday", "Gate", "Sunday"]
    assert data["count"] == 3
    assert data["tasks"][1]["milestone"] is True


def test_planned_next_period_is_open_work_starting_or_due_in_it(world: World) -> None:
    p = world.project
    nxt = {"start": dt.date(2026, 3, 16), "finish": dt.date(2026, 3, 20)}
    TaskFactory(project=p, name="Starts", **nxt)
    TaskFactory(project=p, name="Due", start=dt.date(2026, 3, 2), finish=dt.date(2026, 3, 22))
    TaskFactory(
        project=p, name="Deadline", start=dt.date(2026, 3, 2), finish=dt.date(2026, 4, 30),
        deadline=dt.date(2026, 3, 18),
    )  # fmt: skip
    TaskFactory(project=p, name="Spans", start=dt.date(2026, 3, 2), finish=dt.date(2026, 4, 30))
    TaskFactory(project=p, name="Later", start=dt.date(2026, 3, 23), finish=dt.date(2026, 3, 27))
    TaskFactory(project=p, name="Finished", status=TaskStatus.DONE, **nxt)
    TaskFactory(project=p, name="Dropped", status=TaskStatus.CANCELLED, **nxt)
    TaskFactory(project=p, name="Phase", is_summary=True, **nxt)
    data = _content(world).data("next")
    assert sorted(_names(data["tasks"])) == ["Deadline", "Due", "Starts"]
    assert (data["start"], data["end"]) == ("2026-03-16", "2026-03-22")


def test_next_period_of_a_month_is_the_next_month(world: World) -> None:
    TaskFactory(project=world.project, name="April", start=dt.date(2026, 4, 1))
    TaskFactory(project=world.project, name="March", start=dt.date(2026, 3, 31))
    data = _content(world, ReportPeriod.parse("2026-03")).data("next")
    assert _names(data["tasks"]) == ["April"]
    assert (data["start"], data["end"]) == ("2026-04-01", "2026-04-30")


def test_time_is_the_approved_hours_of_the_period(world: World) -> None:
    task = TaskFactory(project=world.project, name="Design")

    def entry(day: int, hours: str, status: str, user: Any = None) -> None:
        TimeEntry.objects.create(
            project=world.project, task=task, user=user or world.member,
            date=dt.date(2026, 3, day), hours=Decimal(hours), status=status,
        )  # fmt: skip

    entry(9, "8", EntryStatus.APPROVED)
    entry(15, "2.5", EntryStatus.APPROVED)
    entry(10, "4", EntryStatus.APPROVED, world.manager)
    entry(11, "3", EntryStatus.SUBMITTED)
    entry(12, "5", EntryStatus.DRAFT)
    entry(8, "7", EntryStatus.APPROVED)  # the week before
    data = _content(world).data("time")
    assert (data["approved_hours"], data["waiting_hours"], data["people"]) == ("14.50", "3.00", 2)
    assert data["tasks"] == [{"wbs": task.wbs_code, "name": "Design", "hours": "14.50"}]


def test_a_plan_without_baseline_has_no_earned_value(world: World) -> None:
    TaskFactory(project=world.project, name="Design")
    content = _content(world)
    assert content.data("earned_value") == {"available": False}
    assert content.data("variance") == {"baseline": None, "earned_value": None}
    assert content.data("summary")["health"] == "unknown"
    assert content.charts == {}


def test_every_section_from_a_real_plan(world: World) -> None:
    plan = reportable(world)
    content = _content(world, plan.first_week)
    assert [s.key for s in content.sections] == [
        "summary", "goals", "milestones", "variance", "earned_value", "done", "next", "time",
    ]  # fmt: skip
    summary = content.data("summary")
    assert summary["baseline"] == "#1 Agreed plan"
    assert (summary["tasks"], summary["tasks_done"]) == (3, 1)
    assert content.data("goals")["goals"][0]["target_value"] == "100"
    assert [m["name"] for m in content.data("milestones")["milestones"]] == ["Launch"]
    assert content.data("earned_value")["available"] is True
    assert content.data("earned_value")["ac"] == 15.0
    assert _names(content.data("done")["tasks"]) == ["Design"]
    assert content.data("time")["approved_hours"] == "15.00"
    assert content.charts["s_curve_svg"].startswith("<svg")
    assert content.charts["trend_svg"].startswith("<svg")
    # Top risks and open quality issues come with the apps that own them: not faked here.
    assert content.section("risks") is None and content.section("quality") is None


# ---------------------------------------------------------------- preparing and editing


def test_managers_prepare_a_report_once_per_period(world: World) -> None:
    report = services.report_create(actor=world.manager, project=world.project, period=WEEK)
    assert (report.status, report.label, report.created_by) == ("draft", "2026-W11", world.manager)
    with pytest.raises(services.ReportExists) as caught:
        services.report_create(actor=world.owner, project=world.project, period=WEEK)
    assert caught.value.status == 409
    # Another kind of period over the same days is another report.
    services.report_create(
        actor=world.manager, project=world.project, period=ReportPeriod.parse("2026-W10/11")
    )
    assert ProgressReport.objects.count() == 2


@pytest.mark.parametrize(
    ("role", "error"),
    [("member", PermissionDenied), ("viewer", PermissionDenied), ("ws_member", NotFound)],
)
def test_only_managers_prepare(world: World, role: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        services.report_create(actor=world.user(role), project=world.project, period=WEEK)


def test_no_report_for_a_future_period_or_one_before_the_project(world: World) -> None:
    future = ReportPeriod.containing(PeriodKind.WEEKLY, timezone.localdate()).next.next
    with pytest.raises(ValidationFailed) as caught:
        services.report_create(actor=world.manager, project=world.project, period=future)
    assert "has not started yet" in caught.value.fields["period"][0]
    with pytest.raises(ValidationFailed) as caught:
        services.report_create(
            actor=world.manager, project=world.project, period=ReportPeriod.parse("2026-02")
        )
    assert "The project starts on" in caught.value.fields["period"][0]


def test_the_narrative_is_versioned(world: World) -> None:
    report = services.report_create(actor=world.manager, project=world.project, period=WEEK)
    saved = services.report_narrative_set(
        actor=world.manager, report=report, narrative="  On track.  ", version=report.version
    )
    assert (saved.narrative, saved.version) == ("On track.", report.version + 1)
    with pytest.raises(Conflict):
        services.report_narrative_set(
            actor=world.owner, report=report, narrative="Stale", version=report.version
        )
    with pytest.raises(PermissionDenied):
        services.report_narrative_set(
            actor=world.member, report=report, narrative="Mine", version=saved.version
        )


# ---------------------------------------------------------------- issuing: frozen for good


@pytest.fixture
def plan(world: World) -> Reportable:
    return reportable(world)


@pytest.fixture
def issued(world: World, plan: Reportable) -> ProgressReport:
    report = services.report_create(
        actor=world.manager, project=world.project, period=plan.first_week
    )
    return services.report_issue(
        actor=world.manager, report=report, version=report.version, narrative="Good week."
    )


def test_an_issued_report_keeps_what_it_said(world: World, plan: Reportable, issued: Any) -> None:
    assert (issued.status, issued.issued_by, issued.narrative) == (
        "issued",
        world.manager,
        "Good week.",
    )
    assert issued.issued_at is not None
    assert set(issued.charts) == {"en", "zh-hans"}
    before = selectors.report_content(world.viewer, issued)
    assert before.live is False
    # The plan moves on; the report does not.
    task_update(
        actor=world.owner, task=plan.build, version=plan.build.version,
        changes={"name": "Build, renamed", "status": "done"},
    )  # fmt: skip
    Task.objects.filter(pk=plan.design.pk).update(name="Design, renamed")
    after = selectors.report_content(world.viewer, ProgressReport.objects.get(pk=issued.pk))
    assert after.sections == before.sections
    assert _names(after.data("done")["tasks"]) == ["Design"]
    live = _content(world, plan.first_week)
    assert _names(live.data("done")["tasks"]) == ["Design, renamed"]


def test_the_services_refuse_to_change_an_issued_report(world: World, issued: Any) -> None:
    for attempt in (
        lambda: services.report_narrative_set(
            actor=world.manager, report=issued, narrative="Rewritten", version=issued.version
        ),
        lambda: services.report_issue(actor=world.manager, report=issued, version=issued.version),
        lambda: services.report_delete(actor=world.manager, report=issued),
    ):
        with pytest.raises(services.ReportIssued) as caught:
            attempt()
        assert caught.value.status == 409 and caught.value.code == "report_issued"
    issued.refresh_from_db()
    assert issued.narrative == "Good week."


def test_the_database_refuses_to_change_an_issued_report(world: World, issued: Any) -> None:
    rows = ProgressReport.objects.filter(pk=issued.pk)
    for change in (
        {"narrative": "Rewritten"},
        {"status": ReportStatus.DRAFT},
        {"snapshot": {}},
        {"period_end": issued.period_end + dt.timedelta(days=1)},
    ):
        with pytest.raises((IntegrityError, InternalError)), transaction.atomic():
            rows.update(**change)
    # Its issuer can still be forgotten (a deleted person), and a draft changes freely.
    rows.update(issued_by=None)
    draft = services.report_create(actor=world.manager, project=world.project, period=WEEK)
    ProgressReport.objects.filter(pk=draft.pk).update(narrative="Fine")


def test_drafts_can_be_deleted(world: World) -> None:
    report = services.report_create(actor=world.manager, project=world.project, period=WEEK)
    with pytest.raises(PermissionDenied):
        services.report_delete(actor=world.viewer, report=report)
    services.report_delete(actor=world.manager, report=report)
    assert not ProgressReport.objects.exists()


# ---------------------------------------------------------------- the PDF


def test_the_pdf_is_made_at_issue_and_kept(
    world: World, issued: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    stored = ReportPdf.objects.get(report=issued)
    assert stored.language == "en"
    pdf = bytes(stored.content)
    assert pdf.startswith(b"%PDF-")
    assert b"WenQuanYi" in pdf_streams(pdf)  # the CJK font draws the Chinese task name
    assert draws(pdf, CHINESE)

    def no_rendering(*args: Any, **kwargs: Any) -> bytes:
        raise AssertionError("an issued report's PDF is made once")

    monkeypatch.setattr(services.documents, "render_pdf", no_rendering)
    assert services.report_pdf(report=issued, reader=world.viewer, language="en") == pdf


def test_a_chinese_pdf_puts_the_chinese_font_first(world: World, issued: Any) -> None:
    pdf = services.report_pdf(report=issued, reader=world.viewer, language="zh-hans")
    assert pdf.startswith(b"%PDF-")
    assert ReportPdf.objects.filter(report=issued).count() == 2  # kept in both languages
    streams = pdf_streams(pdf)
    assert b"WenQuanYi" in streams and draws(pdf, CHINESE)
    html = services.documents.print_html(
        issued, selectors.content_of(issued, reader=None), language="zh-hans"
    )
    assert 'font-family: "WenQuanYi Zen Hei", "wqy-zenhei"' in html
    assert "2026年3月2日" in html  # dates as Chinese readers write them


def test_a_draft_pdf_is_made_from_live_data_each_time(world: World, plan: Reportable) -> None:
    report = services.report_create(actor=world.manager, project=world.project, period=WEEK)
    pdf = services.report_pdf(report=report, reader=world.viewer, language="en")
    assert pdf.startswith(b"%PDF-") and not ReportPdf.objects.exists()


# ---------------------------------------------------------------- e-mail


def _issue(world: World, plan: Reportable, **kwargs: Any) -> ProgressReport:
    report = services.report_create(
        actor=world.manager, project=world.project, period=plan.first_week
    )
    return services.report_issue(
        actor=world.manager, report=report, version=report.version, **kwargs
    )


def test_issuing_emails_each_recipient_once_in_their_language(
    world: World, plan: Reportable, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    world.viewer.language = "zh-hans"
    world.viewer.save()
    stranger = UserFactory(email="sponsor@example.com", language="zh-hans")
    ReportSettings.objects.create(
        project=world.project,
        extra_recipients=["Board@Example.org", "SPONSOR@example.com", "member@example.com"],
        language="en",
    )
    with django_capture_on_commit_callbacks(execute=True):
        report = _issue(world, plan)
    by_address = {m.to[0]: m for m in mailoutbox}
    assert sorted(by_address) == [
        "Board@Example.org", "manager@example.com", "member@example.com", "sponsor@example.com",
        "viewer@example.com",
    ]  # fmt: skip
    assert len(mailoutbox) == 5
    english, chinese = by_address["manager@example.com"], by_address["viewer@example.com"]
    assert english.subject.startswith(f"[{world.project.code}] ")
    assert "March 2, 2026" in english.body
    assert "2026年3月2日" in chinese.body
    assert "2026年3月2日" in by_address["sponsor@example.com"].body  # a user: their language
    assert "March 2, 2026" in by_address["Board@Example.org"].body  # the settings' language
    for message in mailoutbox:
        ((name, content, mimetype),) = message.attachments
        assert (name, mimetype) == (f"{world.project.code}-2026-W10.pdf", "application/pdf")
        assert content.startswith(b"%PDF-")
        html, kind = message.alternatives[0]
        assert kind == "text/html"
        assert world.project.name in html and f"/reports/{report.pk}/" in html
    zh = next(m for m in mailoutbox if m.to == ["viewer@example.com"]).attachments[0][1]
    assert b"WenQuanYi" in pdf_streams(zh)
    with translation.override("zh-hans"):
        summary = translation.gettext("Summary")
    assert draws(zh, summary)  # the section titles too are in the recipient's language
    deliveries = ReportDelivery.objects.filter(report=report)
    assert all(d.state == "sent" and d.attempts == 1 for d in deliveries)
    assert {d.email: d.language for d in deliveries}["viewer@example.com"] == "zh-hans"
    assert {d.user_id for d in deliveries if d.email == "sponsor@example.com"} == {stranger.pk}
    # Running the sending again (a duplicate task, the daily run) sends nothing.
    assert services.send_report_emails(report_id=report.pk).sent == 0
    assert services.send_due_emails().sent == 0
    assert len(mailoutbox) == 5


class Flaky:
    """A mail backend that fails for the addresses in `failing`."""

    failing: set[str] = set()
    sent: list[Any] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def send_messages(self, messages: list[Any]) -> int:
        for m in messages:
            if set(m.to) & Flaky.failing:
                raise ConnectionRefusedError("mail server down")
            Flaky.sent.append(m)
        return len(messages)


@pytest.fixture
def flaky(settings: Any) -> type[Flaky]:
    settings.EMAIL_BACKEND = f"{__name__}.Flaky"
    Flaky.failing = {"member@example.com"}
    Flaky.sent = []
    return Flaky


def test_a_failed_email_is_tried_again_later_and_sent_once(
    world: World, plan: Reportable, flaky: type[Flaky], monkeypatch: pytest.MonkeyPatch
) -> None:
    report = _issue(world, plan)  # the task runs on commit; here we run the sending ourselves
    now = timezone.now()
    queued: list[tuple[int, Any]] = []
    monkeypatch.setattr(services, "can_defer", lambda: True)
    monkeypatch.setattr(services, "_enqueue_send", lambda pk, at=None: queued.append((pk, at)))
    outcome = services.send_report_emails(report_id=report.pk, now=now)
    assert (outcome.sent, outcome.failed) == (2, 1)
    failed = ReportDelivery.objects.get(report=report, email="member@example.com")
    assert (failed.state, failed.attempts) == ("pending", 1)
    assert failed.next_attempt_at == now + dt.timedelta(minutes=5)
    assert "mail server down" in failed.error
    assert queued == [(report.pk, now + dt.timedelta(minutes=5))]  # the worker tries again then
    # Too early: nothing is tried.
    assert (
        services.send_report_emails(report_id=report.pk, now=now + dt.timedelta(minutes=4)).failed
        == 0
    )
    # Still failing: the pause doubles.
    later = now + dt.timedelta(minutes=5)
    assert services.send_report_emails(report_id=report.pk, now=later).failed == 1
    failed.refresh_from_db()
    assert (failed.attempts, failed.next_attempt_at) == (2, later + dt.timedelta(minutes=10))
    # The server is back: sent, once.
    Flaky.failing = set()
    again = later + dt.timedelta(minutes=10)
    assert services.send_due_emails(now=again).sent == 1
    assert services.send_due_emails(now=again + dt.timedelta(days=1)).sent == 0
    assert sorted(m.to[0] for m in Flaky.sent) == [
        "manager@example.com", "member@example.com", "viewer@example.com",
    ]  # fmt: skip


def test_sending_gives_up_after_the_last_attempt(
    world: World, plan: Reportable, flaky: type[Flaky]
) -> None:
    report = _issue(world, plan)
    now = timezone.now()
    for _ in range(MAX_ATTEMPTS + 2):
        services.send_report_emails(report_id=report.pk, now=now)
        now += dt.timedelta(days=1)
    failed = ReportDelivery.objects.get(report=report, email="member@example.com")
    assert (failed.state, failed.attempts, failed.next_attempt_at) == ("failed", MAX_ATTEMPTS, None)
    assert [d.state for d in selectors.deliveries_for(world.manager, report)].count("sent") == 2


def test_the_demo_style_issue_emails_nobody(world: World, plan: Reportable) -> None:
    report = _issue(world, plan, email=False)
    assert report.is_issued and not ReportDelivery.objects.exists()


# ---------------------------------------------------------------- recipients and settings


def test_recipients_are_members_and_extra_addresses(world: World) -> None:
    world.viewer.is_active = False
    world.viewer.save()
    names = [r.email for r in selectors.member_recipients(world.project)]
    assert names == ["manager@example.com", "member@example.com"]


def test_the_stakeholder_register_can_choose_the_recipients(world: World) -> None:
    chosen = [Recipient("cfo@example.com", "CFO", "zh-hans")]
    registry.set_recipients_provider(lambda project: chosen)
    try:
        assert selectors.report_recipients(world.project) == chosen
    finally:
        registry.set_recipients_provider(None)
    assert len(selectors.report_recipients(world.project)) == 3


def test_report_settings(world: World) -> None:
    row = services.report_settings_set(
        actor=world.manager,
        project=world.project,
        version=0,
        values={
            "cadence": "monthly",
            "extra_recipients": [" a@example.com", "A@example.com", "b@example.com", ""],
            "language": "zh-hans",
        },
    )
    assert (row.cadence, row.extra_recipients, row.version) == (
        "monthly", ["a@example.com", "b@example.com"], 1,
    )  # fmt: skip
    with pytest.raises(Conflict):
        services.report_settings_set(
            actor=world.manager, project=world.project, version=0, values={"enabled": False}
        )
    for values, field in [
        ({"extra_recipients": ["not an address"]}, "extra_recipients"),
        ({"extra_recipients": [f"p{i}@example.com" for i in range(51)]}, "extra_recipients"),
        ({"language": "fr"}, "language"),
        ({"cadence": "daily"}, "cadence"),
        ({"secret": 1}, "secret"),
    ]:
        with pytest.raises(ValidationFailed) as caught:
            services.report_settings_set(
                actor=world.manager, project=world.project, version=1, values=values
            )
        assert field in caught.value.fields, values
    with pytest.raises(PermissionDenied):
        services.report_settings_set(
            actor=world.member, project=world.project, version=1, values={"enabled": False}
        )


# ---------------------------------------------------------------- the schedule


MONDAY = dt.datetime(2026, 3, 16, 10, 0, tzinfo=dt.UTC)  # 2026-W11 has just ended


def test_due_reports_are_prepared_once(world: World) -> None:
    quiet = ProjectFactory(workspace=world.workspace)
    ReportSettings.objects.create(project=quiet, enabled=False)
    monthly = ProjectFactory(workspace=world.workspace, start_date=dt.date(2026, 1, 5))
    ReportSettings.objects.create(project=monthly, cadence="monthly")
    later = ProjectFactory(workspace=world.workspace, start_date=dt.date(2026, 3, 16))
    archived = ProjectFactory(workspace=world.workspace, archived_at=MONDAY)
    outcome = services.prepare_due_reports(now=MONDAY)
    made = {(r.project_id, r.label, r.status) for r in outcome.prepared}
    assert made == {(world.project.pk, "2026-W11", "draft"), (monthly.pk, "2026-02", "draft")}
    assert outcome.issued == [] and outcome.failed == []
    assert not ProgressReport.objects.filter(project__in=[quiet, later, archived]).exists()
    again = services.prepare_due_reports(now=MONDAY + dt.timedelta(hours=5))
    assert again.prepared == [] and ProgressReport.objects.count() == 2


def test_due_reports_are_issued_when_the_project_says_so(
    world: World, plan: Reportable, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    ReportSettings.objects.create(project=world.project, auto_issue=True)
    # A manager prepared it already: it is issued as it is, with their narrative.
    draft = services.report_create(actor=world.manager, project=world.project, period=WEEK)
    services.report_narrative_set(
        actor=world.manager, report=draft, narrative="Mine", version=draft.version
    )
    with django_capture_on_commit_callbacks(execute=True):
        outcome = services.prepare_due_reports(now=MONDAY)
    assert outcome.prepared == [] and [r.pk for r in outcome.issued] == [draft.pk]
    draft.refresh_from_db()
    assert (draft.status, draft.narrative, draft.issued_by) == ("issued", "Mine", None)
    assert len(mailoutbox) == 3
    assert services.prepare_due_reports(now=MONDAY).issued == []


def test_the_daily_run_queues_itself_only_where_the_worker_can(world: World) -> None:
    assert services.daily_run_schedule() is None  # the tests' immediate backend
    assert services.daily_run(token="stale") == {"duplicate": True}
    ReportRun.objects.create(name=services.DAILY_RUN, token="t0k3n")
    outcome = services.daily_run(token="t0k3n", now=MONDAY)
    assert outcome["prepared"] == 1
    run = ReportRun.objects.get()
    assert run.token == "" and run.last_finished_at is not None
    assert services.daily_run(token="t0k3n") == {"duplicate": True}


def test_next_daily_time(settings: Any) -> None:
    settings.KEEL_REPORTS_HOUR = 2
    at = services.next_daily_time(dt.datetime(2026, 3, 16, 1, 0, tzinfo=dt.UTC))
    assert at == dt.datetime(2026, 3, 16, 2, 0, tzinfo=dt.UTC)
    at = services.next_daily_time(dt.datetime(2026, 3, 16, 2, 0, tzinfo=dt.UTC))
    assert at == dt.datetime(2026, 3, 17, 2, 0, tzinfo=dt.UTC)


# ---------------------------------------------------------------- sections other apps add


def test_a_registered_section_is_shown_and_kept_at_issue(world: World, plan: Reportable) -> None:
    def top_risks(ctx: registry.SectionContext) -> dict[str, Any]:
        return {"risks": [{"title": "Supplier late", "score": 12}], "project": ctx.project.code}

    registry.register_section(
        Section("risks", "Top risks", 60, top_risks, "reporting/sections/summary.html")
    )
    try:
        live = _content(world, plan.first_week)
        keys = [s.key for s in live.sections]
        assert keys.index("earned_value") < keys.index("risks") < keys.index("done")
        report = _issue(world, plan, email=False)
    finally:
        registry.unregister_section("risks")
    assert _content(world).section("risks") is None
    kept = selectors.report_content(world.viewer, report)
    assert kept.data("risks")["risks"][0]["title"] == "Supplier late"
    assert kept.section("risks").title == "Top risks"  # type: ignore[union-attr]


def test_section_titles_follow_the_reader(world: World, issued: Any) -> None:
    """Stored in the issuer's language, shown in the reader's."""
    assert issued.snapshot["sections"][0]["title"] == "Summary"
    with translation.override("zh-hans"):
        titles = [s.title for s in selectors.report_content(world.viewer, issued).sections]
        assert titles[0] == translation.gettext("Summary")
    assert selectors.stored_charts(issued, "zh-hans") == issued.charts["zh-hans"]
    assert selectors.stored_charts(issued, "fr") == issued.charts["en"]
