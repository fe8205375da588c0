"""Writes about people, workspaces and tokens. Every write checks permission, validates, and
saves in one transaction."""

from __future__ import annotations

import secrets
import zoneinfo
from datetime import timedelta
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from keel.common.errors import NotFound, PermissionDenied, ValidationFailed, check_version

from .models import ApiToken, User, UserSession, Workspace, WorkspaceMembership, WorkspaceRole
from .permissions import WorkspaceAction, forget_roles, workspace_role
from .selectors import TOKEN_PREFIX, token_digest, workspace_require

MSG_EMAIL_TAKEN = _("A user with this e-mail address already exists.")
MSG_EMAIL_INVALID = _("Enter a valid e-mail address.")
MSG_TIMEZONE_INVALID = _("Unknown time zone.")
MSG_LANGUAGE_INVALID = _("Unsupported language.")
MSG_LAST_OWNER = _("A workspace needs at least one owner.")
MSG_OWNER_ONLY = _("Only an owner can grant or remove the owner role.")
MSG_ALREADY_MEMBER = _("This person is already a member.")
MSG_NO_SUCH_USER = _("No user has this e-mail address.")
MSG_SLUG_TAKEN = _("This short name is taken.")
MSG_REQUIRED = _("This field is required.")


def _validate_profile(language: str | None, tz: str | None) -> dict[str, list[Any]]:
    errors: dict[str, list[Any]] = {}
    if language is not None and language not in dict(settings.LANGUAGES):
        errors["language"] = [MSG_LANGUAGE_INVALID]
    if tz is not None:
        try:
            zoneinfo.ZoneInfo(tz)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            errors["timezone"] = [MSG_TIMEZONE_INVALID]
    return errors


@transaction.atomic
def user_create(
    *,
    email: str,
    password: str | None,
    name: str = "",
    language: str = "en",
    timezone_name: str = "UTC",
    is_staff: bool = False,
    verified: bool = True,
) -> User:
    email = (email or "").strip().lower()
    errors = _validate_profile(language, timezone_name)
    try:
        validate_email(email)
    except DjangoValidationError:
        errors["email"] = [MSG_EMAIL_INVALID]
    if "email" not in errors and User.objects.filter(email__iexact=email).exists():
        errors["email"] = [MSG_EMAIL_TAKEN]
    if errors:
        raise ValidationFailed(fields=errors)
    user = User.objects.create_user(
        email=email,
        password=password,
        name=name,
        language=language,
        timezone=timezone_name,
        is_staff=is_staff,
        is_superuser=is_staff,
    )
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=verified)
    return user


@transaction.atomic
def profile_update(
    *,
    actor: User,
    user: User,
    name: str,
    language: str,
    timezone_name: str,
    version: int | None = None,
) -> User:
    if actor.pk != user.pk:
        raise PermissionDenied()
    errors = _validate_profile(language, timezone_name)
    if errors:
        raise ValidationFailed(fields=errors)
    user = User.objects.select_for_update().get(pk=user.pk)
    check_version(user.version, version)
    name = (name or "").strip()
    if len(name) > 150:
        raise ValidationFailed(fields={"name": [_("At most 150 characters.")]})
    user.name = name
    user.language = language
    user.timezone = timezone_name
    user.version += 1
    user.save(update_fields=["name", "language", "timezone", "version"])
    return user


@transaction.atomic
def language_set(*, actor: User, language: str) -> User:
    """The language switch in the menu: a preference, so it needs no version check."""
    errors = _validate_profile(language, None)
    if errors:
        raise ValidationFailed(fields=errors)
    User.objects.filter(pk=actor.pk).update(language=language, version=F("version") + 1)
    actor.refresh_from_db(fields=["language", "version"])
    return actor


def _end_sessions(user: User, keys: list[str] | None = None) -> int:
    rows = UserSession.objects.filter(user=user)
    if keys is not None:
        rows = rows.filter(session_key__in=keys)
    session_keys = list(rows.values_list("session_key", flat=True))
    Session.objects.filter(session_key__in=session_keys).delete()
    rows.delete()
    return len(session_keys)


@transaction.atomic
def session_revoke(*, actor: User, session_id: int) -> None:
    row = UserSession.objects.filter(pk=session_id, user=actor).first()
    if row is None:
        raise NotFound()
    _end_sessions(actor, [row.session_key])


@transaction.atomic
def user_deactivate(*, actor: User | None, user: User) -> User:
    """Only staff may deactivate others; everyone may close their own account. `actor=None`
    is the operator at the server's console (`keel deactivate`)."""
    if actor is not None and actor.pk != user.pk and not actor.is_staff:
        raise PermissionDenied()
    user.is_active = False
    user.save(update_fields=["is_active"])
    _end_sessions(user)
    ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    return user


@transaction.atomic
def token_create(*, actor: User, name: str, days: int | None = None) -> tuple[ApiToken, str]:
    """Returns the token row and its secret. The secret is never stored and cannot be shown
    again."""
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(fields={"name": [MSG_REQUIRED]})
    if days is None:
        days = settings.KEEL_API_TOKEN_DAYS
    if days < 1 or days > 3650:
        raise ValidationFailed(fields={"days": [_("Choose between 1 and 3650 days.")]})
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=actor,
        name=name[:100],
        prefix=secret[: len(TOKEN_PREFIX) + 6],
        digest=token_digest(secret),
        expires_at=timezone.now() + timedelta(days=days),
    )
    return token, secret


@transaction.atomic
def token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    if token.user_id != actor.pk:
        raise NotFound()
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


@transaction.atomic
def workspace_create(*, actor: User, name: str, slug: str | None = None) -> Workspace:
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(fields={"name": [MSG_REQUIRED]})
    slug = slugify(slug or name)[:60] or f"ws-{secrets.token_hex(3)}"
    if Workspace.objects.filter(slug=slug).exists():
        raise ValidationFailed(fields={"slug": [MSG_SLUG_TAKEN]})
    try:
        with transaction.atomic():
            ws = Workspace.objects.create(name=name[:120], slug=slug)
    except IntegrityError:  # taken by a concurrent request since we checked
        raise ValidationFailed(fields={"slug": [MSG_SLUG_TAKEN]}) from None
    WorkspaceMembership.objects.create(workspace=ws, user=actor, role=WorkspaceRole.OWNER)
    forget_roles(actor)
    return ws


@transaction.atomic
def workspace_update(
    *, actor: User, workspace: Workspace, name: str, version: int | None
) -> Workspace:
    workspace_require(actor, WorkspaceAction.EDIT, workspace)
    ws = Workspace.objects.select_for_update().get(pk=workspace.pk)
    check_version(ws.version, version)
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(fields={"name": [MSG_REQUIRED]})
    ws.bump(name=name[:120])
    ws.save()
    return ws


def _check_owner_change(
    actor: User, workspace: Workspace, old: str | None, new: str | None
) -> None:
    if (
        WorkspaceRole.OWNER in (old, new)
        and workspace_role(actor, workspace) != WorkspaceRole.OWNER
    ):
        raise PermissionDenied(MSG_OWNER_ONLY)


def _validate_role(role: str) -> WorkspaceRole:
    try:
        return WorkspaceRole(role)
    except ValueError:
        raise ValidationFailed(fields={"role": [_("Unknown role.")]}) from None


@transaction.atomic
def workspace_member_add(
    *, actor: User, workspace: Workspace, email: str, role: str = WorkspaceRole.MEMBER
) -> WorkspaceMembership:
    workspace_require(actor, WorkspaceAction.MANAGE_MEMBERS, workspace)
    new_role = _validate_role(role)
    _check_owner_change(actor, workspace, None, new_role)
    user = User.objects.filter(email__iexact=(email or "").strip()).first()
    if user is None:
        raise ValidationFailed(fields={"email": [MSG_NO_SUCH_USER]})
    if WorkspaceMembership.objects.filter(workspace=workspace, user=user).exists():
        raise ValidationFailed(fields={"email": [MSG_ALREADY_MEMBER]})
    return WorkspaceMembership.objects.create(workspace=workspace, user=user, role=new_role)


def _lock(workspace: Workspace) -> None:
    """Serialise membership changes of one workspace, so two owners demoting each other at
    the same moment cannot leave it with none."""
    Workspace.objects.select_for_update().filter(pk=workspace.pk).first()


def _owners_left(workspace: Workspace, excluding: int) -> int:
    return (
        WorkspaceMembership.objects.filter(workspace=workspace, role=WorkspaceRole.OWNER)
        .exclude(pk=excluding)
        .count()
    )


@transaction.atomic
def workspace_member_update(
    *, actor: User, membership: WorkspaceMembership, role: str, version: int | None
) -> WorkspaceMembership:
    workspace = membership.workspace
    workspace_require(actor, WorkspaceAction.MANAGE_MEMBERS, workspace)
    _lock(workspace)
    m = WorkspaceMembership.objects.select_for_update().get(pk=membership.pk)
    check_version(m.version, version)
    new_role = _validate_role(role)
    _check_owner_change(actor, workspace, m.role, new_role)
    if (
        m.role == WorkspaceRole.OWNER
        and new_role != WorkspaceRole.OWNER
        and not _owners_left(workspace, m.pk)
    ):
        raise ValidationFailed(MSG_LAST_OWNER, fields={"role": [MSG_LAST_OWNER]})
    m.bump(role=new_role)
    m.save()
    forget_roles(m.user)
    return m


@transaction.atomic
def workspace_member_remove(*, actor: User, membership: WorkspaceMembership) -> None:
    workspace = membership.workspace
    _lock(workspace)
    membership = WorkspaceMembership.objects.select_related("user").get(pk=membership.pk)
    if membership.user_id != actor.pk:  # anyone may leave; removing others needs the right
        workspace_require(actor, WorkspaceAction.MANAGE_MEMBERS, workspace)
        _check_owner_change(actor, workspace, membership.role, None)
    if membership.role == WorkspaceRole.OWNER and not _owners_left(workspace, membership.pk):
        raise ValidationFailed(MSG_LAST_OWNER, fields={"role": [MSG_LAST_OWNER]})
    membership.delete()
    # Project memberships belong to the workspace membership; without it they would linger
    # as access nobody can see in the workspace's member list.
    # (Reached through the reverse relation: projects depend on accounts, not the reverse.)
    membership.user.project_memberships.filter(project__workspace=workspace).delete()
    forget_roles(membership.user)
