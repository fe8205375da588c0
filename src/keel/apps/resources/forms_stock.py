"""The shapes of the stock area's forms. The rules (quantities above 0, no more than on hand,
no overlapping bookings, ...) live in services_stock; these only parse what the browser sent,
and leave quantities as text so the service words every refusal as it does for the API."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from keel.apps.projects.forms import DateInput
from keel.common.pages import KeelForm, version_field

from .models import StockMoveKind

LINES_SHOWN = 5  # lines of a new purchase request; more are added by editing the API body


def _number(label: Any, *, required: bool = True, help_text: Any = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=30,
        help_text=help_text,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )


class ChoicesForm(KeelForm):
    """A form whose pickers are filled from the rows the person may choose from."""

    def _choice(self, name: str) -> forms.ChoiceField:
        return cast(forms.ChoiceField, self.fields[name])


class ItemForm(KeelForm):
    code = forms.CharField(label=_("Code"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=200)
    unit = forms.CharField(label=_("Unit"), max_length=20, help_text=_("kg, m, piece, ..."))
    unit_cost = _number(_("Unit cost"))
    supplier = forms.CharField(label=_("Supplier"), max_length=200, required=False)
    half_width = frozenset({"code", "unit", "unit_cost", "supplier"})


class ItemEditForm(ItemForm):
    is_active = forms.BooleanField(
        label=pgettext_lazy("in use", "Active"),
        required=False,
        help_text=_("Clear to take it out of use; its stock and history stay."),
    )
    version = version_field()


class EquipmentForm(KeelForm):
    code = forms.CharField(label=_("Code"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=200)
    daily_rate = _number(_("Daily rate"))
    supplier = forms.CharField(label=_("Supplier"), max_length=200, required=False)
    half_width = frozenset({"code", "daily_rate"})


class EquipmentEditForm(EquipmentForm):
    is_active = forms.BooleanField(label=pgettext_lazy("in use", "Active"), required=False)
    version = version_field()


class MoveForm(ChoicesForm):
    """A receipt, usage or adjustment of one item."""

    kind = forms.ChoiceField(label=pgettext_lazy("stock", "Kind"), choices=StockMoveKind.choices)
    item = forms.TypedChoiceField(label=_("Item"), coerce=int)
    quantity = _number(
        _("Quantity"), help_text=_("An adjustment may be negative, to take stock out.")
    )
    date = forms.DateField(label=_("Date"), widget=DateInput, required=False)
    task = forms.TypedChoiceField(label=_("Task"), coerce=int, required=False, empty_value=None)
    note = forms.CharField(
        label=_("Note"),
        max_length=200,
        required=False,
        help_text=_("Required for an adjustment: why the count changed."),
    )
    service_field_map = {"item_id": "item", "task_id": "task"}
    half_width = frozenset({"kind", "item", "quantity", "date"})

    def __init__(self, *args: Any, items: Any = (), tasks: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._choice("item").choices = [(i.pk, f"{i.code} {i.name} ({i.unit})") for i in items]
        self._choice("task").choices = [("", "—"), *((t.pk, str(t)) for t in tasks)]


class ReorderForm(KeelForm):
    reorder_level = _number(_("Reorder level"), help_text=_("0: no low-stock alert."))
    version = version_field()


class PurchaseForm(KeelForm):
    """A purchase request with up to LINES_SHOWN lines; empty lines are ignored."""

    supplier = forms.CharField(label=_("Supplier"), max_length=200)
    needed_by = forms.DateField(label=_("Needed by"), widget=DateInput, required=False)
    note = forms.CharField(
        label=_("Note"), required=False, max_length=20_000, widget=forms.Textarea(attrs={"rows": 2})
    )
    half_width = frozenset({"supplier", "needed_by"})

    def __init__(self, *args: Any, items: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "—"), *((i.pk, f"{i.code} {i.name} ({i.unit})") for i in items)]
        for n in range(LINES_SHOWN):
            self.fields[f"item_{n}"] = forms.TypedChoiceField(
                label=_("Item"), choices=choices, coerce=int, required=False, empty_value=None
            )
            self.fields[f"quantity_{n}"] = _number(_("Quantity"), required=False)
            self.fields[f"unit_cost_{n}"] = _number(
                _("Unit cost"), required=False, help_text=_("Empty: the catalogue's.")
            )
        self.third_width = frozenset(
            f"{f}_{n}" for n in range(LINES_SHOWN) for f in ("item", "quantity", "unit_cost")
        )
        self.service_field_map = {
            f"lines.{n}.{f}": f"{f.removesuffix('_id')}_{n}"
            for n in range(LINES_SHOWN)
            for f in ("item_id", "quantity", "unit_cost")
        }
        self.style_widgets()

    def lines(self) -> list[dict[str, Any]]:
        data = self.cleaned_data
        return [
            {
                "item_id": data[f"item_{n}"],
                "quantity": data[f"quantity_{n}"],
                "unit_cost": data[f"unit_cost_{n}"] or None,
            }
            for n in range(LINES_SHOWN)
            if data.get(f"item_{n}") is not None or data.get(f"quantity_{n}")
        ]


class ActionForm(forms.Form):
    version = forms.IntegerField(min_value=1, max_value=2**31 - 1)
    reason = forms.CharField(required=False, max_length=500)


class BookingForm(ChoicesForm):
    equipment = forms.TypedChoiceField(label=_("Equipment"), coerce=int)
    start = forms.DateField(label=_("First day"), widget=DateInput)
    finish = forms.DateField(label=_("Last day"), widget=DateInput)
    task = forms.TypedChoiceField(label=_("Task"), coerce=int, required=False, empty_value=None)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
    service_field_map = {"equipment_id": "equipment", "task_id": "task"}
    half_width = frozenset({"start", "finish", "task", "note"})

    def __init__(self, *args: Any, equipment: Any = (), tasks: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._choice("equipment").choices = [(e.pk, str(e)) for e in equipment]
        self._choice("task").choices = [("", "—"), *((t.pk, str(t)) for t in tasks)]
