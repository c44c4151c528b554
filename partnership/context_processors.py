from django.urls import reverse

SERVICE_NAME = "City and Hackney Neighbourhoods"

NAVIGATION = [
    ("neighbourhoods:list", "Neighbourhoods"),
    ("workstreams:list", "Care workstreams"),
    ("partnership:partner-list", "Partners"),
    ("partnership:about-data", "About the data"),
]


def site(request):
    """The service name and the header navigation, with the current section marked."""
    items = []
    for name, text in NAVIGATION:
        href = reverse(name)
        items.append({"href": href, "text": text, "current": request.path.startswith(href)})
    return {"service_name": SERVICE_NAME, "navigation": items}
