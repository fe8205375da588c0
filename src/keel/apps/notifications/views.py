"""Notification pages: the list (and the bell's dropdown), marking read, opening one, a
person's e-mail choices and a project's alert threshold. Thin: parse a form, call one
service, map its refusals with keel.common.pages."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from keel.apps.projects.forms import project_for
from keel.apps.projects.permissions import ProjectAction, page_flags
from keel.common.errors import KeelError
from keel.common.pages import apply_service_errors, render_partial, service_errors

from . import selectors, services
from .forms import AlertSettingsForm, NotificationSettingsForm

LIST = "notifications/list.html"
MENU = "notifications/menu.html"
PER_PAGE = 30
MENU_SIZE = 8


def _safe(request: HttpRequest, url: str) -> bool:
    return bool(url) and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


def _back(request: HttpRequest) -> HttpResponse:
    target = request.POST.get("next", "")
    return redirect(target if _safe(request, target) else "notifications:list")


def _list_context(request: HttpRequest) -> dict[str, Any]:
    unread = request.GET.get("unread") == "1"
    rows = selectors.notifications_for(request.user, unread=True if unread else None)
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    return {"page": page, "unread_only": unread}


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    ctx = _list_context(request)
    if request.htmx:  # type: ignore[attr-defined]
        return render_partial(request, LIST, "list", ctx)
    return render(request, LIST, ctx)


@never_cache
@login_required
@require_GET
def notification_menu(request: HttpRequest) -> HttpResponse:
    """The bell's dropdown, loaded when it opens: the latest few."""
    rows = list(selectors.notifications_for(request.user)[:MENU_SIZE])
    return render_partial(request, MENU, "menu", {"rows": rows})


def _with_count(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Add the bell's new number to an htmx answer (an out-of-band swap)."""
    count = render_partial(
        request,
        "notifications/bell.html",
        "count",
        {"unread": selectors.unread_count(request.user), "oob": True},
    )
    response.content += count.content
    return response


@login_required
@require_POST
@service_errors
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    row = selectors.notification_get(request.user, pk)
    row = services.notification_mark_read(actor=request.user, notification=row)  # type: ignore[arg-type]
    if request.htmx:  # type: ignore[attr-defined]
        return _with_count(request, render_partial(request, LIST, "item", {"n": row}))
    return _back(request)


@login_required
@require_POST
@service_errors
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark it read and go to what it is about."""
    row = selectors.notification_get(request.user, pk)
    services.notification_mark_read(actor=request.user, notification=row)  # type: ignore[arg-type]
    return redirect(row.url) if _safe(request, row.url) else redirect("notifications:list")


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    count = services.notifications_mark_all_read(actor=request.user)  # type: ignore[arg-type]
    if request.htmx:  # type: ignore[attr-defined]
        if request.POST.get("show") == "menu":
            rows = list(selectors.notifications_for(request.user)[:MENU_SIZE])
            response = render_partial(request, MENU, "menu", {"rows": rows})
        else:
            response = render_partial(request, LIST, "list", _list_context(request))
        return _with_count(request, response)
    if count:
        messages.success(request, _("All notifications are marked read."))
    return _back(request)


@login_required
@require_http_methods(["GET", "POST"])
def notification_settings(request: HttpRequest) -> HttpResponse:
    current = selectors.notification_settings_of(request.user)
    initial = {
        "email_enabled": current.email_enabled,
        "email_mode": current.email_mode,
        "version": current.version,
    }
    status = 200
    if request.method == "POST":
        form = NotificationSettingsForm(request.POST, initial=initial)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.notification_settings_update(
                    actor=request.user,  # type: ignore[arg-type]
                    email_enabled=data["email_enabled"],
                    email_mode=data["email_mode"],
                    version=data["version"],
                )
            except KeelError as exc:
                status = apply_service_errors(form, exc)
                if status == 409:
                    fresh = selectors.notification_settings_of(request.user)
                    form = NotificationSettingsForm(initial={**initial, "version": fresh.version})
                    form.conflict = str(exc.message)
            else:
                messages.success(request, _("Your notification settings were saved."))
                return redirect("notifications:settings")
        else:
            status = 422
    else:
        form = NotificationSettingsForm(initial=initial)
    return render(request, "notifications/settings.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
@service_errors
def project_alerts(request: HttpRequest, pk: int) -> HttpResponse:
    """The project's alert threshold: everyone in the project sees it, managers change it."""
    action = ProjectAction.EDIT if request.method == "POST" else ProjectAction.VIEW
    project = project_for(request.user, pk, action)
    current = selectors.project_alert_settings(request.user, project)
    initial = {"milestone_slip_days": current.milestone_slip_days, "version": current.version}
    status = 200
    if request.method == "POST":
        form = AlertSettingsForm(request.POST, initial=initial)
        if form.is_valid():
            try:
                services.project_alert_settings_update(
                    actor=request.user,  # type: ignore[arg-type]
                    project=project,
                    milestone_slip_days=form.cleaned_data["milestone_slip_days"],
                    version=form.cleaned_data["version"],
                )
            except KeelError as exc:
                status = apply_service_errors(form, exc)
                if status == 409:
                    fresh = selectors.project_alert_settings(request.user, project)
                    form = AlertSettingsForm(
                        initial={
                            "milestone_slip_days": fresh.milestone_slip_days,
                            "version": fresh.version,
                        }
                    )
                    form.conflict = str(exc.message)
            else:
                messages.success(request, _("The alert settings were saved."))
                return redirect("notifications:project_alerts", pk=project.pk)
        else:
            status = 422
    else:
        form = AlertSettingsForm(initial=initial)
    ctx = {
        "project": project,
        "tab": "settings",
        "form": form,
        "threshold": current.milestone_slip_days,
        **page_flags(request.user, project),
    }
    return render(request, "notifications/project_alerts.html", ctx, status=status)
