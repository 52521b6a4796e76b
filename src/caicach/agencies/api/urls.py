from rest_framework.routers import SimpleRouter

from caicach.agencies.api.views import AgencyViewSet

router = SimpleRouter()
router.register("agencies", AgencyViewSet, basename="api-agency")

urlpatterns = router.urls
