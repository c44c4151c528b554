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
    neighbourhood: NeighbourhoodRef | None = Field(
        description="The City and Hackney neighbourhood the practice is in now; null for a "
        "practice outside City and Hackney."
    )
    outside_area: bool = Field(description="True for a practice outside City and Hackney.")
    borough: str | None = Field(
        description="The borough the practice's postcode is in; null when we hold no record "
        "of its postcode.",
        examples=["Tower Hamlets"],
    )
    serves: str | None = Field(
        description="Who the practice is for, when only some people can register; null for a "
        "practice for everyone. Such a practice is among the nearest only when it also "
        "registers everyone.",
        examples=[None],
    )
    registers_everyone: bool = Field(
        description="With serves: the practice also registers anyone living nearby."
    )


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


class WardRef(Schema):
    code: str = Field(description="The ward's GSS code.", examples=["E05009372"])
    name: str = Field(examples=["Dalston"])


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
    ward: WardRef | None = Field(
        description="The electoral ward the postcode is in (Code-Point Open); null when the "
        "code list names none."
    )
    location: Location | None
    practices: list[NearbyPractice] = Field(
        description="The GP practices nearest the postcode, whatever their neighbourhood or "
        "borough, nearest first; empty outside City and Hackney. Today's, also with ?on=."
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
        description="The GP practices nearest the point, whatever their neighbourhood or "
        "borough, nearest first; empty outside City and Hackney. Today's, also with ?on=."
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
    no_neighbourhood: int = Field(
        ge=0,
        description="Those in City and Hackney whose area has no neighbourhood yet. The "
        "neighbourhoods' counts, these and outside_area add up to postcodes.",
    )
    message: str = Field(
        description="The counts in plain English, as the page words them.",
        examples=["Of the 1,517 postcodes in E1, 49 are in Shoreditch Park and City and "
                  "1,468 are outside City and Hackney."],
    )  # fmt: skip
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


class ProfileRow(Schema):
    label: str = Field(examples=["Aged 15 years and under"])
    residents: int | None = Field(description="Null when under 10: left out, and said so.")
    share: float | None = Field(description="Percentage of the rows' sum, one decimal place.")


class ProfileBreakdown(Schema):
    rows: list[ProfileRow]
    total: int = Field(
        description="The rows' sum, as published: Census counts carry small deliberate "
        "perturbations, so it can differ from the residents by a few."
    )


class DecileCount(Schema):
    decile: int = Field(ge=1, le=10, description="National IMD 2025 decile: 1 most deprived.")
    lsoas: int
    residents: int


class DomainFigures(Schema):
    domain: str = Field(examples=["income"])
    label: str
    most_deprived_fifth_residents: int
    most_deprived_fifth_share: float | None
    share_2019: float | None = Field(
        description="Share in the most deprived fifth in 2019, on the LSOAs with one 2019 "
        "figure through ONS's 2011-2021 lookup."
    )
    share_2025_same_lsoas: float | None
    comparable_lsoas: int
    comparable_residents: int


class DeprivationFigures(Schema):
    by_decile: list[DecileCount]
    most_deprived_fifth_residents: int
    most_deprived_fifth_share: float | None
    domains: list[DomainFigures]
    not_comparable_lsoas: list[str]


class ProficiencyMsoa(Schema):
    code: str = Field(examples=["E02000356"])
    name: str = Field(examples=["Hackney 012"])
    residents: int = Field(description="Census 2021 usual residents of its LSOAs, summed.")
    residents_in_area: int = Field(description="Of them, those living in the area's LSOAs.")
    share_in_area: float | None


class EnglishProficiency(Schema):
    msoas: list[ProficiencyMsoa] = Field(
        description="The best fit: the 2021 MSOAs more than half of whose residents live in "
        "the area (TS029 is published per MSOA, and MSOAs do not nest in neighbourhoods)."
    )
    msoas_not_in_file: list[ProficiencyMsoa] = Field(
        description="MSOAs that would be in the best fit but that the imported file has no "
        "figures for."
    )
    residents_covered: int = Field(description="The area's residents living in those MSOAs.")
    residents_covered_share: float | None
    residents_outside_area: int = Field(
        description="The MSOAs' residents living outside the area, whom the figures also count."
    )
    rows: list[ProfileRow] = Field(description="Residents aged 3 and over, by category.")
    total: int = Field(description="The MSOAs' residents aged 3 and over, as published.")
    not_proficient: int | None = Field(
        description="Cannot speak English well, or at all; null when under 10."
    )
    not_proficient_share: float | None


class MainLanguages(Schema):
    boroughs: list[str]
    rows: list[ProfileRow] = Field(
        description="The 10 most common main languages other than English, residents aged 3 "
        "and over (TS024, published per borough and no lower); catch-all groups not ranked."
    )
    total: int = Field(description="Residents aged 3 and over, as published.")
    languages_total: int = Field(description="Every language's count summed.")
    english: int | None
    english_share: float | None


class AreaProfile(Schema):
    name: str = Field(examples=["London Fields"])
    slug: str
    lsoas: int
    lsoa_codes: list[str]
    residents: int = Field(description="Census 2021 usual residents, summed as published.")
    residents_rounded: int = Field(description="Rounded to the nearest 100, as ONS rounds.")
    ages: ProfileBreakdown
    ethnic_groups: ProfileBreakdown
    deprivation: DeprivationFigures
    english_proficiency: EnglishProficiency | None = Field(
        None, description="Proficiency in English, best fit by MSOA; null until imported."
    )
    main_languages: MainLanguages | None = Field(
        None, description="City and Hackney's alone: ONS publishes main language per borough."
    )
    suppressed: list[str] = Field(description="What is left out, and why.")


class RegisteredDeprivation(Schema):
    code: str
    name: str | None = None
    score: float
    decile: int = Field(ge=1, le=10)


class RegisteredDeprivations(Schema):
    pcn: RegisteredDeprivation | None
    practices: list[RegisteredDeprivation]


class ProfileRelease(Schema):
    source: str
    publisher: str
    release_date: str | None = Field(json_schema_extra={"format": "date"})
    licence: str
    attribution: str


class ProfileAnswer(Schema):
    description: str
    boundary_version: int | None
    neighbourhood: AreaProfile
    city_and_hackney: AreaProfile
    registered_patients: int | None
    registered_patients_as_of: str | None = Field(json_schema_extra={"format": "date"})
    registered_patients_imd2019: RegisteredDeprivations
    releases: list[ProfileRelease]
