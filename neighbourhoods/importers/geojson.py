"""Reading boundary GeoJSON: SRID set, Z stripped, always a valid MultiPolygon."""

import json
from pathlib import Path

from django.contrib.gis.gdal import OGRGeometry
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon

from .base import SourceFileError

WGS84_NAMES = {"urn:ogc:def:crs:OGC:1.3:CRS84", "urn:ogc:def:crs:EPSG::4326", "EPSG:4326"}


def read_features(path: Path, required: list[str]) -> list[dict]:
    if not path.is_file():
        raise SourceFileError(f"Cannot find {path}. Check --data-dir or PORTAL_DATA_DIR.")
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SourceFileError(f"{path.name} is not valid GeoJSON: {exc}") from exc
    crs = (document.get("crs") or {}).get("properties", {}).get("name", "EPSG:4326")
    if crs not in WGS84_NAMES:
        raise SourceFileError(f"{path.name} is in {crs}; the import expects WGS84 (EPSG:4326).")
    features = document.get("features")
    if not isinstance(features, list) or not features:
        raise SourceFileError(f"{path.name} has no features.")
    for n, feature in enumerate(features, start=1):
        missing = [k for k in required if not (feature.get("properties") or {}).get(k)]
        if missing:
            raise SourceFileError(f"{path.name}, feature {n}: no {', '.join(missing)}.")
    return features


def multipolygon(feature: dict, where: str) -> MultiPolygon:
    """The feature's geometry as a 2D, valid MultiPolygon in EPSG:4326."""
    try:
        ogr = OGRGeometry(json.dumps(feature["geometry"]))
        ogr.set_3d(False)
        geometry = GEOSGeometry(ogr.wkb, srid=4326)
        if not geometry.valid:
            geometry = geometry.make_valid()
    except Exception as exc:  # GDAL and GEOS raise several kinds for broken geometry
        raise SourceFileError(f"{where}: the geometry cannot be read ({exc}).") from exc
    if geometry.geom_type == "Polygon":
        geometry = MultiPolygon(geometry, srid=4326)
    elif geometry.geom_type == "GeometryCollection":
        polygons = [g for g in geometry if g.geom_type in ("Polygon", "MultiPolygon")]
        geometry = MultiPolygon(
            [p for g in polygons for p in (g if g.geom_type == "MultiPolygon" else [g])],
            srid=4326,
        )
    if geometry.geom_type != "MultiPolygon" or geometry.empty:
        raise SourceFileError(f"{where}: expected a polygon, found {geometry.geom_type}.")
    geometry.srid = 4326
    return geometry
