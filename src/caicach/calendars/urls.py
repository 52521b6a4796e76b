from django.urls import path

from caicach.calendars import views

app_name = "calendars"
urlpatterns = [
    path("", views.year_view, name="year"),
    path("<int:year>/", views.year_view, name="year"),
    path("han-tra/", views.due_lookup, name="due"),
    path("quan-tri/", views.edit, name="edit"),
    path("quan-tri/phien-ban/<int:number>/", views.version_detail, name="version"),
]
