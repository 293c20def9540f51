from django.urls import path

from stepup import views

app_name = "stepup"
urlpatterns = [
    path("", views.index, name="index"),
]
