from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "caicach.demo"
    label = "demo"
