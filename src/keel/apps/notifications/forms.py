"""The shapes of the notification pages' forms; the rules live in services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from keel.common.pages import KeelForm, version_field

from .models import MAX_SLIP_DAYS, EmailMode


class NotificationSettingsForm(KeelForm):
    email_enabled = forms.BooleanField(
        label=_("E-mail me notifications"),
        required=False,
        help_text=_("Notifications always appear under the bell; this adds an e-mail."),
    )
    email_mode = forms.ChoiceField(
        label=_("Send e-mail"), choices=EmailMode.choices, widget=forms.RadioSelect
    )
    version = version_field()


class AlertSettingsForm(KeelForm):
    milestone_slip_days = forms.IntegerField(
        label=_("Milestone slip threshold (working days)"),
        min_value=0,
        max_value=MAX_SLIP_DAYS,
        help_text=_(
            "Alert the project managers when a milestone's forecast passes its target date by "
            "more than this many working days. 0 alerts on any slip."
        ),
    )
    version = version_field()
