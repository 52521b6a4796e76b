from django.apps import AppConfig


class CalendarsConfig(AppConfig):
    name = "caicach.calendars"
    label = "calendars"
