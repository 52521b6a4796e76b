from django.urls import path

from caicach.payments.api import views

urlpatterns = [
    path(
        "dossiers/<str:code>/payments/",
        views.PaymentListCreate.as_view(),
        name="api-dossier-payments",
    ),
    path(
        "dossiers/<str:code>/payments/<int:payment_id>/refund/",
        views.PaymentRefund.as_view(),
        name="api-dossier-payment-refund",
    ),
]
