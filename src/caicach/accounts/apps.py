from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "caicach.accounts"
    label = "accounts"
