"""Keep a row per signed-in browser so people can list and revoke their sessions."""

from __future__ import annotations

from typing import Any

from allauth.account.signals import password_changed, password_set
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.contrib.sessions.models import Session
from django.dispatch import receiver
from django.http import HttpRequest

from .models import UserSession


@receiver(user_logged_in)
def _record_session(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is None or not hasattr(request, "session"):
        return
    if request.session.session_key is None:
        request.session.save()
    UserSession.objects.update_or_create(
        session_key=request.session.session_key,
        defaults={
            "user": user,
            "user_agent": request.META.get("HTTP_USER_AGENT", "")[:300],
            "ip_address": request.META.get("REMOTE_ADDR") or None,
        },
    )


@receiver(password_changed)
@receiver(password_set)
def _follow_new_session_key(
    sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any
) -> None:
    """Changing the password gives this browser a new session key (other sessions keep
    theirs): keep its row, and drop rows whose sessions no longer exist."""
    if request is None or getattr(request, "session", None) is None:
        return
    live = set(
        Session.objects.filter(
            session_key__in=UserSession.objects.filter(user=user).values("session_key")
        ).values_list("session_key", flat=True)
    )
    UserSession.objects.filter(user=user).exclude(session_key__in=live).delete()
    _record_session(sender, request, user)


@receiver(user_logged_out)
def _forget_session(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is not None and getattr(request, "session", None) is not None:
        UserSession.objects.filter(session_key=request.session.session_key).delete()
