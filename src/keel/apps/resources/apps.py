from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResourcesConfig(AppConfig):
    name = "keel.apps.resources"
    label = "resources"
    verbose_name = _("Resource allocation")

    def ready(self) -> None:
        from keel.apps.planning import costing

        from . import receivers  # noqa: F401  (connects the assignee sync)
        from .selectors_money import actual_cost_rows, planned_cost_by_task

        # Planning cannot import this app; it asks these for the costs of its baselines and
        # of earned value in money.
        costing.register_cost_provider(planned_cost_by_task)
        costing.register_actual_cost_provider(actual_cost_rows)
