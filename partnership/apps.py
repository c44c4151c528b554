from django.apps import AppConfig


class PartnershipConfig(AppConfig):
    name = "partnership"
    verbose_name = "Partnership"

    def ready(self):
        from django.db.models.signals import post_migrate

        from config.portal import site_in_step

        from . import redirects

        redirects.connect()
        # The Sites framework's one site names the portal's address (PORTAL_BASE_URL).
        post_migrate.connect(site_in_step, sender=self, dispatch_uid="portal-site-in-step")
