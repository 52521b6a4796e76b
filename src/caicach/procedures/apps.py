from django.apps import AppConfig


class ProceduresConfig(AppConfig):
    name = "caicach.procedures"
    label = "procedures"
