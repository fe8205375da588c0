"""The project's calendar month view."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from tests.conftest import World

from .conftest import Plan


def test_month_shows_starts_finishes_and_milestones(world: World, plan: Plan, login: Any) -> None:
    url = reverse("planning:calendar", args=[world.project.pk])
    html = login(world.viewer).get(url, {"month": "2026-03"}).content.decode()
    assert html.count('data-testid="calendar-event"') >= 4
    for name in ("Design", "Code", "Launch"):
        assert name in html
    # Weekends are non-working days of the project calendar.
    assert "bg-light" in html


def test_bad_month_falls_back_and_outsiders_get_404(world: World, plan: Plan, login: Any) -> None:
    url = reverse("planning:calendar", args=[world.project.pk])
    for month in ("nonsense", "2026-13", "0001-01", ""):
        assert login(world.viewer).get(url, {"month": month}).status_code == 200
    assert login(world.outsider).get(url).status_code == 404
