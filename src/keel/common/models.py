"""The base every editable model shares: timestamps and a version for optimistic locking."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


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
