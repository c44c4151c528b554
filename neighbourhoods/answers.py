"""The one place that decides what a postcode lookup answers.

The public page and the JSON API both render a `LookupResult`, so they can never disagree.
Every answer is read from precomputed rows (neighbourhoods.services.store_answers): a
postcode's answer is one indexed read of its row, a district's one read of its row, and
nothing is joined or worked out during a request.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from django.contrib.gis.measure import D

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


# (HTTP status, API error code) for the outcomes that are errors.
ERRORS = {
    Outcome.TERMINATED: (404, "postcode_terminated"),
    Outcome.NOT_FOUND: (404, "postcode_not_found"),
    Outcome.INVALID: (400, "invalid_postcode"),
    Outcome.EMPTY: (400, "empty_postcode"),
}


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
        pc = self.postcode
        match self.outcome:
            case Outcome.IN_AREA if self.neighbourhood is None:
                return f"{pc} is in City and Hackney"
            case Outcome.IN_AREA:
                return f"{pc} is in the {self.neighbourhood.name} neighbourhood"
            case Outcome.OUT_OF_AREA if self.local_authority is None:
                return f"{pc} is outside City and Hackney"
            case Outcome.OUT_OF_AREA:
                return f"{pc} is in {self.authority_name}, outside City and Hackney"
            case Outcome.TERMINATED:
                return f"{pc} is no longer in use"
            case Outcome.NOT_FOUND:
                return f"We could not find {pc}"
            case Outcome.DISTRICT:
                return f"Neighbourhoods in the {pc.outcode} postcode district"
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
            case Outcome.OUT_OF_AREA if self.local_authority is None:
                return (
                    f"City and Hackney's postcodes all begin with {COVERED_AREAS_TEXT}. "
                    "Use Find a GP on the NHS website to find a GP practice near you."
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
    def _district_hint(self) -> str:
        """Points to the district's neighbourhoods only when there are some to show."""
        if self.district and self.district.shares:
            return f", see the neighbourhoods {self.postcode.outcode} falls in"
        return ""

    @property
    def message(self) -> str:
        """The whole answer in plain English: the same words in the page and the API."""
        return f"{self.headline}. {self.detail}"


def lookup_postcode(raw: str | None) -> LookupResult:
    query = (raw or "").strip()
    if not query:
        return LookupResult(Outcome.EMPTY, query)
    postcode = ParsedPostcode.parse(query)
    partial = False
    if postcode is None:
        postcode, partial = ParsedPostcode.parse_partial(query), True
    if postcode is None:
        return LookupResult(Outcome.INVALID, query[:100])
    if not postcode.is_full:
        district = district_answer(postcode.outcode)
        if district.total == 0 and not postcode.in_covered_area:
            return LookupResult(Outcome.OUT_OF_AREA, query, postcode, district=district)
        if district.total == 0:
            return LookupResult(Outcome.NOT_FOUND, query, postcode, district=district)
        return LookupResult(Outcome.DISTRICT, query, postcode, district=district, partial=partial)

    record = stored_answer(postcode.with_space)
    if record is None and not postcode.in_covered_area:
        return LookupResult(Outcome.OUT_OF_AREA, query, postcode)
    if record is None:
        return LookupResult(
            Outcome.NOT_FOUND, query, postcode, district=district_answer(postcode.outcode)
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
            district=district_answer(postcode.outcode),
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


# Everything an answer reads from the postcode's row; the geometry is not among them.
ANSWER_FIELDS = ["postcode", "terminated", "terminated_on", "local_authority_code", "lsoa_id",
                 "answer"]  # fmt: skip


def stored_answer(postcode: str) -> Postcode | None:
    """The postcode's row, by its unique index, with the answer worked out ahead of time."""
    rows = Postcode.objects.only(*ANSWER_FIELDS).filter(postcode=postcode)[:1]
    return next(iter(rows), None)


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
    if row is None:
        return District(outcode=outcode, shares=[], outside=0)
    shares = [
        DistrictShare(Neighbourhood(id=s["id"], name=s["name"], slug=s["slug"]), s["postcodes"])
        for s in row.shares
    ]
    return District(outcode=outcode, shares=shares, outside=row.outside)
