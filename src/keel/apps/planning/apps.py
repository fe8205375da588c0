from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlanningConfig(AppConfig):
    name = "keel.apps.planning"
    label = "planning"
    verbose_name = _("Planning")

    def ready(self) -> None:
        from keel.apps.projects.services import on_schedule_inputs_changed

        from .services import schedule_changed

        on_schedule_inputs_changed(schedule_changed)
