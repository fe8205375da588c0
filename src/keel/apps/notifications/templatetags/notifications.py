"""`{% unread_notification_count as n %}`: the bell's number, one COUNT query, and only on
pages that draw the navigation bar (a context processor would run for every template,
htmx fragments included)."""

from __future__ import annotations

from typing import Any

from django import template

from keel.apps.notifications.selectors import unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notification_count(context: dict[str, Any]) -> int:
    request = context.get("request")
    return unread_count(getattr(request, "user", None))
