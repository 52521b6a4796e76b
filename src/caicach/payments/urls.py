"""Pages under /ho-so/<code>/phi-le-phi/ (the dossier page's "Phí, lệ phí" block)."""

from django.urls import path

from caicach.payments import views

app_name = "payments"

urlpatterns = [
    path("<str:code>/phi-le-phi/thu-tien-mat/", views.record_cash, name="record_cash"),
    path("<str:code>/phi-le-phi/chuyen-khoan/", views.record_transfer, name="record_transfer"),
    path("<str:code>/phi-le-phi/<int:pk>/hoan-tra/", views.refund, name="refund"),
    path("<str:code>/phi-le-phi/<int:pk>/bien-lai.pdf", views.receipt_pdf, name="receipt"),
]
