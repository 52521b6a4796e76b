from django.urls import path

from caicach.procedures import views

app_name = "procedures"
urlpatterns = [
    path("", views.procedure_list, name="list"),
    path("them/", views.procedure_create, name="create"),
    path("nhap-xuat/", views.import_export, name="import"),
    path("xuat/<str:fmt>/", views.export, name="export"),
    path("<str:code>/", views.procedure_detail, name="detail"),
    path("<str:code>/phien-ban-moi/", views.new_version, name="new_version"),
    path("<str:code>/phien-ban/<int:number>/", views.version_detail, name="version"),
]
