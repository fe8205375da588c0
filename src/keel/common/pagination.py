"""Ordering helpers shared by list selectors: a whitelist so user input never reaches
order_by unchecked."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from django.db.models import Model, QuerySet
from django.utils.translation import gettext_lazy as _

from .errors import ValidationFailed

M = TypeVar("M", bound=Model)


def apply_ordering(qs: QuerySet[M], ordering: str | None, allowed: Iterable[str]) -> QuerySet[M]:
    if not ordering:
        return qs
    allowed_set = set(allowed)
    keys = [k.strip() for k in ordering.split(",") if k.strip()]
    for key in keys:
        if key.removeprefix("-") not in allowed_set:
            raise ValidationFailed(
                fields={
                    "ordering": [
                        _("Unknown ordering %(key)s; use one of: %(allowed)s.")
                        % {"key": key, "allowed": ", ".join(sorted(allowed_set))}
                    ]
                }
            )
    return qs.order_by(*keys, "pk")
