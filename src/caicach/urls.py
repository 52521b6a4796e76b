"""The site's URLs: pages per app, the API under /api/v1/, and the OpenAPI schema.

No URL serves MEDIA_ROOT, in debug or not: uploaded scans and register PDFs are only sent by the
scoped views (``dossiers.responses``), which check the officer's agency scope (Decree 13/2023).
"""

from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from django_otp.admin import OTPAdminSite
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from caicach.dossiers.lookup import LookupAPI

# Django's admin site is a tool for superusers only (the officers' pages do not use it), and it
# requires a verified second factor, since it bypasses the agency scoping.
admin.site.__class__ = OTPAdminSite

api_v1: list[URLPattern | URLResolver] = [
    path("", include("caicach.agencies.api.urls")),
    path("", include("caicach.accounts.api.urls")),
    path("", include("caicach.calendars.api.urls")),
    path("", include("caicach.procedures.api.urls")),
    path("", include("caicach.payments.api.urls")),
    path("", include("caicach.dossiers.api.urls")),
    path("", include("caicach.ratings.api.urls")),
    path("", include("caicach.plans.api.urls")),
    path("lookup/<str:code>/", LookupAPI.as_view(), name="api-lookup"),
    path("metrics/766/", include("caicach.metrics.api.index766")),
    path("metrics/", include("caicach.metrics.api.urls")),
    path("open-data/", include("caicach.metrics.api.open_data")),
]

urlpatterns = [
    path("", include("caicach.core.urls")),
    path("tai-khoan/", include("caicach.accounts.urls")),
    path("co-quan/", include("caicach.agencies.urls")),
    path("lich/", include("caicach.calendars.urls")),
    path("thu-tuc/", include("caicach.procedures.urls")),
    path("ho-so/", include("caicach.payments.urls")),
    path("ho-so/", include("caicach.dossiers.urls")),
    path("tra-cuu/", include("caicach.dossiers.lookup")),
    path("danh-gia/", include("caicach.ratings.urls")),
    path("bao-cao-cchc/", include("caicach.metrics.documents.urls")),
    path("cong-khai/", include("caicach.metrics.public.urls")),
    path("xep-hang/", include("caicach.metrics.rankings.urls")),
    path("quay/", include("caicach.ratings.kiosk_urls")),
    path("chi-so/", include("caicach.metrics.dashboards.urls")),
    path("ke-hoach/", include("caicach.plans.urls")),
    path("api/v1/", include(api_v1)),
    path("api/oauth/", include("caicach.accounts.api.oauth")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("quan-tri/", admin.site.urls),
]
handler404 = "caicach.core.api.errors.not_found"
