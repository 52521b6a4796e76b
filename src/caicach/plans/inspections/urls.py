"""Inspection routes, included under ``/ke-hoach/kiem-tra/`` by ``plans.urls``."""

from django.urls import path

from caicach.plans.inspections import views

urlpatterns = [
    path("kiem-tra/", views.plan_list, name="inspections"),
    path("kiem-tra/ke-hoach/", views.create_plan, name="inspection_plan_new"),
    path("kiem-tra/ke-hoach/<int:plan_pk>/lap/", views.create_inspection, name="inspection_new"),
    path("kiem-tra/<int:pk>/", views.inspection_detail, name="inspection"),
    path("kiem-tra/<int:pk>/mau/", views.draw_sample, name="inspection_sample"),
    path("kiem-tra/<int:pk>/trang-thai/", views.set_status, name="inspection_status"),
    path("kiem-tra/<int:pk>/noi-dung/<int:item_pk>/", views.answer_item, name="inspection_item"),
    path("kiem-tra/<int:pk>/phat-hien/", views.add_finding, name="inspection_finding"),
    path(
        "kiem-tra/<int:pk>/phat-hien/<int:finding_pk>/nhiem-vu/",
        views.finding_task,
        name="inspection_task",
    ),
]
