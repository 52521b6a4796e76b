from django.urls import path

from caicach.dossiers.api import documents, reports, views

urlpatterns = [
    path("dossiers/", views.DossierListCreate.as_view(), name="api-dossier-list"),
    path("dossiers/<str:code>/", views.DossierDetail.as_view(), name="api-dossier-detail"),
    path(
        "dossiers/<str:code>/events/", views.DossierEventList.as_view(), name="api-dossier-events"
    ),
    path(
        "dossiers/<str:code>/actions/<str:action>/",
        views.DossierActionView.as_view(),
        name="api-dossier-action",
    ),
    path(
        "dossiers/<str:code>/components/<str:component>/file",
        documents.DossierComponentFile.as_view(),
        name="api-dossier-component-file",
    ),
    path(
        "dossiers/<str:code>/forms/<str:form>.pdf",
        documents.DossierFormPDF.as_view(),
        name="api-dossier-form",
    ),
    path(
        "registers/<str:agency_code>.pdf",
        reports.RegisterPDF.as_view(),
        name="api-register-pdf",
    ),
    path(
        "registers/<str:agency_code>.xlsx",
        reports.RegisterXLSX.as_view(),
        name="api-register-xlsx",
    ),
    path(
        "register-exports/<str:pk>/",
        reports.RegisterExportDetail.as_view(),
        name="api-register-export",
    ),
    path(
        "register-exports/<str:pk>.pdf",
        reports.RegisterExportFile.as_view(),
        name="api-register-export-file",
    ),
    path("reports/apologies/", reports.ApologyReportView.as_view(), name="api-report-apologies"),
]
