from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DossiersConfig(AppConfig):
    name = "caicach.dossiers"
    label = "dossiers"
    verbose_name = _("Hồ sơ")

    def ready(self) -> None:
        # On the event seam (core.events, ADR 0006):
        # - a calendar amendment lists the promised due dates it moves (regulations §4.4);
        # - intake's per-process cache of a version's rules is dropped when one is published.
        from caicach.calendars.events import OpenPromisesWanted
        from caicach.core.events import subscribe
        from caicach.dossiers.services import forget_version_rules, promises_wanted
        from caicach.procedures.events import ProcedureVersionPublished

        subscribe(OpenPromisesWanted, promises_wanted)
        subscribe(ProcedureVersionPublished, forget_version_rules, after_commit=True)

        # The officers' menu: the workspace, the register, the apology and lateness figures.
        from caicach.core import registry

        registry.register_menu(10, _("Hồ sơ"), "dossiers:inbox", "dossiers.view")
        registry.register_menu(20, _("Sổ theo dõi"), "dossiers:register", "dossiers.view")
        registry.register_menu(30, _("Xin lỗi, trễ hạn"), "dossiers:apologies", "reports.view")
