"""The shape of every API answer. django-ninja describes the API from these types, so the
OpenAPI description and the answers cannot drift apart (tests/test_api_schema.py checks every
documented answer against it)."""

from typing import Literal

from ninja import Schema
from pydantic import ConfigDict, Field

MAX_BULK_POSTCODES = 100


class ErrorDetail(Schema):
    code: str = Field(examples=["invalid_postcode"])
    message: str = Field(description="What went wrong, in plain English, and what to do.")


class Error(Schema):
    error: ErrorDetail


class NeighbourhoodRef(Schema):
    name: str = Field(examples=["London Fields"])
    slug: str = Field(examples=["london-fields"])
    url: str = Field(
        description="The neighbourhood's page, relative to the API's host.",
        json_schema_extra={"format": "uri-reference"},
        examples=["/neighbourhoods/london-fields/"],
    )


class LocalAuthorityRef(Schema):
    code: str = Field(description="The GSS code.", examples=["E09000012"])
    name: str | None = Field(examples=["Hackney"])
    nhs_body: str | None = Field(
        description="The NHS body that plans its services.", examples=["NHS North East London"]
    )


class Location(Schema):
    latitude: float = Field(ge=-90, le=90, examples=[51.5465])
    longitude: float = Field(ge=-180, le=180, examples=[-0.0553])


NEIGHBOURHOOD_ON = (
    "With ?on=YYYY-MM-DD, the neighbourhood as it was in the boundary version in force on that "
    "date: its name and slug then, and url its page today (as_on names the version)."
)


class NearbyPractice(Schema):
    ods_code: str = Field(examples=["F84003"])
    name: str
    postcode: str
    phone: str
    distance_m: int = Field(ge=0, description="Metres as the crow flies (on the spheroid).")


# Boundary versions: the areas as they were published on a date (docs/history.md).
class BoundaryVersionRef(Schema):
    id: int = Field(ge=1, examples=[3])
    published_at: str = Field(
        description="When the version was published (London time, ISO 8601).",
        json_schema_extra={"format": "date-time"},
        examples=["2026-03-02T10:15:00+00:00"],
    )


class AsOn(Schema):
    """What an answer "as on" a date (?on=YYYY-MM-DD) adds to today's answer."""

    date: str = Field(
        description="The date asked about.",
        json_schema_extra={"format": "date"},
        examples=["2026-03-01"],
    )
    boundary_version: BoundaryVersionRef = Field(
        description="The boundary version in force on that date: the last one published by "
        "the end of that day. A future date is answered from today's version."
    )


AS_ON_FIELD = Field(
    None,
    description=(
        "Only with ?on=: the date asked about and the boundary version the neighbourhood "
        "comes from. Absent without ?on=."
    ),
)


class PostcodeAnswer(Schema):
    postcode: str = Field(examples=["E8 1DY"])
    status: Literal["in_area", "out_of_area"]
    message: str = Field(
        description="The whole answer in plain English, as the page words it. With ?on=, it "
        "says which neighbourhood the postcode was in on that date."
    )
    neighbourhood: NeighbourhoodRef | None = Field(description=NEIGHBOURHOOD_ON)
    local_authority: LocalAuthorityRef | None = Field(
        description="Null for a postcode outside the postcode areas City and Hackney lies in. "
        "Today's, also with ?on=."
    )
    location: Location | None
    practices: list[NearbyPractice] = Field(
        description="The neighbourhood's practices, nearest first. Today's, also with ?on=: "
        "the current practices of the neighbourhood the postcode is in today."
    )
    indicative: Literal[True] = Field(
        description="The areas are indicative: a resident's GP practice decides."
    )
    as_on: AsOn | None = AS_ON_FIELD


class PointAnswer(Schema):
    status: Literal["in_area", "out_of_area"]
    message: str = Field(
        description="The whole answer in plain English. With ?on=, it says which "
        "neighbourhood's area covered the point on that date."
    )
    location: Location = Field(description="The point asked about, to six decimal places.")
    neighbourhood: NeighbourhoodRef | None = Field(description=NEIGHBOURHOOD_ON)
    local_authority: LocalAuthorityRef | None = Field(
        description="The borough that covers the point; null outside every London borough. "
        "Today's, also with ?on=."
    )
    practices: list[NearbyPractice] = Field(
        description="The neighbourhood's practices, nearest the point first. Today's, also "
        "with ?on=: the current practices of the neighbourhood whose area covers it today."
    )
    indicative: Literal[True]
    as_on: AsOn | None = AS_ON_FIELD


class DistrictShare(NeighbourhoodRef):
    postcodes: int = Field(ge=0)


class DistrictAnswer(Schema):
    outcode: str = Field(examples=["E8"])
    status: Literal["district"]
    postcodes: int = Field(ge=0, description="Live postcodes in the district.")
    outside_area: int = Field(ge=0, description="Those outside City and Hackney.")
    neighbourhoods: list[DistrictShare] = Field(description="Most postcodes first.")


class BulkRequest(Schema):
    model_config = ConfigDict(extra="forbid")

    postcodes: list[str] = Field(
        min_length=1,
        max_length=MAX_BULK_POSTCODES,
        description=f"Up to {MAX_BULK_POSTCODES} postcodes, answered in the order given.",
        examples=[["E8 1DY", "E1 0AA", "N16 9JT"]],
    )


class BulkItem(Schema):
    query: str = Field(description="The postcode as it was sent.")
    http_status: int = Field(description="What GET /api/v1/postcodes/{postcode} would answer.")
    result: PostcodeAnswer | None = Field(description="The answer; null for an error.")
    error: ErrorDetail | None = Field(description="The error; null for an answer.")


class BulkAnswer(Schema):
    results: list[BulkItem]


# GeoJSON (RFC 7946), as far as these answers use it.
Position = list[float]


class Point(Schema):
    type: Literal["Point"]
    coordinates: Position = Field(min_length=2, max_length=2, description="[longitude, latitude]")


class MultiPolygon(Schema):
    type: Literal["MultiPolygon"]
    coordinates: list[list[list[Position]]]


class AreaProperties(Schema):
    name: str
    slug: str
    url: str = Field(json_schema_extra={"format": "uri-reference"})
    api_url: str = Field(json_schema_extra={"format": "uri-reference"})
    park: str
    pcn_code: str
    practices: int = Field(ge=0, description="Current member practices.")
    indicative: Literal[True]


class AreaFeature(Schema):
    type: Literal["Feature"]
    id: str
    geometry: MultiPolygon | None
    properties: AreaProperties


class AreaCollection(Schema):
    type: Literal["FeatureCollection"]
    features: list[AreaFeature]


class Release(Schema):
    source: str = Field(examples=["ons-boundaries"])
    name: str
    release: str = Field(description="The release, as its publisher names it.")
    release_date: str | None = Field(
        description="The release date of the data last imported; null if never imported.",
        json_schema_extra={"format": "date"},
    )


class AreaDownload(AreaCollection):
    description: str
    attribution: list[str] = Field(description="What the licences of the data require.")
    releases: list[Release]


class PracticeProperties(Schema):
    ods_code: str
    name: str
    address: list[str]
    postcode: str
    phone: str
    registered_patients: int | None
    registered_patients_as_of: str | None = Field(json_schema_extra={"format": "date"})
    neighbourhood: NeighbourhoodRef | None


class PracticeFeature(Schema):
    type: Literal["Feature"]
    id: str
    geometry: Point | None
    properties: PracticeProperties


class PracticeCollection(Schema):
    type: Literal["FeatureCollection"]
    features: list[PracticeFeature]


class BoundaryVersionSummary(BoundaryVersionRef):
    note: str = Field(description="Why the version was published; empty when no reason was given.")
    neighbourhoods: int = Field(ge=0, description="The areas the version holds.")
    api_url: str = Field(
        description="The version's areas as GeoJSON, relative to the API's host.",
        json_schema_extra={"format": "uri-reference"},
        examples=["/api/v1/boundary-versions/3/neighbourhoods"],
    )


class BoundaryVersionList(Schema):
    versions: list[BoundaryVersionSummary] = Field(description="Newest first.")


class VersionAreaProperties(Schema):
    neighbourhood_id: int | None = Field(
        description="The neighbourhood's id; null if it has since been deleted."
    )
    name: str = Field(description="Its name as it was in that version.")
    slug: str = Field(description="Its slug as it was in that version.")
    lsoas: int = Field(ge=0, description="The LSOAs it had in that version.")
    indicative: Literal[True]


class VersionAreaFeature(Schema):
    type: Literal["Feature"]
    id: str
    geometry: MultiPolygon
    properties: VersionAreaProperties


class VersionAreaCollection(Schema):
    type: Literal["FeatureCollection"]
    version: BoundaryVersionRef
    features: list[VersionAreaFeature]
