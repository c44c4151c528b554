from django.apps import AppConfig


class NeighbourhoodsConfig(AppConfig):
    name = "neighbourhoods"
    verbose_name = "Neighbourhoods and GP practices"

    def ready(self):
        from . import signals

        signals.connect()
