"""The plan's work pages, included by ``plans.urls`` (names in the ``plans`` namespace)."""

from django.urls import path

from caicach.plans.work import views

urlpatterns = [
    path("nhiem-vu/", views.inbox, name="inbox"),
    path("nhiem-vu/<int:pk>/", views.task_detail, name="task"),
    path("nhiem-vu/cap-nhat/<int:pk>/minh-chung/", views.update_evidence, name="task_evidence"),
    path("sang-kien/", views.initiatives, name="initiatives"),
    path("sang-kien/<int:pk>/danh-gia/", views.evaluate_initiative, name="initiative_evaluate"),
    path("doi-thoai/", views.dialogues, name="dialogues"),
    path("doi-thoai/<int:pk>/", views.dialogue_detail, name="dialogue"),
    path("lanh-dao/", views.leader, name="leader"),
]
