from django.urls import path

from caicach.calendars.api import views

urlpatterns = [
    path("calendar/due", views.DueView.as_view(), name="api-calendar-due"),
    path("calendar/versions/", views.VersionList.as_view(), name="api-calendar-versions"),
    path("calendar/<int:year>/", views.YearView.as_view(), name="api-calendar-year"),
]
