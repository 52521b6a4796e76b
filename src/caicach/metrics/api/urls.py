"""``/api/v1/metrics/``: the KPI registry, one KPI, every KPI of an agency, the rows behind."""

from django.urls import path

from caicach.metrics.api import views

urlpatterns = [
    path("kpis/", views.KPIRegistryView.as_view(), name="api-metrics-kpis"),
    path("kpis/all/", views.KPIAllView.as_view(), name="api-metrics-kpis-all"),
    path("kpis/<str:code>/", views.KPIView.as_view(), name="api-metrics-kpi"),
    path(
        "kpis/<str:code>/dossiers/",
        views.KPIDossiersView.as_view(),
        name="api-metrics-kpi-dossiers",
    ),
]
