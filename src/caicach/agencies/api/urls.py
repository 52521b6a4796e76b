from django.urls import include, path
from rest_framework.routers import SimpleRouter

from caicach.agencies.api.views import AgencyViewSet

router = SimpleRouter()
router.register("agencies", AgencyViewSet, basename="api-agency")

urlpatterns = [
    *router.urls,
    # The accounts API rides here because the project's URLconf includes this module.
    path("", include("caicach.accounts.api.urls")),
]
