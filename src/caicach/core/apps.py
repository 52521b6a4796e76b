from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "caicach.core"
    label = "core"
