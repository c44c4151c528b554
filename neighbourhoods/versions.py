"""Reads of the neighbourhood areas as they were published on a date (boundary versions).

`services.publishing.boundaries_publish()` keeps every published state of the areas as a
`BoundaryVersion`, dated; these functions answer from the version in force on a date, as
MapIt answers from a generation (maps.version_collection draws a version's areas):

- `neighbourhood_for_postcode(postcode, on=date)`: the neighbourhood a postcode was in;
- `neighbourhood_covering(point, on=date)`: the neighbourhood whose area covered a point;

A date before the first version raises `NoVersionOnDate`; a postcode or point in no
neighbourhood on that date answers None.
"""

import datetime
from dataclasses import dataclass

from django.contrib.gis.geos import Point
from django.utils import timezone

from .models import BoundaryVersion, BoundaryVersionArea, Postcode
from .postcodes import ParsedPostcode


class NoVersionOnDate(LookupError):
    """No boundaries had been published by the date asked about."""

    def __init__(self, on: datetime.date):
        first = BoundaryVersion.objects.order_by("published_at").first()
        since = (
            f" The first version was published on {_day(timezone.localdate(first.published_at))}."
            if first
            else " No boundaries have been published yet."
        )
        super().__init__(f"No neighbourhood boundaries had been published by {_day(on)}.{since}")
        self.on = on


def _day(date: datetime.date) -> str:
    return f"{date.day} {date:%B %Y}"


@dataclass(frozen=True)
class AreaOnDate:
    """A neighbourhood as it was in one boundary version."""

    version: BoundaryVersion
    neighbourhood_id: int | None
    name: str
    slug: str


def version_on(on: datetime.date) -> BoundaryVersion:
    """The boundary version in force on a date (the last published by the end of that day)."""
    version = BoundaryVersion.objects.on(on)
    if version is None:
        raise NoVersionOnDate(on)
    return version


def _area(version, neighbourhood_id) -> AreaOnDate | None:
    if neighbourhood_id is None:
        return None
    area = version.areas.filter(neighbourhood_id=neighbourhood_id).only("name", "slug").first()
    if area is None:
        return None
    return AreaOnDate(version, neighbourhood_id, area.name, area.slug)


def neighbourhood_for_postcode(postcode: str, *, on: datetime.date) -> AreaOnDate | None:
    """The neighbourhood a postcode was in on a date: its LSOA's neighbourhood in the version
    then in force. None for a postcode we do not hold, or one outside every neighbourhood."""
    version = version_on(on)
    parsed = ParsedPostcode.parse(postcode)
    if parsed is None or not parsed.is_full:
        return None
    code = (
        Postcode.objects.filter(postcode=parsed.with_space)
        .values_list("lsoa__code", flat=True)
        .first()
    )
    if code is None:
        return None
    return _area(version, version.assignments.get(code))


def neighbourhood_covering(point: Point, *, on: datetime.date) -> AreaOnDate | None:
    """The neighbourhood whose area, in the version in force on a date, covered a point
    (ST_Covers, so a point on a boundary still has an answer)."""
    version = version_on(on)
    if point.srid is None:
        point = Point(point.x, point.y, srid=4326)
    area = (
        BoundaryVersionArea.objects.filter(version=version, boundary__covers=point)
        .only("neighbourhood_id", "name", "slug")
        .order_by("neighbourhood_id")  # as the live lookup breaks a tie on an edge
        .first()
    )
    if area is None:
        return None
    return AreaOnDate(version, area.neighbourhood_id, area.name, area.slug)


def latest_version_id() -> int | None:
    """The boundary version today's areas are (None before the first is kept)."""
    latest = BoundaryVersion.objects.order_by("-published_at", "-pk")
    return latest.values_list("pk", flat=True).first()
