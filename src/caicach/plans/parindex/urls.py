"""PAR-Index routes, included by ``plans.urls`` (``/ke-hoach/chi-so-cchc/``)."""

from django.urls import path

from caicach.plans.parindex import views

urlpatterns = [
    path("chi-so-cchc/", views.index_list, name="par"),
    path("chi-so-cchc/<int:pk>/", views.index_detail, name="par_index"),
    path("chi-so-cchc/<int:pk>/tu-danh-gia/", views.start, name="par_start"),
    path("chi-so-cchc/danh-gia/<int:pk>/", views.assessment, name="par_assessment"),
    path("chi-so-cchc/diem/<int:pk>/tu-cham/", views.self_score, name="par_self"),
    path("chi-so-cchc/diem/<int:pk>/dieu-tra/", views.survey, name="par_survey"),
    path("chi-so-cchc/diem/<int:pk>/tham-dinh/", views.appraise, name="par_appraise"),
    path("chi-so-cchc/diem/<int:pk>/minh-chung/", views.evidence, name="par_evidence"),
]
