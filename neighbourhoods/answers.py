"""What a lookup can answer, in words: the outcomes, their HTTP status and error code, and
the result that both the page and the API render, so the two can never disagree.

No SQL and no HTTP here: `selectors` decides which outcome a postcode or point gets, and
`stored_answer` reads what was worked out ahead of time.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from enum import StrEnum

from django.contrib.gis.measure import D

from .models import LocalAuthority, Neighbourhood, Postcode, Ward, for_whom
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
# Decimal degrees as a person, a browser or a program writes them: ASCII digits, an optional
# sign and point, and an exponent as JSON, JavaScript and Python write a small number
# (String(-0.0000005) is "-5e-7", and the API's description says the coordinates are
# numbers). float() alone would also take "5_1" (as 51), "inf", "nan" and other scripts'
# digits ("５１"); pydantic takes "5_1" too.
COORDINATE_RE = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


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
        """Decimal degrees, latitude first, as text (spaces around it aside) or numbers; None
        unless both are plain decimals (or numbers with an exponent) in range. The one reader
        of a coordinate, for the page and the API alike."""
        values = []
        for raw in (latitude, longitude):
            if isinstance(raw, (int, float)) and not isinstance(raw, bool):
                value = float(raw)
            else:
                text = raw.strip() if isinstance(raw, str) else ""
                if len(text) > MAX_COORDINATE_LENGTH or not COORDINATE_RE.fullmatch(text):
                    return None
                value = float(text)
            if not math.isfinite(value):
                return None
            values.append(value)
        lat, lon = values
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
    neighbourhood: dict | None = None  # {"name", "slug"}: its neighbourhood now, if any
    borough: str | None = None  # the borough its postcode is in
    serves: str = ""  # who it is for, when only some people can register
    registers_everyone: bool = False

    @property
    def outside_area(self) -> bool:
        """In no City and Hackney neighbourhood: a practice elsewhere in London."""
        return self.neighbourhood is None

    @property
    def neighbourhood_url(self) -> str | None:
        if self.neighbourhood is None:
            return None
        return Neighbourhood(slug=self.neighbourhood["slug"]).get_absolute_url()

    @property
    def for_whom(self) -> str:
        return for_whom(self.serves, self.registers_everyone)

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
    no_neighbourhood: int = 0  # in City and Hackney, in an area with no neighbourhood yet

    @property
    def total(self) -> int:
        return sum(s.postcodes for s in self.shares) + self.no_neighbourhood + self.outside

    @property
    def in_area(self) -> int:
        return self.total - self.outside

    @property
    def counted(self) -> str:
        """How its live postcodes split, in words: "Of the 1,517 postcodes in E1, 49 are in
        Shoreditch Park and City and 1,468 are outside City and Hackney"."""
        postcodes = "postcode" if self.total == 1 else "postcodes"
        if not self.in_area and self.total == 1:
            return f"The one postcode in {self.outcode} is outside City and Hackney"
        if not self.in_area:
            return f"None of the {self.total:,} postcodes in {self.outcode} are in City and Hackney"

        def are(n: int) -> str:
            return f"{n:,} {'is' if n == 1 else 'are'}"

        parts = [f"{are(s.postcodes)} in {s.neighbourhood.name}" for s in self.shares]
        if self.no_neighbourhood:
            parts.append(
                f"{are(self.no_neighbourhood)} in City and Hackney but in no neighbourhood yet"
            )
        if self.outside:
            parts.append(f"{are(self.outside)} outside City and Hackney")
        listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
        return f"Of the {self.total:,} {postcodes} in {self.outcode}, {listed}"


@dataclass(frozen=True)
class LookupResult:
    outcome: Outcome
    query: str
    postcode: ParsedPostcode | None = None
    record: Postcode | None = None
    neighbourhood: Neighbourhood | None = None
    local_authority: LocalAuthority | None = None
    ward: Ward | None = None  # a postcode's electoral ward, from Code-Point Open
    practices: list[NearbyPractice] = field(default_factory=list)  # nearest first
    district: District | None = None
    partial: bool = False  # typed in part ("E8 1D"): answered for its district
    location: Location | None = None  # a lookup by point: the point asked about
    postcode_point: Location | None = None  # a postcode's own point, from its stored answer

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
        return self.location if self.location is not None else self.postcode_point

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
                where = "This location" if self.is_point else "This postcode"
                return (
                    f"{where} is in the area we show for {self.neighbourhood.name}. But if you "
                    "are registered with a GP practice, your neighbourhood is your practice's, "
                    "which may be another one: find your practice to see which."
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
                    f"postcode, or find your neighbourhood by your GP practice.{self.district_said}"
                )
            case Outcome.NOT_FOUND:
                return (
                    "It may be new, or it may have a typo. Check it, or find your neighbourhood "
                    f"by your GP practice.{self.district_said}"
                )
            case Outcome.DISTRICT if self.partial:
                return (
                    f"{self.query} is only part of a postcode. {self.district.counted}. Enter "
                    f"your full postcode, like {pc.outcode} 1AA, for your own answer."
                )
            case Outcome.DISTRICT:
                return f"{self.district.counted}. Enter your full postcode for your own answer."
            case Outcome.INVALID:
                return "A postcode has letters and numbers, in two parts."
            case Outcome.EMPTY:
                return "A postcode looks like E8 1DY."

    @property
    def district_said(self) -> str:
        """The district's counts after an unknown or terminated postcode's answer, when we hold
        any of its postcodes: the page's district table shows the same counts."""
        if self.district is None or not self.district.total:
            return ""
        return f" {self.district.counted}."

    @property
    def message(self) -> str:
        """The whole answer in plain English: the same words in the page and the API."""
        return f"{self.headline}. {self.detail}"


POINT_ONLY = {Outcome.OUTSIDE_GREAT_BRITAIN, Outcome.INVALID_POINT}
