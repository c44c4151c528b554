"""Answers "as on" a date (?on=YYYY-MM-DD) and the areas of any boundary version.

A lookup as on a date is today's answer with its neighbourhood taken from the boundary
version in force on that date (neighbourhoods.selectors): the local authority, location and
practices stay today's, and `as_on` names the date and the version. Without ?on= the
lookups do not come here at all, so their hot path is unchanged.
"""

import datetime
import re

from django.contrib.gis.geos import Point
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from .. import versions
from ..answers import Outcome
from ..models import BoundaryVersion, Neighbourhood
from . import errors

DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
ON_DESCRIPTION = (
    "Answer as on this date (YYYY-MM-DD): the neighbourhood from the boundary version in "
    "force on it; a future date is answered from today's version. 400 invalid_date: not a "
    "real date written YYYY-MM-DD. 404 no_boundary_version: before the first version."
)


class DateRefused(ValueError):
    """?on= is not a real date written YYYY-MM-DD."""

    def __init__(self, raw: str):
        shown = raw if len(raw) <= 30 else raw[:30] + "…"
        if DATE_RE.fullmatch(raw):
            message = f"{shown} is not a real date. Give a date that exists, like 2026-03-01."
        else:
            message = f"Give the date as YYYY-MM-DD, like 2026-03-01, not “{shown}”."
        super().__init__(message)


def date_asked(request) -> datetime.date | None:
    """The date in ?on=, the one reader of it for every operation: exactly YYYY-MM-DD, a
    date that exists, with nothing before or after it (a space, a tab or a newline is a bad
    date, as is an empty ?on=); None when the request has no ?on=."""
    if "on" not in request.GET:
        return None
    raw = request.GET["on"]
    if not DATE_RE.fullmatch(raw):
        raise DateRefused(raw)
    try:
        return datetime.date.fromisoformat(raw)
    except ValueError:
        raise DateRefused(raw) from None


def in_force(on: datetime.date) -> datetime.date:
    """The date whose version answers: a future date is answered from today's version."""
    return min(on, timezone.localdate())


def refused_date(request, exc: DateRefused):
    return errors.error(400, "invalid_date", str(exc))


def no_version(request, exc: versions.NoVersionOnDate):
    return errors.error(404, "no_boundary_version", str(exc))


def day(date: datetime.date) -> str:
    return f"{date.day} {date:%B %Y}"


def version_ref(version: BoundaryVersion) -> dict:
    return {"id": version.pk, "published_at": timezone.localtime(version.published_at).isoformat()}


def as_on(on: datetime.date, version: BoundaryVersion) -> dict:
    return {"date": on.isoformat(), "boundary_version": version_ref(version)}


def neighbourhood_then(area: versions.AreaOnDate | None) -> dict | None:
    """The neighbourhood's name and slug as they were, and its page's address today (built
    from its old slug if the neighbourhood has since been deleted)."""
    if area is None:
        return None
    today = Neighbourhood.objects.not_removed().filter(pk=area.neighbourhood_id).first()
    url = (
        today.get_absolute_url()
        if today
        else reverse("neighbourhoods:detail", kwargs={"slug": area.slug})
    )
    return {"name": area.name, "slug": area.slug, "url": url}


def dated_message(body: dict, place: str, on: datetime.date, area, version, *, point: bool):
    published = day(timezone.localdate(version.published_at))
    verb = "is" if on >= timezone.localdate() else "was"
    if area is None:
        said = f"On {day(on)}, {place} {verb} in no neighbourhood"
    else:
        where = f"the area of the {area.name}" if point else f"the {area.name}"
        said = f"On {day(on)}, {place} {verb} in {where} neighbourhood"
    version_said = f"boundary version {version.pk}, published on {published}"
    if area is None:
        return f"{said} ({version_said}). Today's answer: {body['message']}"
    return f"{said} ({version_said}). The local authority and practices here are today's."


def postcode_on(body: dict, raw: str, on: datetime.date) -> dict:
    """Today's 200 answer for a postcode, with its neighbourhood as on a date."""
    version = versions.version_on(in_force(on))
    area = versions.neighbourhood_for_postcode(raw, on=in_force(on))
    return {
        **body,
        "status": Outcome.IN_AREA.value if area else body["status"],
        "message": dated_message(body, body["postcode"], on, area, version, point=False),
        "neighbourhood": neighbourhood_then(area),
        "as_on": as_on(on, version),
    }


def point_on(body: dict, on: datetime.date) -> dict:
    """Today's 200 answer for a point, with the neighbourhood whose area covered it then."""
    version = versions.version_on(in_force(on))
    location = body["location"]
    here = Point(location["longitude"], location["latitude"], srid=4326)
    area = versions.neighbourhood_covering(here, on=in_force(on))
    return {
        **body,
        "status": Outcome.IN_AREA.value if area else body["status"],
        "message": dated_message(body, "this location", on, area, version, point=True),
        "neighbourhood": neighbourhood_then(area),
        "as_on": as_on(on, version),
    }


def versions_list() -> dict:
    """Every boundary version, newest first."""
    versions = (
        BoundaryVersion.objects.order_by("-published_at", "-pk")
        .annotate(area_count=Count("areas"))
        .only("pk", "published_at", "reason")
    )
    return {
        "versions": [
            {
                **version_ref(version),
                "note": version.reason,
                "neighbourhoods": version.area_count,
                "api_url": reverse("api:boundary_version_areas", kwargs={"version_id": version.pk}),
            }
            for version in versions
        ]
    }
