"""The portal's own address (PORTAL_BASE_URL), for links made outside a page's own request
or read elsewhere: the admin's "View on site" and the links in emails. The Sites
framework's one site is kept in step with it, so nothing that asks Django's Sites (its
redirects app, the admin's old /admin/r/ links) names example.com."""

from urllib.parse import urlsplit

from django.conf import settings

from partnership.context_processors import SERVICE_NAME


def portal_url(path: str) -> str:
    """`path` ("/practices/F84021/") at the portal's own address."""
    return settings.PORTAL_BASE_URL + path


class ViewOnPortal:
    """For the admin of a record with a page: "View on site" opens the page at the portal's
    address, rather than through Django's redirect to the Sites framework's domain."""

    def view_on_site(self, obj):
        return portal_url(obj.get_absolute_url())


def site_in_step(using="default", apps=None, **kwargs):
    """After every migrate (post_migrate): the one site's domain is PORTAL_BASE_URL's."""
    from django.apps import apps as global_apps

    site = (apps or global_apps).get_model("sites", "Site")
    site.objects.using(using).update_or_create(
        pk=settings.SITE_ID,
        defaults={"domain": urlsplit(settings.PORTAL_BASE_URL).netloc, "name": SERVICE_NAME},
    )
