"""Filters for the report templates, which show stored JSON (dates as ISO text, choices as
their codes) in the reader's language: `|as_date`, `|label:"task_status"`, `|hours`,
`|signed`."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django import template
from django.db.models import TextChoices
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from keel.apps.planning.models import TaskStatus
from keel.apps.projects.models import GoalKind, Phase

from ..models import Cadence, ReportStatus

register = template.Library()

CHOICES: dict[str, type[TextChoices]] = {
    "task_status": TaskStatus,
    "phase": Phase,
    "goal_kind": GoalKind,
    "cadence": Cadence,
    "report_status": ReportStatus,
}


@register.filter
def as_date(value: Any) -> date | None:
    """`"2027-02-01"` -> a date, for `|date:"SHORT_DATE_FORMAT"`; None for anything else."""
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


@register.filter
def label(value: Any, kind: str) -> str:
    """The label of a stored choice in the reader's language; the code itself when unknown."""
    choices = CHOICES.get(kind)
    if choices is None or value in (None, ""):
        return "" if value is None else str(value)
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


@register.filter
def hours(value: Any) -> str:
    """Hours as people write them: `7.5`, `8`, `0`."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    return f"{amount.normalize():f}" if amount else "0"


@register.filter
def signed(value: Any) -> str:
    """`+3`, `-2`, `0`; `—` for none."""
    if value is None or value == "":
        return "—"
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    text = f"{number:g}" if number != int(number) else str(int(number))
    return f"+{text}" if number > 0 else text


@register.filter
def absolute(value: Any) -> Any:
    """The number without its sign."""
    try:
        return abs(value)
    except TypeError:
        return value


@register.filter
def css_string(value: Any) -> SafeString:
    """Text as a quoted CSS string (for `content:` in print styles): quotes, backslashes,
    line breaks and the characters that could close the style element are escaped."""
    out = []
    for c in str(value):
        if c in '\\"<>&' or ord(c) < 32:
            out.append(f"\\{ord(c):x} ")
        else:
            out.append(c)
    return mark_safe('"' + "".join(out) + '"')  # noqa: S308  (escaped above)


HEALTH = {
    "green": _("On track"),
    "amber": _("At risk"),
    "red": _("Off track"),
}


@register.filter
def health_label(value: Any) -> str:
    """green, amber, red or unknown, in words (as the health badge says them)."""
    return str(HEALTH.get(str(value), _("Not measured yet")))
