"""The shapes of the timesheet's forms. Rules (24 hours a day, open entries only, no future
days, ...) live in tracking.services; these only parse what the browser sent."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from keel.apps.projects.forms import DateInput
from keel.common.pages import KeelForm, parse_id, version_field

from .models import MAX_HOURS_PER_DAY, MIN_HOURS, NOTE_LENGTH

MSG_BAD_REF = _("The page is out of date; reload it.")


class CellForm(forms.Form):
    """One cell of the weekly grid: the hours of a task on a day. Empty hours clear it. The
    hours stay text here so the service words every refusal the same way as for the API."""

    task = forms.IntegerField(min_value=1, max_value=2**63 - 1)
    date = forms.DateField()
    hours = forms.CharField(required=False, max_length=20)
    version = forms.IntegerField(required=False, min_value=1)


class EntryForm(KeelForm):
    """One entry on its own page, where its note is written."""

    date = forms.DateField(label=_("Date"), widget=DateInput)
    hours = forms.DecimalField(
        label=_("Hours"),
        max_digits=4,
        decimal_places=2,
        min_value=MIN_HOURS,
        max_value=MAX_HOURS_PER_DAY,
        widget=forms.NumberInput(attrs={"step": "0.25", "inputmode": "decimal"}),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=NOTE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the time went on, for the manager who approves it."),
    )
    version = version_field()
    half_width = frozenset({"date", "hours"})


class EntryRefsField(forms.Field):
    """`id:version` pairs of the entries a manager reviewed, from repeated hidden inputs."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[tuple[int, int]]:
        refs = []
        for item in value or []:
            pk, _sep, version = str(item).partition(":")
            if parse_id(pk) is None or parse_id(version) is None or len(version) > 9:
                raise ValidationError(MSG_BAD_REF)
            refs.append((int(pk), int(version)))
        return refs


class ReviewForm(forms.Form):
    """Approve or reject a person's week: the entries shown, and for a rejection a comment."""

    user = forms.IntegerField(min_value=1, max_value=2**63 - 1)
    entry = EntryRefsField(required=False)
    # Its length is the service's to check, with a message on the card.
    comment = forms.CharField(label=_("What to correct"), required=False, strip=False)
