from functools import cache

from django.urls import reverse

SERVICE_NAME = "City and Hackney Neighbourhoods"

NAVIGATION = [
    ("neighbourhoods:list", "Neighbourhoods"),
    ("workstreams:list", "Care workstreams"),
    ("partnership:partner-list", "Partners"),
    ("partnership:about-data", "About the data"),
]


FIND_A_GP_URL = "https://www.nhs.uk/service-search/find-a-gp"


@cache
def navigation_hrefs() -> list[tuple[str, str]]:
    """The sections' addresses: fixed by the URLconf, so worked out once per process."""
    return [(reverse(name), text) for name, text in NAVIGATION]


def site(request):
    """The service name and the header navigation, with the current section marked:
    aria-current is "page" on the section's own page and "true" on the pages within it.
    Reads no database and reverses no URL per request."""
    items = []
    for href, text in navigation_hrefs():
        current = "page" if request.path == href else request.path.startswith(href) and "true"
        items.append({"href": href, "text": text, "current": current or ""})
    return {
        "service_name": SERVICE_NAME,
        "navigation": items,
        # Which section is marked, and how: the key of the header's cached copy (base.html).
        "navigation_current": ",".join(item["current"] for item in items),
        "find_a_gp_url": FIND_A_GP_URL,
        # A draft's preview for staff (neighbourhoods.audit.drafting): marked, and never
        # cached for residents (a fragment kept for 0 seconds is not kept).
        "preview": getattr(request, "portal_preview", False),
        "content_cache_seconds": 0 if getattr(request, "portal_preview", False) else 86400,
    }
