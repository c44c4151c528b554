"""GeoJSON of the neighbourhood areas and practices, shared by the API, the downloads and
the maps: today's areas and practices, and the areas of a boundary version.

Built in PostGIS and cached; the cache is cleared whenever an area or practice changes
(services.publishing), so nobody is shown a stale map.
"""

import hashlib
import json

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from config import generation
from config.db_router import reading

from .models import BoundaryVersion, BoundaryVersionArea, Membership, Neighbourhood, Practice

# About 2 m at London's latitude: invisible on a map, and a much smaller download.
DISPLAY_TOLERANCE = 0.00002
# Cleared on every change; the time limit only catches a membership ending at midnight.
CACHE_SECONDS = 15 * 60


def _boundaries(ids, simplified: bool) -> dict[int, dict]:
    # ST_Multi: simplifying a one-part area would otherwise turn it into a Polygon.
    geometry = "ST_Multi(ST_SimplifyPreserveTopology(boundary, %s))" if simplified else "boundary"
    params = [DISPLAY_TOLERANCE] if simplified else []
    with reading().cursor() as cursor:
        cursor.execute(
            f"SELECT id, ST_AsGeoJSON({geometry}, %s) FROM {Neighbourhood._meta.db_table} "
            "WHERE boundary IS NOT NULL AND id = ANY(%s)",
            [*params, 5 if simplified else 6, list(ids)],
        )
        return {pk: json.loads(text) for pk, text in cursor.fetchall()}


def areas_file() -> tuple[str, bytes]:
    """The areas the pages' maps draw (today's, simplified), as the bytes of a GeoJSON file,
    and its version: a digest of those bytes. The file's address carries the version, so it
    changes whenever the areas, their names or their practice counts do, and a browser may
    keep each version for good. It is the pages' own, outside the API and its rate limit."""
    key = "geojson:map-areas-file"
    token, cached = generation.kept(key)
    if cached is not None:
        return cached
    collection = neighbourhoods_collection(simplified=True)
    body = json.dumps(collection, separators=(",", ":")).encode()
    version = hashlib.sha256(body).hexdigest()[:16]
    if collection["features"]:  # no areas yet is not worth a place in the cache
        generation.keep(key, token, (version, body), CACHE_SECONDS)
    return version, body


def areas_url() -> str:
    """Where the pages' maps fetch the areas: today's version of the areas file."""
    version, _ = areas_file()
    return reverse("neighbourhoods:map-areas", kwargs={"version": version})


def neighbourhood_feature(neighbourhood, geometry, practice_count) -> dict:
    return {
        "type": "Feature",
        "id": neighbourhood.slug,
        "geometry": geometry,
        "properties": {
            "name": neighbourhood.name,
            "slug": neighbourhood.slug,
            "url": neighbourhood.get_absolute_url(),
            "api_url": reverse("api:neighbourhood", kwargs={"slug": neighbourhood.slug}),
            "park": neighbourhood.park_name,
            "pcn_code": neighbourhood.pcn_code,
            "practices": practice_count,
            "indicative": True,
        },
    }


def neighbourhoods_collection(*, simplified=False, slug=None) -> dict:
    key = f"geojson:neighbourhoods:{int(simplified)}:{slug or '*'}"
    token, cached = generation.kept(key)
    if cached is not None:
        return cached
    neighbourhoods = Neighbourhood.objects.not_removed()
    if slug:
        neighbourhoods = neighbourhoods.filter(slug=slug)
    neighbourhoods = list(neighbourhoods)
    geometries = _boundaries([n.pk for n in neighbourhoods], simplified)
    counts = dict(
        Membership.objects.current()
        .not_removed()
        .order_by()
        .values_list("neighbourhood_id")
        .annotate(n=Count("id"))
    )
    collection = {
        "type": "FeatureCollection",
        "features": [
            neighbourhood_feature(n, geometries.get(n.pk), counts.get(n.pk, 0))
            for n in neighbourhoods
        ],
    }
    if neighbourhoods:  # an unknown slug is not worth a place in the cache
        generation.keep(key, token, collection, CACHE_SECONDS)
    return collection


def practice_feature(practice, neighbourhood) -> dict:
    point = practice.location
    return {
        "type": "Feature",
        "id": practice.ods_code,
        "geometry": (
            {"type": "Point", "coordinates": [round(point.x, 6), round(point.y, 6)]}
            if point
            else None
        ),
        "properties": {
            "ods_code": practice.ods_code,
            "name": practice.name,
            "address": practice.address_lines,
            "postcode": practice.postcode,
            "phone": practice.phone,
            "registered_patients": practice.registered_patients,
            "registered_patients_as_of": (
                practice.registered_patients_as_of.isoformat()
                if practice.registered_patients_as_of
                else None
            ),
            "neighbourhood": (
                {
                    "name": neighbourhood.name,
                    "slug": neighbourhood.slug,
                    "url": neighbourhood.get_absolute_url(),
                }
                if neighbourhood
                else None
            ),
        },
    }


def practices_collection() -> dict:
    key = "geojson:practices"
    token, cached = generation.kept(key)
    if cached is not None:
        return cached
    current = {
        m.practice_id: m.neighbourhood
        for m in Membership.objects.current().not_removed().select_related("neighbourhood")
    }
    practices = Practice.objects.filter(pk__in=current).order_by("name")
    collection = {
        "type": "FeatureCollection",
        "features": [practice_feature(p, current[p.pk]) for p in practices],
    }
    generation.keep(key, token, collection, CACHE_SECONDS)
    return collection


def version_collection(version: BoundaryVersion, *, simplified: bool = False) -> dict:
    """A boundary version's areas as a GeoJSON FeatureCollection (WGS84)."""
    geometry = "ST_Multi(ST_SimplifyPreserveTopology(boundary, %s))" if simplified else "boundary"
    params = [DISPLAY_TOLERANCE] if simplified else []
    with reading().cursor() as cursor:
        cursor.execute(
            f"""SELECT neighbourhood_id, name, slug, lsoas, ST_AsGeoJSON({geometry}, %s)
                FROM {BoundaryVersionArea._meta.db_table}
                WHERE version_id = %s AND boundary IS NOT NULL ORDER BY name""",
            [*params, 5 if simplified else 6, version.pk],
        )
        rows = cursor.fetchall()
    published = timezone.localtime(version.published_at)
    return {
        "type": "FeatureCollection",
        "version": {"id": version.pk, "published_at": published.isoformat()},
        "features": [
            {
                "type": "Feature",
                "id": slug,
                "geometry": json.loads(geojson),
                "properties": {
                    "neighbourhood_id": neighbourhood_id,
                    "name": name,
                    "slug": slug,
                    "lsoas": lsoas,
                    "indicative": True,
                },
            }
            for neighbourhood_id, name, slug, lsoas, geojson in rows
        ],
    }


def neighbourhood_ids(*, slug=None) -> list[int]:
    """The ids of the neighbourhoods neighbourhoods_collection shows (one, with a slug)."""
    neighbourhoods = Neighbourhood.objects.not_removed()
    if slug:
        neighbourhoods = neighbourhoods.filter(slug=slug)
    return list(neighbourhoods.order_by("pk").values_list("pk", flat=True))
