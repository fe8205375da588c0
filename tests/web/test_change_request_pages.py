"""Change request pages: write with a preview, submit, decide; who sees which button."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.urls import reverse

from keel.apps.planning.models import ChangeRequest, Task
from tests.conftest import World

from .conftest import Plan


def _new(world: World, plan: Plan, **extra: str) -> dict[str, str]:
    return {
        "title": "Longer coding",
        "reason": "The API turned out bigger.",
        "cost_delta": "500",
        "kind_0": "duration",
        "task_0": str(plan.code.pk),
        "value_0": "8",
        **extra,
    }


def test_preview_then_save_submit_and_approve(world: World, plan: Plan, login: Any) -> None:
    member = login(world.member)
    url = reverse("planning:change_request_new", args=[world.project.pk])
    preview = member.post(url, {**_new(world, plan), "preview": "1"})
    assert preview.status_code == 200
    html = preview.content.decode()
    assert 'data-testid="impact"' in html and "+3" in html
    assert not ChangeRequest.objects.exists()
    saved = member.post(url, _new(world, plan))
    assert saved.status_code == 302
    cr = ChangeRequest.objects.get()
    detail = reverse("planning:change_request", args=[cr.pk])
    page = member.get(detail).content.decode()
    assert "Submit for decision" in page and "Approve and apply" not in page
    assert "Change “Code”: duration (working days) → 8" in page  # in words, not as data
    assert member.post(detail, {"action": "submit", "version": cr.version}).status_code == 302
    cr.refresh_from_db()
    assert cr.status == "submitted"
    manager = login(world.manager)
    assert "Approve and apply" in manager.get(detail).content.decode()
    r = manager.post(detail, {"action": "reject", "version": cr.version})
    assert r.status_code == 422 and "Say why the request is rejected." in r.content.decode()
    r = manager.post(detail, {"action": "approve", "version": cr.version, "save_baseline": "on"})
    assert r.status_code == 302
    cr.refresh_from_db()
    assert cr.status == "approved" and cr.baseline is not None
    assert Task.objects.get(pk=plan.code.pk).duration_days == Decimal("8")


def test_a_row_error_lands_on_its_row(world: World, plan: Plan, login: Any) -> None:
    url = reverse("planning:change_request_new", args=[world.project.pk])
    r = login(world.member).post(url, _new(world, plan, value_0="-4"))
    assert r.status_code == 422
    assert ChangeRequest.objects.count() == 0
    r = login(world.member).post(url, _new(world, plan, task_0=""))
    assert r.status_code == 422 and "Choose a task." in r.content.decode()


def test_change_request_pages_by_role(world: World, plan: Plan, login: Any) -> None:
    lst = reverse("planning:change_requests", args=[world.project.pk])
    new = reverse("planning:change_request_new", args=[world.project.pk])
    assert login(world.outsider).get(lst).status_code == 404
    assert login(world.viewer).get(lst).status_code == 200
    assert "New change request" not in login(world.viewer).get(lst).content.decode()
    assert login(world.viewer).get(new).status_code == 403
    assert login(world.viewer).post(new, _new(world, plan)).status_code == 403
    assert not ChangeRequest.objects.exists()


def test_the_list_shows_drafts_and_decided_requests(world: World, plan: Plan, login: Any) -> None:
    from keel.apps.planning.services import change_request_create, change_request_submit

    draft = change_request_create(
        actor=world.member, project=world.project, title="A draft", reason="r", cost_delta=1
    )
    sent = change_request_create(
        actor=world.member,
        project=world.project,
        title="Sent",
        reason="r",
        changes=[{"op": "update", "task_id": plan.code.pk, "fields": {"duration_days": 8}}],
    )
    change_request_submit(actor=world.member, cr=sent, version=sent.version)
    html = login(world.viewer).get(reverse("planning:change_requests", args=[world.project.pk]))
    body = html.content.decode()
    assert draft.title in body and "Sent" in body and ">+3<" in body
