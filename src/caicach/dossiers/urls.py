"""Pages of the officers' workspace under /ho-so/."""

from django.urls import path

from caicach.dossiers import views
from caicach.dossiers.intake_views import receive

app_name = "dossiers"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("tiep-nhan/", receive, name="receive"),
    path("<str:code>/", views.detail, name="detail"),
    path("<str:code>/thao-tac/<str:action>/", views.act, name="act"),
]
