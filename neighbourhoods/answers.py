"""The one place that decides what a lookup answers: by postcode, or by point.

The public page and the JSON API both render a `LookupResult`, so they can never disagree.
A postcode's answer is read from precomputed rows (neighbourhoods.services.store_answers):
one indexed read of its row, a district's one read of its row, and nothing is joined or
worked out during the request. A point cannot be known ahead of time, so its answer is
worked out when it is asked, in one query: the neighbourhood and the borough that cover it
(`ST_Covers`, so a point on an edge still counts) and the neighbourhood's practices nearest
it, by the same SQL the stored answers use (services.nearest_practices_sql).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from enum import StrEnum

from django.contrib.gis.measure import D
from django.db import connection

from . import services
from .models import DistrictAnswer, LocalAuthority, Neighbourhood, Postcode
from .postcodes import COVERED_AREAS, ParsedPostcode

COVERED_AREAS_TEXT = ", ".join(sorted(COVERED_AREAS)[:-1]) + " or " + sorted(COVERED_AREAS)[-1]


class Outcome(StrEnum):
    IN_AREA = "in_area"
    OUT_OF_AREA = "out_of_area"
    TERMINATED = "terminated"
    NOT_FOUND = "not_found"
    DISTRICT = "district"
    INVALID = "invalid"
    EMPTY = "empty"
    # A point only:
    OUTSIDE_GREAT_BRITAIN = "outside_great_britain"
    INVALID_POINT = "invalid_point"


# (HTTP status, API error code) for the outcomes that are errors.
ERRORS = {
    Outcome.TERMINATED: (404, "postcode_terminated"),
    Outcome.NOT_FOUND: (404, "postcode_not_found"),
    Outcome.INVALID: (400, "invalid_postcode"),
    Outcome.EMPTY: (400, "empty_postcode"),
    Outcome.OUTSIDE_GREAT_BRITAIN: (404, "outside_great_britain"),
    Outcome.INVALID_POINT: (400, "invalid_point"),
}

# Great Britain's extent in WGS84 degrees: the British National Grid's area of use, from the
# Isles of Scilly to Shetland. A box, so Northern Ireland and the Isle of Man are inside it
# (and answered as outside every borough we hold); France and the open sea are not.
GREAT_BRITAIN = {"south": 49.8, "north": 60.9, "west": -8.7, "east": 1.8}
# Six decimal places of a degree is about 10 cm: more says nothing about a place.
POINT_DECIMALS = 6
MAX_COORDINATE_LENGTH = 40


@dataclass(frozen=True)
class Location:
    latitude: float
    longitude: float

    def __str__(self) -> str:
        return f"{self.latitude:.5f}, {self.longitude:.5f}"

    @property
    def in_great_britain(self) -> bool:
        box = GREAT_BRITAIN
        return (
            box["south"] <= self.latitude <= box["north"]
            and box["west"] <= self.longitude <= box["east"]
        )

    @classmethod
    def parse(cls, latitude, longitude) -> Location | None:
        """Decimal degrees, latitude first; None unless both are real, finite and in range."""
        try:
            values = []
            for raw in (latitude, longitude):
                text = str(raw).strip() if raw is not None else ""
                if not text or len(text) > MAX_COORDINATE_LENGTH or "_" in text:
                    return None  # float() would read "5_1" as 51
                values.append(float(text))
        except ValueError:
            return None
        lat, lon = values
        if not (math.isfinite(lat) and math.isfinite(lon)):
            return None
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            return None
        return cls(round(lat, POINT_DECIMALS), round(lon, POINT_DECIMALS))


@dataclass(frozen=True)
class NearbyPractice:
    """A practice as an answer shows it, read from the postcode's stored answer."""

    ods_code: str
    name: str
    address: str
    postcode: str
    phone: str
    latitude: float
    longitude: float
    distance_m: float

    @property
    def distance(self) -> D:
        return D(m=self.distance_m)

    @property
    def address_lines(self) -> list[str]:
        return [line for line in self.address.splitlines() if line.strip()]


@dataclass(frozen=True)
class DistrictShare:
    neighbourhood: Neighbourhood
    postcodes: int


@dataclass(frozen=True)
class District:
    outcode: str
    shares: list[DistrictShare]
    outside: int  # live postcodes in the district outside City and Hackney

    @property
    def total(self) -> int:
        return sum(s.postcodes for s in self.shares) + self.outside


@dataclass(frozen=True)
class LookupResult:
    outcome: Outcome
    query: str
    postcode: ParsedPostcode | None = None
    record: Postcode | None = None
    neighbourhood: Neighbourhood | None = None
    local_authority: LocalAuthority | None = None
    practices: list[NearbyPractice] = field(default_factory=list)  # nearest first
    district: District | None = None
    partial: bool = False  # typed in part ("E8 1D"): answered for its district
    location: Location | None = None  # a lookup by point: the point asked about

    @property
    def is_point(self) -> bool:
        return self.outcome in POINT_ONLY or self.location is not None

    @property
    def place(self) -> str:
        """What the answer is about, as its sentences name it."""
        return "This location" if self.is_point else str(self.postcode)

    @property
    def distance_from(self) -> str:
        """What a practice's distance is measured from, as the page words it."""
        return "your location" if self.is_point else str(self.postcode)

    @property
    def point(self) -> Location | None:
        """Where the answer is on a map: the point asked about, or the postcode's point."""
        if self.location is not None:
            return self.location
        answer = self.record.answer if self.record is not None else None
        if answer and answer.get("latitude") is not None:
            return Location(answer["latitude"], answer["longitude"])
        return None

    @property
    def status_code(self) -> int:
        return ERRORS.get(self.outcome, (200, None))[0]

    @property
    def error_code(self) -> str | None:
        return ERRORS.get(self.outcome, (200, None))[1]

    @property
    def is_error(self) -> bool:
        return self.outcome in ERRORS

    @property
    def is_input_error(self) -> bool:
        """The resident needs to correct what they typed (not a postcode, or nothing)."""
        return self.outcome in (Outcome.INVALID, Outcome.EMPTY)

    @property
    def authority_name(self) -> str:
        if self.local_authority:
            return self.local_authority.name
        return "another area"

    @property
    def headline(self) -> str:
        pc = self.place
        match self.outcome:
            case Outcome.IN_AREA if self.neighbourhood is None:
                return f"{pc} is in City and Hackney"
            case Outcome.IN_AREA:
                return f"{pc} is in the {self.neighbourhood.name} neighbourhood"
            case Outcome.OUT_OF_AREA if self.local_authority is None:
                return f"{pc} is outside City and Hackney"
            case Outcome.OUT_OF_AREA:
                return f"{pc} is in {self.authority_name}, outside City and Hackney"
            case Outcome.OUTSIDE_GREAT_BRITAIN:
                return f"{pc} is outside Great Britain"
            case Outcome.INVALID_POINT:
                return "We could not read that location"
            case Outcome.TERMINATED:
                return f"{pc} is no longer in use"
            case Outcome.NOT_FOUND:
                return f"We could not find {pc}"
            case Outcome.DISTRICT:
                return f"Neighbourhoods in the {self.postcode.outcode} postcode district"
            case Outcome.INVALID:
                return "Enter a real postcode, like E8 1DY"
            case Outcome.EMPTY:
                return "Enter a postcode"

    @property
    def detail(self) -> str:
        """What the resident can do next, after the headline."""
        pc = self.postcode
        match self.outcome:
            case Outcome.IN_AREA if self.neighbourhood is None:
                return (
                    "The area around it has not been given a neighbourhood yet. Find your "
                    "neighbourhood by your GP practice instead."
                )
            case Outcome.IN_AREA:
                return (
                    "Your neighbourhood is the one your GP practice belongs to, so if your "
                    "practice is in another neighbourhood, find it by your practice's name."
                )
            case Outcome.OUT_OF_AREA if self.local_authority is None and self.is_point:
                return (
                    "It is not in any London borough. Use Find a GP on the NHS website to find "
                    "a GP practice near you."
                )
            case Outcome.OUT_OF_AREA if self.local_authority is None:
                return (
                    f"City and Hackney's postcodes all begin with {COVERED_AREAS_TEXT}. "
                    "Use Find a GP on the NHS website to find a GP practice near you."
                )
            case Outcome.OUTSIDE_GREAT_BRITAIN:
                return (
                    f"The portal answers for City and Hackney, in London, and {self.location} "
                    "(latitude, longitude) is not in Great Britain. If you typed it, check "
                    "that the latitude comes first, or enter your postcode instead."
                )
            case Outcome.INVALID_POINT:
                return (
                    "A location is a latitude from -90 to 90 and a longitude from -180 to 180, "
                    "in decimal degrees, like 51.5465, -0.0553. Enter your postcode instead."
                )
            case Outcome.OUT_OF_AREA:
                body = self.local_authority.nhs_body if self.local_authority else ""
                where = f"Its NHS services are planned by {body}. " if body else ""
                return f"{where}Use Find a GP on the NHS website to find a GP practice near you."
            case Outcome.TERMINATED:
                when = f" in {self.record.terminated_on:%B %Y}" if self.record.terminated_on else ""
                return (
                    f"It was terminated{when} and is no longer used for addresses. Check your "
                    "postcode, or see the neighbourhoods its district falls in."
                )
            case Outcome.NOT_FOUND:
                return (
                    "It may be new, or it may have a typo. Check it, see the neighbourhoods its "
                    "district falls in, or find your neighbourhood by your GP practice."
                )
            case Outcome.DISTRICT if not self.district.shares:
                return f"No postcodes in {pc.outcode} are in City and Hackney."
            case Outcome.DISTRICT if self.partial:
                names = ", ".join(s.neighbourhood.name for s in self.district.shares)
                return (
                    f"{self.query} is only part of a postcode. Postcodes in {pc.outcode} are in "
                    f"these neighbourhoods: {names}. Enter your full postcode, like "
                    f"{pc.outcode} 1AA, for your own answer."
                )
            case Outcome.DISTRICT:
                names = ", ".join(s.neighbourhood.name for s in self.district.shares)
                return (
                    f"Postcodes in {pc.outcode} are in these neighbourhoods: {names}. Enter your "
                    "full postcode for your own answer."
                )
            case Outcome.INVALID:
                return "A postcode has letters and numbers, in two parts."
            case Outcome.EMPTY:
                return "A postcode looks like E8 1DY."

    @property
    def message(self) -> str:
        """The whole answer in plain English: the same words in the page and the API."""
        return f"{self.headline}. {self.detail}"


POINT_ONLY = {Outcome.OUTSIDE_GREAT_BRITAIN, Outcome.INVALID_POINT}


def lookup_point(latitude, longitude) -> LookupResult:
    """The answer for a point given in decimal degrees (strings or numbers, as they came)."""
    location = Location.parse(latitude, longitude)
    if location is None:
        query = f"{latitude or ''}, {longitude or ''}"[:100]
        return LookupResult(Outcome.INVALID_POINT, query)
    query = str(location)
    if not location.in_great_britain:
        return LookupResult(Outcome.OUTSIDE_GREAT_BRITAIN, query, location=location)
    found = covering(location)
    neighbourhood = found["neighbourhood"]
    authority = found["local_authority"]
    practices = [NearbyPractice(**p) for p in found["practices"]]
    in_area = neighbourhood is not None or (
        authority is not None and authority.gss_code in services.area_authority_codes()
    )
    return LookupResult(
        Outcome.IN_AREA if in_area else Outcome.OUT_OF_AREA,
        query,
        neighbourhood=neighbourhood,
        local_authority=authority,
        practices=practices,
        location=location,
    )


def covering(location: Location) -> dict:
    """The neighbourhood and local authority that cover a point, and the neighbourhood's
    practices nearest it: one query, on the boundaries' spatial indexes."""
    point = "ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326)"
    nearest = services.nearest_practices_sql(point="here.location", neighbourhood_id="n.id")
    sql = f"""
        WITH here AS (SELECT {point} AS location)
        SELECT n.id, n.name, n.slug, la.gss_code, la.name, la.nhs_body, nearest.practices
        FROM here
        LEFT JOIN LATERAL (
            SELECT id, name, slug FROM {Neighbourhood._meta.db_table}
            WHERE ST_Covers(boundary, here.location) ORDER BY id LIMIT 1
        ) AS n ON true
        LEFT JOIN LATERAL (
            SELECT gss_code, name, nhs_body FROM {LocalAuthority._meta.db_table}
            WHERE ST_Covers(boundary, here.location) ORDER BY gss_code LIMIT 1
        ) AS la ON true
        LEFT JOIN LATERAL ({nearest}) AS nearest ON n.id IS NOT NULL
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, {"lat": location.latitude, "lon": location.longitude})
        n_id, n_name, n_slug, la_code, la_name, la_body, practices = cursor.fetchone()
    if isinstance(practices, str):
        practices = json.loads(practices)
    return {
        "neighbourhood": Neighbourhood(id=n_id, name=n_name, slug=n_slug) if n_id else None,
        "local_authority": (
            LocalAuthority(gss_code=la_code, name=la_name, nhs_body=la_body) if la_code else None
        ),
        "practices": [{**p, "latitude": float(p["latitude"]), "longitude": float(p["longitude"]),
                       "distance_m": float(p["distance_m"])} for p in practices or []],
    }  # fmt: skip


def lookup_postcode(raw: str | None, *, rows=None, districts=None) -> LookupResult:
    """The answer for a postcode as typed. `rows` and `districts`, when given, hold the rows
    already read (lookup_postcodes reads many at once); otherwise each is read here."""

    def read_row(postcode: str) -> Postcode | None:
        return rows.get(postcode) if rows is not None else stored_answer(postcode)

    def read_district(outcode: str) -> District:
        if districts is not None and outcode in districts:
            return districts[outcode]
        return district_answer(outcode)

    query = (raw or "").strip()
    if not query:
        return LookupResult(Outcome.EMPTY, query)
    postcode, partial = parse_query(query)
    if postcode is None:
        return LookupResult(Outcome.INVALID, query[:100])
    if not postcode.is_full:
        district = read_district(postcode.outcode)
        if district.total == 0 and not postcode.in_covered_area:
            return LookupResult(Outcome.OUT_OF_AREA, query, postcode, district=district)
        if district.total == 0:
            return LookupResult(Outcome.NOT_FOUND, query, postcode, district=district)
        return LookupResult(Outcome.DISTRICT, query, postcode, district=district, partial=partial)

    record = read_row(postcode.with_space)
    if record is None and not postcode.in_covered_area:
        return LookupResult(Outcome.OUT_OF_AREA, query, postcode)
    if record is None:
        return LookupResult(
            Outcome.NOT_FOUND, query, postcode, district=read_district(postcode.outcode)
        )
    answer = record.answer or {}
    authority = local_authority_of(record, answer)
    if record.terminated:
        return LookupResult(
            Outcome.TERMINATED,
            query,
            postcode,
            record=record,
            local_authority=authority,
            district=read_district(postcode.outcode),
        )
    # Precomputed: a postcode has an LSOA exactly when its local authority is in the area.
    if record.lsoa_id is None:
        return LookupResult(
            Outcome.OUT_OF_AREA, query, postcode, record=record, local_authority=authority
        )
    return LookupResult(
        Outcome.IN_AREA,
        query,
        postcode,
        record=record,
        neighbourhood=neighbourhood_of(answer),
        local_authority=authority,
        practices=[NearbyPractice(**p) for p in answer.get("practices", [])],
    )


def parse_query(query: str) -> tuple[ParsedPostcode | None, bool]:
    """The postcode typed, and whether it was typed in part ("E8 1D")."""
    postcode = ParsedPostcode.parse(query)
    if postcode is not None:
        return postcode, False
    return ParsedPostcode.parse_partial(query), True


def lookup_postcodes(raws: list[str]) -> list[LookupResult]:
    """Many postcodes, answered in the order given, each as lookup_postcode decides: from one
    indexed read of all their rows, and one of their districts' rows."""
    parsed = [parse_query((raw or "").strip())[0] if (raw or "").strip() else None
              for raw in raws]  # fmt: skip
    wanted = sorted({p.with_space for p in parsed if p is not None and p.is_full})
    rows = {}
    if wanted:
        found = Postcode.objects.only(*ANSWER_FIELDS).filter(postcode__in=wanted)
        rows = {row.postcode: row for row in found}
    # A district is shown for a district asked, and for an unknown or terminated postcode.
    outcodes = {
        p.outcode
        for p in parsed
        if p is not None
        and (not p.is_full or p.with_space not in rows or rows[p.with_space].terminated)
    }
    districts = district_answers(outcodes) if outcodes else {}
    return [lookup_postcode(raw, rows=rows, districts=districts) for raw in raws]


# Everything an answer reads from the postcode's row; the geometry is not among them.
ANSWER_FIELDS = ["postcode", "terminated", "terminated_on", "local_authority_code", "lsoa_id",
                 "answer"]  # fmt: skip


# The one read of a postcode lookup, written once rather than compiled by the ORM on every
# request (the compiling cost as much as the read itself), and prepared once per database
# connection rather than parsed and planned by PostgreSQL on every request
# (config/postgis/base.py execute_prepared).
# With the primary key, as .only() reads it, in the model's own order, as from_db expects.
ANSWER_COLUMNS = [
    f for f in Postcode._meta.concrete_fields if f.attname in ANSWER_FIELDS or f.primary_key
]
STORED_ANSWER = "portal_stored_answer"
STORED_ANSWER_SQL = "SELECT {columns} FROM {table} WHERE postcode = $1".format(
    columns=", ".join(f.column for f in ANSWER_COLUMNS), table=Postcode._meta.db_table
)
_ANSWER_FIELD = Postcode._meta.get_field("answer")


def stored_row(postcode: str) -> tuple | None:
    """The postcode's row by its unique index, as PostgreSQL sent it: its values in the order
    of ANSWER_COLUMNS, the answer as JSON text. The same row is the same answer."""
    with connection.cursor() as cursor:
        connection.execute_prepared(cursor, STORED_ANSWER, STORED_ANSWER_SQL, [postcode])
        return cursor.fetchone()


def record_of(row: tuple) -> Postcode:
    """A row of stored_row as a Postcode, its fields outside the answer deferred (as Django
    builds a row read with .only())."""
    values = [
        _ANSWER_FIELD.from_db_value(value, None, connection) if f is _ANSWER_FIELD else value
        for f, value in zip(ANSWER_COLUMNS, row, strict=True)
    ]
    return Postcode.from_db(connection.alias, [f.attname for f in ANSWER_COLUMNS], values)


def stored_answer(postcode: str) -> Postcode | None:
    """The postcode's row, by its unique index, with the answer worked out ahead of time."""
    row = stored_row(postcode)
    return None if row is None else record_of(row)


def local_authority_of(record: Postcode, answer: dict) -> LocalAuthority | None:
    stored = answer.get("local_authority")
    if not stored:
        return None
    return LocalAuthority(gss_code=record.local_authority_code, **stored)


def neighbourhood_of(answer: dict) -> Neighbourhood | None:
    stored = answer.get("neighbourhood")
    return Neighbourhood(**stored) if stored else None


def district_answer(outcode: str) -> District:
    """How a district's live postcodes split between the neighbourhoods (and the outside)."""
    row = DistrictAnswer.objects.filter(outcode=outcode).first()
    return district_of(outcode, row)


def district_answers(outcodes) -> dict[str, District]:
    """district_answer for many districts, in one read."""
    rows = {row.outcode: row for row in DistrictAnswer.objects.filter(outcode__in=list(outcodes))}
    return {outcode: district_of(outcode, rows.get(outcode)) for outcode in outcodes}


def district_of(outcode: str, row: DistrictAnswer | None) -> District:
    if row is None:
        return District(outcode=outcode, shares=[], outside=0)
    shares = [
        DistrictShare(Neighbourhood(id=s["id"], name=s["name"], slug=s["slug"]), s["postcodes"])
        for s in row.shares
    ]
    return District(outcode=outcode, shares=shares, outside=row.outside)
