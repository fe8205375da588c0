"""The history of any object that keeps one (django-simple-history). Callers fetch the object
through their own selector first, which checks that the actor may see it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

ACTIONS = {"+": _("created"), "~": _("changed"), "-": _("deleted")}
YES, NO = pgettext_lazy("history value", "yes"), pgettext_lazy("history value", "no")


def _readable(field: Any, value: Any, related: dict[tuple[type, Any], str]) -> Any:
    """A stored value as people read it: a choice's label, yes or no, the name of the
    related object rather than its id."""
    if value is None:
        return None
    if getattr(field, "choices", None):
        return dict(field.flatchoices).get(value, value)
    if isinstance(field, models.BooleanField):
        return YES if value else NO
    if isinstance(field, models.ForeignKey):
        return related.get((field.related_model, value), value)  # type: ignore[arg-type]
    return value


def _related_names(obj: models.Model, changes: list[Any]) -> dict[tuple[type, Any], str]:
    """The names of the objects foreign keys in the changes point to, a query per model."""
    wanted: dict[type, set[Any]] = {}
    for change in changes:
        field = obj._meta.get_field(change.field)
        if isinstance(field, models.ForeignKey):
            ids = wanted.setdefault(field.related_model, set())  # type: ignore[arg-type]
            ids.update(v for v in (change.old, change.new) if v is not None)
    names: dict[tuple[type, Any], str] = {}
    for model, ids in wanted.items():
        for row in model._default_manager.filter(pk__in=ids):  # type: ignore[attr-defined]
            names[(model, row.pk)] = str(getattr(row, "display_name", None) or row)
    return names


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    old: Any
    new: Any


@dataclass(frozen=True)
class HistoryEntry:
    when: datetime
    who: Any
    action: str
    changes: tuple[FieldChange, ...]
    reason: str


def history_for(
    obj: models.Model, *, limit: int = 200, readable: bool = False
) -> list[HistoryEntry]:
    """Newest first, each entry with the fields it changed against the previous record:
    the stored values (codes and ids, for the API), or `readable` ones for a page."""
    history: Any = obj.history  # type: ignore[attr-defined]  # added by simple_history
    records = list(
        history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1]
    )
    deltas: list[list[Any]] = []
    for i, rec in enumerate(records[:limit]):
        prev = records[i + 1] if i + 1 < len(records) else None
        if prev is not None and rec.history_type == "~":
            delta = rec.diff_against(prev, excluded_fields=["version", "updated_at"])
            deltas.append(list(delta.changes))
        else:
            deltas.append([])
    related = _related_names(obj, [c for d in deltas for c in d]) if readable else {}
    entries: list[HistoryEntry] = []
    for rec, delta_changes in zip(records[:limit], deltas, strict=True):
        changes: list[FieldChange] = []
        for change in delta_changes:
            field = obj._meta.get_field(change.field)
            changes.append(
                FieldChange(
                    field=change.field,
                    label=str(getattr(field, "verbose_name", change.field)),
                    old=_readable(field, change.old, related) if readable else change.old,
                    new=_readable(field, change.new, related) if readable else change.new,
                )
            )
        entries.append(
            HistoryEntry(
                when=rec.history_date,
                who=rec.history_user,
                action=str(ACTIONS.get(rec.history_type, rec.history_type)),
                changes=tuple(changes),
                reason=rec.history_change_reason or "",
            )
        )
    return entries
