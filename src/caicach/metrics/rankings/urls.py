"""Fair rankings: /xep-hang/ (issue 14). Included from ``caicach.urls``."""

from django.urls import path

from caicach.metrics.rankings import views

app_name = "rankings"

urlpatterns = [
    path("", views.tiers, name="tiers"),
    path("<slug:tier>/", views.table, name="table"),
    path("<slug:tier>/<str:code>/", views.why, name="why"),
]
