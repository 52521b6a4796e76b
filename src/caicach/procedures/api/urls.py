from django.urls import path

from caicach.procedures.api import views

urlpatterns = [
    path("procedures/", views.ProcedureList.as_view(), name="api-procedure-list"),
    path("procedures/import", views.CatalogueImport.as_view(), name="api-procedure-import"),
    path("procedures/<str:code>/", views.ProcedureDetail.as_view(), name="api-procedure-detail"),
    path(
        "procedures/<str:code>/versions/<int:number>/",
        views.VersionDetail.as_view(),
        name="api-procedure-version",
    ),
    path("fields/", views.FieldList.as_view(), name="api-field-list"),
]
