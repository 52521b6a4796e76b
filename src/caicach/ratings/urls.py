"""Public rating pages under /danh-gia/."""

from django.urls import path

from caicach.ratings import views

app_name = "ratings"

urlpatterns = [
    path("<str:code>", views.rate, name="rate"),
]
