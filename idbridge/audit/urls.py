from django.urls import path

from idbridge.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.entry_list, name="list"),
    path("audit-log.csv", views.entry_csv, name="csv"),
    path("check/", views.chain_check, name="check"),
]
