"""The counter desk's rating tablet under /quay/ (:mod:`caicach.ratings.kiosk`)."""

from django.urls import path

from caicach.ratings import views

app_name = "kiosk"

urlpatterns = [
    path("mo/", views.desk_open, name="open"),
    path("dong/", views.desk_close, name="close"),
    path("danh-gia/", views.kiosk_idle, name="idle"),
    path("danh-gia/<str:code>/", views.kiosk_rate, name="rate"),
]
