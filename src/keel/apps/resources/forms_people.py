"""The shapes of the people pages' forms. Rules (one resource per user, one rate per day,
units and work, ...) live in services_people; these only parse what the browser sent."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from keel.apps.projects.forms import DateInput
from keel.common.pages import NO_ONE, KeelForm

from .models import CostRate, Resource
from .models.people import MAX_UNITS

WEEKDAYS = [
    ("1", _("Mon")),
    ("2", _("Tue")),
    ("3", _("Wed")),
    ("4", _("Thu")),
    ("5", _("Fri")),
    ("6", _("Sat")),
    ("7", _("Sun")),
]
LEVELS = [
    (1, _("1 · learning")),
    (2, "2"),
    (3, "3"),
    (4, "4"),
    (5, _("5 · expert")),
]


class TaskSkillForm(forms.Form):
    """A skill the task needs (or, with `remove`, no longer needs)."""

    skill = forms.IntegerField(min_value=1, max_value=2**31 - 1)
    min_level = forms.TypedChoiceField(
        label=_("At least level"),
        choices=[(i, str(i)) for i in range(1, 6)],
        coerce=int,
        initial=3,
        required=False,
        empty_value=1,  # type: ignore[arg-type]
    )
    remove = forms.BooleanField(required=False)


class ResourceForm(KeelForm):
    user_id = forms.TypedChoiceField(
        label=_("User account"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("Leave empty for someone without an account, such as a contractor."),
    )
    name = forms.CharField(
        label=_("Name"),
        required=False,
        max_length=120,
        help_text=_("Taken from the account when left empty."),
    )
    email = forms.EmailField(label=_("E-mail"), required=False)
    organisation = forms.CharField(label=_("Organisation"), required=False, max_length=120)
    role = forms.CharField(label=_("Role"), required=False, max_length=80)
    capacity_hours = forms.DecimalField(
        label=_("Capacity (hours per day)"),
        min_value=Decimal("0"),
        max_value=Decimal("24"),
        max_digits=4,
        decimal_places=2,
        initial=Decimal("8"),
    )
    working_weekdays = forms.MultipleChoiceField(
        label=_("Working weekdays"),
        choices=WEEKDAYS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        initial=list("12345"),
    )
    is_active = forms.BooleanField(
        label=pgettext_lazy("in use", "Active"), required=False, initial=True
    )
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)
    half_width = frozenset({"name", "email", "organisation", "role", "capacity_hours"})

    def __init__(self, *args: Any, people: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user_id"].choices = [("", NO_ONE), *people]  # type: ignore[attr-defined]

    def clean_working_weekdays(self) -> str:
        return "".join(sorted(self.cleaned_data.get("working_weekdays") or []))


def resource_initial(resource: Resource) -> dict[str, Any]:
    return {
        "user_id": resource.user_id,
        "name": resource.name,
        "email": resource.email,
        "organisation": resource.organisation,
        "role": resource.role,
        "capacity_hours": resource.capacity_hours,
        "working_weekdays": list(resource.working_weekdays),
        "is_active": resource.is_active,
        "notes": resource.notes,
        "version": resource.version,
    }


class SkillForm(KeelForm):
    name = forms.CharField(
        label=_("Skill"),
        max_length=80,
        help_text=_("A skill of the workspace, or a new one."),
    )
    level = forms.TypedChoiceField(
        label=_("Level"), choices=LEVELS, coerce=int, initial=3, empty_value=None
    )
    half_width = frozenset({"name", "level"})


class RateForm(KeelForm):
    effective_from = forms.DateField(label=_("Effective from"), widget=DateInput)
    standard_rate = forms.DecimalField(
        label=_("Standard rate (per hour)"), min_value=0, max_digits=14, decimal_places=2
    )
    overtime_rate = forms.DecimalField(
        label=_("Overtime rate (per hour)"), min_value=0, max_digits=14, decimal_places=2
    )
    currency = forms.CharField(
        label=_("Currency"),
        max_length=3,
        min_length=3,
        help_text=_("Three-letter ISO 4217 code, such as CNY or USD."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)
    half_width = frozenset({"effective_from", "currency", "standard_rate", "overtime_rate"})


def rate_initial(rate: CostRate) -> dict[str, Any]:
    return {
        "effective_from": rate.effective_from,
        "standard_rate": rate.standard_rate,
        "overtime_rate": rate.overtime_rate,
        "currency": rate.currency,
        "version": rate.version,
    }


class LeaveForm(KeelForm):
    start = forms.DateField(label=_("First day"), widget=DateInput)
    finish = forms.DateField(label=_("Last day"), widget=DateInput)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=200)
    half_width = frozenset({"start", "finish"})


MSG_PICK_RESOURCE = _("Choose a person.")


class AssignmentForm(KeelForm):
    """Add a resource to a task, or (with `assignment` and `version`) change its units or
    work. Units and work are both optional: the service sets 100% when neither is given and
    refuses both at once."""

    resource = forms.TypedChoiceField(
        label=_("Person"), coerce=int, required=False, empty_value=None
    )
    units = forms.DecimalField(
        label=_("Units (%)"),
        required=False,
        min_value=Decimal("0.01"),
        max_value=MAX_UNITS,
        max_digits=6,
        decimal_places=2,
    )
    work_hours = forms.DecimalField(
        label=_("Work (hours)"),
        required=False,
        min_value=Decimal("0.01"),
        max_digits=12,
        decimal_places=2,
    )
    assignment = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    third_width = frozenset({"resource", "units", "work_hours"})
    service_field_map = {"resource_id": "resource"}

    def __init__(self, *args: Any, resources: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["resource"].choices = [("", NO_ONE), *resources]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("assignment") and not data.get("resource"):
            self.add_error("resource", MSG_PICK_RESOURCE)
        return data


class AssignmentRemoveForm(forms.Form):
    assignment = forms.IntegerField(min_value=1, max_value=2**63 - 1)
    version = forms.IntegerField(min_value=1, max_value=2**31 - 1)
