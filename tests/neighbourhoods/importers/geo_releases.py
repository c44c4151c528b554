"""Small releases of the geographic sources, written by a test for the small borough
(tests/neighbourhoods/conftest.py): OS Code-Point Open as the zip OS gives (Data/CSV area
files with no header row, Doc/Codelist.xlsx, Doc/metadata.txt), and ONS LSOA boundaries as
GeoJSON. Nothing here reads the real open data."""

import io
import json
import zipfile

import openpyxl
from django.contrib.gis.geos import Point

from tests.neighbourhoods.conftest import (
    CITY,
    HACKNEY,
    ISLINGTON,
    LSOA_AUTHORITY,
    LSOA_CODE,
    LSOA_WEST,
    NORTH,
    SOUTH,
)

# Code-Point's code list names authorities formally; the import shortens the names to the
# borough's own ("Hackney London Boro" is "Hackney").
CODE_LIST = [
    ("City and County of the City of London", CITY),
    ("Hackney London Boro", HACKNEY),
    ("Islington London Boro", ISLINGTON),
]
METADATA = "ORDNANCE SURVEY\nPRODUCT: OS CODE-POINT_03.02\nRM UPDATE DATE: 20260116\n"


def codepoint_row(postcode: str, lon: float, lat: float, district: str) -> str:
    """One line of a Code-Point area file, the point given in WGS84 and written as OS writes
    it, in British National Grid metres."""
    point = Point(lon, lat, srid=4326).transform(27700, clone=True)
    return (
        f'"{postcode}",10,{round(point.x)},{round(point.y)},"E92000001","E19000003",'
        f'"E18000007","","{district}","E05009372"\n'
    )


def code_list_workbook() -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active.title = "Metadata"
    sheet = workbook.create_sheet("LBO")
    for name, code in CODE_LIST:
        sheet.append([name, code])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def codepoint_zip(
    areas: dict[str, list[str]], *, folder="", extra=None, compression=zipfile.ZIP_DEFLATED
) -> bytes:
    """A Code-Point Open zip: `areas` maps an area ("e") to its lines; `folder` puts it all in
    one folder (as a zip made from the unzipped folder has); `extra` adds members by name."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=compression) as archive:
        for area, lines in areas.items():
            archive.writestr(f"{folder}Data/CSV/{area}.csv", "".join(lines))
        archive.writestr(f"{folder}Doc/Codelist.xlsx", code_list_workbook())
        archive.writestr(f"{folder}Doc/metadata.txt", METADATA)
        for name, content in (extra or {}).items():
            archive.writestr(name, content)
    return out.getvalue()


def lsoa_geojson(changes=None) -> bytes:
    """The borough's five LSOAs as ONS's GeoJSON gives them; `changes` maps an LSOA (C1, H1 …
    H4) to the properties or the (west, south, east, north) box it has in this release."""
    features = []
    for name, west in LSOA_WEST.items():
        change = (changes or {}).get(name, {})
        box = change.get("box", (west, SOUTH, round(west + 0.01, 9), NORTH))
        w, s, e, n = box
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "LSOA21CD": LSOA_CODE[name],
                    "LSOA21NM": change.get("name", f"Test {name}"),
                    "LAD22CD": LSOA_AUTHORITY[name],
                },
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[w, s], [e, s], [e, n], [w, n], [w, s]]],
                },
            }
        )
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()
