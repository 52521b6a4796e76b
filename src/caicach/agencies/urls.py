from django.urls import path, register_converter

from caicach.agencies import views


class AgencyCodeConverter:
    """A national agency code in a URL (``000.00.05.H90``); lower case letters are accepted."""

    regex = r"[0-9]{3}\.[0-9]{2}\.[0-9]{2}\.[A-Za-z][0-9]{2}"

    def to_python(self, value: str) -> str:
        return value.upper()

    def to_url(self, value: str) -> str:
        return str(value)


register_converter(AgencyCodeConverter, "agency_code")

app_name = "agencies"
urlpatterns = [
    path("", views.agency_list_view, name="list"),
    path("them/", views.agency_create_view, name="create"),
    path("sap-nhap/", views.agency_merge_view, name="merge"),
    path("<agency_code:code>/", views.agency_detail_view, name="detail"),
    path("<agency_code:code>/sua/", views.agency_edit_view, name="edit"),
]
