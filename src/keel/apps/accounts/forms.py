"""The shapes of the account pages' forms. Rules (unique e-mail, last owner, ...) live in
accounts.services; these only parse what the browser sent."""

from __future__ import annotations

import zoneinfo
from functools import lru_cache
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from keel.common.pages import KeelForm, version_field

from .models import WorkspaceRole


@lru_cache(maxsize=1)
def timezone_choices() -> list[tuple[str, str]]:
    names = sorted(tz for tz in zoneinfo.available_timezones() if "/" in tz or tz == "UTC")
    return [(tz, tz.replace("_", " ")) for tz in names]


class ProfileForm(KeelForm):
    name = forms.CharField(label=_("Name"), max_length=150, required=False)
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    timezone = forms.ChoiceField(label=_("Time zone"), choices=timezone_choices)
    version = version_field()

    service_field_map = {"timezone_name": "timezone"}


class TokenCreateForm(KeelForm):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the token is for, e.g. “CI pipeline”."),
    )
    days = forms.IntegerField(
        label=_("Valid for (days)"),
        min_value=1,
        max_value=3650,
        initial=settings.KEEL_API_TOKEN_DAYS,
    )


class WorkspaceCreateForm(KeelForm):
    name = forms.CharField(label=_("Name"), max_length=120)
    slug = forms.SlugField(
        label=_("Short name"),
        max_length=60,
        required=False,
        help_text=_("Letters, digits and hyphens; made from the name when left empty."),
    )


class WorkspaceRenameForm(KeelForm):
    name = forms.CharField(label=_("Name"), max_length=120)
    version = version_field()


def role_choices(*, can_grant_owner: bool) -> list[tuple[str, Any]]:
    """Only an owner can grant the owner role, so others are not offered it."""
    return [
        (value, label)
        for value, label in WorkspaceRole.choices
        if can_grant_owner or value != WorkspaceRole.OWNER
    ]


class WorkspaceMemberAddForm(KeelForm):
    email = forms.EmailField(label=_("E-mail address"))
    role = forms.ChoiceField(
        label=_("Role"), choices=WorkspaceRole.choices, initial=WorkspaceRole.MEMBER
    )

    def __init__(self, *args: Any, can_grant_owner: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = role_choices(can_grant_owner=can_grant_owner)  # type: ignore[attr-defined]


class WorkspaceMemberRoleForm(KeelForm):
    role = forms.ChoiceField(label=_("Role"), choices=WorkspaceRole.choices)
    version = version_field()

    def __init__(self, *args: Any, can_grant_owner: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = role_choices(can_grant_owner=can_grant_owner)  # type: ignore[attr-defined]
