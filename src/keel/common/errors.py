"""Errors services raise. Delivery layers map them: API -> JSON 4xx, pages -> form errors or
an error page, CLI -> one line on stderr and exit code 2. Messages are user-facing and
translatable; `code` is stable for machines."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

Message = str | Promise


class KeelError(Exception):
    status = 400
    code = "error"
    default_message: Message = _("The request could not be completed.")

    def __init__(
        self,
        message: Message | None = None,
        *,
        code: str | None = None,
        fields: Mapping[str, Sequence[Message]] | None = None,
    ) -> None:
        self.message = message if message is not None else self.default_message
        if code:
            self.code = code
        self.fields = {k: [str(m) for m in v] for k, v in (fields or {}).items()}
        super().__init__(str(self.message))


class ValidationFailed(KeelError):
    status = 422
    code = "validation_error"
    default_message = _("Some fields are not valid.")


class PermissionDenied(KeelError):
    status = 403
    code = "permission_denied"
    default_message = _("You do not have permission to do this.")


class NotFound(KeelError):
    status = 404
    code = "not_found"
    default_message = _("Not found.")


class Conflict(KeelError):
    """A stale version: someone else changed the object since it was read."""

    status = 409
    code = "version_conflict"
    default_message = _(
        "Someone else changed this since you opened it. Reload to see their change, then try again."
    )


def check_version(current: int, submitted: int | None) -> None:
    """Refuse a write made against an old copy. `None` means the caller did not send one,
    which only internal callers (demo loader, engine recalculation) may do."""
    if submitted is not None and submitted != current:
        raise Conflict(fields={"version": [_("Expected version %(v)s.") % {"v": current}]})


def validate_instance(instance: object, *, exclude: Sequence[str] | None = None) -> None:
    """Run the model's own field validators and constraints; raise ValidationFailed with the
    field messages so every delivery layer shows them the same way."""
    from django.core.exceptions import ValidationError as DjangoValidationError

    try:
        instance.full_clean(exclude=exclude)  # type: ignore[attr-defined]
    except DjangoValidationError as exc:
        raise ValidationFailed(
            fields={
                ("non_field" if k == "__all__" else k): list(v) for k, v in exc.message_dict.items()
            }
        ) from None
