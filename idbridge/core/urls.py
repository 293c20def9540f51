from django.urls import path

from idbridge.core import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("status.json", views.status_json, name="status_json"),
    path("outbox/", views.outbox, name="outbox"),
    path("break-glass/confirm/", views.break_glass_confirm, name="break_glass_confirm"),
    path("outbox/<int:pk>/", views.outbox_message, name="outbox_message"),
]
