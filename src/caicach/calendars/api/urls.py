from django.urls import path, register_converter

from caicach.calendars.api import views


class SignedIntConverter:
    """Any integer, negative too: the spec's ``year`` is an integer, and a year the calendar
    does not hold is the view's bilingual 404 (not the HTML 404 of an unmatched URL)."""

    regex = "-?[0-9]+"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(SignedIntConverter, "signed_int")

urlpatterns = [
    path("calendar/due", views.DueView.as_view(), name="api-calendar-due"),
    path("calendar/versions/", views.VersionList.as_view(), name="api-calendar-versions"),
    path("calendar/<signed_int:year>/", views.YearView.as_view(), name="api-calendar-year"),
]
