from django.urls import path

from caicach.accounts import views

app_name = "accounts"
urlpatterns = [
    path("dang-nhap/", views.login_view, name="login"),
    path("xac-thuc/", views.otp_view, name="otp"),
    path("dang-xuat/", views.logout_view, name="logout"),
    path("bao-mat/", views.security_view, name="security"),
    path("bao-mat/ung-dung/", views.security_totp_view, name="security_totp"),
    path("bao-mat/ma-du-phong/", views.security_backup_codes_view, name="security_backup_codes"),
    path("bao-mat/go-thiet-bi/", views.security_device_remove_view, name="security_device_remove"),
    path("bao-mat/mat-khau/", views.security_password_view, name="security_password"),
    path("can-bo/", views.officer_list_view, name="officer_list"),
    path("can-bo/them/", views.officer_create_view, name="officer_create"),
    path("can-bo/<int:pk>/", views.officer_detail_view, name="officer_detail"),
    path("can-bo/<int:pk>/vai-tro/", views.officer_role_add_view, name="officer_role_add"),
    path(
        "can-bo/<int:pk>/vai-tro/<int:assignment_pk>/xoa/",
        views.officer_role_remove_view,
        name="officer_role_remove",
    ),
    path("can-bo/<int:pk>/trang-thai/", views.officer_active_view, name="officer_active"),
]
