"""Reading boundary GeoJSON: SRID set, Z stripped, always a valid MultiPolygon."""

import json
from pathlib import Path

from django.contrib.gis.gdal import OGRGeometry
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon

from ..models import LocalAuthority, Lsoa
from ..services.answers import answers_recompute
from ..services.areas import areas_rebuild
from .base import (
    DOWNLOAD_AGAIN,
    GB_LATITUDE,
    GB_LONGITUDE,
    Importer,
    SourceFileError,
    data_dir,
    quote,
    read_json,
)
from .geography import ICB_FOR_AUTHORITY

WGS84_NAMES = {"urn:ogc:def:crs:OGC:1.3:CRS84", "urn:ogc:def:crs:EPSG::4326", "EPSG:4326"}


def read_features(path: Path, required: list[str]) -> list[dict]:
    """The features of a GeoJSON FeatureCollection in WGS84, each with the `required`
    properties; the first of them is the feature's code, which no two features may share (a
    repeated feature would otherwise be read as one, its second boundary the one kept)."""
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
    first_seen: dict[str, int] = {}  # each code, by the number of the feature that gave it
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
        code = properties[required[0]]
        if code in first_seen:
            raise SourceFileError(
                f"{path.name}, features {first_seen[code]} and {n} both give {required[0]} "
                f"{quote(code)}: a feature is repeated, so the file is damaged or stitched "
                f"together. {DOWNLOAD_AGAIN}",
                refused=2,
            )
        first_seen[code] = n
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


# The import: read and check, then save. Its command and the admin call the same core.

# An LSOA may lie this share of its area outside its own local authority (slivers where two
# generalised boundaries do not quite meet) before the file is refused.
OUTSIDE_AUTHORITY_TOLERANCE = 0.01

LSOAS = "boundaries/lsoa_2021_gen20_city_and_hackney.geojson"
BOROUGHS = "boundaries/london_boroughs_lad22_gen20.geojson"


class BoundariesImport(Importer):
    """LSOA and borough boundaries. By default both files in the data folder; with `lsoas`
    (a GeoJSON file's path) that file alone, checked against the boroughs the database
    holds, as a release of LSOA boundaries is applied from the admin."""

    source_name = "import_boundaries"
    primary_kind = "LSOAs"
    reports_postcodes_by_neighbourhood = True

    def run_import(self, summary, *args, **options):
        folder = data_dir(options["data_dir"])
        lsoa_path = Path(options.get("lsoas") or folder / LSOAS)
        self.lsoa_file = lsoa_path.name
        lsoa_features = read_features(self.use_file(lsoa_path), ["LSOA21CD", "LSOA21NM", "LAD22CD"])
        borough_features = []
        if not options.get("lsoas"):
            borough_features = read_features(
                self.use_file(folder / BOROUGHS), ["LAD22CD", "LAD22NM"]
            )
        lsoas = {
            f["properties"]["LSOA21CD"]: (
                f["properties"]["LSOA21NM"],
                f["properties"]["LAD22CD"],
                multipolygon(f, f"{self.lsoa_file}, {f['properties']['LSOA21CD']}"),
            )
            for f in self.progress(lsoa_features, desc="LSOAs", unit="area")
        }
        boroughs = {
            f["properties"]["LAD22CD"]: (
                f["properties"]["LAD22NM"],
                multipolygon(f, f"{Path(BOROUGHS).name}, {f['properties']['LAD22CD']}"),
            )
            for f in self.progress(borough_features, desc="Boroughs", unit="area")
        }

        self.check_lsoas_in_authorities(lsoas, boroughs)

        self.save_boroughs(boroughs, summary)
        boundaries_changed = self.save_lsoas(lsoas, summary)
        if boundaries_changed:
            redrawn = areas_rebuild()
            summary.note(
                f"{redrawn} neighbourhood area(s) {summary.would('redrawn', 'would be redrawn')}."
            )
            answers_recompute(everything=True)  # at the end of the run (Importer.run)
        return "Imported boundaries"

    def check_lsoas_in_authorities(self, lsoas, boroughs):
        """Each LSOA lies inside the local authority it names, but for boundary slivers: a
        borough's boundary from the borough file read, else from the database."""
        stored = {a.gss_code: a.boundary for a in LocalAuthority.objects.exclude(boundary=None)}
        for code, (_name, authority_code, boundary) in sorted(lsoas.items()):
            where = f"{self.lsoa_file}, {code}"
            authority = boroughs[authority_code][1] if authority_code in boroughs else None
            authority = authority or stored.get(authority_code)
            if authority is None and boroughs:
                raise SourceFileError(
                    f"{where}: its local authority {quote(authority_code)} is neither in "
                    f"{BOROUGHS.rsplit('/', 1)[-1]} nor in the database. Check the two files "
                    "belong together, or download them again."
                )
            if authority is None:
                raise SourceFileError(
                    f"{where}: its local authority {quote(authority_code)} has no boundary in "
                    "the database. Check this is the right file, or import the borough "
                    "boundaries first (import_boundaries)."
                )
            outside = boundary.difference(authority).area / boundary.area
            if outside > OUTSIDE_AUTHORITY_TOLERANCE:
                raise SourceFileError(
                    f"{where}: {outside:.0%} of the LSOA lies outside its own local authority "
                    f"{authority_code} (at most {OUTSIDE_AUTHORITY_TOLERANCE:.0%} is allowed for "
                    "boundary slivers). Check the LSOA's LAD22CD and its boundary, or download "
                    "the file again."
                )

    def save_boroughs(self, boroughs, summary):
        existing = {a.gss_code: a for a in LocalAuthority.objects.all()}
        for code, (name, boundary) in sorted(boroughs.items()):
            authority = existing.get(code)
            if authority is None:
                LocalAuthority.objects.create(
                    gss_code=code,
                    name=name,
                    boundary=boundary,
                    nhs_body=ICB_FOR_AUTHORITY.get(code, ""),
                )
                summary.count("Boroughs", "added")
            elif authority.boundary is None or not authority.boundary.equals_exact(boundary, 1e-9):
                authority.boundary = boundary
                authority.save(update_fields=["boundary"])
                summary.count("Boroughs", "changed")
            else:
                summary.count("Boroughs", "unchanged")

    def save_lsoas(self, lsoas, summary) -> bool:
        if not lsoas:
            raise SourceFileError(f"{self.lsoa_file} has no LSOAs.")
        existing = {lsoa.code: lsoa for lsoa in Lsoa.objects.all()}
        changed_any = False
        for code, (name, authority_code, boundary) in sorted(lsoas.items()):
            lsoa = existing.get(code)
            if lsoa is None:
                Lsoa.objects.create(
                    code=code, name=name, local_authority_code=authority_code, boundary=boundary
                )
                summary.count("LSOAs", "added")
                changed_any = True
                continue
            fields = []
            if lsoa.name != name:
                lsoa.name, fields = name, [*fields, "name"]
            if lsoa.local_authority_code != authority_code:
                lsoa.local_authority_code, fields = (
                    authority_code,
                    [*fields, "local_authority_code"],
                )
            if not lsoa.boundary.equals_exact(boundary, 1e-9):
                lsoa.boundary, fields = boundary, [*fields, "boundary"]
            if fields:
                lsoa.save(update_fields=fields)
                summary.count("LSOAs", "changed")
                changed_any = True
            else:
                summary.count("LSOAs", "unchanged")
        gone = Lsoa.objects.exclude(code__in=lsoas)
        self.guard_shrink(
            summary,
            file=self.lsoa_file,
            verb="remove",
            lost=gone.count(),
            total=len(existing),
            what="LSOAs",
        )
        if gone.exists():
            summary.count("LSOAs", "removed", gone.count())
            gone.delete()
            changed_any = True
        return changed_any
