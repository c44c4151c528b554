"""The public pages the browser tests visit: every page, and every lookup outcome."""

PUBLIC_PAGES = {
    "home": "/",
    "partners": "/partners/",
    "partner": "/partners/homerton-healthcare-nhs-foundation-trust/",
    "workstreams": "/workstreams/",
    "workstream": "/workstreams/prevention/",
    "neighbourhoods": "/neighbourhoods/",
    "neighbourhood": "/neighbourhoods/shoreditch-park-and-city/",
    "map": "/neighbourhoods/map/",
    "compare": "/neighbourhoods/compare/",
    "compare sorted": "/neighbourhoods/compare/?sort=most_deprived_fifth_share&order=desc",
    "compare sort error": "/neighbourhoods/compare/?sort=nothing",
    "about the data": "/about-the-data/",
    "practice search": "/practices/",
    "practice results": "/practices/?q=barton",
    "practice no results": "/practices/?q=zzzz",
    "practice search error": "/practices/?q=",
    "lookup form": "/lookup/",
    "not found page": "/no-such-page/",
    "contact": "/contact/",
    "accessibility statement": "/accessibility/",
    "privacy and cookies": "/privacy/",
    "another place": "/places/islington/",
    "practice search by place": "/practices/?q=homerton",
    "practice search too short": "/practices/?q=x",
    "practice": "/practices/F84640/",
    "practice that closed": "/practices/F84041/",
    "unknown practice": "/practices/F00000/",
}

# Pages whose map draws the eight areas: the tests wait for them before they look.
MAP_PAGES = {"map", "neighbourhood", "practice", "practice that closed", "in area"}

LOOKUP_OUTCOMES = {
    "in area": "/lookup/?postcode=E8+1DY",
    "in the City": "/lookup/?postcode=EC1A+7HF",
    "outside the area": "/lookup/?postcode=E1+0AA",
    "not found": "/lookup/?postcode=E8+9ZZ",
    "outside our postcode areas": "/lookup/?postcode=SW1A+1AA",
    "partial postcode": "/lookup/?postcode=E8+1D",
    "terminated": "/lookup/?postcode=E8+9ZY",
    "district": "/lookup/?postcode=E8",
    "invalid": "/lookup/?postcode=%3Cb%3Ehello",
    "empty": "/lookup/?postcode=",
    # By point, as "Use my location" asks.
    "point in area": "/lookup/?lat=51.54200&lon=-0.06100",
    "point outside the area": "/lookup/?lat=51.54550&lon=-0.10400",
    "point outside Great Britain": "/lookup/?lat=48.85660&lon=2.35220",
    "point unreadable": "/lookup/?lat=abc&lon=",
}

ALL_PAGES = {**PUBLIC_PAGES, **LOOKUP_OUTCOMES}
