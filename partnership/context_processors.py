from django.urls import reverse

SERVICE_NAME = "City and Hackney Neighbourhoods"

NAVIGATION = [
    ("neighbourhoods:list", "Neighbourhoods"),
    ("workstreams:list", "Care workstreams"),
    ("partnership:partner-list", "Partners"),
    ("partnership:about-data", "About the data"),
]


FIND_A_GP_URL = "https://www.nhs.uk/service-search/find-a-gp"


def site(request):
    """The service name and the header navigation, with the current section marked:
    aria-current is "page" on the section's own page and "true" on the pages within it."""
    items = []
    for name, text in NAVIGATION:
        href = reverse(name)
        current = "page" if request.path == href else request.path.startswith(href) and "true"
        items.append({"href": href, "text": text, "current": current or ""})
    return {"service_name": SERVICE_NAME, "navigation": items, "find_a_gp_url": FIND_A_GP_URL}
