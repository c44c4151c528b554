"""A page whose slug changes keeps answering at its old address, with a 301 to the new one.

django.contrib.redirects does the answering (its middleware looks a path up only when the
page would otherwise be a 404); this module records a redirect whenever a slug changes, and
holds the rule every redirect keeps (`refusal`): it leads to one of the portal's own paths,
or to a site in settings.PORTAL_REDIRECT_DOMAINS, and never from the API's paths. Without
the rule, anyone who may edit redirects could make a missing address of the portal (an
NHS site residents trust) send them to any site at all.
"""

import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.redirects.middleware import RedirectFallbackMiddleware
from django.contrib.redirects.models import Redirect
from django.core.exceptions import DisallowedRedirect
from django.db.models.signals import pre_save
from django.http import HttpResponse

from config.clients import is_api

logger = logging.getLogger(__name__)


def allowed_domains() -> list[str]:
    return [d.strip().lower().rstrip(".") for d in settings.PORTAL_REDIRECT_DOMAINS if d.strip()]


def destination_refusal(new_path: str) -> str | None:
    """Why a redirect may not lead to `new_path`, in plain words; None if it may. Empty
    means the page is gone (410)."""
    if new_path == "":
        return None
    if "\\" in new_path or any(ord(ch) < 32 or ord(ch) == 127 for ch in new_path):
        return "The new address may not hold a backslash or a control character."
    if new_path.startswith("/") and not new_path.startswith("//"):
        return None
    parts = urlsplit(new_path)
    domains = allowed_domains()
    rule = "A redirect may lead only to one of the portal's own addresses, starting with /" + (
        f", or to a site on the allowed list: {', '.join(domains)}."
        if domains
        else ". No outside site is allowed (the portal's configuration, "
        "PORTAL_REDIRECT_DOMAINS, lists any that should be)."
    )
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return rule
    if parts.username or parts.password or (parts.hostname or "").rstrip(".") not in domains:
        return rule
    return None


def source_refusal(old_path: str) -> str | None:
    """Why a redirect may not be made from `old_path`; None if it may."""
    if not old_path.startswith("/"):
        return "The old address must be one of the portal's own, starting with /."
    if old_path.startswith(settings.API_PREFIX):
        return (
            f"The API's addresses ({settings.API_PREFIX}...) cannot redirect: programs that "
            "read the API follow its documented answers, not redirects."
        )
    return None


class PortalRedirectMiddleware(RedirectFallbackMiddleware):
    """django.contrib.redirects' fallback, keeping the rule: no redirect answers under the
    API, and a stored redirect that breaks the rule (saved before it, or not through the
    admin) is not followed: the page stays a 404, and the log says which redirect."""

    def process_response(self, request, response):
        if response.status_code != 404 or is_api(request):
            return response
        try:
            redirected = super().process_response(request, response)
        except DisallowedRedirect:  # a scheme such as javascript:
            redirected = HttpResponse(headers={"Location": "javascript:"})
        target = redirected.get("Location") if redirected is not response else None
        if target is not None and destination_refusal(target):
            logger.warning(
                "A stored redirect from %s to %s breaks the redirect rule: not followed. "
                "Change or delete it in the admin (Redirects).",
                request.path, target[:200],
            )  # fmt: skip
            return response
        return redirected


def _slug_changed(sender, instance, raw=False, **kwargs):
    if raw or not instance.pk:
        return
    previous = sender.objects.filter(pk=instance.pk).first()
    if previous is None or previous.slug == instance.slug:
        return
    record(old_path=previous.get_absolute_url(), new_path=instance.get_absolute_url())


def record(*, old_path: str, new_path: str) -> None:
    if old_path == new_path:
        return
    site_id = settings.SITE_ID
    # Earlier renames now lead straight to the newest address, never through a chain.
    Redirect.objects.filter(site_id=site_id, new_path=old_path).update(new_path=new_path)
    Redirect.objects.filter(site_id=site_id, old_path=new_path).delete()
    Redirect.objects.update_or_create(
        site_id=site_id, old_path=old_path, defaults={"new_path": new_path}
    )


def connect():
    from neighbourhoods.models import Neighbourhood
    from workstreams.models import Workstream

    from .models import PartnerOrganisation, Place

    for model in (Neighbourhood, PartnerOrganisation, Place, Workstream):
        pre_save.connect(_slug_changed, sender=model, dispatch_uid=f"slug-redirect-{model}")
