from django.apps import AppConfig


class BoiConfig(AppConfig):
    name = "boi"
    verbose_name = "Business Office"
