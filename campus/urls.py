from django.urls import path

from campus import views

app_name = "campus"
urlpatterns = [
    path("", views.index, name="index"),
]
