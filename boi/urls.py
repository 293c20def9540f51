from django.urls import path

from boi import views

app_name = "boi"
urlpatterns = [
    path("", views.index, name="index"),
]
