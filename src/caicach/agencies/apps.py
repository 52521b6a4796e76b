from django.apps import AppConfig


class AgenciesConfig(AppConfig):
    name = "caicach.agencies"
    label = "agencies"
