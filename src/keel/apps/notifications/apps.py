from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "keel.apps.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from django.db.models.signals import m2m_changed, post_migrate

        from keel.apps.planning.models import Task

        from .receivers import assignees_changed, start_daily_run

        # Assignments: planning's services stay unaware of notifications (see receivers.py).
        m2m_changed.connect(
            assignees_changed,
            sender=Task.assignees.through,
            dispatch_uid="notifications.assignees_changed",
        )
        # `keel serve` and `keel migrate` migrate first: that (re)starts the daily run.
        post_migrate.connect(start_daily_run, sender=self, dispatch_uid="notifications.daily_run")
