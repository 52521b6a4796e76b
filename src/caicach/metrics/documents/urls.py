"""The official reports page: ``/bao-cao-cchc/`` (included once in ``caicach.urls``)."""

from __future__ import annotations

from django.urls import path

from caicach.metrics.documents import views

app_name = "metrics_documents"

urlpatterns = [
    path("", views.reports_page, name="page"),
    path("tep/", views.files, name="files"),
    path("tep/<str:pk>/", views.download, name="download"),
]
