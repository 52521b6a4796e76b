from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "caicach.plans"
    label = "plans"
    verbose_name = _("Kế hoạch cải cách hành chính")

    def ready(self) -> None:
        from caicach.core import registry
        from caicach.plans import board

        # Targets for the dashboards (issue 14), which sit below this app and cannot import it.
        registry.register_targets_provider(board.targets_for)
        registry.register_menu(36, _("Kế hoạch CCHC"), "plans:list", "plans.view")
        registry.register_audit_labels(
            {
                "plan.import": _("Nhập kế hoạch"),
                "plan.value.submit": _("Gửi số liệu báo cáo"),
                "plan.value.approve": _("Duyệt số liệu báo cáo"),
                "plan.value.return": _("Trả lại số liệu báo cáo"),
                "plan.proposal.create": _("Đề xuất nhiệm vụ khắc phục"),
                "plan.proposal.accept": _("Chấp nhận đề xuất khắc phục"),
                "plan.proposal.dismiss": _("Không chấp nhận đề xuất khắc phục"),
            }
        )
        # plans.work (issue 15): tasks, initiatives and dialogues, the leader's page.
        from caicach.plans import values
        from caicach.plans.work import counted, home

        for code, counter in counted.COUNTERS.items():
            values.register_counter(code, counter)
        registry.register_home_section(25, "plans/work/_home.html", home.leader_home)
        registry.register_audit_labels(
            {
                "plan.task.update": _("Cập nhật tiến độ nhiệm vụ"),
                "plan.task.create": _("Giao nhiệm vụ"),
                "plan.initiative.create": _("Ghi nhận sáng kiến"),
                "plan.initiative.evaluate": _("Đánh giá sáng kiến"),
                "plan.dialogue.create": _("Ghi nhận đối thoại"),
            }
        )
        # Periodic reports (plans.reporting).
        registry.register_menu(38, _("Báo cáo định kỳ"), "plans:reporting:list", "plans.view")
        registry.register_audit_labels(
            {
                "plan.report.generate": _("Lập danh sách báo cáo phải gửi"),
                "plan.report.request": _("Yêu cầu báo cáo đột xuất"),
                "plan.report.edit": _("Soạn báo cáo định kỳ"),
                "plan.report.evidence": _("Đính kèm minh chứng báo cáo"),
                "plan.report.submit": _("Gửi báo cáo định kỳ"),
                "plan.report.approve": _("Duyệt báo cáo định kỳ"),
                "plan.report.return": _("Trả lại báo cáo định kỳ"),
            }
        )
