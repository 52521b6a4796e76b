from django.urls import path

from caicach.plans.reporting import views

app_name = "reporting"

urlpatterns = [
    path("", views.report_list, name="list"),
    path("cho-duyet/", views.review_queue, name="queue"),
    path("day-du/", views.completeness_page, name="completeness"),
    path("<int:pk>/", views.report_detail, name="detail"),
    path("<int:pk>/phien-ban/<int:number>/", views.version_detail, name="version"),
    path("<int:pk>/minh-chung/<int:file_id>/", views.evidence_file, name="evidence"),
    path("<int:pk>/tai/<str:fmt>/", views.export, name="export"),
    path(
        "tong-hop/<int:duty_id>/<str:period>/<str:fmt>/",
        views.consolidated,
        name="consolidated",
    ),
]
