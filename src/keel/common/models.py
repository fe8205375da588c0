"""The base every editable model shares: timestamps and a version for optimistic locking."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

# Dates people may type: wide enough for any real plan, narrow enough that date arithmetic
# (working days added to them) stays inside the calendar.
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2999, 12, 31)
MSG_DATE_RANGE = _("Choose a date between 1900-01-01 and 2999-12-31.")


def validate_plan_date(value: date | None) -> None:
    if value is not None and not EARLIEST_DATE <= value <= LATEST_DATE:
        raise ValidationError(MSG_DATE_RANGE, code="date_range")


# Long enough for any description people write; a bound so a paste of a whole file is refused.
LONG_TEXT = 20_000
long_text = MaxLengthValidator(LONG_TEXT)


class VersionedModel(models.Model):
    """An editable row. `version` goes up by one on every write made by a service; an update
    that carries an older version is refused (see `keel.common.concurrency`)."""

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        abstract = True

    def bump(self, **fields: Any) -> None:
        """Assign fields and advance the version; the caller saves inside its transaction."""
        for name, value in fields.items():
            setattr(self, name, value)
        self.version += 1
