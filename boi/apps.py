from django.apps import AppConfig


class BoiConfig(AppConfig):
    name = "boi"
    verbose_name = "Business Office"

    def ready(self):
        # The demo step runs after the sandbox's (it reads the sandbox's client file).
        from boi.demo import boi_demo_setup
        from idbridge.core import demo

        if boi_demo_setup not in demo.DEMO_STEPS:
            demo.DEMO_STEPS.append(boi_demo_setup)
