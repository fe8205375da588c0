"""The history of any object that keeps one (django-simple-history). Callers fetch the object
through their own selector first, which checks that the actor may see it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

ACTIONS = {"+": _("created"), "~": _("changed"), "-": _("deleted")}


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


def history_for(obj: models.Model, *, limit: int = 200) -> list[HistoryEntry]:
    """Newest first, each entry with the fields it changed against the previous record."""
    history: Any = obj.history  # type: ignore[attr-defined]  # added by simple_history
    records = list(
        history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1]
    )
    entries: list[HistoryEntry] = []
    for i, rec in enumerate(records[:limit]):
        prev = records[i + 1] if i + 1 < len(records) else None
        changes: list[FieldChange] = []
        if prev is not None and rec.history_type == "~":
            delta = rec.diff_against(prev, excluded_fields=["version", "updated_at"])
            for change in delta.changes:
                field = obj._meta.get_field(change.field)
                changes.append(
                    FieldChange(
                        field=change.field,
                        label=str(getattr(field, "verbose_name", change.field)),
                        old=change.old,
                        new=change.new,
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
