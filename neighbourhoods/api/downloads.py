"""Whole-data downloads for partners: every live City and Hackney postcode as CSV, and the
neighbourhood areas as GeoJSON. Each carries the attribution its sources' licences require
and their release dates (partnership.data_sources and the import-run records).

Built once and cached until the next publish: every change that could alter them ends in
services.publishing, which clears the cache.
"""

import datetime
import io
import json

from config import generation, surrogates
from config.db_router import reading
from partnership.data_sources import DATA_SOURCES

from .. import csv_cells, maps
from ..models import LocalAuthority, Lsoa, Neighbourhood, Postcode
from ..selectors import imported_releases
from .app import SAFE, api, download, keyed
from .schemas import AreaDownload

CSV_KEY = "download:postcodes.csv"
AREAS_KEY = "download:neighbourhoods.geojson"
# What each download is made from (keys of partnership.data_sources.DATA_SOURCES).
CSV_SOURCES = ("codepoint-open", "ons-boundaries")
AREAS_SOURCES = ("ons-boundaries",)
CSV_COLUMNS = [
    "postcode",
    "neighbourhood",
    "neighbourhood_slug",
    "lsoa_code",
    "lsoa_name",
    "local_authority_code",
    "local_authority",
]
INDICATIVE = (
    "The neighbourhood areas are indicative, derived by the City and Hackney place partnership "
    "from LSOAs: a resident's GP practice decides their neighbourhood."
)


def releases(keys) -> list[dict]:
    """Each source's name, its release as published, and the release date of the data the
    portal last imported (null if it was never imported)."""
    imported = imported_releases()
    listed = []
    for source in DATA_SOURCES:
        if source.key not in keys:
            continue
        release = imported.get(source.key)
        date = release.release_date if release else None
        listed.append({
            "source": source.key,
            "name": source.name,
            "release": source.release,
            "release_date": date.isoformat() if isinstance(date, datetime.date) else None,
        })  # fmt: skip
    return listed


def attribution(keys) -> list[str]:
    lines = []
    for source in DATA_SOURCES:
        if source.key in keys:
            lines.extend(line for line in source.attribution if line not in lines)
    return lines


def _live_postcodes_in_area():
    postcode, lsoa = Postcode._meta.db_table, Lsoa._meta.db_table
    neighbourhood, authority = Neighbourhood._meta.db_table, LocalAuthority._meta.db_table
    with reading().cursor() as cursor:
        cursor.execute(
            f"""
            SELECT p.postcode, n.name, n.slug, l.code, l.name, p.local_authority_code, la.name
            FROM {postcode} AS p
            JOIN {lsoa} AS l ON l.id = p.lsoa_id
            LEFT JOIN {neighbourhood} AS n ON n.id = p.neighbourhood_id AND n.removed_at IS NULL
            LEFT JOIN {authority} AS la ON la.gss_code = p.local_authority_code
            WHERE NOT p.terminated
            ORDER BY p.postcode
            """
        )
        return cursor.fetchall()


def postcodes_csv_text() -> str:
    """Every live postcode in City and Hackney, after lines beginning with '#' that give the
    attribution and the releases (skip them with, for example, pandas' comment="#")."""
    token, cached = generation.kept(CSV_KEY)
    if cached is not None:
        return cached
    out = io.StringIO()
    csv_cells.comment(
        out, "Live City and Hackney postcodes with their neighbourhood, LSOA and borough."
    )
    csv_cells.comment(out, INDICATIVE)
    for line in attribution(CSV_SOURCES):
        csv_cells.comment(out, line)
    for release in releases(CSV_SOURCES):
        date = release["release_date"] or "not imported"
        csv_cells.comment(out, f"{release['name']}: {release['release']}; release date {date}.")
    writer = csv_cells.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(_live_postcodes_in_area())
    text = out.getvalue()
    generation.keep(CSV_KEY, token, text, None)
    return text


def areas_geojson_text() -> str:
    """The eight areas at full detail, with the attribution and releases as foreign members
    of the FeatureCollection (RFC 7946, section 6.1). Kept as long as the maps keep the areas
    (their practice counts change when a membership ends at midnight)."""
    token, cached = generation.kept(AREAS_KEY)
    if cached is not None:
        return cached
    collection = {
        **maps.neighbourhoods_collection(simplified=False),
        "description": INDICATIVE,
        "attribution": attribution(AREAS_SOURCES),
        "releases": releases(AREAS_SOURCES),
    }
    text = json.dumps(collection, separators=(",", ":"))
    generation.keep(AREAS_KEY, token, text, maps.CACHE_SECONDS)
    return text


@api.api_operation(
    SAFE,
    "/postcodes.csv",
    response={200: str},
    summary="Every live City and Hackney postcode, as CSV",
    description=(
        "Columns: " + ", ".join(CSV_COLUMNS) + ". The lines before the header begin "
        "with # and give the attribution the data's licences require and each source's release "
        "date. Changes only when the areas or the postcodes do."
    ),
    url_name="postcodes_csv",
)
def postcodes_csv(request):
    return keyed(
        download(postcodes_csv_text(), "text/csv; charset=utf-8", "city-and-hackney-postcodes.csv"),
        download_keys(CSV_SOURCES),
    )


@api.api_operation(
    SAFE,
    "/neighbourhoods.geojson",
    response={200: AreaDownload},
    summary="The eight neighbourhood areas at full detail, as a download",
    description=(
        "A GeoJSON FeatureCollection with the attribution the data's licences require and each "
        "source's release date as foreign members."
    ),
    url_name="neighbourhoods_geojson",
)
def neighbourhoods_geojson(request):
    return keyed(
        download(
            areas_geojson_text(), "application/geo+json", "city-and-hackney-neighbourhoods.geojson"
        ),
        download_keys(AREAS_SOURCES),
    )


def download_keys(sources) -> list[str]:
    """A whole-data download shows every neighbourhood and each source's release. Kept in
    Django's cache as the downloads are, until the next publish."""
    cache_key = "download:keys:" + ",".join(sources)
    token, keys = generation.kept(cache_key)
    if keys is None:
        keys = [surrogates.NEIGHBOURHOODS]
        for release in releases(sources):
            keys.append(surrogates.release(release["source"]))
            keys.append(surrogates.release(release["source"], release["release_date"] or "none"))
        generation.keep(cache_key, token, keys, None)
    return keys
