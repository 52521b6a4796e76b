from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MetricsConfig(AppConfig):
    name = "caicach.metrics"
    label = "metrics"
    verbose_name = _("Chỉ số cải cách")

    def ready(self) -> None:
        # Rollups kept current in the writer's transaction (ADR 0006, issue 13 "Rollups").
        from caicach.metrics import index766_reads, upkeep

        upkeep.connect()
        # The Decision 766 scores in the ``kpi`` command and report (compute.report_hooks).
        index766_reads.connect()
        # The dashboards (issue 14): the menu entry and the leader's home summary.
        from caicach.core import registry
        from caicach.metrics.dashboards.home import leader_summary

        registry.register_menu(32, _("Chỉ số CCHC"), "dashboards:overview", "reports.view")
        registry.register_home_section(20, "metrics/dashboards/_home.html", leader_summary)
        registry.register_menu(33, _("Báo cáo CCHC"), "metrics_documents:page", "reports.view")
        # Fair rankings of departments and communes (issue 14; metrics.rankings.access decides
        # the tiers each caller sees).
        registry.register_menu(35, _("Xếp hạng"), "rankings:tiers", "reports.view")
