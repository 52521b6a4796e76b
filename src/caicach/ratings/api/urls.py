from django.urls import path

from caicach.ratings.api import views

urlpatterns = [
    path(
        "dossiers/<str:code>/rating/",
        views.DossierRatingView.as_view(),
        name="api-dossier-rating",
    ),
]
