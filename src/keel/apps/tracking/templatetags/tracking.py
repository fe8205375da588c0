"""`{% task_hours task as hours %}`: the hours logged on a task, for pages other apps own
(the planning task detail includes tracking/_task_hours.html, which uses it); `|hours`:
hours as people write them (`7.5`, `8`, `0`), also as the value of a cell's input."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

from keel.common.errors import KeelError

from ..selectors import TaskHours, task_hours

register = template.Library()


@register.simple_tag(takes_context=True, name="task_hours")
def task_hours_tag(context: template.Context, task: Any) -> TaskHours | None:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or task is None:
        return None
    try:
        return task_hours(user, task)
    except KeelError:
        return None


@register.filter
def hours(value: Any) -> str:
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(value)
    except (ArithmeticError, TypeError, ValueError):
        return str(value)
    return f"{amount.normalize():f}" if amount else "0"
