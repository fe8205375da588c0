"""Money: Decimal amounts with two places and an ISO 4217 currency code beside them. Amounts
are never floats; sums are done in Decimal and rounded half up to the cent once, at the end."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
# Twelve digits before the point: more than any project's budget, in any currency.
MAX_DIGITS = 14
MSG_CURRENCY = _("Enter a currency as its three-letter ISO 4217 code, such as CNY or USD.")
_CODE = re.compile(r"^[A-Z]{3}$")


def validate_currency(value: str) -> None:
    if not isinstance(value, str) or not _CODE.match(value):
        raise ValidationError(MSG_CURRENCY, code="currency")


def money(value: Any) -> Decimal:
    """A Decimal rounded to the cent (half up, as accountants round)."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def money_field(
    verbose_name: Any, *, signed: bool = False, **kwargs: Any
) -> models.DecimalField[Decimal, Decimal]:
    validators = [] if signed else [MinValueValidator(Decimal("0"))]
    return models.DecimalField(
        verbose_name,
        max_digits=MAX_DIGITS,
        decimal_places=2,
        validators=validators,
        **kwargs,
    )


def currency_field(verbose_name: Any = None, **kwargs: Any) -> models.CharField[str, str]:
    return models.CharField(
        verbose_name or _("currency"), max_length=3, validators=[validate_currency], **kwargs
    )
