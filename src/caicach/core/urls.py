from django.urls import path

from caicach.core import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("nhat-ky/", views.audit_log, name="audit"),
    path("healthz", views.healthz, name="healthz"),
]
