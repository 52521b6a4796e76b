"""Pages of the officers' workspace under /ho-so/."""

from django.urls import path

from caicach.dossiers import form_views, report_views, views
from caicach.dossiers.intake_views import receive

app_name = "dossiers"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("tiep-nhan/", receive, name="receive"),
    path("so-theo-doi/", report_views.register, name="register"),
    path("so-theo-doi/tep/", report_views.register_exports, name="register_exports"),
    path(
        "so-theo-doi/tep/<int:pk>/", report_views.register_export_file, name="register_export_file"
    ),
    path("thong-ke-xin-loi/", report_views.apologies, name="apologies"),
    path("thong-ke-xin-loi/ho-so/", report_views.apology_dossiers, name="apology_dossiers"),
    path("<str:code>/", views.detail, name="detail"),
    path("<str:code>/thao-tac/<str:action>/", views.act, name="act"),
    path("<str:code>/giay-to/<str:pk>/", views.component_file, name="component_file"),
    path("<str:code>/bieu-mau/<str:form>.pdf", form_views.form_pdf, name="form"),
    path("<str:code>/ket-qua/", views.attach_result, name="attach_result"),
    path("<str:code>/ket-qua/<str:pk>/", views.result_file, name="result_file"),
]
