from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "keel.common"
    label = "common"
