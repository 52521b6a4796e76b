"""``/cong-khai/``: the public transparency pages (no sign-in)."""

from django.urls import path

from caicach.metrics.public import views

app_name = "public_figures"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("co-quan/<str:code>/", views.agency, name="agency"),
]
