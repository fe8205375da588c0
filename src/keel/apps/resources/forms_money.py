"""The shapes of the money pages' forms. Rules (amounts, who may change what, receipts) live
in services_money; these only parse what the browser sent."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from keel.apps.projects.forms import DateInput
from keel.common.pages import KeelForm, version_field

from .models import CostCategory
from .models.money import RECEIPT_TYPES

MSG_MONTH = _("Enter a month as YYYY-MM, e.g. 2027-03.")
NONE_CHOICE = ("", "—")


class MonthField(forms.CharField):
    """A month typed as YYYY-MM (a month picker where the browser has one): its first day."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"})

    def to_python(self, value: Any) -> dt.date | None:  # type: ignore[override]
        text = (super().to_python(value) or "").strip()
        if not text:
            return None
        try:
            return dt.date.fromisoformat(f"{text}-01")
        except ValueError:
            raise ValidationError(MSG_MONTH) from None


def _choices(rows: Iterable[tuple[int, str]]) -> list[tuple[str, str]]:
    return [NONE_CHOICE, *((str(pk), label) for pk, label in rows)]


def _id(value: str) -> int | None:
    return int(value) if value else None


class _WithTask(KeelForm):
    def __init__(self, *args: Any, tasks: Iterable[tuple[int, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["task"].choices = _choices(tasks)  # type: ignore[attr-defined]

    def clean_task(self) -> int | None:
        return _id(self.cleaned_data["task"])


class BudgetLineForm(_WithTask):
    category = forms.ChoiceField(label=_("Category"), choices=CostCategory.choices)
    amount = forms.DecimalField(label=_("Amount"), min_value=0, max_digits=14, decimal_places=2)
    task = forms.ChoiceField(label=_("WBS element"), required=False)
    period = MonthField(label=_("Month"), required=False, help_text=_("Empty: the whole project."))
    note = forms.CharField(label=_("Note"), required=False, max_length=200)
    half_width = frozenset({"category", "amount", "task", "period"})
    service_field_map = {"task_id": "task"}

    def values(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "category": d["category"],
            "amount": d["amount"],
            "task_id": d["task"],
            "period": d["period"],
            "note": d["note"],
        }


class BudgetLineEditForm(BudgetLineForm):
    version = version_field()


class PlannedCostForm(_WithTask):
    category = forms.ChoiceField(label=_("Category"), choices=CostCategory.choices)
    description = forms.CharField(label=_("Description"), max_length=200)
    task = forms.ChoiceField(label=_("Task"), required=False)
    date = forms.DateField(
        label=_("Date"), required=False, widget=DateInput, help_text=_("Empty: the task's start.")
    )
    item = forms.ChoiceField(label=_("Item"), required=False)
    quantity = forms.DecimalField(
        label=_("Quantity"), required=False, min_value=0, max_digits=12, decimal_places=3
    )
    amount = forms.DecimalField(
        label=_("Amount"),
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        help_text=_("Without an item; with one, quantity x the item's unit cost."),
    )
    half_width = frozenset({"category", "task", "item", "quantity", "date", "amount"})

    def __init__(self, *args: Any, items: Iterable[tuple[int, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = _choices(items)  # type: ignore[attr-defined]

    def clean_item(self) -> int | None:
        return _id(self.cleaned_data["item"])

    def values(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "category": d["category"],
            "description": d["description"],
            "task_id": d["task"],
            "date": d["date"],
            "item_id": d["item"],
            "quantity": d["quantity"],
            "amount": d["amount"],
        }


class PlannedCostEditForm(PlannedCostForm):
    version = version_field()


class AlertsForm(KeelForm):
    alert_percentages = forms.CharField(
        # xgettext:no-python-format
        label=_("Alert at (% of budget)"),
        required=False,
        max_length=100,
        help_text=_("Comma-separated, e.g. 80, 100. Actual cost and the forecast are checked."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class ExpenseForm(_WithTask):
    category = forms.ChoiceField(label=_("Category"), choices=CostCategory.choices)
    date = forms.DateField(label=_("Date"), widget=DateInput)
    amount = forms.DecimalField(label=_("Amount"), min_value=0, max_digits=14, decimal_places=2)
    task = forms.ChoiceField(label=_("Task"), required=False)
    supplier = forms.CharField(label=_("Supplier"), required=False, max_length=200)
    description = forms.CharField(label=_("Description"), max_length=500)
    receipt = forms.FileField(
        label=_("Receipt"),
        required=False,
        widget=forms.FileInput(attrs={"accept": ",".join(sorted(RECEIPT_TYPES))}),
        help_text=_("PDF, PNG, JPEG or WEBP, at most 10 MB."),
    )
    half_width = frozenset({"category", "date", "amount", "task"})

    def values(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {k: d[k] for k in ("category", "date", "amount", "supplier", "description")} | {
            "task_id": d["task"]
        }


class ExpenseEditForm(ExpenseForm):
    version = version_field()


class RejectForm(KeelForm):
    reason = forms.CharField(label=_("Reason for rejection"), required=False, strip=False)
    version = version_field()


class VersionForm(forms.Form):
    version = forms.IntegerField(min_value=1, required=False)
