from django.urls import include, path

from caicach.plans import views

app_name = "plans"

urlpatterns = [
    path("", views.plan_list, name="list"),
    path("<int:pk>/", views.plan_detail, name="detail"),
    path("so-lieu/", views.reported_values, name="values"),
    path("so-lieu/<int:pk>/duyet/", views.review_value, name="review"),
    path("so-lieu/<int:pk>/minh-chung/", views.evidence, name="evidence"),
    path("de-xuat/<int:pk>/", views.decide_proposal, name="proposal"),
    path("", include("caicach.plans.work.urls")),  # plans.work: tasks, initiatives, leader
    path("bao-cao/", include("caicach.plans.reporting.urls")),  # periodic reports
    # Reform inspections (issue 15, plans/inspections).
    path("", include("caicach.plans.inspections.urls")),
    # PAR-Index self-assessment (issue 15, plans/parindex).
    path("", include("caicach.plans.parindex.urls")),
]
