"""The shapes of the board's forms: a card's move (drag and drop, or the "Move to…" menu)
and the workflow settings. Rules (the statuses a project must use, a status still held by
tasks, a reason for Blocked) live in planning.services; these only parse what was sent."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from keel.common.pages import KeelForm, version_field

from .models import TaskStatus, WorkflowColumn

# A column of the workflow as workflow_set reports it: "columns.<index>.<field>".
_COLUMN_ERROR = re.compile(r"columns\.(\d+)\.(\w+)")
_ROW_FIELDS = {"status": "use", "label": "label", "wip_limit": "wip", "position": "order"}


class BoardMoveForm(KeelForm):
    """Where a card goes: a column (a status) and, optionally, the card it goes before."""

    version = version_field()
    status = forms.ChoiceField(label=_("Column"))
    before_id = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    blocked_reason = forms.CharField(label=_("Reason blocked"), required=False, max_length=255)

    def __init__(self, *args: Any, columns: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = columns  # type: ignore[attr-defined]


@dataclass(frozen=True)
class WorkflowRow:
    """One status on the workflow form, with its four inputs."""

    status: str
    name: str
    use: forms.BoundField
    label: forms.BoundField
    wip: forms.BoundField
    order: forms.BoundField


class WorkflowForm(KeelForm):
    """Every status, each with: used or not, its place, its column name and WIP limit. The
    statuses in use come first, in their order, then the others."""

    def __init__(self, *args: Any, columns: list[WorkflowColumn], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        used = [c.status for c in columns]
        self.statuses = used + [s for s in TaskStatus.values if s not in used]
        current = {c.status: c for c in columns}
        for i, status in enumerate(self.statuses):
            name = TaskStatus(status).label
            col = current.get(status)
            # Made after KeelForm.__init__ styled the declared fields, so styled here.
            self.fields[f"use_{status}"] = forms.BooleanField(
                label=name,
                required=False,
                initial=col is not None,
                widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
            )
            self.fields[f"order_{status}"] = forms.IntegerField(
                label=_("Order"),
                min_value=1,
                max_value=99,
                initial=i + 1,
                widget=forms.NumberInput(attrs={"class": "form-control"}),
            )
            self.fields[f"label_{status}"] = forms.CharField(
                label=_("Column name"),
                required=False,
                max_length=40,
                initial=col.label if col else "",
                widget=forms.TextInput(attrs={"class": "form-control", "placeholder": name}),
            )
            self.fields[f"wip_{status}"] = forms.IntegerField(
                label=_("WIP limit"),
                required=False,
                min_value=1,
                max_value=32767,
                initial=col.wip_limit if col else None,
                widget=forms.NumberInput(attrs={"class": "form-control"}),
            )
        # The order in which columns() sent the statuses, to place the service's errors.
        self.sent: list[str] = []

    def rows(self) -> list[WorkflowRow]:
        return [
            WorkflowRow(
                status=s,
                name=str(TaskStatus(s).label),
                use=self[f"use_{s}"],
                label=self[f"label_{s}"],
                wip=self[f"wip_{s}"],
                order=self[f"order_{s}"],
            )
            for s in self.statuses
        ]

    def columns(self) -> list[dict[str, Any]]:
        """The chosen statuses in their chosen order (ties keep the form's order), in the
        shape workflow_set takes."""
        data = self.cleaned_data
        chosen = sorted(
            (s for s in self.statuses if data.get(f"use_{s}")),
            key=lambda s: (data[f"order_{s}"], self.statuses.index(s)),
        )
        self.sent = chosen
        return [
            {
                "status": s,
                "label": data.get(f"label_{s}") or "",
                "wip_limit": data.get(f"wip_{s}"),
            }
            for s in chosen
        ]

    def form_field_for(self, service_field: str) -> str | None:
        match = _COLUMN_ERROR.fullmatch(service_field)
        if match:
            index, field = int(match.group(1)), match.group(2)
            if index < len(self.sent) and field in _ROW_FIELDS:
                return f"{_ROW_FIELDS[field]}_{self.sent[index]}"
            return None
        return super().form_field_for(service_field)
