"""``/chi-so/``: the province overview, the agency pages, the what-if and the dossiers behind."""

from django.urls import path

from caicach.metrics.dashboards import views

app_name = "dashboards"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("co-quan/<str:code>/", views.agency_page, name="agency"),
    path("co-quan/<str:code>/gia-su/", views.what_if, name="what_if"),
    path("co-quan/<str:code>/ho-so/<str:kpi>/", views.behind, name="behind"),
]
