from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DossiersConfig(AppConfig):
    name = "caicach.dossiers"
    label = "dossiers"
    verbose_name = _("Hồ sơ")

    def ready(self) -> None:
        # On the event seam (core.events, ADR 0006):
        # - a calendar amendment lists the promised due dates it moves (regulations §4.4);
        # - intake's per-process cache of a version's rules is dropped when one is published;
        # - a new calendar version recounts the provisional due dates (issue 16).
        from caicach.calendars.events import CalendarAmended, OpenPromisesWanted
        from caicach.core.events import subscribe
        from caicach.dossiers.provisional import defer_recompute
        from caicach.dossiers.services import forget_version_rules, promises_wanted
        from caicach.procedures.events import ProcedureVersionPublished

        subscribe(OpenPromisesWanted, promises_wanted)
        subscribe(CalendarAmended, defer_recompute)
        subscribe(ProcedureVersionPublished, forget_version_rules, after_commit=True)

        # The officers' menu: the workspace, the register, the apology and lateness figures.
        from caicach.core import registry

        registry.register_menu(10, _("Hồ sơ"), "dossiers:inbox", "dossiers.view")
        registry.register_menu(20, _("Sổ theo dõi"), "dossiers:register", "dossiers.view")
        registry.register_menu(30, _("Xin lỗi, trễ hạn"), "dossiers:apologies", "reports.view")
        registry.register_audit_labels(_audit_labels())


def _audit_labels() -> dict[str, object]:
    """The trail's words for the dossier actions and states, in the reader's language."""
    from django.utils.translation import gettext_lazy as _

    from caicach.core.i18n import bilingual as word
    from caicach.dossiers.workflow import DossierAction, DossierState

    labels: dict[str, object] = {
        f"dossier.{a.value}": word(a.label_vi, a.label_en) for a in DossierAction
    }
    labels.update({f"value:{s.value}": word(s.label_vi, s.label_en) for s in DossierState})
    labels.update(
        {
            "dossier.received": _("Tiếp nhận hồ sơ"),
            "dossier.due_soon_warning": _("Cảnh báo sắp đến hạn"),
            "dossier.due_recomputed": _("Tính lại hạn tạm tính theo lịch chính thức"),
            "dossier.register_export": _("Xuất sổ theo dõi"),
            "dossier.result_attached": _("Đính kèm kết quả"),
            "dossier.rated": _("Đánh giá hồ sơ"),
            "dossiers.imported": _("Nhập hồ sơ từ hệ thống khác"),
            "payment.recorded": _("Ghi nhận thu phí"),
            "payment.refunded": _("Hoàn phí"),
        }
    )
    return labels
