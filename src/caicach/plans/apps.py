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
        # Reform inspections (issue 15, plans/inspections).
        registry.register_menu(37, _("Kiểm tra CCHC"), "plans:inspections", "plans.view")
        registry.register_audit_labels(
            {
                "plan.inspection_plan.create": _("Lập kế hoạch kiểm tra CCHC"),
                "plan.inspection.create": _("Lập cuộc kiểm tra CCHC"),
                "plan.inspection.sample": _("Chọn mẫu hồ sơ kiểm tra"),
                "plan.inspection.check": _("Ghi kết quả nội dung kiểm tra"),
                "plan.inspection.finding": _("Ghi nhận phát hiện kiểm tra"),
                "plan.inspection.task": _("Giao nhiệm vụ khắc phục phát hiện kiểm tra"),
                "plan.inspection.status": _("Cập nhật trạng thái cuộc kiểm tra"),
            }
        )
        # PAR-Index self-assessment (issue 15, plans/parindex).
        registry.register_menu(39, _("Chấm điểm CCHC"), "plans:par", "plans.view")
        registry.register_audit_labels(
            {
                "plan.par.load": _("Nạp bộ chỉ số CCHC"),
                "plan.par.start": _("Bắt đầu tự đánh giá chỉ số CCHC"),
                "plan.par.measure": _("Cập nhật điểm tự động chỉ số CCHC"),
                "plan.par.self": _("Tự chấm tiêu chí chỉ số CCHC"),
                "plan.par.survey": _("Nhập kết quả điều tra xã hội học"),
                "plan.par.appraise": _("Thẩm định tiêu chí chỉ số CCHC"),
            }
        )
