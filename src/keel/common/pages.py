"""What every page shares, as common/api.py is what every API router shares: Tabler-styled
forms with the hidden `version`, the one mapping from the errors services raise to what a page
shows, and answering htmx with a named partial. It lives here, below the apps, because the
apps' views use it and keel.web sits above them.

    ValidationFailed -> field errors on the form, answer 422
    Conflict         -> the form is shown again with the message, answer 409
    PermissionDenied -> the 403 page (django.core.exceptions.PermissionDenied)
    NotFound         -> the 404 page (Http404)
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any, TypeVar, cast

from django import forms
from django.core.exceptions import BadRequest
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import TemplateDoesNotExist, engines
from django.template.backends.django import Template as BackendTemplate
from django.template.loader import get_template
from django.utils.translation import gettext_lazy as _

from .errors import Conflict, KeelError, NotFound, PermissionDenied, ValidationFailed

V = TypeVar("V", bound=Callable[..., HttpResponse])

NON_FIELD = ("non_field", "__all__")


class KeelForm(forms.Form):
    """A form rendered with Tabler classes (`{{ form }}` uses web/partials/form.html).

    `conflict` holds the message of a stale-version refusal; the view re-creates the form
    from the fresh object and sets it, so the person sees the current values and the reason.
    `service_field_map` renames the fields a service reports to this form's fields when they
    differ (e.g. {"predecessor_id": "task"})."""

    template_name = "web/partials/form.html"
    service_field_map: dict[str, str] = {}
    half_width: frozenset[str] = frozenset()  # fields laid out two to a row on wide screens
    third_width: frozenset[str] = frozenset()  # ... and three to a row

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.conflict: str = ""
        self.style_widgets()

    def style_widgets(self) -> None:
        """Give the widgets Tabler's classes; a form that adds fields in its own __init__
        calls it again (a widget is styled once)."""
        for field in self.fields.values():
            widget = field.widget
            if getattr(widget, "_keel_styled", False):
                continue
            widget._keel_styled = True
            if isinstance(widget, forms.HiddenInput):
                continue
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
                css = "form-check-input"  # given to each option's input
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            if css:
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def _mark_invalid(self) -> None:
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                classes = widget.attrs.get("class", "")
                if "is-invalid" not in classes:
                    widget.attrs["class"] = f"{classes} is-invalid".strip()

    def full_clean(self) -> None:
        super().full_clean()
        if self.is_bound:
            self._mark_invalid()

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)
        self._mark_invalid()

    def form_field_for(self, service_field: str) -> str | None:
        """The form field a service's field name belongs to, or None for a form-wide error."""
        if service_field in NON_FIELD:
            return None
        candidates = [
            self.service_field_map.get(service_field, ""),
            service_field,
            service_field.removesuffix("_id"),
            service_field.removesuffix("_ids") + "s",
            service_field + "_id",
        ]
        for name in candidates:
            if name and name in self.fields and not self.fields[name].widget.is_hidden:
                return name
        return None


def version_field() -> forms.IntegerField:
    """The version of the object the form was filled from; the service refuses a stale one."""
    return forms.IntegerField(widget=forms.HiddenInput, min_value=1)


def apply_service_errors(form: forms.Form, exc: KeelError) -> int:
    """Show a service's refusal on the form and return the status to answer with, or raise
    the page-level refusals (403, 404)."""
    if isinstance(exc, PermissionDenied):
        raise DjangoPermissionDenied(str(exc.message)) from exc
    if isinstance(exc, NotFound):
        raise Http404(str(exc.message)) from exc
    if isinstance(exc, Conflict):
        form.conflict = str(exc.message)  # type: ignore[attr-defined]
        return exc.status
    placed: set[str] = set()
    for key, messages in exc.fields.items():
        name = (
            form.form_field_for(key)
            if isinstance(form, KeelForm)
            else (key if key in form.fields else None)
        )
        for message in messages:
            form.add_error(name, str(message))
            placed.add(str(message))
    message = str(exc.message)
    if not placed or (message not in placed and message != str(ValidationFailed.default_message)):
        form.add_error(None, message)
    return exc.status if isinstance(exc, ValidationFailed) else 400


def service_messages(exc: KeelError) -> list[str]:
    """A refusal as sentences, for actions that have no form to show them on (a button)."""
    if isinstance(exc, Conflict):
        return [str(exc.message)]  # its field names the expected version, not for people
    found: list[str] = []
    if not exc.fields or str(exc.message) != str(type(exc).default_message):
        found.append(str(exc.message))
    for msgs in exc.fields.values():
        found.extend(str(m) for m in msgs)
    return list(dict.fromkeys(found))


def service_errors(view: V) -> V:
    """Turn the refusals a view does not handle itself into pages: NotFound -> 404,
    PermissionDenied -> 403, anything else a service or selector refused -> 400."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(str(exc.message)) from exc
        except PermissionDenied as exc:
            raise DjangoPermissionDenied(str(exc.message)) from exc
        except KeelError as exc:
            raise BadRequest(str(exc.message)) from exc

    return cast(V, wrapper)


def changes(form: forms.Form, names: Iterable[str] | None = None) -> dict[str, Any]:
    """The cleaned values the person changed (the form was bound with the stored values as
    `initial`), so a save records only real changes in the history."""
    wanted = set(names) if names is not None else None
    return {
        name: form.cleaned_data[name]
        for name in form.changed_data
        if name != "version" and (wanted is None or name in wanted) and name in form.cleaned_data
    }


NO_ONE = _("— nobody —")  # the empty choice of a person picker


# ---------------------------------------------------------------- htmx


def render_partial(
    request: HttpRequest,
    template_name: str,
    partial: str,
    context: dict[str, Any] | None = None,
    *,
    status: int = 200,
) -> HttpResponse:
    """Render `{% partialdef partial %}` of `template_name`, like render("page.html#partial").

    The "#name" form needs django-template-partials' loader; with the app installed as
    SimpleAppConfig (no loader) the partial is taken from the parsed template instead."""
    try:
        template = get_template(f"{template_name}#{partial}")
    except TemplateDoesNotExist:
        page = get_template(template_name)
        proxy = page.template.extra_data["partials"][partial]  # type: ignore[attr-defined]
        backend = engines["django"]
        proxy.engine = backend.engine  # type: ignore[attr-defined]
        template = BackendTemplate(proxy, backend)
    return HttpResponse(template.render(context or {}, request), status=status)


def render_page_or_partial(
    request: HttpRequest,
    template_name: str,
    partial: str,
    context: dict[str, Any],
    *,
    status: int = 200,
) -> HttpResponse:
    """The whole page for a normal request, the named partial for an htmx one."""
    if getattr(request, "htmx", False):
        return render_partial(request, template_name, partial, context, status=status)
    return render(request, template_name, context, status=status)


def parse_id(value: str | None) -> int | None:
    """An id from a query string or form, or None. Only ASCII digits count ("²".isdigit()
    is true, int("²") fails) and no more than a database integer holds."""
    if value and value.isascii() and value.isdigit() and len(value) < 19:
        return int(value)
    return None
