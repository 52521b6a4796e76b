from django.urls import path

from caicach.core import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("nhat-ky/", views.audit_log, name="audit"),
    path("healthz", views.healthz, name="healthz"),
    # Browsers ask for /favicon.ico whatever the page says: the static icon, no 404 in the log.
    path("favicon.ico", views.favicon, name="favicon"),
]
