from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "keel.apps.reporting"
    label = "reporting"
    verbose_name = _("Progress reports")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from .sections import register_built_in

        register_built_in()
        # `keel serve` and `keel migrate` migrate first: that (re)starts the daily run.
        post_migrate.connect(start_daily_run, sender=self, dispatch_uid="reporting.daily_run")


def start_daily_run(sender: Any, **kwargs: Any) -> None:
    """After `migrate`: make sure the daily run is queued (nothing when it is)."""
    import logging

    from django.db import DatabaseError

    from .services import daily_run_schedule

    try:
        daily_run_schedule()
    except DatabaseError:  # the task queue's tables are not there yet (a partial migrate)
        logging.getLogger(__name__).warning(
            "The daily reports run could not be queued; run `keel report due` from cron."
        )
