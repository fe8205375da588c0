from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResourcesConfig(AppConfig):
    name = "keel.apps.resources"
    label = "resources"
    verbose_name = _("Resource allocation")

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (connects the assignee sync)
