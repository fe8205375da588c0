"""Pages about oneself (profile, sessions, API tokens) and workspaces. Thin: each parses a
form, calls one service and maps its refusals with keel.web.forms."""

from __future__ import annotations

from typing import Any

from django.conf import settings as django_settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from keel.apps.projects.selectors import projects_for
from keel.common.errors import Conflict, KeelError, ValidationFailed
from keel.common.pages import apply_service_errors, service_errors, service_messages

from . import services
from .forms import (
    ProfileForm,
    TokenCreateForm,
    WorkspaceCreateForm,
    WorkspaceMemberAddForm,
    WorkspaceMemberRoleForm,
    WorkspaceRenameForm,
)
from .models import WorkspaceRole
from .permissions import WorkspaceAction, can_workspace, workspace_role
from .selectors import (
    sessions_for,
    token_get,
    tokens_for,
    workspace_get,
    workspace_members,
    workspace_membership_get,
    workspace_require,
    workspaces_with_roles,
)

# ---------------------------------------------------------------- profile


@require_POST
def language_view(request: HttpRequest) -> HttpResponse:
    """The menu's language switch. Signed-in people keep the choice in their profile (it wins
    over the browser's language everywhere); everyone gets the cookie for the sign-in pages."""
    language = request.POST.get("language", "")
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    if language not in dict(django_settings.LANGUAGES):
        return redirect(target)
    if request.user.is_authenticated:
        services.language_set(actor=request.user, language=language)
    response = redirect(target)
    response.set_cookie(
        django_settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=django_settings.LANGUAGE_COOKIE_AGE,
        samesite="Lax",
        secure=request.is_secure(),
    )
    return response


@login_required
@require_http_methods(["GET", "POST"])
def settings_view(request: HttpRequest) -> HttpResponse:
    user: Any = request.user  # signed in: login_required
    initial = {
        "name": user.name,
        "language": user.language,
        "timezone": user.timezone,
        "version": user.version,
    }
    status = 200
    if request.method == "POST":
        form = ProfileForm(request.POST, initial=initial)
        if form.is_valid():
            try:
                services.profile_update(
                    actor=user,
                    user=user,
                    name=form.cleaned_data["name"],
                    language=form.cleaned_data["language"],
                    timezone_name=form.cleaned_data["timezone"],
                    version=form.cleaned_data["version"],
                )
            except KeelError as exc:
                status = apply_service_errors(form, exc)
            else:
                messages.success(request, _("Your settings were saved."))
                return redirect("accounts:settings")
        else:
            status = 422
    else:
        form = ProfileForm(initial=initial)
    return render(
        request, "accounts/settings.html", {"form": form, "tab": "settings"}, status=status
    )


# ---------------------------------------------------------------- sessions


@login_required
def sessions_view(request: HttpRequest) -> HttpResponse:
    current = request.session.session_key
    rows = [{"session": s, "current": s.session_key == current} for s in sessions_for(request.user)]
    return render(request, "accounts/sessions.html", {"rows": rows, "tab": "sessions"})


@login_required
@require_POST
@service_errors
def session_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    ending_this_one = any(
        s.pk == pk and s.session_key == request.session.session_key
        for s in sessions_for(request.user)
    )
    services.session_revoke(actor=request.user, session_id=pk)  # type: ignore[arg-type]
    if ending_this_one:
        return redirect("account_login")
    messages.success(request, _("The session was signed out."))
    return redirect("accounts:sessions")


# ---------------------------------------------------------------- API tokens


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def tokens_view(request: HttpRequest) -> HttpResponse:
    """Creating a token answers with this page showing the secret, once: it is not stored,
    so there is no redirect to a page that could show it again (and the page is not cached)."""
    status = 200
    ctx: dict[str, Any] = {"tab": "tokens"}
    if request.method == "POST":
        form = TokenCreateForm(request.POST)
        if form.is_valid():
            try:
                token, secret = services.token_create(
                    actor=request.user,  # type: ignore[arg-type]
                    name=form.cleaned_data["name"],
                    days=form.cleaned_data["days"],
                )
            except KeelError as exc:
                status = apply_service_errors(form, exc)
            else:
                ctx.update(new_token=token, secret=secret)
                status = 201
                form = TokenCreateForm()
        else:
            status = 422
    else:
        form = TokenCreateForm()
    ctx.update(form=form, tokens=list(tokens_for(request.user)))
    return render(request, "accounts/tokens.html", ctx, status=status)


@login_required
@require_POST
@service_errors
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = token_get(actor=request.user, token_id=pk)
    services.token_revoke(actor=request.user, token=token)  # type: ignore[arg-type]
    messages.success(request, _("The token “%(name)s” was revoked.") % {"name": token.name})
    return redirect("accounts:tokens")


# ---------------------------------------------------------------- workspaces


@login_required
@require_http_methods(["GET", "POST"])
def workspaces_view(request: HttpRequest) -> HttpResponse:
    status = 200
    if request.method == "POST":
        form = WorkspaceCreateForm(request.POST)
        if form.is_valid():
            try:
                ws = services.workspace_create(
                    actor=request.user,  # type: ignore[arg-type]
                    name=form.cleaned_data["name"],
                    slug=form.cleaned_data["slug"] or None,
                )
            except KeelError as exc:
                status = apply_service_errors(form, exc)
            else:
                messages.success(request, _("The workspace was created."))
                return redirect("accounts:workspace", pk=ws.pk)
        else:
            status = 422
    else:
        form = WorkspaceCreateForm()
    rows = [
        {"workspace": ws, "role": workspace_role(request.user, ws)}
        for ws in workspaces_with_roles(request.user)
    ]
    return render(request, "accounts/workspaces.html", {"rows": rows, "form": form}, status=status)


def _workspace_context(request: HttpRequest, pk: int, **forms: Any) -> dict[str, Any]:
    user = request.user
    ws = workspace_get(actor=user, workspace_id=pk)
    role = workspace_role(user, ws)
    is_owner = role == WorkspaceRole.OWNER
    can_manage = can_workspace(user, WorkspaceAction.MANAGE_MEMBERS, ws)
    members = None
    if can_workspace(user, WorkspaceAction.VIEW_MEMBERS, ws):
        members = [
            {
                "membership": m,
                "is_me": m.user_id == user.pk,
                # an admin may not touch an owner's membership; only an owner may
                "can_change": can_manage and (is_owner or m.role != WorkspaceRole.OWNER),
                "form": WorkspaceMemberRoleForm(
                    initial={"role": m.role, "version": m.version},
                    auto_id=f"id_m{m.pk}_%s",
                    can_grant_owner=is_owner,
                ),
            }
            for m in workspace_members(actor=user, workspace=ws)
        ]
    ctx: dict[str, Any] = {
        "workspace": ws,
        "role": role,
        "members": members,
        "can_manage": can_manage,
        "can_rename": can_workspace(user, WorkspaceAction.EDIT, ws),
        "can_create_project": can_workspace(user, WorkspaceAction.CREATE_PROJECT, ws),
        "can_view_resources": can_workspace(user, WorkspaceAction.VIEW_RESOURCES, ws),
        "projects": projects_for(user, workspace_id=ws.pk),
        "add_form": WorkspaceMemberAddForm(can_grant_owner=is_owner),
        "rename_form": WorkspaceRenameForm(initial={"name": ws.name, "version": ws.version}),
    }
    ctx.update(forms)
    return ctx


def _refused(request: HttpRequest, pk: int, exc: KeelError) -> HttpResponse:
    """A button's action was refused: the workspace page again, with the reason on top."""
    for message in service_messages(exc):
        messages.error(request, message)
    return render(
        request, "accounts/workspace.html", _workspace_context(request, pk), status=exc.status
    )


@login_required
@service_errors
def workspace_view(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "accounts/workspace.html", _workspace_context(request, pk))


@login_required
@require_POST
@service_errors
def workspace_rename(request: HttpRequest, pk: int) -> HttpResponse:
    ws = workspace_get(actor=request.user, workspace_id=pk)
    workspace_require(request.user, WorkspaceAction.EDIT, ws)
    form = WorkspaceRenameForm(request.POST)
    status = 422
    if form.is_valid():
        try:
            services.workspace_update(
                actor=request.user,  # type: ignore[arg-type]
                workspace=ws,
                name=form.cleaned_data["name"],
                version=form.cleaned_data["version"],
            )
        except KeelError as exc:
            status = apply_service_errors(form, exc)
            if status == 409:
                fresh = workspace_get(actor=request.user, workspace_id=pk)
                form = WorkspaceRenameForm(initial={"name": fresh.name, "version": fresh.version})
                apply_service_errors(form, exc)
        else:
            messages.success(request, _("The workspace was renamed."))
            return redirect("accounts:workspace", pk=pk)
    ctx = _workspace_context(request, pk, rename_form=form)
    return render(request, "accounts/workspace.html", ctx, status=status)


@login_required
@require_POST
@service_errors
def workspace_member_add(request: HttpRequest, pk: int) -> HttpResponse:
    ws = workspace_get(actor=request.user, workspace_id=pk)
    workspace_require(request.user, WorkspaceAction.MANAGE_MEMBERS, ws)
    is_owner = workspace_role(request.user, ws) == WorkspaceRole.OWNER
    form = WorkspaceMemberAddForm(request.POST, can_grant_owner=is_owner)
    status = 422
    if form.is_valid():
        try:
            services.workspace_member_add(
                actor=request.user,  # type: ignore[arg-type]
                workspace=ws,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
            )
        except KeelError as exc:
            status = apply_service_errors(form, exc)
        else:
            messages.success(request, _("The member was added."))
            return redirect("accounts:workspace", pk=pk)
    ctx = _workspace_context(request, pk, add_form=form)
    return render(request, "accounts/workspace.html", ctx, status=status)


@login_required
@require_POST
@service_errors
def workspace_member_role(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    ws = workspace_get(actor=request.user, workspace_id=pk)
    membership = workspace_membership_get(actor=request.user, workspace=ws, membership_id=member_pk)
    workspace_require(request.user, WorkspaceAction.MANAGE_MEMBERS, ws)
    form = WorkspaceMemberRoleForm(request.POST)
    if form.is_valid():
        try:
            services.workspace_member_update(
                actor=request.user,  # type: ignore[arg-type]
                membership=membership,
                role=form.cleaned_data["role"],
                version=form.cleaned_data["version"],
            )
        except (ValidationFailed, Conflict) as exc:
            return _refused(request, pk, exc)
        messages.success(
            request, _("%(name)s's role was changed.") % {"name": membership.user.display_name}
        )
        return redirect("accounts:workspace", pk=pk)
    return _refused(request, pk, ValidationFailed(_("Choose a role.")))


@login_required
@require_POST
@service_errors
def workspace_member_remove(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    ws = workspace_get(actor=request.user, workspace_id=pk)
    membership = workspace_membership_get(actor=request.user, workspace=ws, membership_id=member_pk)
    leaving = membership.user_id == request.user.pk
    try:
        services.workspace_member_remove(actor=request.user, membership=membership)  # type: ignore[arg-type]
    except (ValidationFailed, Conflict) as exc:
        return _refused(request, pk, exc)
    if leaving:
        messages.success(request, _("You left the workspace."))
        return redirect("accounts:workspaces")
    messages.success(request, _("The member was removed."))
    return redirect("accounts:workspace", pk=pk)
