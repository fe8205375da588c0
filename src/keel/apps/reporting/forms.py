"""The forms of the report pages: the narrative, the report settings, preparing a report."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from keel.common.models import LONG_TEXT
from keel.common.pages import KeelForm, version_field

from .models import Cadence


class NarrativeForm(KeelForm):
    narrative = forms.CharField(
        label=_("Narrative"),
        required=False,
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "Your view of the period: what went well, what did not, what you need. It opens "
            "the report and its e-mail."
        ),
    )
    version = version_field()


class PrepareForm(KeelForm):
    period = forms.CharField(max_length=30, widget=forms.HiddenInput)


class ReportSettingsForm(KeelForm):
    cadence = forms.ChoiceField(label=_("Cadence"), choices=Cadence.choices)
    enabled = forms.BooleanField(
        label=_("Prepare reports on schedule"),
        required=False,
        help_text=_("When a period ends, its report is prepared as a draft for the managers."),
    )
    auto_issue = forms.BooleanField(
        label=_("Issue them automatically"),
        required=False,
        help_text=_(
            "Issue and e-mail the report as soon as it is prepared, without waiting for a "
            "manager's narrative."
        ),
    )
    extra_recipients = forms.CharField(
        label=_("Other recipients"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "E-mail addresses, one a line, that receive the issued reports besides the "
            "project's members."
        ),
    )
    language = forms.ChoiceField(
        label=_("Language for other recipients"),
        required=False,
        help_text=_("Keel users among them get the report in their own language."),
    )
    # 0 while the project uses the defaults (no row yet).
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [  # type: ignore[attr-defined]
            ("", _("The site's language")),
            *settings.LANGUAGES,
        ]

    def clean_extra_recipients(self) -> list[str]:
        text = self.cleaned_data.get("extra_recipients") or ""
        return [part for part in re.split(r"[\s,;]+", text) if part]
