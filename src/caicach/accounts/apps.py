from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "caicach.accounts"
    label = "accounts"

    def ready(self) -> None:
        from caicach.accounts import signals  # noqa: F401  (connects the receivers)
