"""Reading boundary GeoJSON: SRID set, Z stripped, always a valid MultiPolygon."""

import json
from pathlib import Path

from django.contrib.gis.gdal import OGRGeometry
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon

from .base import (
    DOWNLOAD_AGAIN,
    GB_LATITUDE,
    GB_LONGITUDE,
    SourceFileError,
    quote,
    read_json,
)

WGS84_NAMES = {"urn:ogc:def:crs:OGC:1.3:CRS84", "urn:ogc:def:crs:EPSG::4326", "EPSG:4326"}


def read_features(path: Path, required: list[str]) -> list[dict]:
    document = read_json(path, kind="GeoJSON")
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise SourceFileError(
            f"{path.name} is JSON but not a GeoJSON FeatureCollection. Check this is the right "
            "file."
        )
    crs = document.get("crs") or {}
    crs = crs.get("properties", {}).get("name", "EPSG:4326") if isinstance(crs, dict) else crs
    if crs not in WGS84_NAMES:
        raise SourceFileError(
            f"{path.name} is in {quote(crs)}; the import expects WGS84 (EPSG:4326). Export it "
            "again in WGS84."
        )
    features = document.get("features")
    if not isinstance(features, list) or not features:
        raise SourceFileError(f"{path.name} has no features. {DOWNLOAD_AGAIN}")
    for n, feature in enumerate(features, start=1):
        properties = feature.get("properties") if isinstance(feature, dict) else None
        missing = [k for k in required if not (properties or {}).get(k)]
        if missing:
            raise SourceFileError(
                f"{path.name}, feature {n}: no {', '.join(missing)}. Check this is the right "
                "file, or download it again."
            )
        for key in required:
            if not isinstance(properties[key], str) or len(properties[key]) > 100:
                raise SourceFileError(
                    f"{path.name}, feature {n}: {key} {quote(properties[key])} is not a code or "
                    f"name. {DOWNLOAD_AGAIN}"
                )
    return features


def outside_great_britain(geometry) -> tuple[float, float] | None:
    """The first point of a (multi)polygon outside Great Britain's longitude/latitude box."""
    xmin, ymin, xmax, ymax = geometry.extent
    if (
        GB_LONGITUDE[0] <= xmin <= xmax <= GB_LONGITUDE[1]
        and GB_LATITUDE[0] <= ymin <= ymax <= GB_LATITUDE[1]
    ):
        return None
    polygons = geometry if geometry.geom_type == "MultiPolygon" else [geometry]
    for polygon in polygons:
        for ring in polygon:
            for x, y in ring.coords:
                if not (
                    GB_LONGITUDE[0] <= x <= GB_LONGITUDE[1]
                    and GB_LATITUDE[0] <= y <= GB_LATITUDE[1]
                ):
                    return x, y
    return xmin, ymin


def multipolygon(feature: dict, where: str) -> MultiPolygon:
    """The feature's geometry as a 2D, valid MultiPolygon in EPSG:4326."""
    try:
        ogr = OGRGeometry(json.dumps(feature["geometry"]))
        ogr.set_3d(False)
        geometry = GEOSGeometry(ogr.wkb, srid=4326)
    except Exception as exc:  # GDAL and GEOS raise several kinds for broken geometry
        raise SourceFileError(
            f"{where}: the geometry cannot be read ({quote(exc)}). {DOWNLOAD_AGAIN}"
        ) from None
    if geometry.geom_type in ("Polygon", "MultiPolygon") and not geometry.empty:
        point = outside_great_britain(geometry)
        if point is not None:
            raise SourceFileError(
                f"{where}: the point ({point[0]:.6g}, {point[1]:.6g}) lies outside Great Britain "
                f"(longitude {GB_LONGITUDE[0]} to {GB_LONGITUDE[1]}, latitude {GB_LATITUDE[0]} "
                f"to {GB_LATITUDE[1]}). Check the file is in WGS84 longitude and latitude, or "
                "download it again."
            )
    if not geometry.valid:
        geometry = geometry.make_valid()
    if geometry.geom_type == "Polygon":
        geometry = MultiPolygon(geometry, srid=4326)
    elif geometry.geom_type == "GeometryCollection":
        polygons = [g for g in geometry if g.geom_type in ("Polygon", "MultiPolygon")]
        geometry = MultiPolygon(
            [p for g in polygons for p in (g if g.geom_type == "MultiPolygon" else [g])],
            srid=4326,
        )
    if geometry.geom_type != "MultiPolygon" or geometry.empty:
        raise SourceFileError(
            f"{where}: expected a polygon, found {geometry.geom_type}. {DOWNLOAD_AGAIN}"
        )
    geometry.srid = 4326
    return geometry
