"""keel.web.forms: the one mapping from service errors to what a page shows."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.test import RequestFactory

from keel.common.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from keel.common.pages import (
    KeelForm,
    apply_service_errors,
    changes,
    render_partial,
    service_messages,
    version_field,
)


class OwnerForm(KeelForm):
    name = forms.CharField()
    owner = forms.CharField(required=False)
    version = version_field()


def bound() -> OwnerForm:
    form = OwnerForm(
        {"name": "x", "owner": "", "version": "3"}, initial={"name": "y", "version": 3}
    )
    assert form.is_valid()
    return form


def test_validation_failed_lands_on_fields_and_answers_422() -> None:
    form = bound()
    status = apply_service_errors(
        form, ValidationFailed(fields={"name": ["Bad name."], "owner_id": ["Bad owner."]})
    )
    assert status == 422
    assert form.errors["name"] == ["Bad name."]
    assert form.errors["owner"] == ["Bad owner."]  # owner_id -> owner
    assert "is-invalid" in form.fields["name"].widget.attrs["class"]
    assert not form.non_field_errors()  # the default "Some fields are not valid." is not repeated


def test_unknown_fields_and_messages_become_form_errors() -> None:
    form = bound()
    apply_service_errors(
        form, ValidationFailed("A loop: a → b.", fields={"tags": ["Short words."]})
    )
    assert form.non_field_errors() == ["Short words.", "A loop: a → b."]


def test_conflict_keeps_the_message_for_the_fresh_form() -> None:
    form = OwnerForm(initial={"name": "fresh", "version": 4})
    assert apply_service_errors(form, Conflict()) == 409
    assert form.conflict == str(Conflict.default_message)


@pytest.mark.parametrize(
    ("exc", "raised"), [(PermissionDenied("No."), DjangoPermissionDenied), (NotFound(), Http404)]
)
def test_refusals_become_error_pages(exc: Any, raised: type[Exception]) -> None:
    with pytest.raises(raised):
        apply_service_errors(bound(), exc)


def test_changes_are_only_what_changed() -> None:
    assert changes(bound()) == {"name": "x"}


def test_service_messages_for_buttons() -> None:
    assert service_messages(ValidationFailed("Last owner.", fields={"role": ["Last owner."]})) == [
        "Last owner."
    ]
    assert service_messages(Conflict(fields={"version": ["Expected version 2."]})) == [
        str(Conflict.default_message)
    ]


def test_render_partial_renders_only_the_partial(db: Any) -> None:
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    response = render_partial(
        request,
        "projects/project_list.html",
        "results",
        {"projects": [], "can_create": False},
        status=422,
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert html.lstrip().startswith('<div id="project-results"')
    assert "<html" not in html
